"""Bookings of a vehicle, their history, the trips driven and incidents reported."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from colocauto.uploads import validate_photo


class BookingSeries(models.Model):
    """A recurring booking: "every week on Wednesday 14:00–18:00 until …" (``bookings.recurrence``).

    Each occurrence is an ordinary ``Booking`` made by ``booking_create`` and pointing here; the rule is kept
    in wall-clock times of the community's time zone, so 14:00 stays 14:00 across a change of clock.
    """

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week or every few weeks")
        MONTHLY = "monthly", _("Every month, on the same weekday")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="booking_series")
    vehicle = models.ForeignKey("vehicles.Vehicle", on_delete=models.PROTECT, related_name="booking_series")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="booking_series", verbose_name=_("member")
    )
    frequency = models.CharField(_("repeat"), max_length=10, choices=Frequency, default=Frequency.WEEKLY)
    interval = models.PositiveSmallIntegerField(_("every how many weeks or months"), default=1)
    first_date = models.DateField(_("first date"))
    until = models.DateField(_("until"))
    start_time = models.TimeField(_("start time"))
    end_time = models.TimeField(_("end time"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recurring booking")
        verbose_name_plural = _("recurring bookings")
        constraints = [
            models.CheckConstraint(condition=Q(until__gte=F("first_date")), name="series_until_after_first_date"),
            models.CheckConstraint(condition=Q(interval__gte=1), name="series_interval_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.frequency}/{self.interval} {self.first_date} → {self.until}"


class Booking(models.Model):
    """A half-open interval ``[starts_at, ends_at)`` on one vehicle.

    On PostgreSQL an exclusion constraint (migration 0002, btree_gist) makes two bookings
    that hold the slot (requested, confirmed, in progress) on the same vehicle impossible.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Reason(models.TextChoices):
        """Why the application, not a person, cancelled it: stored as a code, shown in the reader's language."""

        MEMBER_LEFT = "member_left", _("The member left the community.")
        MEMBER_REMOVED = "member_removed", _("The member was removed from the community.")

    HOLDING_STATUSES = (Status.REQUESTED, Status.CONFIRMED, Status.IN_PROGRESS)

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="bookings")
    vehicle = models.ForeignKey("vehicles.Vehicle", on_delete=models.PROTECT, related_name="bookings")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("member")
    )
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("series"),
    )
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.REQUESTED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decision_message = models.CharField(_("message"), max_length=500, blank=True)
    decision_reason = models.CharField(_("reason"), max_length=20, choices=Reason, blank=True)
    cancelled_late = models.BooleanField(_("cancelled late"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Side effects are claimed by setting these once (filter(..., x=None).update(x=now) == 1).
    start_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    trip_reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="booking_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["vehicle", "starts_at"]),
            models.Index(fields=["community", "starts_at"]),
            # Calendar ranges filter on "ends_at > range start": without this the query scans all history.
            models.Index(fields=["community", "ends_at"]),
            models.Index(fields=["vehicle", "ends_at"]),
            models.Index(fields=["member", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle} {self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M}"

    @property
    def holds_slot(self) -> bool:
        return self.status in self.HOLDING_STATUSES


class BookingEvent(models.Model):
    """One line of a booking's history: who did what, when.

    ``details`` holds data, never text in someone's language: times, odometers, a member's own
    message, and a ``reason`` code (``Booking.Reason``) rendered when the line is read.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Booked")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        CHANGED = "changed", _("Times changed")
        EXTENDED = "extended", _("Extended")
        CANCELLED = "cancelled", _("Cancelled")
        TRIP_STARTED = "trip_started", _("Trip started")
        TRIP_COMPLETED = "trip_completed", _("Trip completed")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    created_at = models.DateTimeField(auto_now_add=True)
    details = models.JSONField(default=dict, blank=True)
    # The e-mails about this line go through the outbox (colocauto/outbox.py): claimed with a lease,
    # the recipients served so far remembered, then marked notified; the sweep sends what is due.
    notice_claimed_at = models.DateTimeField(null=True, blank=True)
    notified_to = models.JSONField(default=list, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The sweep looks for recent lines not yet notified.
            models.Index(fields=["created_at"], condition=Q(notified_at__isnull=True), name="bookingevent_unnotified"),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.kind}"


class Trip(models.Model):
    """The driving done during a booking: start and end odometer."""

    class FuelLevel(models.TextChoices):
        EMPTY = "empty", _("Almost empty")
        QUARTER = "quarter", _("1/4")
        HALF = "half", _("1/2")
        THREE_QUARTERS = "three_quarters", _("3/4")
        FULL = "full", _("Full")

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="trip")
    vehicle = models.ForeignKey("vehicles.Vehicle", on_delete=models.PROTECT, related_name="trips")
    driver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="trips")
    start_odometer = models.PositiveIntegerField(_("start odometer (km)"))
    end_odometer = models.PositiveIntegerField(_("end odometer (km)"), null=True, blank=True)
    unlogged_km = models.PositiveIntegerField(
        _("unlogged km"), default=0, help_text=_("Gap between the last known odometer and this trip's start.")
    )
    distance_km = models.PositiveIntegerField(_("distance (km)"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    fuel_level = models.CharField(_("fuel level at the end"), max_length=15, choices=FuelLevel, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        verbose_name = _("trip")
        verbose_name_plural = _("trips")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_odometer__isnull=True) | Q(end_odometer__gte=F("start_odometer")),
                name="trip_end_odometer_not_below_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle}: {self.start_odometer} → {self.end_odometer or '…'}"

    @property
    def is_completed(self) -> bool:
        return self.ended_at is not None


class Incident(models.Model):
    trip = models.ForeignKey(Trip, on_delete=models.CASCADE, related_name="incidents")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    description = models.TextField(_("what happened"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return self.description[:40]


def incident_photo_upload_to(instance: "IncidentPhoto", filename: str) -> str:
    """A random name; the services pass a re-encoded file named after its real format, and anything
    else still gets a picture extension, so a stored file can never be taken for a page or a script."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in {"jpg", "png", "webp"}:
        extension = "jpg"
    return f"incidents/{instance.incident_id}/{secrets.token_hex(8)}.{extension}"


class IncidentPhoto(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="photos")
    photo = models.ImageField(_("photo"), upload_to=incident_photo_upload_to, validators=[validate_photo])

    def __str__(self) -> str:
        return self.photo.name


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A secret iCal address: a user's own bookings, or one vehicle's bookings."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    vehicle = models.ForeignKey("vehicles.Vehicle", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(vehicle__isnull=True), name="feed_one_personal_per_user"
            ),
            models.UniqueConstraint(fields=["user", "vehicle"], name="feed_one_per_user_and_vehicle"),
        ]

    def __str__(self) -> str:
        return f"feed {self.user_id}/{self.vehicle_id or '-'}"
