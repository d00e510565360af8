"""Amounts in the active language: « 1 234,56 € » in French, “€1,234.56” in English."""

import unicodedata
from datetime import date
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import pgettext

from ledger.emails import money_text

register = template.Library()


@register.filter
def money(amount: Decimal | int | str | None) -> str:
    if amount is None or amount == "":
        return ""
    return money_text(Decimal(amount))


@register.filter
def money_abs(amount: Decimal | int | str | None) -> str:
    if amount is None or amount == "":
        return ""
    return money_text(abs(Decimal(amount)))


@register.filter
def per_km(amount: Decimal | int | str | None) -> str:
    """A cost per km to the tenth of a cent, e.g. « 0,108 € », “€0.108”."""
    if amount is None or amount == "":
        return ""
    return money_text(Decimal(amount), places=3)


@register.filter
def grouped(number: Decimal | int | None | str) -> str:
    """A whole number with the active language's thousands separator: « 15 395 », “15,395”."""
    if number is None or number == "":
        return ""
    return formats.number_format(number, use_l10n=True, force_grouping=True)


@register.filter
def quantity(value: Decimal | int | str | None) -> str:
    """Litres or kWh, up to two decimals, in the active language: « 28,5 », “28.5”."""
    if value is None or value == "":
        return ""
    return formats.number_format(Decimal(value).normalize(), use_l10n=True, force_grouping=True)


@register.filter
def iban_groups(iban: str) -> SafeString | str:
    """An IBAN in groups of four, each kept on one line (a phone may wrap between groups, never inside)."""
    if not iban:
        return ""
    compact = "".join(str(iban).split()).upper()
    groups = (compact[index : index + 4] for index in range(0, len(compact), 4))
    return format_html_join(" ", '<span class="iban-group">{}</span>', ((group,) for group in groups))


@register.filter
def statement_title(month: date) -> str:
    """« Relevé d'octobre 2026 », « Relevé de novembre 2026 »: the title of a month's statement. French elides
    before a vowel, so the catalogue has one sentence for month names starting with a vowel, one for the rest."""
    name = formats.date_format(month, "YEAR_MONTH_FORMAT")
    initial = unicodedata.normalize("NFD", name)[:1].casefold()
    if initial in "aeiou":
        title = pgettext("statement title; the month's name starts with a vowel", "Statement for %(month)s")
    else:
        title = pgettext("statement title; the month's name starts with a consonant", "Statement for %(month)s")
    return title % {"month": name}
