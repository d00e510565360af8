"""Every write about trips: the driver takes the car, then brings it back (with an incident, if any).

The end of a trip is the one thing the ledger charges: ``trip_complete`` emits ``TripCompleted`` in its
transaction and the ledger's handler posts the charge there, so both happen or neither.
"""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings import rules
from bookings.errors import BookingRefused, ImplausibleDistance
from bookings.events import TripCompleted
from bookings.formatting import duration_text
from bookings.history import record
from bookings.models import Booking, BookingEvent, Incident, IncidentPhoto, Trip
from bookings.services import locked
from colocauto.core.errors import NotAllowed
from colocauto.core.events import emit
from colocauto.uploads import normalised_photo
from communities.models import Membership, User
from vehicles.models import Vehicle

# The driver may pick the car up a little before the booked start.
TRIP_EARLY_START = timedelta(minutes=30)
IMPLAUSIBLE_KM_PER_DAY = 1500
# Odometer readings that may not go below a known value: code → (parameter giving that value, message).
_FLOORS = {
    "odometer_below_last_known": (
        "odometer_km",
        gettext_lazy("The odometer cannot be below the last known value, %(km)s km."),
    ),
    "end_odometer_below_start": (
        "start_odometer",
        gettext_lazy("The end odometer cannot be below the start odometer (%(km)s km)."),
    ),
}


def trip_opens_at(booking: Booking) -> datetime:
    """The earliest moment the trip of ``booking`` may start."""
    return booking.starts_at - TRIP_EARLY_START


def trip_start(*, membership: Membership, booking: Booking, start_odometer: int) -> Trip:
    """The driver takes the car: the odometer must not be below the vehicle's last known value.

    A value above it is accepted and the gap is kept as ``unlogged_km`` for the owner and admins.
    """
    with transaction.atomic():
        booking = locked(booking)
        if not rules.is_booker(membership, booking):
            raise NotAllowed(_("Only the person who booked can record the trip."), code="not_booker")
        if rules.has_trip(booking):
            raise BookingRefused(_("The trip of this booking has already started."), code="trip_already_started")
        if booking.status == Booking.Status.REQUESTED:
            raise BookingRefused(_("This booking is still waiting for approval."), code="booking_not_approved")
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingRefused(_("A trip can only start for a confirmed booking."), code="booking_not_confirmed")
        now = timezone.now()
        if now < trip_opens_at(booking):
            raise BookingRefused(_("The trip can start at most 30 minutes before the booking."), code="trip_too_early")
        vehicle = Vehicle.objects.select_for_update().get(pk=booking.vehicle_id)
        _check_floor(start_odometer, floor=vehicle.odometer_km, code="odometer_below_last_known")
        unlogged_km = start_odometer - vehicle.odometer_km
        trip = Trip.objects.create(
            booking=booking,
            vehicle=vehicle,
            driver=membership.user,
            start_odometer=start_odometer,
            unlogged_km=unlogged_km,
            started_at=now,
        )
        Vehicle.objects.filter(pk=vehicle.pk).update(odometer_km=start_odometer)
        details = {"start_odometer": start_odometer, "unlogged_km": unlogged_km}
        _move_on(booking, Booking.Status.IN_PROGRESS, membership.user, BookingEvent.Kind.TRIP_STARTED, details)
    return trip


def _distance_to_confirm(*, trip: Trip, end_odometer: int) -> ImplausibleDistance | None:
    """The refusal asking the driver to confirm an unlikely distance (over 1,500 km a booked day), or None."""
    booking = trip.booking
    distance = end_odometer - trip.start_odometer
    days = max(1, math.ceil((booking.ends_at - booking.starts_at) / timedelta(days=1)))
    if distance <= IMPLAUSIBLE_KM_PER_DAY * days:
        return None
    return ImplausibleDistance(
        _("%(km)s km for a booking of %(duration)s is a lot: check the odometer, then tick the box to confirm.")
        % {
            "km": formats.number_format(distance, force_grouping=True),
            "duration": duration_text(booking.ends_at - booking.starts_at),
        },
        params={"distance_km": distance},
    )


