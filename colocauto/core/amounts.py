"""Exact amounts at the edge of every service that takes money: never a float, NaN or an infinity.

A binary float cannot hold 0.10 exactly, so an amount given as one is refused rather than rounded:
callers pass a ``Decimal``, an ``int`` or the text a person typed.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from colocauto.core.errors import DomainError


class InvalidAmount(DomainError):
    """Not an exact, finite amount."""

    default_code = "invalid_amount"


def exact_decimal(value: Decimal | int | str) -> Decimal:
    """``value`` as a finite ``Decimal``; ``InvalidAmount`` for a float, a bool, NaN, an infinity or non-numbers."""
    if isinstance(value, float):
        raise InvalidAmount(_("An amount must be exact, e.g. 42.50, never a floating-point number."))
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidAmount(_("Enter an amount, e.g. 42.50."))
    try:
        number = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError):
        raise InvalidAmount(_("Enter an amount, e.g. 42.50.")) from None
    if not number.is_finite():
        raise InvalidAmount(_("Enter an amount, e.g. 42.50."))
    return number
