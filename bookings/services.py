"""Every write about bookings and trips. Views, tasks and the API call these; the rules live only here."""

import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from bookings import permissions
from bookings.availability import availability_problem
from bookings.formatting import duration_text
from bookings.models import Booking, BookingEvent, CalendarFeed, Incident, IncidentPhoto, Trip
from colocauto.core.errors import Conflict, DomainError, NotAllowed
from colocauto.core.queue import wake
from colocauto.uploads import normalised_photo
from communities.models import Membership, User
from ledger import services as ledger_services
from vehicles.models import Vehicle

OVERLAP_CONSTRAINT = "booking_no_overlap"
DEADLOCK_RETRIES = 3
# A booking may start a few minutes in the past: the form works in whole minutes and people hesitate.
START_GRACE = timedelta(minutes=15)
# The driver may pick the car up a little before the booked start.
TRIP_EARLY_START = timedelta(minutes=30)
IMPLAUSIBLE_KM_PER_DAY = 1500


class BookingRefused(DomainError):
    """The booking breaks a rule (times, availability, community rules, state)."""


class BookingConflict(Conflict):
    """Another booking already holds that slot."""


class ImplausibleDistance(BookingRefused):
    """The distance is possible but unlikely: the driver must confirm it."""


# --- booking life-cycle ----------------------------------------------------------------------------


