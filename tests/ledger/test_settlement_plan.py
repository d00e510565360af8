import random
import time
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.settlement import EXACT_LIMIT, settlement_plan


def _balances_strategy(max_size, max_cents=5_000, small_values=False):
    values = st.integers(min_value=-max_cents, max_value=max_cents)
    if small_values:  # few distinct values: many zero-sum groups, the hard case for a greedy plan
        values = st.sampled_from([-300, -200, -100, 100, 200, 300, 500, -500])
    return st.lists(values, min_size=1, max_size=max_size - 1).map(
        lambda items: {f"m{index:02d}": Decimal(value) / 100 for index, value in enumerate([*items, -sum(items)])}
    )


def _apply(balances, plan):
    after = defaultdict(Decimal, balances)
    for payer, payee, amount in plan:
        assert amount > 0
        assert payer != payee
        after[payer] += amount
        after[payee] -= amount
    return after


def _brute_force_minimum(balances):
    """n − (largest number of disjoint zero-sum groups), by trying every partition."""
    values = [int(amount * 100) for amount in balances.values() if amount]
    best = 0

    def search(remaining, groups):
        nonlocal best
        if not remaining:
            best = max(best, groups)
            return
        first, rest = remaining[0], remaining[1:]
        # Choose the group holding ``first``: every subset of the rest that completes it to zero.
        for mask in range(1 << len(rest)):
            chosen = [rest[i] for i in range(len(rest)) if mask >> i & 1]
            if first + sum(chosen) == 0:
                search([rest[i] for i in range(len(rest)) if not mask >> i & 1], groups + 1)

    search(values, 0)
    return len(values) - best


def test_the_worked_example_needs_two_transfers_from_the_debtor():
    plan = settlement_plan({"A": Decimal("5.00"), "B": Decimal("10.00"), "C": Decimal("-15.00")})

    assert plan == [("C", "B", Decimal("10.00")), ("C", "A", Decimal("5.00"))]


def test_zero_balances_need_no_transfer():
    assert settlement_plan({"A": Decimal("0.00"), "B": Decimal("0")}) == []
    assert settlement_plan({}) == []


def test_balances_that_do_not_sum_to_zero_are_refused():
    with pytest.raises(ValueError, match="sum to exactly zero"):
        settlement_plan({"A": Decimal("1.00"), "B": Decimal("-0.99")})


def test_two_independent_pairs_take_two_transfers_not_three():
    plan = settlement_plan({"A": Decimal("-7"), "B": Decimal("-3"), "C": Decimal("3"), "D": Decimal("7")})

    assert sorted(plan) == [("A", "D", Decimal("7.00")), ("B", "C", Decimal("3.00"))]


@settings(max_examples=300, deadline=None)
@given(balances=st.one_of(_balances_strategy(8), _balances_strategy(8, small_values=True)))
def test_for_up_to_eight_balances_the_plan_settles_everything_with_the_brute_force_minimum(balances):
    plan = settlement_plan(balances)

    assert all(amount == 0 for amount in _apply(balances, plan).values())
    assert len(plan) == _brute_force_minimum(balances)


@settings(max_examples=60, deadline=None)
@given(balances=st.one_of(_balances_strategy(EXACT_LIMIT), _balances_strategy(60, small_values=True)))
def test_any_plan_settles_every_balance_exactly_with_at_most_n_minus_one_transfers(balances):
    plan = settlement_plan(balances)
    non_zero = sum(1 for amount in balances.values() if amount)

    assert all(amount == 0 for amount in _apply(balances, plan).values())
    assert len(plan) <= max(non_zero - 1, 0)


@settings(max_examples=50, deadline=None)
@given(balances=_balances_strategy(30, small_values=True), seed=st.integers())
def test_the_same_balances_give_the_same_plan_whatever_their_order(balances, seed):
    items = list(balances.items())
    random.Random(seed).shuffle(items)

    assert settlement_plan(dict(items)) == settlement_plan(balances)


def test_the_exact_plan_for_twenty_members_takes_well_under_two_seconds():
    rng = random.Random(20)
    worst = 0.0
    for _ in range(5):
        values = [rng.choice([-1, 1]) * rng.randint(1, 4) * 500 for _ in range(19)]
        balances = {index: Decimal(value) / 100 for index, value in enumerate([*values, -sum(values)])}
        started = time.perf_counter()
        plan = settlement_plan(balances)
        worst = max(worst, time.perf_counter() - started)
        assert all(amount == 0 for amount in _apply(balances, plan).values())

    assert worst < 2.0


def test_twenty_balances_in_ten_opposite_pairs_need_ten_transfers():
    balances = {}
    for index in range(10):
        balances[f"d{index}"] = Decimal(-(index + 1))
        balances[f"c{index}"] = Decimal(index + 1)

    assert len(settlement_plan(balances)) == 10
