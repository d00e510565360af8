"""Exact money arithmetic: amounts are ``Decimal`` with 2 places, never floats (``InvalidAmount``).

``apportion`` splits an amount among weighted keys with the largest-remainder method, so the
parts always add up to the cent.
"""

from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any, TypeVar

from colocauto.core.amounts import InvalidAmount, exact_decimal  # noqa: F401  (re-exported)

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

K = TypeVar("K", bound=Hashable)


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to the cent, half away from zero (the rule for computed charges).

    A float, NaN or an infinity is refused with ``InvalidAmount`` (a domain error), never rounded.
    """
    return exact_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(amount: Decimal) -> int:
    """An exact amount in cents; refuses floats, NaN and infinities (``InvalidAmount``) and fractions of a cent."""
    cents = exact_decimal(amount) * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} has fractions of a cent.")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def stable_order(keys: Iterable[K]) -> list[K]:
    """Keys sorted by value when they are comparable, else by their text: independent of insertion order."""
    items: list[Any] = list(keys)  # whether they compare is found out by trying
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=lambda key: (type(key).__name__, str(key)))


def apportion(total: Decimal, weights: Mapping[K, Decimal | int | Fraction]) -> dict[K, Decimal]:
    """Split ``total`` among the keys of ``weights`` in proportion to them, to the cent.

    Largest remainder: every key gets the floor of its exact share (in cents, of the absolute
    total), and the cents left over go one each to the largest remainders; ties go to the larger
    weight, then to the smaller key (see ``stable_order``). A negative total is split as its
    absolute value and negated, so signs never mix. Zero weights get zero.
    """
    if not weights:
        raise ValueError("Nothing to split among: no weights.")
    exact_weights = {key: Fraction(weight) for key, weight in weights.items()}
    if any(weight < 0 for weight in exact_weights.values()):
        raise ValueError("Weights must not be negative.")
    weight_sum = sum(exact_weights.values())
    if weight_sum == 0:
        raise ValueError("Cannot split by weights that are all zero.")
    cents = to_cents(total)
    sign = -1 if cents < 0 else 1
    cents = abs(cents)

    parts: dict[K, int] = {}
    remainders: dict[K, Fraction] = {}
    for key, weight in exact_weights.items():
        share = Fraction(cents) * weight / weight_sum
        parts[key] = share.numerator // share.denominator
        remainders[key] = share - parts[key]
    left_over = cents - sum(parts.values())
    position = {key: index for index, key in enumerate(stable_order(exact_weights))}
    by_priority = sorted(exact_weights, key=lambda key: (-remainders[key], -exact_weights[key], position[key]))
    for key in by_priority[:left_over]:
        parts[key] += 1
    return {key: from_cents(sign * part) for key, part in parts.items()}
