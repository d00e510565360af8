"""What the bookings app holds about a person, for their data export (see colocauto.core.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingEvent, BookingSeries, CalendarFeed, Incident, IncidentPhoto, Trip
from colocauto.core.privacy import Column, Retention, Section, fields, file_name, keep_for, owned, register
from communities.privacy import COMMUNITY
from vehicles.privacy import VEHICLE

TRIP = Column("trip", "integer", _("Number of the trip."), "trip_id")
BOOKING = Column("booking", "integer", _("Number of the booking (the id in the bookings file)."), "booking_id")


def _clock(name: str):
    return lambda series: getattr(series, name).strftime("%H:%M")


def _history(user):
    return (
        BookingEvent.objects.filter(Q(booking__member=user) | Q(actor=user))
        .select_related("actor", "booking__vehicle")
        .order_by("booking_id", "created_at", "pk")
    )


def _incidents_of(user):
    return Incident.objects.filter(reported_by=user)


def _incidents(user):
    return _incidents_of(user).select_related("trip__vehicle").prefetch_related("photos").order_by("pk")


def _photo_names(incident):
    return [file_name("incidents", photo.pk, photo.photo) for photo in incident.photos.all()]


def _incident_photos(user):
    for photo in IncidentPhoto.objects.filter(incident__in=_incidents_of(user)).order_by("pk"):
        yield file_name("incidents", photo.pk, photo.photo), photo.photo


def _masked(feed):
    return f"{feed.token[:4]}…"


register(
    Section(
        name="bookings",
        title=_("Bookings"),
        description=_("Every booking you made, whatever became of it."),
        columns=(
            BOOKING.at("pk"),
            COMMUNITY,
            VEHICLE,
            *fields(Booking, "starts_at ends_at status"),
            Column("note", "string", _("Your note to the owner.")),
            Column("decision_message", "string", _("The owner's message with their answer.")),
            Column("decision_reason", "string", _("The reason given for a refusal.")),
            *fields(Booking, "cancelled_late created_at updated_at"),
            Column(
                "series",
                "integer",
                _("Number of the recurring booking it is a date of (empty: booked once)."),
                "series_id",
            ),
        ),
        objects=owned(Booking, "member", "community", "vehicle", order=("starts_at", "pk")),
        order=30,
    ),
    Section(
        name="booking_series",
        title=_("Recurring bookings"),
        description=_("The rules of your recurring bookings; each date is a booking of the bookings file."),
        columns=(
            Column("series", "integer", _("Number of the recurring booking."), "pk"),
            COMMUNITY,
            VEHICLE,
            *fields(BookingSeries, "frequency interval first_date until"),
            Column(
                "start_time", "string", _("Start of each date (HH:MM, the community's time)."), _clock("start_time")
            ),
            Column(
                "end_time",
                "string",
                _("End of each date (HH:MM; at or before the start: the next day)."),
                _clock("end_time"),
            ),
            *fields(BookingSeries, "created_at"),
        ),
        objects=owned(BookingSeries, "member", "community", "vehicle", order=("first_date", "pk")),
        order=30,
    ),
    Section(
        name="booking_history",
        title=_("Booking history"),
        description=_("What happened to your bookings, and what you did to other members' bookings."),
        columns=(
            BOOKING,
            VEHICLE.at("booking.vehicle.name"),
            Column("kind", "string", _("What happened (created, approved, changed, cancelled…).")),
            Column("by", "string", _("Display name of who did it."), "actor.name"),
            Column("at", "datetime", _("When."), "created_at"),
            Column("details", "json", _("What changed (codes and values).")),
        ),
        objects=_history,
        covers=("bookings.BookingEvent.actor",),
        order=31,
    ),
    Section(
        name="trips",
        title=_("Trips"),
        description=_("The trips you drove: odometer readings, distance, fuel level and notes."),
        columns=(
            TRIP.at("pk"),
            BOOKING,
            VEHICLE,
            *fields(
                Trip, "started_at ended_at start_odometer end_odometer distance_km unlogged_km duration fuel_level"
            ),
            *fields(Trip, "notes"),
        ),
        objects=owned(Trip, "driver", "vehicle", order=("started_at", "pk")),
        order=32,
    ),
    Section(
        name="incidents",
        title=_("Incidents"),
        description=_("Incidents you reported, with their photos."),
        columns=(
            Column("incident", "integer", _("Number of the incident."), "pk"),
            TRIP,
            VEHICLE.at("trip.vehicle.name"),
            *fields(Incident, "description"),
            Column("created_at", "datetime", _("When you reported it.")),
            Column("photos", "json", _("The photos in this archive."), _photo_names),
        ),
        objects=_incidents,
        files=_incident_photos,
        covers=("bookings.Incident.reported_by",),
        order=33,
    ),
    Section(
        name="calendar_feeds",
        title=_("Calendar subscriptions"),
        description=_("Your calendar feed addresses; the secret part is masked."),
        columns=(
            Column("vehicle", "string", _("The vehicle of the feed (empty: all your bookings)."), "vehicle.name"),
            Column("token", "string", _("The first characters of the feed's secret."), _masked),
            Column("created_at", "datetime", _("When it was created.")),
        ),
        objects=owned(CalendarFeed, "user", "vehicle"),
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
