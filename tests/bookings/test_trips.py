"""Trips: odometer readings, unlogged km, implausible distances, the vehicle's odometer advancing."""

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from bookings import trips
from bookings.errors import BookingRefused, ImplausibleDistance
from bookings.models import Booking, BookingEvent, Trip
from colocauto.core.errors import NotAllowed
from tests.bookings.conftest import membership_of
from tests.factories import book
from vehicles.models import Vehicle

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def booking(member, vehicle):
    now = timezone.now()
    return book(vehicle, member, now - timedelta(minutes=10), now + timedelta(hours=5))


def start(member, booking, km):
    return trips.trip_start(membership=membership_of(member, booking.community), booking=booking, start_odometer=km)


def complete(member, trip, km, **kwargs):
    return trips.trip_complete(
        membership=membership_of(member, trip.vehicle.community), trip=trip, end_odometer=km, **kwargs
    )


def photo_upload(name="dent.png"):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_trip_start_below_the_last_known_odometer_is_refused(member, booking):
    with pytest.raises(BookingRefused, match="cannot be below the last known value, 42,000 km"):
        start(member, booking, 41_999)
    assert not Trip.objects.exists()


def test_trip_start_above_the_odometer_flags_the_gap(member, booking, vehicle):
    trip = start(member, booking, 42_130)
    booking.refresh_from_db()
    vehicle.refresh_from_db()
    assert trip.unlogged_km == 130
    assert booking.status == Booking.Status.IN_PROGRESS
    assert vehicle.odometer_km == 42_130
    assert booking.events.get(kind=BookingEvent.Kind.TRIP_STARTED).details == {
        "start_odometer": 42_130,
        "unlogged_km": 130,
    }


def test_only_the_booker_starts_the_trip(owner, booking):
    with pytest.raises(NotAllowed):
        start(owner, booking, 42_000)


def test_requested_booking_cannot_start_a_trip(member, booking):
    Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.REQUESTED)
    with pytest.raises(BookingRefused, match="waiting for approval"):
        start(member, booking, 42_000)


def test_trip_cannot_start_long_before_the_booking(member, booking):
    Booking.objects.filter(pk=booking.pk).update(
        starts_at=timezone.now() + timedelta(hours=3), ends_at=timezone.now() + timedelta(hours=5)
    )
    with pytest.raises(BookingRefused, match="30 minutes before"):
        start(member, booking, 42_000)


def test_trip_end_below_start_is_refused(member, booking):
    trip = start(member, booking, 42_000)
    with pytest.raises(BookingRefused, match="cannot be below the start odometer"):
        complete(member, trip, 41_900)


def test_completing_a_trip_stores_distance_and_advances_the_odometer(member, booking, vehicle):
    trip = start(member, booking, 42_000)
    trip = complete(member, trip, 42_085, fuel_level="half", notes="All good")
    booking.refresh_from_db()
    vehicle.refresh_from_db()
    assert trip.distance_km == 85
    assert trip.end_odometer == 42_085
    assert trip.fuel_level == "half"
    assert timedelta(minutes=9) < trip.duration < timedelta(minutes=12)
    assert vehicle.odometer_km == 42_085
    assert booking.status == Booking.Status.COMPLETED
    assert booking.events.filter(kind=BookingEvent.Kind.TRIP_COMPLETED).count() == 1


def test_implausible_distance_asks_for_confirmation(member, booking, vehicle):
    trip = start(member, booking, 42_000)
    with pytest.raises(ImplausibleDistance, match="tick the box"):
        complete(member, trip, 44_000)
    trip.refresh_from_db()
    assert not trip.is_completed
    trip = complete(member, trip, 44_000, confirm_implausible=True)
    vehicle.refresh_from_db()
    assert trip.distance_km == 2_000
    assert vehicle.odometer_km == 44_000


def test_long_bookings_allow_more_km_before_asking(member, booking):
    Booking.objects.filter(pk=booking.pk).update(ends_at=booking.starts_at + timedelta(days=2, hours=1))
    trip = start(member, booking, 42_000)
    assert complete(member, trip, 46_000).distance_km == 4_000  # 3 started days: up to 4,500 km


def test_trip_end_cannot_be_recorded_twice(member, booking):
    trip = complete(member, start(member, booking, 42_000), 42_010)
    with pytest.raises(BookingRefused, match="already been recorded"):
        complete(member, trip, 42_020)


def test_only_the_driver_ends_the_trip(member, owner, booking):
    trip = start(member, booking, 42_000)
    with pytest.raises(NotAllowed):
        complete(owner, trip, 42_010)


def test_incident_with_photos_is_stored(member, booking):
    trip = start(member, booking, 42_000)
    complete(member, trip, 42_010, incident_description="Scratch on the door", incident_photos=[photo_upload()])
    incident = trip.incidents.get()
    assert incident.description == "Scratch on the door"
    assert incident.photos.count() == 1


def test_odometer_never_goes_back_when_trips_are_recorded_out_of_order(member, booking, vehicle):
    trip = start(member, booking, 42_000)
    Vehicle.objects.filter(pk=vehicle.pk).update(odometer_km=50_000)
    complete(member, trip, 42_100)
    vehicle.refresh_from_db()
    assert vehicle.odometer_km == 50_000


def test_completing_a_trip_charges_the_driver_and_credits_the_owner(member, owner, booking, vehicle):
    from ledger.models import Entry

    trip = start(member, booking, 42_000)
    complete(member, trip, 42_100)

    amounts = {entry.account.user_id: entry.amount for entry in Entry.objects.select_related("account")}
    # 100 km at 0.30 €/km; the factory vehicle has no hourly rate.
    assert amounts == {member.pk: Decimal("-30.00"), owner.pk: Decimal("30.00")}


def test_a_refused_trip_end_posts_nothing_to_the_ledger(member, booking):
    from ledger.models import Transaction

    trip = start(member, booking, 42_000)
    with pytest.raises(BookingRefused):
        complete(member, trip, 41_000)
    assert not Transaction.objects.exists()


def test_a_failing_trip_charge_leaves_the_trip_unrecorded(member, booking, vehicle, monkeypatch):
    import ledger.services

    trip = start(member, booking, 42_000)

    def ledger_refuses(**kwargs):
        raise RuntimeError("the ledger refused the posting")

    monkeypatch.setattr(ledger.services, "post", ledger_refuses)
    with pytest.raises(RuntimeError, match="ledger refused"):
        complete(member, trip, 42_100)

    trip.refresh_from_db()
    booking.refresh_from_db()
    vehicle.refresh_from_db()
    assert not trip.is_completed
    assert booking.status == Booking.Status.IN_PROGRESS
    assert vehicle.odometer_km == 42_000
    assert not booking.events.filter(kind=BookingEvent.Kind.TRIP_COMPLETED).exists()


def test_completing_a_trip_tells_the_layers_above_which_trip_it_was(member, booking, monkeypatch):
    from bookings.events import TripCompleted
    from colocauto.core import events

    heard = []
    monkeypatch.setitem(events._handlers, TripCompleted, [heard.append])
    trip = complete(member, start(member, booking, 42_000), 42_010)
    assert heard == [TripCompleted(trip_id=trip.pk, booking_id=booking.pk, community_id=booking.community_id)]
