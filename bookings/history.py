"""A booking's history: every change writes one line, and the lines that are news are e-mailed."""

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


def record_told(booking: Booking, actor: User, kind: str, **details) -> BookingEvent:
    """Write a history line that another line's e-mail already tells (the other dates of a recurring booking
    booked or cancelled together: one e-mail lists them all), so no e-mail is due for it."""
    return BookingEvent.objects.create(
        booking=booking, actor=actor, kind=kind, details=details, notified_at=timezone.now()
    )


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
