"""A booking's history: every change writes one line, and the lines that are news are e-mailed."""

from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from bookings.models import Booking, BookingEvent
from bookings.tasks import notify_booking_event
from colocauto.core.queue import wake
from communities.models import User


def record(booking: Booking, actor: User, kind: str, **details) -> BookingEvent:
    """Write a history line; its e-mails are due from now on (the outbox sweep sends them for sure),
    and a worker is woken to send them as soon as the transaction commits."""
    event = BookingEvent.objects.create(booking=booking, actor=actor, kind=kind, details=details)
    if _is_news(kind, details):
        wake(notify_booking_event, event.pk)
    return event


# How a line's e-mail tells it when dates of a recurring booking change together (one e-mail lists them all):
# None, on its own; ``{"with": [booking ids]}``, listing those bookings too; ``QUIET``, told by another line's
# e-mail, so none is due for it.
Notice = dict[str, Any]
QUIET: Notice = {"quiet": True}


def record_noticed(notice: Notice | None, booking: Booking, actor: User, kind: str, **details) -> BookingEvent:
    """``record``, told as ``notice`` says."""
    if notice and notice.get("quiet"):
        return BookingEvent.objects.create(
            booking=booking, actor=actor, kind=kind, details=details, notified_at=timezone.now()
        )
    if notice and notice.get("with"):
        details["with"] = list(notice["with"])
    return record(booking, actor, kind, **details)


def told_together(bookings: Sequence[Booking]) -> list[Notice | None]:
    """The notices of bookings changed together, in order: the first's e-mail lists the others, which are quiet."""
    if len(bookings) < 2:
        return [None] * len(bookings)
    return [{"with": [booking.pk for booking in bookings[1:]]}, *[QUIET] * (len(bookings) - 1)]


def times(booking: Booking) -> dict[str, str]:
    """The booking's interval as ISO 8601 text, as history lines and error parameters keep it."""
    return {"starts_at": booking.starts_at.isoformat(), "ends_at": booking.ends_at.isoformat()}


def _is_news(kind: str, details: dict) -> bool:
    """Trips are news to the owner (or the admins) only when km went unlogged or an incident is reported."""
    if kind == BookingEvent.Kind.TRIP_STARTED:
        return bool(details.get("unlogged_km"))
    if kind == BookingEvent.Kind.TRIP_COMPLETED:
        return bool(details.get("incident"))
    return True
