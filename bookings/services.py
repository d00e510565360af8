"""Every write about a booking's life-cycle (book, answer, change, extend, cancel) and calendar feeds.

Trips are in ``bookings.trips``; who may do what in ``bookings.rules``; the refusals in ``bookings.errors``.
Views, tasks and the API call these; the rules live only here.
"""

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import IntegrityError, OperationalError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings import rules
from bookings.availability import availability_problem
from bookings.errors import BookingConflict, BookingRefused
from bookings.formatting import duration_text
from bookings.history import Notice, record, record_noticed, times
from bookings.models import Booking, BookingEvent, BookingSeries, CalendarFeed
from colocauto.core.errors import DomainError, NotAllowed
from communities.inactivity import inactivity_end_by_booking
from communities.models import Community, Membership, User
from vehicles.models import Vehicle

OVERLAP_CONSTRAINT = "booking_no_overlap"
DEADLOCK_RETRIES = 3
# A booking may start a few minutes in the past: the form works in whole minutes and people hesitate.
START_GRACE = timedelta(minutes=15)
# Who may change, extend or cancel a booking (``rules.may_manage``), said for each action.
_PARTY_ONLY = {
    "change": gettext_lazy("Only the person who booked, the vehicle's owner or an admin can change this booking."),
    "extend": gettext_lazy("Only the person who booked, the vehicle's owner or an admin can extend this booking."),
    "cancel": gettext_lazy("Only the person who booked, the vehicle's owner or an admin can cancel this booking."),
}


