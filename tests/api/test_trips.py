"""/api/v1/communities/{id}/bookings/{id}/trip/start|end/: the pages' trip rules, the confirmation of an
unlikely distance as an explicit code, and the parity of the API with the pages down to the ledger."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from PIL import Image

from bookings.models import Booking, BookingEvent, IncidentPhoto, Trip
from ledger.models import Entry, Transaction
from tests.bookings.conftest import local
from tests.factories import TripFactory, VehicleFactory, book, member_of


def trip_url(booking, end: str) -> str:
    return f"/api/v1/communities/{booking.community_id}/bookings/{booking.pk}/trip/{end}/"


@pytest.fixture
def starting(member, vehicle):
    """The member's confirmed booking, started ten minutes ago and lasting five hours."""
    now = timezone.now()
    return book(vehicle, member, now - timedelta(minutes=10), now + timedelta(hours=5))


@pytest.fixture
def driving(member, vehicle):
    """The member's booking in progress, its trip started at 10,000 km."""
    return TripFactory(
        booking=book(vehicle, member, timezone.now() - timedelta(hours=1), hours=4, status=Booking.Status.IN_PROGRESS),
        ended=False,
    ).booking


def test_starting_the_trip_records_the_odometer_and_shows_the_gap(as_user, member, starting, vehicle):
    response = as_user(member).post(trip_url(starting, "start"), {"start_odometer": 42_130}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "in_progress"
    assert (body["trip"]["start_odometer"], body["trip"]["unlogged_km"]) == (42_130, 130)
    assert body["actions"]["end_trip"] is True
    assert Trip.objects.get().unlogged_km == 130


def test_other_members_do_not_see_the_unlogged_km(as_user, member, community, starting):
    as_user(member).post(trip_url(starting, "start"), {"start_odometer": 42_130}, format="json")

    neighbour = as_user(member_of(community)).get(f"/api/v1/communities/{community.pk}/bookings/{starting.pk}/").json()

    assert neighbour["trip"]["start_odometer"] == 42_130
    assert neighbour["trip"]["unlogged_km"] is None
    assert neighbour["trip"]["charge"] is None


def test_an_odometer_below_the_last_known_is_refused_with_the_known_value(as_user, member, starting):
    response = as_user(member).post(trip_url(starting, "start"), {"start_odometer": 41_999}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "odometer_below_last_known"
    assert response.json()["params"] == {"odometer_km": 42_000}
    assert not Trip.objects.exists()


def test_the_trip_cannot_start_long_before_the_booking(as_user, member, vehicle):
    booking = book(vehicle, member, local(2, 10))

    response = as_user(member).post(trip_url(booking, "start"), {"start_odometer": 42_000}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "trip_too_early")


def test_only_the_booker_starts_the_trip(as_user, owner, starting):
    response = as_user(owner).post(trip_url(starting, "start"), {"start_odometer": 42_000}, format="json")

    assert response.status_code == 403
    assert not Trip.objects.exists()


def test_an_odometer_that_is_not_a_number_is_refused_on_its_field(as_user, member, starting):
    client = as_user(member)

    for value in ("lots", -1, 10_000_000, None, 1.5):
        response = client.post(trip_url(starting, "start"), {"start_odometer": value}, format="json")
        assert response.status_code == 400, value
        assert "start_odometer" in response.json()["fields"], value


def test_ending_the_trip_completes_the_booking_and_shows_its_charge(as_user, member, driving):
    response = as_user(member).post(
        trip_url(driving, "end"), {"end_odometer": 10_120, "fuel_level": "half", "notes": " Propre "}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "completed"
    assert body["trip"]["distance_km"] == 120
    assert (body["trip"]["fuel_level"], body["trip"]["notes"]) == ("half", "Propre")
    assert body["trip"]["charge"] == "36.00"  # 120 km × 0.30
    assert Transaction.objects.get(trip=driving.trip).kind == Transaction.Kind.TRIP_CHARGE


def test_an_unlikely_distance_asks_for_confirmation_then_is_recorded(as_user, member, driving):
    client = as_user(member)

    asked = client.post(trip_url(driving, "end"), {"end_odometer": 18_000}, format="json")
    confirmed = client.post(
        trip_url(driving, "end"), {"end_odometer": 18_000, "confirm_implausible": True}, format="json"
    )

    assert asked.status_code == 400
    assert asked.json()["code"] == "implausible_distance_unconfirmed"
    assert asked.json()["params"] == {"distance_km": 8_000}
    assert "confirm_implausible" in asked.json()["fields"]
    assert confirmed.status_code == 200
    assert confirmed.json()["trip"]["distance_km"] == 8_000


def test_only_the_driver_ends_the_trip_and_a_booking_without_trip_has_none_to_end(
    as_user, owner, member, driving, vehicle
):
    not_started = book(vehicle, member, local(3, 10))

    assert as_user(owner).post(trip_url(driving, "end"), {"end_odometer": 10_100}, format="json").status_code == 403
    assert as_user(member).post(trip_url(not_started, "end"), {"end_odometer": 1}, format="json").status_code == 404


def test_an_end_below_the_start_is_refused_and_nothing_is_charged(as_user, member, driving):
    response = as_user(member).post(trip_url(driving, "end"), {"end_odometer": 9_999}, format="json")

    assert (response.status_code, response.json()["code"]) == (400, "end_odometer_below_start")
    assert response.json()["params"] == {"start_odometer": 10_000}
    assert not Transaction.objects.exists()


def test_an_incident_is_reported_with_photos_in_multipart(as_user, member, owner, driving):
    def photo(name):
        buffer = BytesIO()
        Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
        buffer.name = name
        buffer.seek(0)
        return buffer

    response = as_user(member).post(
        trip_url(driving, "end"),
        {
            "end_odometer": "10100",
            "incident_description": "Rayure",
            "incident_photos": [photo("a.png"), photo("b.png")],
        },
        format="multipart",
    )

    assert response.status_code == 200, response.content
    assert IncidentPhoto.objects.count() == 2
    seen_by_owner = as_user(owner).get(trip_url(driving, "end").removesuffix("trip/end/")).json()
    assert seen_by_owner["trip"]["incidents"][0]["description"] == "Rayure"
    assert seen_by_owner["trip"]["incidents"][0]["photos"] == 2


def test_photos_without_a_description_are_refused_on_the_description(as_user, member, driving):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    buffer.name = "a.png"
    buffer.seek(0)

    response = as_user(member).post(
        trip_url(driving, "end"), {"end_odometer": "10100", "incident_photos": [buffer]}, format="multipart"
    )

    assert response.status_code == 400
    assert "incident_description" in response.json()["fields"]


# --- parity with the pages ---------------------------------------------------------------------------------


def _rows(booking: Booking) -> dict:
    """What a booking left in the database, without ids or the vehicle it was on."""
    booking.refresh_from_db()
    trip = booking.trip
    charge = Transaction.objects.get(trip=trip)
    return {
        "booking": {
            field: getattr(booking, field)
            for field in ("member_id", "starts_at", "ends_at", "status", "note", "decision_message", "cancelled_late")
        },
        "events": [
            (event.kind, event.actor_id, event.details, event.created_at)
            for event in BookingEvent.objects.filter(booking=booking).order_by("pk")
        ],
        "trip": {
            field: getattr(trip, field)
            for field in (
                "driver_id",
                "start_odometer",
                "end_odometer",
                "unlogged_km",
                "distance_km",
                "duration",
                "fuel_level",
                "notes",
                "started_at",
                "ended_at",
            )
        },
        "charge": (charge.kind, charge.date, charge.description, charge.author_id),
        "entries": sorted(
            (entry.account.kind, entry.account.user_id, entry.amount)
            for entry in Entry.objects.filter(transaction=charge).select_related("account")
        ),
    }


def test_the_api_and_the_pages_leave_the_same_rows_and_ledger_postings(
    as_user, member, owner, community, vehicle, settings
):
    """The same booking, answer and trip, once through the pages on one car and once through the API on its
    twin, at the same instants: identical bookings, history, trips and trip charges."""
    twin = VehicleFactory(community=community, owner=owner, name="Clio verte", rate_per_hour=Decimal("1.50"))
    vehicle.rate_per_hour = Decimal("1.50")
    vehicle.save()
    start = local(2, 10)
    web_member, web_owner = Client(), Client()
    web_member.force_login(member)
    web_owner.force_login(owner)
    api_member, api_owner = as_user(member), as_user(owner)
    pages = f"/c/{community.pk}/bookings"
    api = f"/api/v1/communities/{community.pk}/bookings"
    local_form = "%Y-%m-%dT%H:%M"

    with time_machine.travel(start - timedelta(days=1), tick=False):
        created = web_member.post(
            f"{pages}/new/",
            {
                "vehicle": vehicle.pk,
                "starts_at": start.strftime(local_form),
                "ends_at": (start + timedelta(hours=3)).strftime(local_form),
                "note": "Marché",
            },
        )
        assert created.status_code == 302
        on_web = Booking.objects.get(vehicle=vehicle)
        response = api_member.post(f"{api}/", {"vehicle": twin.pk, "note": "Marché", **_times(start, 3)}, format="json")
        assert response.status_code == 201
        on_api = Booking.objects.get(vehicle=twin)
        assert web_owner.post(f"{pages}/{on_web.pk}/confirm/", {"message": "Oui"}).status_code == 302
        assert api_owner.post(f"{api}/{on_api.pk}/approve/", {"message": "Oui"}, format="json").status_code == 200

    with time_machine.travel(start - timedelta(minutes=5), tick=False):
        assert web_member.post(f"{pages}/{on_web.pk}/trip/start/", {"start_odometer": 42_010}).status_code == 302
        response = api_member.post(f"{api}/{on_api.pk}/trip/start/", {"start_odometer": 42_010}, format="json")
        assert response.status_code == 200

    with time_machine.travel(start + timedelta(hours=2, minutes=30), tick=False):
        end = {"end_odometer": 42_147, "fuel_level": "full", "notes": "RAS"}
        assert web_member.post(f"{pages}/{on_web.pk}/trip/end/", end).status_code == 302
        response = api_member.post(f"{api}/{on_api.pk}/trip/end/", end, format="json")
        assert response.status_code == 200

    web_rows, api_rows = _rows(on_web), _rows(on_api)
    assert web_rows == api_rows
    assert api_rows["entries"] == [("member", member.pk, Decimal("-45.60")), ("member", owner.pk, Decimal("45.60"))]
    assert response.json()["trip"]["charge"] == "45.60"  # 137 km × 0.30 + the 3 booked hours × 1.50


def _times(start, hours):
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat()}
