"""The calendar pages do the same number of SQL queries with 2 bookings as with 500."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking
from tests.factories import VehicleFactory
from vehicles.models import AvailabilityWindow, Blackout

PARIS = ZoneInfo("Europe/Paris")
STATUSES = [
    Booking.Status.REQUESTED,
    Booking.Status.CONFIRMED,
    Booking.Status.IN_PROGRESS,
    Booking.Status.COMPLETED,
    Booking.Status.CANCELLED,
]


@pytest.fixture
def fleet(community, vehicle):
    """Three vehicles: one with weekly windows, one with blackouts, one always available."""
    van = VehicleFactory(community=community, name="Kangoo")
    bike = VehicleFactory(community=community, name="Zoé")
    for weekday in range(7):
        AvailabilityWindow.objects.create(vehicle=van, weekday=weekday, start_time=time(7), end_time=time(21))
    return [vehicle, van, bike]


def next_monday() -> datetime:
    today = datetime.now(PARIS).date()
    monday = today + timedelta(days=7 - today.weekday())
    return datetime.combine(monday, time(0), tzinfo=PARIS)


def add_bookings(fleet, people, count, *, offset=0):
    """``count`` half-hour bookings in next week, spread over the vehicles, people and statuses."""
    monday = next_monday()
    Booking.objects.bulk_create(
        Booking(
            community=fleet[0].community,
            vehicle=fleet[n % len(fleet)],
            member=people[n % len(people)],
            starts_at=monday + timedelta(minutes=30 * (n // len(fleet))),
            ends_at=monday + timedelta(minutes=30 * (n // len(fleet) + 1)),
            status=STATUSES[n % len(STATUSES)],
        )
        for n in range(offset, offset + count)
    )
    for n in range(offset, offset + count, 50):
        Blackout.objects.create(
            vehicle=fleet[1], starts_at=monday + timedelta(hours=n % 160), ends_at=monday + timedelta(hours=n % 160 + 1)
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize(
    ("view", "per_vehicle"),
    [("week", False), ("day", False), ("month", False), ("week", True), ("day", True), ("month", True)],
)
def test_calendar_query_count_does_not_grow_with_bookings(client, community, fleet, owner, member, view, per_vehicle):
    client.force_login(member)
    if per_vehicle:
        url = reverse("calendar_vehicle", kwargs={"community_id": community.pk, "vehicle_id": fleet[0].pk})
    else:
        url = reverse("calendar", kwargs={"community_id": community.pk})
    url += f"?view={view}&date={(next_monday() + timedelta(days=1)).date().isoformat()}"

    add_bookings(fleet, [owner, member], 2)
    few = count_queries(client, url)
    add_bookings(fleet, [owner, member], 498, offset=2)
    assert Booking.objects.count() == 500
    many = count_queries(client, url)

    assert few == many
    assert many <= 9, "session, user, membership, navigation, vehicles (+2 prefetches), bookings"
