from django.contrib import admin

from vehicles.models import AvailabilityWindow, Blackout, CostModelPeriod, Vehicle


class AvailabilityWindowInline(admin.TabularInline):
    model = AvailabilityWindow
    extra = 0


class BlackoutInline(admin.TabularInline):
    model = Blackout
    extra = 0


class CostModelPeriodInline(admin.TabularInline):
    """Read only: a switch is scheduled by the vehicle form (``vehicle_update``), never edited by hand."""

    model = CostModelPeriod
    extra = 0
    fields = readonly_fields = ("cost_model", "ends_on", "changed_by", "changed_at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ("name", "community", "owner", "kind", "energy", "cost_model", "is_active")
    list_filter = ("is_active", "kind", "energy", "cost_model")
    search_fields = ("name", "make", "model", "plate", "community__name", "owner__email")
    list_select_related = ("community", "owner")
    raw_id_fields = ("owner",)
    inlines = (AvailabilityWindowInline, BlackoutInline, CostModelPeriodInline)

    def get_readonly_fields(self, request, obj=None):
        # Switching the model here would skip the rule that a switch waits for the 1st of the next month.
        return ("cost_model",) if obj else ()


@admin.register(Blackout)
class BlackoutAdmin(admin.ModelAdmin):
    list_display = ("vehicle", "starts_at", "ends_at", "reason")
    list_select_related = ("vehicle",)
    search_fields = ("vehicle__name", "reason")
