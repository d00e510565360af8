"""Text that must stay on one line: names people type, and the e-mail subjects they end up in; the type of a text
that may be translated lazily."""

import re
import unicodedata

from django.utils.functional import Promise

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
