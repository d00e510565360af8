"""What the demo data and the production-shape run write that no service would: trips driven in the past."""

from datetime import datetime

from bookings.models import Booking, Trip
from communities.models import User
from ledger import services as ledger_services
from vehicles.models import Vehicle


def past_trip(
    *, vehicle: Vehicle, driver: User, starts_at: datetime, ends_at: datetime, start_odometer: int, km: int
) -> Trip:
    """A completed booking of ``vehicle`` by ``driver`` and its trip of ``km`` from ``start_odometer``, charged in the
    ledger: what the booking and trip services record over days, written at once (they refuse a start in the past).
    """
    booking = Booking.objects.create(
        community_id=vehicle.community_id,
        vehicle=vehicle,
        member=driver,
        starts_at=starts_at,
        ends_at=ends_at,
        status=Booking.Status.COMPLETED,
    )
    trip = Trip.objects.create(
        booking=booking,
        vehicle=vehicle,
        driver=driver,
        start_odometer=start_odometer,
        end_odometer=start_odometer + km,
        distance_km=km,
        duration=ends_at - starts_at,
        started_at=starts_at,
        ended_at=ends_at,
    )
    ledger_services.trip_charge(trip=trip)
    return trip