def booking_create(
    *,
    membership: Membership,
    vehicle: Vehicle,
    starts_at: datetime,
    ends_at: datetime,
    note: str = "",
    series: BookingSeries | None = None,
    notice: Notice | None = None,
) -> Booking:
    """Book ``vehicle`` for ``[starts_at, ends_at)``: requested when the owner must approve, else confirmed.
    ``series``: the recurring booking this is one occurrence of (``bookings.series``); ``notice``: ``QUIET``
    for its later dates, which the first date's e-mail lists."""
    if not rules.may_book(membership, vehicle):
        raise NotAllowed(_("You can only book vehicles of your own community."), code="not_community_vehicle")
    community = membership.community
    with transaction.atomic():
        _check_times(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        _check_overlap(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        confirmed = rules.books_without_approval(membership, vehicle)
        status = Booking.Status.CONFIRMED if confirmed else Booking.Status.REQUESTED
        booking = Booking(
            community=community,
            vehicle=vehicle,
            member=membership.user,
            starts_at=starts_at,
            ends_at=ends_at,
            status=status,
            note=note.strip(),
            series=series,
        )
        _save_holding(booking, vehicle=vehicle)
        record_noticed(notice, booking, membership.user, BookingEvent.Kind.CREATED, **times(booking), status=status)
        inactivity_end_by_booking(membership=membership)  # they use the cars again: they share the fixed costs
    return booking


def booking_confirm(*, membership: Membership, booking: Booking, message: str = "") -> Booking:
    return booking_decide(membership=membership, booking=booking, message=message, accept=True)


def booking_reject(*, membership: Membership, booking: Booking, message: str = "") -> Booking:
    return booking_decide(membership=membership, booking=booking, message=message, accept=False)


def booking_change_times(
    *, membership: Membership, booking: Booking, starts_at: datetime, ends_at: datetime
) -> Booking:
    """New times, checked like a new booking (the booking does not conflict with itself).

    A confirmed booking moved or extended by a non-owner goes back to "requested" when the community
    wants the owner's approval: the owner agreed to other times. Shortening it inside the approved
    times keeps it confirmed.
    """
    with transaction.atomic():
        booking = _locked_for_party(membership, booking, action="change")
        if not rules.can_change(membership, booking):
            raise BookingRefused(
                _("Only a requested or confirmed booking whose trip has not started can be changed."),
                code="booking_not_changeable",
            )
        if (starts_at, ends_at) == (booking.starts_at, booking.ends_at):
            raise BookingRefused(_("These are already the booking's times."), code="same_times")
        vehicle = booking.vehicle
        _check_times(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        _check_overlap(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at, exclude=booking)
        old = times(booking)
        inside_approved = booking.starts_at <= starts_at and ends_at <= booking.ends_at
        booking.starts_at, booking.ends_at = starts_at, ends_at
        if (
            booking.status == Booking.Status.CONFIRMED
            and not inside_approved
            and not rules.books_without_approval(membership, vehicle)
        ):
            booking.status = Booking.Status.REQUESTED
        booking.start_reminder_sent_at = None
        _save_holding(booking, vehicle=vehicle)
        record(
            booking,
            membership.user,
            BookingEvent.Kind.CHANGED,
            old_starts_at=old["starts_at"],
            old_ends_at=old["ends_at"],
            **times(booking),
            status=booking.status,
        )
    return booking


def booking_extend(*, membership: Membership, booking: Booking, ends_at: datetime) -> Booking:
    """Push back the end of a booking in progress, if the vehicle is free until then."""
    with transaction.atomic():
        booking = _locked_for_party(membership, booking, action="extend")
        if booking.status != Booking.Status.IN_PROGRESS:
            raise BookingRefused(_("Only a booking in progress can be extended."), code="booking_not_in_progress")
        if ends_at <= booking.ends_at:
            raise BookingRefused(_("The new end must be after the current end."), code="end_not_later")
        vehicle = booking.vehicle
        _check_max_duration(vehicle.community, booking.starts_at, ends_at)
        _check_available(vehicle=vehicle, starts_at=booking.ends_at, ends_at=ends_at)
        _check_overlap(vehicle=vehicle, starts_at=booking.starts_at, ends_at=ends_at, exclude=booking)
        old_ends_at = booking.ends_at
        booking.ends_at = ends_at
        booking.trip_reminder_sent_at = None
        _save_holding(booking, vehicle=vehicle)
        record(
            booking, membership.user, BookingEvent.Kind.EXTENDED, old_ends_at=old_ends_at.isoformat(), **times(booking)
        )
    return booking


def booking_cancel(
    *, membership: Membership, booking: Booking, message: str = "", notice: Notice | None = None
) -> Booking:
    """Cancel a requested or confirmed booking; within the community's minimum notice it is marked late.
    ``notice``: how its e-mail tells it (``history.Notice``: a recurring booking's following dates
    cancelled together get one e-mail)."""
    with transaction.atomic():
        booking = _locked_for_party(membership, booking, action="cancel")
        _cancel(booking, actor=membership.user, message=message, notice=notice)
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
                status__in=rules.OPEN_STATUSES,
                starts_at__gt=timezone.now(),
            )
        )
        left = actor.pk == membership.user_id
        reason = Booking.Reason.MEMBER_LEFT if left else Booking.Reason.MEMBER_REMOVED
        for booking in bookings:
            _cancel(booking, actor=actor, reason=reason, check_late=False)
            cancelled += 1
    return cancelled


def calendar_feed_regenerate(*, user: User, vehicle: Vehicle | None = None) -> CalendarFeed:
    """Create the feed, or give it a new secret address (the old one stops working at once)."""
    if vehicle is not None and not rules.may_follow(user, vehicle):
        raise NotAllowed(_("You can only follow vehicles of your own community."), code="not_community_vehicle")
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(user=user, vehicle=vehicle).first()
        if feed is None:
            return CalendarFeed.objects.create(user=user, vehicle=vehicle)
        feed.token = CalendarFeed._meta.get_field("token").get_default()
        feed.save(update_fields=["token"])
    return feed


def _locked_for_party(membership: Membership, booking: Booking, *, action: str) -> Booking:
    """The booking locked, if this member may ``action`` it: the booker, the vehicle's owner or an admin."""
    booking = locked(booking)
    if not rules.may_manage(membership, booking):
        raise NotAllowed(_PARTY_ONLY[action], code="not_booker_or_manager")
    return booking


def locked(booking: Booking) -> Booking:
    """The booking re-read under a row lock, so two decisions on it cannot interleave."""
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("community", "vehicle", "vehicle__community", "member")
        .get(pk=booking.pk)
    )


# --- the rules of times and slots ---------------------------------------------------------------------