def trip_complete(
    *,
    membership: Membership,
    trip: Trip,
    end_odometer: int,
    fuel_level: str = "",
    notes: str = "",
    confirm_implausible: bool = False,
    incident_description: str = "",
    incident_photos: Iterable[UploadedFile] = (),
) -> Trip:
    """The driver returns the car: distance and duration are stored, the odometer advances and the
    booking is completed. Nothing financial happens here: the ledger charges the trip when it hears
    ``TripCompleted``, in this transaction (a failing charge rolls the trip back).

    The duration is the time the car was held: from the booked start (or the earlier pick-up) to the
    booked end, or to now when the car comes back early.
    """
    incident_description = incident_description.strip()
    photos = _normalised_incident_photos(incident_photos) if incident_description else []
    with transaction.atomic():
        trip = Trip.objects.select_for_update().select_related("booking", "vehicle").get(pk=trip.pk)
        booking = trip.booking
        if not rules.is_driver(membership, trip):
            raise NotAllowed(_("Only the driver can record the end of the trip."), code="not_driver")
        if trip.is_completed:
            raise BookingRefused(_("The end of this trip has already been recorded."), code="trip_already_recorded")
        _check_floor(end_odometer, floor=trip.start_odometer, code="end_odometer_below_start")
        unconfirmed = None if confirm_implausible else _distance_to_confirm(trip=trip, end_odometer=end_odometer)
        if unconfirmed is not None:
            raise unconfirmed
        if fuel_level and fuel_level not in Trip.FuelLevel.values:
            raise BookingRefused(_("Choose a fuel level from the list."), code="invalid_fuel_level")
        now = timezone.now()
        held_from = min(booking.starts_at, trip.started_at)
        trip.end_odometer = end_odometer
        trip.distance_km = end_odometer - trip.start_odometer
        trip.duration = max(min(now, booking.ends_at) - held_from, timedelta(0))
        trip.fuel_level = fuel_level
        trip.notes = notes.strip()
        trip.ended_at = now
        trip.save()
        Vehicle.objects.filter(pk=trip.vehicle_id, odometer_km__lt=end_odometer).update(odometer_km=end_odometer)
        if incident_description:
            incident = Incident.objects.create(trip=trip, reported_by=membership.user, description=incident_description)
            for photo in photos:
                IncidentPhoto.objects.create(incident=incident, photo=photo)
        details = {
            "end_odometer": end_odometer,
            "distance_km": trip.distance_km,
            "incident": bool(incident_description),
        }
        _move_on(booking, Booking.Status.COMPLETED, membership.user, BookingEvent.Kind.TRIP_COMPLETED, details)
        emit(TripCompleted(trip_id=trip.pk, booking_id=booking.pk, community_id=booking.community_id))
    return trip


def _check_floor(reading: int, *, floor: int, code: str) -> None:
    """Refuse an odometer reading below ``floor``: the message shows it grouped, ``params`` gives it to clients."""
    if reading < floor:
        name, message = _FLOORS[code]
        raise BookingRefused(
            message % {"km": formats.number_format(floor, force_grouping=True)}, code=code, params={name: floor}
        )


def _move_on(booking: Booking, status: str, actor: User, kind: str, details: dict) -> None:
    """The booking reaches ``status`` (the trip started or ended); its history says so."""
    booking.status = status
    booking.save(update_fields=["status", "updated_at"])
    record(booking, actor, kind, **details)


def _normalised_incident_photos(uploads: Iterable[UploadedFile]) -> list[ContentFile]:
    """Each photo re-encoded like vehicle photos: real format and extension, bounded size, no EXIF (GPS…)."""
    try:
        return [normalised_photo(upload) for upload in uploads]
    except ValidationError as error:
        raise BookingRefused(" ".join(error.messages), code="invalid_photo") from None
