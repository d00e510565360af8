"""Charts where people would rather look than read: my balance month after month, a vehicle's costs and km,
the community's activity. Figures from SQL sums, in a constant number of queries, with their table."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from communities.models import Membership
from ledger import charts
from ledger.models import Expense
from tests.factories import (
    CommunityFactory,
    ExpenseFactory,
    TransactionFactory,
    TripFactory,
    VehicleFactory,
    member_of,
    owes,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine("2026-06-15 10:00 +02:00", tick=False)]


@pytest.fixture
def community():
    return CommunityFactory(name="Les Tilleuls")


def test_balance_chart_shows_each_months_closing_balance_for_a_year(community):
    anna, ben = member_of(community), member_of(community)
    owes(community, anna, ben, "20.00")  # posted today, in June
    TransactionFactory(community=community, on=date(2025, 3, 10), lines={anna: Decimal("5.00"), ben: Decimal("-5.00")})
    TransactionFactory(community=community, on=date(2026, 2, 1), lines={anna: Decimal("-7.50"), ben: Decimal("7.50")})
    membership = Membership.objects.get(community=community, user=ben)

    with translation.override("fr"):
        chart = charts.balance_chart(membership, anna, date(2026, 6, 15))

    months = [row[0] for row in chart.rows]
    assert months[0] == "juillet 2025" and months[-1] == "juin 2026"
    values = [row[1][0] for row in chart.rows]
    # March 2025's 5 € is carried into the first month shown, then -7.50 in February, then +20 in June.
    assert values[:7] == ["5,00\u00a0€"] * 7
    assert values[7:11] == ["-2,50\u00a0€"] * 4
    assert values[11] == "17,50\u00a0€"


def test_vehicle_charts_split_costs_by_category_and_count_km_each_month(community):
    owner = member_of(community)
    car = VehicleFactory(community=community, owner=owner, name="Zoé")
    ExpenseFactory(
        vehicle=car, paid_by=owner, category=Expense.Category.FUEL, amount=Decimal("40.00"), spent_on=date(2026, 5, 3)
    )
    ExpenseFactory(
        vehicle=car,
        paid_by=owner,
        category=Expense.Category.INSURANCE,
        amount=Decimal("300.00"),
        spent_on=date(2026, 5, 9),
    )
    ExpenseFactory(
        vehicle=car, paid_by=owner, category=Expense.Category.FUEL, amount=Decimal("25.00"), spent_on=date(2026, 6, 1)
    )
    TripFactory(booking__vehicle=car, booking__member=owner, km=120)
    membership = Membership.objects.get(community=community, user=owner)

    with translation.override("fr"):
        costs, km = charts.vehicle_charts(membership, car, date(2026, 1, 1), date(2026, 6, 15))
        categories = [str(Expense.Category.INSURANCE.label), str(Expense.Category.FUEL.label)]

    assert [row[0] for row in costs.rows] == [
        "janvier 2026",
        "février 2026",
        "mars 2026",
        "avril 2026",
        "mai 2026",
        "juin 2026",
    ]
    assert [name for name, _values in costs.series] == categories == ["Assurance", "Carburant / recharge"]
    assert costs.rows[4][1] == ["300,00\u00a0€", "40,00\u00a0€"]
    assert costs.rows[5][1] == ["0,00\u00a0€", "25,00\u00a0€"]
    assert km.rows[5][1] == ["120 km"] and km.rows[4][1] == ["0 km"]


def test_the_pages_draw_the_charts_with_their_tables_in_constant_queries(client, community):
    member = member_of(community)
    car = VehicleFactory(community=community, owner=member)
    client.force_login(member)
    pages = [
        reverse("ledger_account", args=[community.pk]),
        reverse("ledger_balances", args=[community.pk]),
        reverse("ledger_vehicle_report", args=[community.pk, car.pk]),
    ]

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert 'class="chart-svg"' in content and "<table" in content
        return len(captured)

    other = member_of(community)

    def history(days):
        owes(community, member, other, "3.00")
        ExpenseFactory(vehicle=car, paid_by=member, spent_on=date(2026, 6, 15) - timedelta(days=days))
        TripFactory(booking__vehicle=car, booking__member=member)

    history(0)
    before = [queries(url) for url in pages]
    for days in range(20, 300, 20):
        history(days)
    assert [queries(url) for url in pages] == before


def test_a_non_member_cannot_see_a_vehicles_charts(client, community):
    car = VehicleFactory(community=community)
    client.force_login(member_of(CommunityFactory()))
    assert client.get(reverse("ledger_vehicle_report", args=[community.pk, car.pk])).status_code == 404


def test_names_in_charts_are_escaped(client, community):
    member = member_of(community)
    car = VehicleFactory(community=community, owner=member, name="<script>x</script>")
    ExpenseFactory(vehicle=car, paid_by=member)
    client.force_login(member)
    content = client.get(reverse("ledger_vehicle_report", args=[community.pk, car.pk])).content.decode()
    assert "<script>x</script>" not in content