def slot_refusal(
    *, vehicle: Vehicle, starts_at: datetime, ends_at: datetime, holding: Sequence[Booking] | None = None
) -> DomainError | None:
    """What ``booking_create`` would refuse about booking ``vehicle`` for ``[starts_at, ends_at)`` (the
    community's rules, the vehicle's windows and blackouts, a booking holding the slot), or None when it is
    free. Reads only: "find a free car" lists the vehicles for which this is None.

    ``holding``: the vehicle's bookings that hold a slot, read once for many slots (the dates of a recurring
    booking); without it the database is asked."""
    try:
        _check_times(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        if holding is None:
            _check_overlap(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        else:
            meeting = [b for b in holding if _overlaps(b, starts_at, ends_at)]
            if meeting:
                raise _conflict(min(meeting, key=lambda b: b.starts_at), vehicle)
    except DomainError as refusal:
        return refusal
    return None


def _overlaps(booking: Booking, starts_at: datetime, ends_at: datetime) -> bool:
    """Whether ``booking`` holds part of ``[starts_at, ends_at)``; half-open, so back-to-back is fine."""
    return booking.holds_slot and booking.starts_at < ends_at and booking.ends_at > starts_at


def _check_times(*, vehicle: Vehicle, starts_at: datetime, ends_at: datetime) -> None:
    """Every rule but the overlap, in the order a person would want to hear them."""
    if ends_at <= starts_at:
        raise BookingRefused(_("The end must be after the start."), code="end_before_start")
    if not vehicle.is_active:
        raise BookingRefused(_("This vehicle is paused: it cannot be booked for now."), code="vehicle_paused")
    community = vehicle.community
    now = timezone.now()
    if starts_at < now - START_GRACE:
        raise BookingRefused(_("The start is in the past."), code="start_in_past")
    if community.min_notice and starts_at < now + community.min_notice - START_GRACE:
        raise BookingRefused(
            _("Bookings must be made at least %(notice)s before they start.")
            % {"notice": duration_text(community.min_notice)},
            code="min_notice",
        )
    if starts_at > now + community.max_advance:
        raise BookingRefused(
            _("Bookings can be made at most %(advance)s ahead.") % {"advance": duration_text(community.max_advance)},
            code="max_advance",
        )
    _check_max_duration(community, starts_at, ends_at)
    _check_available(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)


def _check_max_duration(community: Community, starts_at: datetime, ends_at: datetime) -> None:
    if ends_at - starts_at > community.max_duration:
        raise BookingRefused(
            _("A booking can last at most %(duration)s.") % {"duration": duration_text(community.max_duration)},
            code="max_duration",
        )


def _check_available(*, vehicle: Vehicle, starts_at: datetime, ends_at: datetime) -> None:
    """Inside the vehicle's weekly windows and outside its blackouts."""
    problem = availability_problem(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
    if problem:
        raise BookingRefused(problem, code="vehicle_unavailable")


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
            raise _conflict(_winner(booking, vehicle=vehicle), vehicle) from None


def _winner(booking: Booking, *, vehicle: Vehicle) -> Booking | None:
    """The booking that took the slot. After a broken deadlock it may still be committing: look again
    a few times (under a second in all) so the refusal can name it; None if it never shows."""
    for pause in (0, 0.05, 0.1, 0.2, 0.4):
        time.sleep(pause)
        # With READ COMMITTED each query sees what has committed by then.
        conflicting = _overlapping(
            vehicle=vehicle,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            exclude=booking if booking.pk else None,
        )
        if conflicting is not None:
            return conflicting
    return None


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
    """The refusal naming the booking in the way; its interval (ISO 8601) is in ``params`` for clients."""
    if conflicting is None:
        return BookingConflict(_("Someone has just booked this vehicle for these times. Choose other times."))
    tz = ZoneInfo(vehicle.community.time_zone)
    return BookingConflict(
        _("The vehicle is already booked from %(start)s to %(end)s. Choose other times.")
        % {
            "start": formats.date_format(conflicting.starts_at.astimezone(tz), "SHORT_DATETIME_FORMAT"),
            "end": formats.date_format(conflicting.ends_at.astimezone(tz), "SHORT_DATETIME_FORMAT"),
        },
        params=times(conflicting),
    )


# --- answering and cancelling -------------------------------------------------------------------------


def booking_decide(
    *, membership: Membership, booking: Booking, message: str, accept: bool, notice: Notice | None = None
) -> Booking:
    """``notice`` as for ``booking_cancel``: the dates of a recurring booking answered together get one e-mail."""
    with transaction.atomic():
        booking = locked(booking)
        if not rules.may_decide(membership, booking):
            raise NotAllowed(_("Only the vehicle's owner or an admin can answer this request."), code="not_manager")
        if booking.status != Booking.Status.REQUESTED:
            raise BookingRefused(_("This booking is no longer waiting for an answer."), code="booking_not_requested")
        booking.status = Booking.Status.CONFIRMED if accept else Booking.Status.REJECTED
        booking.decision_message = message.strip()
        booking.save(update_fields=["status", "decision_message", "updated_at"])
        kind = BookingEvent.Kind.CONFIRMED if accept else BookingEvent.Kind.REJECTED
        record_noticed(notice, booking, membership.user, kind, message=booking.decision_message)
    return booking


def _cancel(
    booking: Booking,
    *,
    actor: User,
    message: str = "",
    reason: str = "",
    check_late: bool = True,
    notice: Notice | None = None,
) -> None:
    """``message`` is what a person typed; ``reason`` a ``Booking.Reason`` code when the application cancels."""
    if booking.status not in rules.OPEN_STATUSES:
        raise BookingRefused(
            _("Only a requested or confirmed booking can be cancelled."), code="booking_not_cancellable"
        )
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
    record_noticed(notice, booking, actor, BookingEvent.Kind.CANCELLED, **details)
