from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from colocauto.core.errors import DomainError
from ledger.money import InvalidAmount, apportion, to_cents, to_money

cents = st.integers(min_value=-10_000_000, max_value=10_000_000)
weight_maps = st.dictionaries(
    st.integers(min_value=1, max_value=10_000), st.integers(min_value=0, max_value=5_000), min_size=1, max_size=30
).filter(lambda weights: sum(weights.values()) > 0)


@given(total_cents=cents, weights=weight_maps)
def test_apportioned_parts_add_up_to_the_total_and_stay_within_a_cent_of_the_exact_share(total_cents, weights):
    total = Decimal(total_cents) / 100
    parts = apportion(total, weights)

    assert sum(parts.values()) == total
    assert set(parts) == set(weights)
    weight_sum = sum(weights.values())
    for key, part in parts.items():
        exact = Fraction(total_cents, 100) * weights[key] / weight_sum
        assert abs(Fraction(part) - exact) < Fraction(1, 100)
        assert part == part.quantize(Decimal("0.01"))
        if weights[key] == 0:
            assert part == 0


@given(total_cents=cents, weights=weight_maps)
def test_apportion_does_not_depend_on_the_order_of_the_weights(total_cents, weights):
    total = Decimal(total_cents) / 100
    reversed_weights = dict(reversed(list(weights.items())))

    assert apportion(total, weights) == apportion(total, reversed_weights)


def test_leftover_cents_go_to_the_largest_remainders_then_larger_weight_then_key_order():
    assert apportion(Decimal("10.00"), {"a": 1, "b": 1, "c": 1}) == {
        "a": Decimal("3.34"),
        "b": Decimal("3.33"),
        "c": Decimal("3.33"),
    }
    # Remainders: a 0.333…, b 0.666… → b gets the cent although a comes first.
    assert apportion(Decimal("0.01"), {"a": 1, "b": 2}) == {"a": Decimal("0.00"), "b": Decimal("0.01")}
    # Equal remainders: the larger weight wins before the key order.
    assert apportion(Decimal("0.01"), {"a": 1, "b": 3}) == {"a": Decimal("0.00"), "b": Decimal("0.01")}


def test_a_negative_total_is_split_with_the_same_parts_negated():
    assert apportion(Decimal("-10.00"), {1: 1, 2: 1, 3: 1}) == {
        1: Decimal("-3.34"),
        2: Decimal("-3.33"),
        3: Decimal("-3.33"),
    }


def test_splitting_by_weights_that_are_all_zero_is_refused():
    with pytest.raises(ValueError, match="all zero"):
        apportion(Decimal("5.00"), {1: 0, 2: 0})


@pytest.mark.parametrize("weights", [{}, {1: -1, 2: 2}])
def test_empty_or_negative_weights_are_refused(weights):
    with pytest.raises(ValueError):
        apportion(Decimal("5.00"), weights)


def test_fractions_of_a_cent_are_refused():
    with pytest.raises(ValueError, match="fractions of a cent"):
        to_cents(Decimal("0.001"))


@pytest.mark.parametrize(
    "value", [0.1, 1.0, float("nan"), float("inf"), Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity"), "nan", True]
)
def test_floats_nan_and_infinities_are_refused_as_money_with_a_domain_error(value):
    with pytest.raises(InvalidAmount) as refusal:
        to_money(value)
    assert isinstance(refusal.value, DomainError) and refusal.value.message
    with pytest.raises(InvalidAmount):
        to_cents(value)


def test_computed_amounts_round_half_away_from_zero():
    assert to_money(Decimal("0.125")) == Decimal("0.13")
    assert to_money(Decimal("-0.125")) == Decimal("-0.13")
    assert to_money(Decimal("2.344")) == Decimal("2.34")
