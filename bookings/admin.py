"""Read-only admin: bookings and trips change only through the services, so history stays complete."""

from django.contrib import admin

from bookings.models import Booking, BookingEvent, BookingSeries, CalendarFeed, Incident, IncidentPhoto, Trip
from colocauto.admin import ReadOnlyAdmin


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    fields = ("created_at", "actor", "kind", "details", "notified_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ReadOnlyAdmin):
    list_display = ("vehicle", "member", "starts_at", "ends_at", "status", "cancelled_late", "community")
    list_filter = ("status", "cancelled_late")
    search_fields = ("vehicle__name", "member__email", "member__display_name", "community__name")
    list_select_related = ("vehicle", "member", "community")
    date_hierarchy = "starts_at"
    inlines = (BookingEventInline,)


@admin.register(BookingSeries)
class BookingSeriesAdmin(ReadOnlyAdmin):
    list_display = ("vehicle", "member", "frequency", "interval", "first_date", "until", "start_time", "end_time")
    list_filter = ("frequency",)
    search_fields = ("vehicle__name", "member__email", "member__display_name", "community__name")
    list_select_related = ("vehicle", "member")


class IncidentPhotoInline(admin.TabularInline):
    model = IncidentPhoto
    extra = 0
    can_delete = False


@admin.register(Trip)
class TripAdmin(ReadOnlyAdmin):
    list_display = ("vehicle", "driver", "start_odometer", "end_odometer", "distance_km", "unlogged_km", "started_at")
    list_select_related = ("vehicle", "driver")
    search_fields = ("vehicle__name", "driver__email")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("trip", "reported_by", "created_at")
    list_select_related = ("trip__vehicle", "reported_by")
    inlines = (IncidentPhotoInline,)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("user", "vehicle", "created_at")
    list_select_related = ("user", "vehicle")
    exclude = ("token",)
