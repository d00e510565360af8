"""Amounts in the active language: « 1 234,56 € » in French, “1,234.56 €” in English."""

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import gettext as _

from ledger.emails import money_text

register = template.Library()


@register.filter
def money(amount) -> str:
    if amount is None or amount == "":
        return ""
    return money_text(Decimal(amount))


@register.filter
def money_abs(amount) -> str:
    if amount is None or amount == "":
        return ""
    return money_text(abs(Decimal(amount)))


@register.filter
def per_km(amount) -> str:
    """A cost per km to the tenth of a cent, e.g. « 0,108 € »."""
    if amount is None or amount == "":
        return ""
    number = formats.number_format(Decimal(amount), decimal_pos=3, use_l10n=True, force_grouping=True)
    return _("%(amount)s €") % {"amount": number}
