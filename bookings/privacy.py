"""What the bookings app holds about a person, for their data export (see colocauto.core.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingEvent, CalendarFeed, Incident, IncidentPhoto, Trip
from colocauto.core.privacy import Column, Retention, Section, file_name, keep_for, register

VEHICLE = Column("vehicle", "string", _("The vehicle's name."))
BOOKING = Column("booking", "integer", _("Number of the booking (the id in the bookings file)."))


def _bookings(user):
    rows = Booking.objects.filter(member=user).select_related("community", "vehicle").order_by("starts_at", "pk")
    for booking in rows.iterator(chunk_size=500):
        yield {
            "booking": booking.pk,
            "community": booking.community.name,
            "vehicle": booking.vehicle.name,
            "starts_at": booking.starts_at,
            "ends_at": booking.ends_at,
            "status": booking.status,
            "note": booking.note,
            "decision_message": booking.decision_message,
            "decision_reason": booking.decision_reason,
            "cancelled_late": booking.cancelled_late,
            "created_at": booking.created_at,
            "updated_at": booking.updated_at,
        }


def _history(user):
    events = (
        BookingEvent.objects.filter(Q(booking__member=user) | Q(actor=user))
        .select_related("actor", "booking__vehicle")
        .order_by("booking_id", "created_at", "pk")
    )
    for event in events.iterator(chunk_size=500):
        yield {
            "booking": event.booking_id,
            "vehicle": event.booking.vehicle.name,
            "kind": event.kind,
            "by": event.actor.name if event.actor else None,
            "at": event.created_at,
            "details": event.details,
        }


def _trips(user):
    trips = Trip.objects.filter(driver=user).select_related("vehicle").order_by("started_at", "pk")
    for trip in trips.iterator(chunk_size=500):
        yield {
            "trip": trip.pk,
            "booking": trip.booking_id,
            "vehicle": trip.vehicle.name,
            "started_at": trip.started_at,
            "ended_at": trip.ended_at,
            "start_odometer": trip.start_odometer,
            "end_odometer": trip.end_odometer,
            "distance_km": trip.distance_km,
            "unlogged_km": trip.unlogged_km,
            "duration": trip.duration,
            "fuel_level": trip.fuel_level,
            "notes": trip.notes,
        }


def _incidents_of(user):
    return Incident.objects.filter(reported_by=user)


def _incidents(user):
    incidents = _incidents_of(user).select_related("trip__vehicle").prefetch_related("photos").order_by("pk")
    for incident in incidents:
        yield {
            "incident": incident.pk,
            "trip": incident.trip_id,
            "vehicle": incident.trip.vehicle.name,
            "description": incident.description,
            "created_at": incident.created_at,
            "photos": [file_name("incidents", photo.pk, photo.photo) for photo in incident.photos.all()],
        }


def _incident_photos(user):
    for photo in IncidentPhoto.objects.filter(incident__in=_incidents_of(user)).order_by("pk"):
        yield file_name("incidents", photo.pk, photo.photo), photo.photo


def _feeds(user):
    for feed in CalendarFeed.objects.filter(user=user).select_related("vehicle").order_by("pk"):
        yield {
            "vehicle": feed.vehicle.name if feed.vehicle else None,
            "token": f"{feed.token[:4]}…",
            "created_at": feed.created_at,
        }


register(
    Section(
        name="bookings",
        title=_("Bookings"),
        description=_("Every booking you made, whatever became of it."),
        columns=(
            BOOKING,
            Column("community", "string", _("Name of the community.")),
            VEHICLE,
            Column("starts_at", "datetime", _("Start.")),
            Column("ends_at", "datetime", _("End.")),
            Column("status", "string", _("requested, confirmed, declined or cancelled.")),
            Column("note", "string", _("Your note to the owner.")),
            Column("decision_message", "string", _("The owner's message with their answer.")),
            Column("decision_reason", "string", _("The reason given for a refusal.")),
            Column("cancelled_late", "boolean", _("Whether it was cancelled at short notice.")),
            Column("created_at", "datetime", _("When you made it.")),
            Column("updated_at", "datetime", _("When it last changed.")),
        ),
        rows=_bookings,
        covers=("bookings.Booking.member",),
        order=30,
    ),
    Section(
        name="booking_history",
        title=_("Booking history"),
        description=_("What happened to your bookings, and what you did to other members' bookings."),
        columns=(
            BOOKING,
            VEHICLE,
            Column("kind", "string", _("What happened (created, approved, changed, cancelled…).")),
            Column("by", "string", _("Display name of who did it.")),
            Column("at", "datetime", _("When.")),
            Column("details", "json", _("What changed (codes and values).")),
        ),
        rows=_history,
        covers=("bookings.BookingEvent.actor",),
        order=31,
    ),
    Section(
        name="trips",
        title=_("Trips"),
        description=_("The trips you drove: odometer readings, distance, fuel level and notes."),
        columns=(
            Column("trip", "integer", _("Number of the trip.")),
            BOOKING,
            VEHICLE,
            Column("started_at", "datetime", _("When the trip started.")),
            Column("ended_at", "datetime", _("When it ended.")),
            Column("start_odometer", "integer", _("Odometer at the start, in km.")),
            Column("end_odometer", "integer", _("Odometer at the end, in km.")),
            Column("distance_km", "integer", _("Distance driven, in km.")),
            Column("unlogged_km", "integer", _("Km found unrecorded before your trip.")),
            Column("duration", "duration", _("Duration.")),
            Column("fuel_level", "string", _("Fuel level at the end.")),
            Column("notes", "string", _("Your notes.")),
        ),
        rows=_trips,
        covers=("bookings.Trip.driver",),
        order=32,
    ),
    Section(
        name="incidents",
        title=_("Incidents"),
        description=_("Incidents you reported, with their photos."),
        columns=(
            Column("incident", "integer", _("Number of the incident.")),
            Column("trip", "integer", _("Number of the trip.")),
            VEHICLE,
            Column("description", "string", _("What you wrote.")),
            Column("created_at", "datetime", _("When you reported it.")),
            Column("photos", "json", _("The photos in this archive.")),
        ),
        rows=_incidents,
        files=_incident_photos,
        covers=("bookings.Incident.reported_by",),
        order=33,
    ),
    Section(
        name="calendar_feeds",
        title=_("Calendar subscriptions"),
        description=_("Your calendar feed addresses; the secret part is masked."),
        columns=(
            Column("vehicle", "string", _("The vehicle of the feed (empty: all your bookings).")),
            Column("token", "string", _("The first characters of the feed's secret.")),
            Column("created_at", "datetime", _("When it was created.")),
        ),
        rows=_feeds,
        covers=("bookings.CalendarFeed.user",),
        order=34,
    ),
)


def _forget_incident_photos(cutoff):
    """Photos of incidents reported before ``cutoff``: the files and their rows go, the incident stays."""
    forgotten = 0
    for photo in IncidentPhoto.objects.filter(incident__created_at__lt=cutoff).iterator(chunk_size=500):
        photo.photo.delete(save=False)
        photo.delete()
        forgotten += 1
    return forgotten


keep_for(
    Retention(
        name="incident_photos",
        description=_("Photos of incidents (the incident's description stays with the trip)."),
        setting="RETENTION_INCIDENT_PHOTO_DAYS",
        forget=_forget_incident_photos,
    )
)
