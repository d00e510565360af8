from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def figure(value, places: int | None = None):
    """A number in the reader's format, thousands grouped; "–" when there is none (no division by zero)."""
    if value is None:
        return "–"
    if isinstance(value, tuple):
        low, high = (figure(part, places) for part in value)
        return low if low == high else _("%(low)s to %(high)s") % {"low": low, "high": high}
    if places is not None:
        value = Decimal(value).quantize(Decimal(1).scaleb(-int(places)))
    return number_format(value, use_l10n=True, force_grouping=True)


@register.filter
def signed_percent(value):
    if value is None:
        return ""
    return f"+{value} %" if value > 0 else f"{value} %".replace("-", "−")


@register.filter
def attr(obj, name: str):
    return getattr(obj, name, None) if obj is not None else None


@register.simple_tag
def show(cell, name: str, places=None):
    """One figure of a report cell: its value, "confidential" (never 0), or "–" when it can't be computed."""
    if cell is None or cell.confidential:
        return _("confidential")
    return figure(getattr(cell.indicators, name), places)
