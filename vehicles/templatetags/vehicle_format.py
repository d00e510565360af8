"""Display helpers for vehicle pages: prices with their units, window hours."""

from datetime import time
from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def price(value: Decimal | None) -> str:
    """Two decimals, or three when the third matters (a rate of 0.125 €/km), in the reader's locale."""
    if value is None:
        return ""
    places = 2 if value == value.quantize(Decimal("0.01")) else 3
    return number_format(value, decimal_pos=places, use_l10n=True)


@register.filter
def window_end(value: time) -> str:
    """A window ending at 00:00 ends at midnight, shown as 24:00 so the day reads forward."""
    return "24:00" if value == time(0) else value.strftime("%H:%M")
