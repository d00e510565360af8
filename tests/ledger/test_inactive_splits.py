"""Inactive members and the fixed costs (issue 11): an inactive member bears no share of the fixed costs from the
month their inactivity starts, is charged their trips as ever, and shares again from the month after they are
active again; months already closed keep their split; every split adds up to the cent and the community to zero."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum

from communities import inactivity
from ledger import closing, services
from ledger.membership_days import membership_days
from ledger.models import Account, Entry, Transaction
from tests.helpers import MID_MONTH
from tests.ledger.conftest import make_trip, mid, shared_car

pytestmark = pytest.mark.time_machine(MID_MONTH, tick=False)
NOVEMBER, DECEMBER, JANUARY, FEBRUARY = date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)


def _fixed_shares(car, month: date) -> dict[str, Decimal]:
    """Who was charged what of the car's fixed costs of ``month`` (the creditor's line left out)."""
    transaction = Transaction.objects.get(idempotency_key=f"fixed:{car.pk}:{month:%Y-%m}")
    entries = Entry.objects.filter(transaction=transaction, account__user__isnull=False).select_related("account__user")
    return {entry.account.user.display_name: -entry.amount for entry in entries}


def _assert_balanced(community, car, month: date, amount: Decimal) -> None:
    transaction = Transaction.objects.get(idempotency_key=f"fixed:{car.pk}:{month:%Y-%m}")
    assert transaction.entries.aggregate(total=Sum("amount"))["total"] == 0
    assert sum(_fixed_shares(car, month).values()) == amount
    assert Account.objects.filter(community=community).aggregate(total=Sum("balance"))["total"] == 0


def _close(community, month: date, *, on: str):
    with time_machine.travel(on, tick=False):
        return closing.month_close(community=community, month=month)


@pytest.fixture
def car(community, trio):
    """A community car: its fixed costs are credited to the pool, so each member's line is their share."""
    return shared_car(community, None, fixed="100.00")


def test_an_inactive_member_shares_the_fixed_costs_of_this_month_but_not_the_next(community, trio, car):
    inactivity.membership_mark_inactive(actor=trio["a_membership"], membership=trio["c_membership"])
    _close(community, NOVEMBER, on="2026-12-02T10:00:00+01:00")
    _close(community, DECEMBER, on="2027-01-02T10:00:00+01:00")
    november = _fixed_shares(car, NOVEMBER)
    assert set(november) == {"Anne", "Bruno", "Chloe"}
    assert sorted(november.values()) == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]
    assert _fixed_shares(car, DECEMBER) == {"Anne": Decimal("50.00"), "Bruno": Decimal("50.00")}
    _assert_balanced(community, car, NOVEMBER, Decimal("100.00"))
    _assert_balanced(community, car, DECEMBER, Decimal("100.00"))


def test_an_inactive_member_still_pays_their_trips(community, trio, car):
    inactivity.membership_mark_inactive(actor=trio["a_membership"], membership=trio["c_membership"])
    with time_machine.travel("2026-12-10T10:00:00+01:00", tick=False):
        trip = make_trip(trio["car"], trio["c"], 100, ended_at=mid(DECEMBER, community))
        charged = services.trip_charge(trip=trip)
    assert charged is not None
    assert charged.entries.get(account__user=trio["c"]).amount == Decimal("-30.00")


def test_months_already_closed_keep_their_split_and_reactivation_counts_from_next_month(community, trio, car):
    admin, chloe = trio["a_membership"], trio["c_membership"]
    inactivity.membership_mark_inactive(actor=admin, membership=chloe)
    _close(community, NOVEMBER, on="2026-12-02T10:00:00+01:00")
    _close(community, DECEMBER, on="2027-01-02T10:00:00+01:00")
    before = {month: _fixed_shares(car, month) for month in (NOVEMBER, DECEMBER)}
    with time_machine.travel("2027-01-15T10:00:00+01:00", tick=False):
        inactivity.membership_reactivate(actor=admin, membership=chloe)
    _close(community, JANUARY, on="2027-02-02T10:00:00+01:00")
    _close(community, FEBRUARY, on="2027-03-02T10:00:00+01:00")
    assert {month: _fixed_shares(car, month) for month in (NOVEMBER, DECEMBER)} == before
    assert "Chloe" not in _fixed_shares(car, JANUARY)
    assert _fixed_shares(car, FEBRUARY)["Chloe"] in (Decimal("33.33"), Decimal("33.34"))
    for month in (JANUARY, FEBRUARY):
        _assert_balanced(community, car, month, Decimal("100.00"))


def test_a_second_inactive_period_leaves_the_first_as_it_was(community, trio):
    """The days of each month follow the periods in force then, even after a later period begins."""
    admin, chloe = trio["a_membership"], trio["c_membership"]
    inactivity.membership_mark_inactive(actor=admin, membership=chloe)  # December on
    with time_machine.travel("2027-01-15T10:00:00+01:00", tick=False):
        inactivity.membership_reactivate(actor=admin, membership=chloe)  # February on
    with time_machine.travel("2027-03-15T10:00:00+01:00", tick=False):
        inactivity.membership_mark_inactive(actor=admin, membership=chloe)  # April on
    chloe_id = trio["c"].pk
    assert [
        membership_days(community, month).get(chloe_id, 0)
        for month in (NOVEMBER, DECEMBER, JANUARY, FEBRUARY, date(2027, 3, 1), date(2027, 4, 1))
    ] == [30, 0, 0, 28, 31, 0]


def test_when_every_member_is_inactive_no_fixed_costs_are_charged(community, trio, car):
    admin = trio["a_membership"]
    for key in ("b_membership", "c_membership"):
        inactivity.membership_mark_inactive(actor=admin, membership=trio[key])
    from communities.models import Inactivity

    Inactivity.objects.create(membership=admin, starts_on=DECEMBER, marked_by=admin.user)
    _close(community, DECEMBER, on="2027-01-02T10:00:00+01:00")
    assert not Transaction.objects.filter(idempotency_key=f"fixed:{car.pk}:2026-12").exists()
