from django.contrib import admin

from vehicles.models import AvailabilityWindow, Blackout, Vehicle


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class BlackoutInline(admin.TabularInline):
    model = Blackout
    extra = 0


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "owner", "kind", "energy", "cost_model", "is_active")
    list_filter = ("is_active", "kind", "energy", "cost_model")
    search_fields = ("name", "make", "model", "plate", "community__name", "owner__email")
    list_select_related = ("community", "owner")
    raw_id_fields = ("owner",)
    inlines = (AvailabilityWindowInline, BlackoutInline)


@admin.register(Blackout)
class BlackoutAdmin(admin.ModelAdmin):
    list_display = ("vehicle", "starts_at", "ends_at", "reason")
    list_select_related = ("vehicle",)
    search_fields = ("vehicle__name", "reason")
