"""The monthly roll-up against a month worked out by hand, and its idempotent refresh."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings.models import Booking
from ledger import services as ledger_services
from territories.figures import Figures, Indicators
from territories.models import TerritoryConsent
from territories.periods import Period
from territories.reports import territory_report
from territories.rollup import MonthlyUsage, RollupMonth, usage_rollup_refresh, usage_rows
from territories.tasks import usage_rollup_month
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory
from tests.territories.conftest import at, book
from vehicles.models import AvailabilityWindow, Vehicle

FEBRUARY = date(2025, 2, 1)  # 28 days, 20 weekdays, no change of clock


@pytest.fixture
def hand_example(db):
    """Three households; A lends a petrol car (0.30 €/km), the community owns an electric one (0.10 €/km)
    bookable on weekdays 08:00–18:00."""
    community = CommunityFactory(name="La Main")
    a, b, c = (UserFactory(display_name=name) for name in ("A", "B", "C"))
    for user in (a, b, c):
        MembershipFactory(community=community, user=user, joined_at=at(2024, 6, 1))
    petrol = VehicleFactory(community=community, owner=a, energy="petrol", rate_per_km=Decimal("0.300"))
    electric = VehicleFactory(community=community, owner=None, energy="electric", rate_per_km=Decimal("0.100"))
    Vehicle.objects.filter(community=community).update(created_at=at(2024, 6, 1))
    for weekday in range(5):
        AvailabilityWindow.objects.create(vehicle=electric, weekday=weekday, start_time=time(8), end_time=time(18))
    trips = [
        book(petrol, b, at(2025, 2, 3, 10), at(2025, 2, 3, 14), km=40),
        book(petrol, c, at(2025, 2, 10, 9), at(2025, 2, 10, 12), km=60),
        book(petrol, a, at(2025, 2, 12, 8), at(2025, 2, 12, 10), km=20),  # the owner: not charged
        book(electric, b, at(2025, 2, 5, 8), at(2025, 2, 5, 13), km=50),
        # Starts in February (4 of its 8 hours), its trip ends in March.
        book(petrol, a, at(2025, 2, 28, 20), at(2025, 3, 1, 4), km=70),
        # Starts in January (2 of its 4 hours in February), its trip ends in February.
        book(electric, c, at(2025, 1, 31, 22), at(2025, 2, 1, 2), km=30),
    ]
    book(petrol, b, at(2025, 2, 20, 8), at(2025, 2, 20, 18), status=Booking.Status.CANCELLED)
    for booking in trips:
        ledger_services.trip_charge(trip=booking.trip)
    return community


def _row(rows, energy):
    return next(row for row in rows if row.energy == energy)


def test_the_rollup_of_a_month_matches_the_figures_worked_out_by_hand(hand_example):
    rows = usage_rows(month=FEBRUARY)

    petrol, electric, together = _row(rows, "petrol"), _row(rows, "electric"), _row(rows, "all")
    assert (petrol.bookings, petrol.booked_hours, petrol.trips, petrol.km) == (4, Decimal("13.00"), 3, 120)
    assert (petrol.trips_by_non_owners, petrol.households, petrol.vehicles) == (2, 3, 1)
    assert (petrol.max_household_km, petrol.max_household_hours) == (60, Decimal("6.00"))
    assert (petrol.available_hours, petrol.driver_charges, petrol.charged_km) == (672, Decimal("30.00"), 100)
    assert (electric.bookings, electric.booked_hours, electric.trips, electric.km) == (1, Decimal("7.00"), 2, 80)
    assert (electric.trips_by_non_owners, electric.households, electric.available_hours) == (2, 2, 200)
    assert (electric.driver_charges, electric.charged_km) == (Decimal("8.00"), 80)
    assert (together.bookings, together.booked_hours, together.trips, together.km) == (5, Decimal("20.00"), 5, 200)
    assert (together.households, together.members, together.vehicles, together.available_hours) == (3, 3, 2, 872)
    # B drove 40 + 50 km and booked 4 + 5 hours: the largest household over both cars.
    assert (together.max_household_km, together.max_household_hours) == (90, Decimal("9.00"))


def test_the_indicators_of_the_example_month_match_the_hand_computation(hand_example, drome, settings):
    settings.TERRITORY_MIN_HOUSEHOLDS = 2
    settings.TERRITORY_MIN_BOOKINGS = 1
    TerritoryConsent.objects.create(community=hand_example, territory=drome["crest"])

    report = territory_report(drome["crest"], years=[2025], today=date(2026, 1, 15))

    figures = report.table.figures(drome["crest"].pk, "all", Period.month(2025, 2))
    shown = Indicators(figures)
    assert (shown.bookings, shown.km, shown.booked_hours, shown.households, shown.communities) == (5, 200, 20, 3, 1)
    assert shown.occupancy == Decimal("2.3")  # 20 h ÷ (672 + 200) h
    assert shown.non_owner_share == Decimal("80.0")  # 4 trips of 5
    assert shown.members_per_vehicle == Decimal("1.5")
    assert shown.km_per_vehicle == 100
    assert shown.km_per_trip == Decimal("40.0")
    assert shown.cost_per_km == Decimal("0.21")  # 38 € ÷ 180 km charged
    assert shown.cars_avoided == (10, 16)  # 2 vehicles × 5 to 8
    assert shown.km_removed == (1667, 3167)  # 2 vehicles × 10,000 to 19,000 km ÷ 12
    # 120 km petrol × 0.218 + 80 km electric × 0.104 kgCO2e
    assert shown.co2_emitted_kg == (Decimal("34.480"), Decimal("34.480"))


def test_co2_is_a_range_when_the_energy_mix_is_confidential():
    figures = Figures(km=1000, km_electric=400)
    assert Indicators(figures, co2_exact=False).co2_emitted_kg == (Decimal("104.000"), Decimal("218.000"))
    assert Indicators(figures).co2_emitted_kg == (Decimal("172.400"), Decimal("172.400"))


def test_refreshing_a_month_twice_leaves_the_same_rows(hand_example):
    usage_rollup_refresh(month=FEBRUARY)
    first = list(MonthlyUsage.objects.order_by("pk").values_list("pk", "energy", "km", "bookings"))

    usage_rollup_refresh(month=FEBRUARY)

    assert list(MonthlyUsage.objects.order_by("pk").values_list("pk", "energy", "km", "bookings")) == first
    assert RollupMonth.objects.filter(month=FEBRUARY).exists()


def test_refreshing_drops_the_rows_of_what_no_longer_exists(hand_example):
    usage_rollup_refresh(month=FEBRUARY)
    Vehicle.objects.filter(energy="electric").update(energy="hybrid")  # it was entered wrong

    usage_rollup_month("2025-02")

    energies = set(MonthlyUsage.objects.filter(month=FEBRUARY).values_list("energy", flat=True))
    assert energies == {"petrol", "hybrid", "all"}


def test_the_rollup_takes_the_same_queries_for_one_and_for_many_communities(hand_example):
    def count():
        with CaptureQueriesContext(connection) as queries:
            usage_rollup_refresh(month=FEBRUARY)
        return len(queries)

    count()  # the first refresh also marks the month as stored
    few = count()
    for number in range(5):
        community = CommunityFactory(name=f"Autre {number}")
        user = UserFactory()
        MembershipFactory(community=community, user=user, joined_at=at(2024, 6, 1))
        car = VehicleFactory(community=community, owner=user)
        book(car, user, at(2025, 2, 4, 9), at(2025, 2, 4, 11), km=12)
    assert count() == few


def test_the_monthly_job_refreshes_last_month_by_default(hand_example, monkeypatch):
    seen = []
    monkeypatch.setattr("territories.tasks.usage_rollup_refresh", lambda month: seen.append(month) or 0)
    usage_rollup_month()
    assert len(seen) == 1 and seen[0].day == 1


def test_beat_refreshes_last_months_rollup_after_the_month_close():
    from colocauto.celery import app

    entry = app.conf.beat_schedule["territories-usage-rollup"]
    assert entry["task"] == "territories.tasks.usage_rollup_month"
    assert entry["schedule"].hour == {8} and entry["schedule"].day_of_month == set(range(1, 8))