def booking_create(
    *, membership: Membership, vehicle: Vehicle, starts_at: datetime, ends_at: datetime, note: str = ""
) -> Booking:
    """Book ``vehicle`` for ``[starts_at, ends_at)``: requested when the owner must approve, else confirmed."""
    if not membership.is_active or vehicle.community_id != membership.community_id:
        raise NotAllowed(_("You can only book vehicles of your own community."))
    community = membership.community
    with transaction.atomic():
        _check_times(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        _check_overlap(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        status = Booking.Status.CONFIRMED if _confirms_directly(membership, vehicle) else Booking.Status.REQUESTED
        booking = Booking(
            community=community,
            vehicle=vehicle,
            member=membership.user,
            starts_at=starts_at,
            ends_at=ends_at,
            status=status,
            note=note.strip(),
        )
        _save_holding(booking, vehicle=vehicle)
        _record(booking, membership.user, BookingEvent.Kind.CREATED, **_times(booking), status=status)
    return booking


def booking_confirm(*, membership: Membership, booking: Booking, message: str = "") -> Booking:
    return _decide(membership=membership, booking=booking, message=message, accept=True)


def booking_reject(*, membership: Membership, booking: Booking, message: str = "") -> Booking:
    return _decide(membership=membership, booking=booking, message=message, accept=False)


def booking_change_times(
    *, membership: Membership, booking: Booking, starts_at: datetime, ends_at: datetime
) -> Booking:
    """New times, checked like a new booking (the booking does not conflict with itself).

    A confirmed booking moved or extended by a non-owner goes back to "requested" when the community
    wants the owner's approval: the owner agreed to other times. Shortening it inside the approved
    times keeps it confirmed.
    """
    with transaction.atomic():
        booking = _locked(booking)
        if not permissions.may_manage(membership, booking):
            raise NotAllowed(_("Only the person who booked, the vehicle's owner or an admin can change this booking."))
        if not permissions.can_change(membership, booking):
            raise BookingRefused(_("Only a requested or confirmed booking whose trip has not started can be changed."))
        if (starts_at, ends_at) == (booking.starts_at, booking.ends_at):
            raise BookingRefused(_("These are already the booking's times."))
        vehicle = booking.vehicle
        _check_times(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        _check_overlap(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at, exclude=booking)
        old = _times(booking)
        inside_approved = booking.starts_at <= starts_at and ends_at <= booking.ends_at
        booking.starts_at, booking.ends_at = starts_at, ends_at
        if (
            booking.status == Booking.Status.CONFIRMED
            and not inside_approved
            and not _confirms_directly(membership, vehicle)
        ):
            booking.status = Booking.Status.REQUESTED
        booking.start_reminder_sent_at = None
        _save_holding(booking, vehicle=vehicle)
        _record(
            booking,
            membership.user,
            BookingEvent.Kind.CHANGED,
            old_starts_at=old["starts_at"],
            old_ends_at=old["ends_at"],
            **_times(booking),
            status=booking.status,
        )
    return booking


def booking_extend(*, membership: Membership, booking: Booking, ends_at: datetime) -> Booking:
    """Push back the end of a booking in progress, if the vehicle is free until then."""
    with transaction.atomic():
        booking = _locked(booking)
        if not permissions.may_manage(membership, booking):
            raise NotAllowed(_("Only the person who booked, the vehicle's owner or an admin can extend this booking."))
        if booking.status != Booking.Status.IN_PROGRESS:
            raise BookingRefused(_("Only a booking in progress can be extended."))
        if ends_at <= booking.ends_at:
            raise BookingRefused(_("The new end must be after the current end."))
        vehicle = booking.vehicle
        _check_max_duration(vehicle.community, booking.starts_at, ends_at)
        problem = availability_problem(vehicle=vehicle, starts_at=booking.ends_at, ends_at=ends_at)
        if problem:
            raise BookingRefused(problem)
        _check_overlap(vehicle=vehicle, starts_at=booking.starts_at, ends_at=ends_at, exclude=booking)
        old_ends_at = booking.ends_at
        booking.ends_at = ends_at
        booking.trip_reminder_sent_at = None
        _save_holding(booking, vehicle=vehicle)
        _record(
            booking,
            membership.user,
            BookingEvent.Kind.EXTENDED,
            old_ends_at=old_ends_at.isoformat(),
            **_times(booking),
        )
    return booking


def booking_cancel(*, membership: Membership, booking: Booking, message: str = "") -> Booking:
    """Cancel a requested or confirmed booking; within the community's minimum notice it is marked late."""
    with transaction.atomic():
        booking = _locked(booking)
        if not permissions.may_manage(membership, booking):
            raise NotAllowed(_("Only the person who booked, the vehicle's owner or an admin can cancel this booking."))
        _cancel(booking, actor=membership.user, message=message)
    return booking


def bookings_cancel_future_for_member(*, membership: Membership, actor: User) -> int:
    """Cancel the requested and confirmed bookings not yet started of someone leaving the community."""
    cancelled = 0
    with transaction.atomic():
        bookings = (
            Booking.objects.select_for_update()
            .select_related("community", "vehicle")
            .filter(
                community_id=membership.community_id,
                member_id=membership.user_id,
                status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED],
                starts_at__gt=timezone.now(),
            )
        )
        left = actor.pk == membership.user_id
        reason = Booking.Reason.MEMBER_LEFT if left else Booking.Reason.MEMBER_REMOVED
        for booking in bookings:
            _cancel(booking, actor=actor, reason=reason, check_late=False)
            cancelled += 1
    return cancelled


# --- trips -------------------------------------------------------------------------------------------


def trip_start(*, membership: Membership, booking: Booking, start_odometer: int) -> Trip:
    """The driver takes the car: the odometer must not be below the vehicle's last known value.

    A value above it is accepted and the gap is kept as ``unlogged_km`` for the owner and admins.
    """
    with transaction.atomic():
        booking = _locked(booking)
        if not permissions.is_booker(membership, booking):
            raise NotAllowed(_("Only the person who booked can record the trip."))
        if permissions.has_trip(booking):
            raise BookingRefused(_("The trip of this booking has already started."))
        if booking.status == Booking.Status.REQUESTED:
            raise BookingRefused(_("This booking is still waiting for approval."))
        if booking.status != Booking.Status.CONFIRMED:
            raise BookingRefused(_("A trip can only start for a confirmed booking."))
        now = timezone.now()
        if now < booking.starts_at - TRIP_EARLY_START:
            raise BookingRefused(_("The trip can start at most 30 minutes before the booking."))
        vehicle = Vehicle.objects.select_for_update().get(pk=booking.vehicle_id)
        if start_odometer < vehicle.odometer_km:
            raise BookingRefused(
                _("The odometer cannot be below the last known value, %(km)s km.")
                % {"km": formats.number_format(vehicle.odometer_km, force_grouping=True)}
            )
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
        booking.status = Booking.Status.IN_PROGRESS
        booking.save(update_fields=["status", "updated_at"])
        _record(
            booking,
            membership.user,
            BookingEvent.Kind.TRIP_STARTED,
            start_odometer=start_odometer,
            unlogged_km=unlogged_km,
        )
    return trip


def _normalised_incident_photos(uploads: Iterable[UploadedFile]) -> list[ContentFile]:
    """Each photo re-encoded like vehicle photos: real format and extension, bounded size, no EXIF (GPS…)."""
    try:
        return [normalised_photo(upload) for upload in uploads]
    except ValidationError as error:
        raise BookingRefused(" ".join(error.messages)) from None


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
    booking is completed. This is the one event the ledger charges; nothing financial happens here.

    The duration is the time the car was held: from the booked start (or the earlier pick-up) to the
    booked end, or to now when the car comes back early.
    """
    photos = _normalised_incident_photos(incident_photos) if incident_description.strip() else []
    with transaction.atomic():
        trip = Trip.objects.select_for_update().select_related("booking", "vehicle").get(pk=trip.pk)
        booking = trip.booking
        if not membership.is_active or trip.driver_id != membership.user_id:
            raise NotAllowed(_("Only the driver can record the end of the trip."))
        if trip.is_completed:
            raise BookingRefused(_("The end of this trip has already been recorded."))
        if end_odometer < trip.start_odometer:
            raise BookingRefused(
                _("The end odometer cannot be below the start odometer (%(km)s km).")
                % {"km": formats.number_format(trip.start_odometer, force_grouping=True)}
            )
        distance = end_odometer - trip.start_odometer
        days = max(1, math.ceil((booking.ends_at - booking.starts_at) / timedelta(days=1)))
        if distance > IMPLAUSIBLE_KM_PER_DAY * days and not confirm_implausible:
            raise ImplausibleDistance(
                _("%(km)s km for a booking of %(duration)s is a lot: check the odometer, then tick the box to confirm.")
                % {
                    "km": formats.number_format(distance, force_grouping=True),
                    "duration": duration_text(booking.ends_at - booking.starts_at),
                }
            )
        if fuel_level and fuel_level not in Trip.FuelLevel.values:
            raise BookingRefused(_("Choose a fuel level from the list."))
        now = timezone.now()
        held_from = min(booking.starts_at, trip.started_at)
        trip.end_odometer = end_odometer
        trip.distance_km = distance
        trip.duration = max(min(now, booking.ends_at) - held_from, timedelta(0))
        trip.fuel_level = fuel_level
        trip.notes = notes.strip()
        trip.ended_at = now
        trip.save()
        Vehicle.objects.filter(pk=trip.vehicle_id, odometer_km__lt=end_odometer).update(odometer_km=end_odometer)
        if incident_description.strip():
            incident = Incident.objects.create(
                trip=trip, reported_by=membership.user, description=incident_description.strip()
            )
            for photo in photos:
                IncidentPhoto.objects.create(incident=incident, photo=photo)
        booking.status = Booking.Status.COMPLETED
        booking.save(update_fields=["status", "updated_at"])
        _record(
            booking,
            membership.user,
            BookingEvent.Kind.TRIP_COMPLETED,
            end_odometer=end_odometer,
            distance_km=distance,
            incident=bool(incident_description.strip()),
        )
        # The ledger charges the completed trip in the same transaction: both happen, or neither.
        ledger_services.trip_charge(trip=trip)
    return trip


# --- calendar feeds ---------------------------------------------------------------------------------


def calendar_feed_regenerate(*, user: User, vehicle: Vehicle | None = None) -> CalendarFeed:
    """Create the feed, or give it a new secret address (the old one stops working at once)."""
    if (
        vehicle is not None
        and not Membership.objects.filter(
            user=user, community_id=vehicle.community_id, status=Membership.Status.ACTIVE
        ).exists()
    ):
        raise NotAllowed(_("You can only follow vehicles of your own community."))
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user, vehicle=vehicle).first()
        if feed is None:
            return CalendarFeed.objects.create(user=user, vehicle=vehicle)
        feed.token = CalendarFeed._meta.get_field("token").get_default()
        feed.save(update_fields=["token"])
    return feed


# --- helpers ----------------------------------------------------------------------------------------


def _confirms_directly(membership: Membership, vehicle: Vehicle) -> bool:
    if not membership.community.owner_approval_required:
        return True
    if vehicle.owner_id is None:
        return membership.is_admin
    return vehicle.owner_id == membership.user_id


def _check_times(*, vehicle: Vehicle, starts_at: datetime, ends_at: datetime) -> None:
    """Every rule but the overlap, in the order a person would want to hear them."""
    if ends_at <= starts_at:
        raise BookingRefused(_("The end must be after the start."))
    if not vehicle.is_active:
        raise BookingRefused(_("This vehicle is paused: it cannot be booked for now."))
    community = vehicle.community
    now = timezone.now()
    if starts_at < now - START_GRACE:
        raise BookingRefused(_("The start is in the past."))
    if community.min_notice and starts_at < now + community.min_notice - START_GRACE:
        raise BookingRefused(
            _("Bookings must be made at least %(notice)s before they start.")
            % {"notice": duration_text(community.min_notice)}
        )
    if starts_at > now + community.max_advance:
        raise BookingRefused(
            _("Bookings can be made at most %(advance)s ahead.") % {"advance": duration_text(community.max_advance)}
        )
    _check_max_duration(community, starts_at, ends_at)
    problem = availability_problem(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
    if problem:
        raise BookingRefused(problem)


def _check_max_duration(community, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at - starts_at > community.max_duration:
        raise BookingRefused(
            _("A booking can last at most %(duration)s.") % {"duration": duration_text(community.max_duration)}
        )


def _check_overlap(*, vehicle: Vehicle, starts_at: datetime, ends_at: datetime, exclude: Booking | None = None) -> None:
    conflicting = _overlapping(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at, exclude=exclude)
    if conflicting is not None:
        raise _conflict(conflicting, vehicle)


def _overlapping(
    *, vehicle: Vehicle, starts_at: datetime, ends_at: datetime, exclude: Booking | None = None
) -> Booking | None:
    """The first booking holding part of ``[starts_at, ends_at)``; half-open, so back-to-back is fine."""
    bookings = Booking.objects.filter(
        vehicle_id=vehicle.pk, status__in=Booking.HOLDING_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    if exclude is not None:
        bookings = bookings.exclude(pk=exclude.pk)
    return bookings.order_by("starts_at").first()


def _save_holding(booking: Booking, *, vehicle: Vehicle) -> None:
    """Save a booking that holds its slot; PostgreSQL's exclusion constraint has the last word."""
    for attempt in range(DEADLOCK_RETRIES + 1):
        try:
            with transaction.atomic():
                booking.save()
            return
        except (IntegrityError, OperationalError) as error:
            if _is_overlap_deadlock(error) and attempt < DEADLOCK_RETRIES:
                # Concurrent inserts checking the constraint against each other: PostgreSQL rolled this
                # one back. Trying again waits for the other to finish, then meets its committed row.
                continue
            if not (_is_overlap_violation(error) or _is_overlap_deadlock(error)):
                raise
            # The other booking committed first; with READ COMMITTED this query sees it.
            conflicting = _overlapping(
                vehicle=vehicle,
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
                exclude=booking if booking.pk else None,
            )
            raise _conflict(conflicting, vehicle) from None


def _is_overlap_violation(error: Exception) -> bool:
    return isinstance(error, IntegrityError) and OVERLAP_CONSTRAINT in str(error)


def _is_overlap_deadlock(error: Exception) -> bool:
    """PostgreSQL broke a deadlock (SQLSTATE 40P01) between inserts checking the exclusion constraint."""
    return (
        isinstance(error, OperationalError)
        and getattr(error.__cause__, "sqlstate", None) == "40P01"
        and "exclusion constraint" in str(error)
    )


def _conflict(conflicting: Booking | None, vehicle: Vehicle) -> BookingConflict:
    if conflicting is None:
        return BookingConflict(_("Someone has just booked this vehicle for these times. Choose other times."))
    tz = ZoneInfo(vehicle.community.time_zone)
    return BookingConflict(
        _("The vehicle is already booked from %(start)s to %(end)s. Choose other times.")
        % {
            "start": formats.date_format(conflicting.starts_at.astimezone(tz), "SHORT_DATETIME_FORMAT"),
            "end": formats.date_format(conflicting.ends_at.astimezone(tz), "SHORT_DATETIME_FORMAT"),
        }
    )


def _decide(*, membership: Membership, booking: Booking, message: str, accept: bool) -> Booking:
    with transaction.atomic():
        booking = _locked(booking)
        if not permissions.may_decide(membership, booking):
            raise NotAllowed(_("Only the vehicle's owner or an admin can answer this request."))
        if booking.status != Booking.Status.REQUESTED:
            raise BookingRefused(_("This booking is no longer waiting for an answer."))
        booking.status = Booking.Status.CONFIRMED if accept else Booking.Status.REJECTED
        booking.decision_message = message.strip()
        booking.save(update_fields=["status", "decision_message", "updated_at"])
        kind = BookingEvent.Kind.CONFIRMED if accept else BookingEvent.Kind.REJECTED
        _record(booking, membership.user, kind, message=booking.decision_message)
    return booking


def _cancel(booking: Booking, *, actor: User, message: str = "", reason: str = "", check_late: bool = True) -> None:
    """``message`` is what a person typed; ``reason`` a ``Booking.Reason`` code when the application cancels."""
    if booking.status not in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED):
        raise BookingRefused(_("Only a requested or confirmed booking can be cancelled."))
    now = timezone.now()
    late = check_late and now > booking.starts_at - booking.community.min_notice
    was = booking.status
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_late = late
    booking.decision_message = message.strip()
    booking.decision_reason = reason
    booking.save(update_fields=["status", "cancelled_late", "decision_message", "decision_reason", "updated_at"])
    details = {"message": booking.decision_message, "late": late, "was": was}
    if reason:
        details["reason"] = reason
    _record(booking, actor, BookingEvent.Kind.CANCELLED, **details)


def _locked(booking: Booking) -> Booking:
    """The booking re-read under a row lock, so two decisions on it cannot interleave."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("community", "vehicle", "vehicle__community", "member")
        .get(pk=booking.pk)
    )


def _times(booking: Booking) -> dict[str, str]:
    return {"starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat()}


def _record(booking: Booking, actor: User, kind: str, **details) -> BookingEvent:
    """Write a history line; its e-mails are due from now on (the outbox sweep sends them for sure),
    and a worker is woken to send them as soon as the transaction commits."""
    from bookings.tasks import notify_booking_event

    event = BookingEvent.objects.create(booking=booking, actor=actor, kind=kind, details=details)
    if _is_news(kind, details):
        wake(notify_booking_event, event.pk)
    return event


def _is_news(kind: str, details: dict) -> bool:
    """Trips are news to the owner (or the admins) only when km went unlogged or an incident is reported."""
    if kind == BookingEvent.Kind.TRIP_STARTED:
        return bool(details.get("unlogged_km"))
    if kind == BookingEvent.Kind.TRIP_COMPLETED:
        return bool(details.get("incident"))
    return True
