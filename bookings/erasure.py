"""What erasing a person's account does to bookings (registered in ``bookings/privacy.py``).

Their future bookings were cancelled when their memberships ended (``MemberLeft``). Past bookings, the rules
of recurring bookings and trips keep their times and km under the pseudonym, so vehicle histories and reports
stay right; what the person wrote goes: booking notes and the messages about their bookings, trip notes, the incidents they reported
(description and photos), and their calendar feeds.
"""

from __future__ import annotations

from django.db.models import Q

from bookings.models import Booking, BookingEvent, CalendarFeed, Incident, IncidentPhoto, Trip
from colocauto.core.privacy import Eraser, erase_with, keep
from communities.models import User

ERASES = (
    "bookings.Booking.member",
    "bookings.Booking.note",
    "bookings.Booking.decision_message",
    "bookings.BookingSeries.member",
    "bookings.BookingEvent.actor",
    "bookings.BookingEvent.details",
    "bookings.Trip.driver",
    "bookings.Trip.notes",
    "bookings.Incident.reported_by",
    "bookings.Incident.description",
    "bookings.IncidentPhoto.photo",
    "bookings.CalendarFeed.user",
    "bookings.CalendarFeed.token",
)


def erase_bookings(user: User) -> None:
    # A decider's message sits on the booking and in its history line: those the person wrote, and those
    # written to them about their own bookings, both go.
    events = BookingEvent.objects.filter(Q(actor=user) | Q(booking__member=user), details__has_key="message")
    decided = set(events.filter(actor=user).values_list("booking_id", flat=True))
    for event in events.iterator(chunk_size=500):
        event.details.pop("message", None)
        event.save(update_fields=["details"])
    Booking.objects.filter(Q(member=user) | Q(pk__in=decided)).exclude(note="", decision_message="").update(
        note="", decision_message=""
    )
    Trip.objects.filter(driver=user).exclude(notes="").update(notes="")
    incidents = Incident.objects.filter(reported_by=user)
    for photo in IncidentPhoto.objects.filter(incident__in=incidents).iterator(chunk_size=500):
        photo.photo.delete(save=False)
        photo.delete()
    incidents.exclude(description="").update(description="")
    CalendarFeed.objects.filter(user=user).delete()


erase_with(Eraser(name="bookings", erase=erase_bookings, covers=ERASES))
keep(
    "Times, km, odometers, statuses and reason codes stay, under the pseudonym: vehicle histories and reports need them.",
    "bookings.BookingEvent.notified_to",
)
