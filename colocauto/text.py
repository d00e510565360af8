"""Text that must stay on one line: names people type, and the e-mail subjects they end up in; the type of a text
that may be translated lazily."""

import re
import unicodedata
from datetime import date, datetime

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import get_language

# A text, or a lazily translated one (``gettext_lazy``), rendered in the reader's language when shown.
StrOrPromise = str | Promise

# Control characters (newline, tab, NUL…) and the Unicode line and paragraph separators.
_BREAKING = ("Cc", "Zl", "Zp")


def _without_breaks(text: str) -> str:
    return "".join(" " if unicodedata.category(char) in _BREAKING else char for char in text)


def single_line(value: str | None) -> str:
    """A name on one line: line breaks and control characters become spaces, runs of spaces collapse.
    Names end up in e-mail subjects, where a newline would make Django refuse the whole message."""
    return " ".join(_without_breaks(value or "").split())


def subject_line(text: str) -> str:
    """An e-mail subject on one line, whatever a stored name holds. Runs of plain spaces collapse;
    no-break spaces stay, since French puts them before ':' and '€' and inside dates."""
    return re.sub(" {2,}", " ", _without_breaks(text)).strip()


# French typography applied to text once its names and dates are in: "de" elides before a vowel or a mute
# letter ("Compte d’Alice", "régularisation d’octobre"), and the first of the month is "1er".
_VOWEL_START = "aeiouyàâäéèêëîïôöùûüœæAEIOUYÀÂÄÉÈÊËÎÏÔÖÙÛÜŒÆ"
# Words before which French does not elide although they start with a vowel sound letter.
_NO_ELISION = ("onze", "onzième", "ouate", "yacht", "yaourt", "yoga", "yeti", "yéti")
_DE = re.compile(rf"\b([Dd])e ([{_VOWEL_START}][\w’'-]*)")
_MONTHS = "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre"
_FIRST_OF = re.compile(rf"(?<![\d])1(\s)(?=(?:{_MONTHS})\b)")


def french_typography(text: str) -> str:
    """``text`` with the elisions and ordinals French requires, when the active language is French."""
    if not (get_language() or "").startswith("fr"):
        return text

    def elide(match: re.Match[str]) -> str:
        word = match.group(2)
        if word.casefold().startswith(_NO_ELISION):
            return match.group(0)
        return f"{match.group(1)}’{word}"

    return _FIRST_OF.sub(r"1er\1", _DE.sub(elide, text))


def date_text(value: date | datetime, format_name: str) -> str:
    """``value`` written with Django's ``format_name`` in the active language, with « 1er » for the first
    of the month in French: the one way Python code writes a date in words (templates use the ``date``
    filter, which does the same)."""
    return french_typography(formats.date_format(value, format_name))
