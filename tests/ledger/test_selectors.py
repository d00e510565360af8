from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from colocauto.core.errors import NotAllowed
from ledger import services
from ledger.cost_selectors import vehicle_report
from ledger.models import Transaction
from ledger.posting import account_for, local_today, post
from ledger.selectors import balance_of, balances_for, own_balance
from ledger.statement_selectors import statement_for
from tests.factories import CommunityFactory, MembershipFactory, VehicleFactory
from tests.helpers import MID_MONTH
from tests.ledger.conftest import add_member, make_trip


def _queries(function):
    with CaptureQueriesContext(connection) as context:
        function()
    return len(context.captured_queries)


def test_balances_take_the_same_queries_for_many_entries_and_members(community, trio):
    car = trio["car"]
    services.trip_charge(trip=make_trip(car, trio["b"], 10))
    few = _queries(lambda: balances_for(trio["a_membership"]))

    for index in range(15):
        driver = add_member(community, f"Driver {index}")[0]
        services.trip_charge(trip=make_trip(car, driver, 10 + index, ended_at=None, hours=1))

    assert _queries(lambda: balances_for(trio["a_membership"])) == few == 2
    balances = balances_for(trio["a_membership"])
    assert len(balances) == 18
    assert sum(balance.amount for balance in balances) == 0


def test_balances_are_exact_to_the_cent_after_many_small_entries(community, trio):
    """SQLite sums decimals as floats: 1001 × 0.10 must still be exactly 100.10."""
    b, c = account_for(community, trio["b"].pk), account_for(community, trio["c"].pk)
    for _ in range(1001):
        post(
            community=community,
            kind=Transaction.Kind.EXPENSE,
            on=local_today(community),
            lines=[(b, Decimal("0.10")), (c, Decimal("-0.10"))],
        )

    amounts = {balance.user: balance.amount for balance in balances_for(trio["a_membership"])}

    assert amounts[trio["b"]] == Decimal("100.10")
    assert str(amounts[trio["c"]]) == "-100.10"
    assert amounts[trio["a"]] == Decimal("0.00")


def test_former_members_with_a_balance_and_the_pool_are_listed(community, trio):
    pool_car = VehicleFactory(community=community, owner=None, rate_per_km=Decimal("0.100"))
    services.trip_charge(trip=make_trip(pool_car, trio["c"], 100))
    trio["c_membership"].status = "left"
    trio["c_membership"].ended_at = trio["c_membership"].joined_at + timedelta(days=30)
    trio["c_membership"].save()

    balances = balances_for(trio["a_membership"])

    assert [(balance.user, balance.amount, balance.is_member) for balance in balances] == [
        (trio["a"], Decimal("0.00"), True),
        (trio["b"], Decimal("0.00"), True),
        (trio["c"], Decimal("-10.00"), False),
        (None, Decimal("10.00"), False),
    ]
    assert balances[-1].is_pool


def test_own_balance_is_the_members_row_of_the_balances_in_one_query(community, trio):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100))
    elsewhere = CommunityFactory()
    MembershipFactory(community=elsewhere, user=trio["b"])
    post(
        community=elsewhere,
        kind=Transaction.Kind.EXPENSE,
        on=local_today(elsewhere),
        lines=[(account_for(elsewhere, trio["b"].pk), Decimal("7.00")), (account_for(elsewhere, None), Decimal("-7"))],
    )
    rows = {balance.user: balance.amount for balance in balances_for(trio["a_membership"])}

    assert _queries(lambda: own_balance(trio["b_membership"])) == 1
    assert own_balance(trio["b_membership"]) == rows[trio["b"]] == Decimal("-30.00")
    assert own_balance(trio["a_membership"]) == rows[trio["a"]] == Decimal("30.00")
    assert own_balance(trio["c_membership"]) == rows[trio["c"]] == Decimal("0.00")
    assert balance_of(trio["c_membership"], trio["b"]) == Decimal("-30.00")


def test_own_balance_is_refused_to_a_member_who_left(community, trio):
    trio["b_membership"].status = "left"
    trio["b_membership"].save()

    with pytest.raises(NotAllowed):
        own_balance(trio["b_membership"])


@pytest.mark.time_machine(MID_MONTH, tick=False)
def test_a_statement_explains_the_balance_line_by_line(community, trio, last_month, mid_last_month):
    car = trio["car"]
    services.trip_charge(trip=make_trip(car, trio["b"], 100, ended_at=mid_last_month))
    services.expense_record(
        membership=trio["b_membership"], vehicle=car, category="fuel", amount=Decimal("40"), spent_on=last_month
    )
    charge = services.trip_charge(trip=make_trip(car, trio["b"], 20))
    services.transaction_reverse(membership=trio["a_membership"], transaction=charge, reason="Test drive")

    statement = statement_for(trio["c_membership"], trio["b"])

    assert [(line.transaction.kind, line.amount, line.balance) for line in statement.lines] == [
        ("expense", Decimal("40.00"), Decimal("40.00")),  # dated the 1st of last month
        ("trip_charge", Decimal("-30.00"), Decimal("10.00")),
        ("trip_charge", Decimal("-6.00"), Decimal("4.00")),
        ("reversal", Decimal("6.00"), Decimal("10.00")),
    ]
    assert statement.lines[-1].description == "Test drive"
    assert statement.lines[0].vehicle == car
    assert statement.closing == Decimal("10.00")

    this_month = statement_for(trio["c_membership"], trio["b"], month=local_today(community))
    assert this_month.opening == Decimal("10.00")
    assert [line.amount for line in this_month.lines] == [Decimal("-6.00"), Decimal("6.00")]
    assert this_month.closing == Decimal("10.00")


def test_statements_of_strangers_are_not_found(community, trio, outsider):
    with pytest.raises(Http404):
        statement_for(trio["a_membership"], outsider)
    with pytest.raises(Http404):
        vehicle_report(
            outsider.memberships.get(), trio["car"].pk, start=local_today(community), end=local_today(community)
        )


def test_vehicle_report_gives_km_costs_by_category_and_cost_per_km(community, trio, last_month, mid_last_month):
    car = trio["car"]
    make_trip(car, trio["b"], 300, ended_at=mid_last_month)
    make_trip(car, trio["c"], 100, ended_at=mid_last_month + timedelta(days=1))
    make_trip(car, trio["c"], 999)  # this month: outside the period
    for category, amount in (("fuel", "60.00"), ("fuel", "20.00"), ("repair", "150.00"), ("cleaning", "10.00")):
        services.expense_record(
            membership=trio["a_membership"], vehicle=car, category=category, amount=Decimal(amount), spent_on=last_month
        )
    undone = services.expense_record(
        membership=trio["a_membership"], vehicle=car, category="tax", amount=Decimal("99"), spent_on=last_month
    )
    services.expense_cancel(membership=trio["a_membership"], expense=undone, reason="Duplicate")
    end = last_month + timedelta(days=27)

    report = vehicle_report(trio["b_membership"], car.pk, start=last_month, end=end)

    assert (report.km, report.trips) == (400, 2)
    assert [(category, amount) for category, _label, amount in report.costs_by_category] == [
        ("repair", Decimal("150.00")),
        ("fuel", Decimal("80.00")),
        ("cleaning", Decimal("10.00")),
    ]
    assert report.total_cost == Decimal("240.00")
    assert report.cost_per_km == Decimal("0.600")
