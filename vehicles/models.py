"""Vehicles a community shares, when they may be booked, and what they cost to use."""

from datetime import time
from decimal import Decimal
from uuid import uuid4

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from colocauto.core.fields import coordinate_field
from colocauto.uploads import validate_photo

MONEY = {"max_digits": 10, "decimal_places": 2}
RATE = {"max_digits": 8, "decimal_places": 3}


def photo_upload_to(instance: "Vehicle", filename: str) -> str:
    """A random name: the vehicle's name may hold characters (``/``, ``..``) that are unsafe in a path."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in {"jpg", "jpeg", "png", "webp"}:
        extension = "jpg"
    return f"vehicles/{instance.community_id}/{uuid4().hex}.{extension}"


class Vehicle(models.Model):
    class Kind(models.TextChoices):
        CAR = "car", _("Car")
        VAN = "van", _("Van")
        UTILITY = "utility", _("Utility vehicle")
        OTHER = "other", _("Other")

    class Energy(models.TextChoices):
        PETROL = "petrol", _("Petrol")
        DIESEL = "diesel", _("Diesel")
        ELECTRIC = "electric", _("Electric")
        HYBRID = "hybrid", _("Hybrid")
        LPG = "lpg", _("LPG")
        OTHER = "other", _("Other")

    class Gearbox(models.TextChoices):
        MANUAL = "manual", _("Manual")
        AUTOMATIC = "automatic", _("Automatic")

    class CostModel(models.TextChoices):
        RATES = "rates", _("Rates (lent car: the driver pays per km / per hour)")
        SHARED_COSTS = "shared_costs", _("Shared costs (co-owned car: real costs split by km)")

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="vehicles")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_vehicles",
        verbose_name=_("owner"),
        help_text=_("Leave empty for a vehicle owned by the community."),
    )
    name = models.CharField(_("name"), max_length=80, help_text=_("How members call it, e.g. “the blue Clio”."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind, default=Kind.CAR)
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    plate = models.CharField(_("registration plate"), max_length=20, blank=True)
    energy = models.CharField(_("energy"), max_length=10, choices=Energy, default=Energy.PETROL)
    seats = models.PositiveSmallIntegerField(
        _("seats"), default=5, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    gearbox = models.CharField(_("gearbox"), max_length=10, choices=Gearbox, default=Gearbox.MANUAL)
    parking_location = models.CharField(_("where it is parked"), max_length=200, blank=True)
    latitude = coordinate_field("latitude", _("latitude"))
    longitude = coordinate_field("longitude", _("longitude"))
    photo = models.ImageField(_("photo"), upload_to=photo_upload_to, blank=True, validators=[validate_photo])
    instructions = models.TextField(
        _("instructions"), blank=True, help_text=_("Key handover, fuel card, anything a driver must know.")
    )
    insurer = models.CharField(_("insurer"), max_length=80, blank=True)
    policy_number = models.CharField(_("policy number"), max_length=60, blank=True)
    insurance_expiry = models.DateField(_("insurance expiry date"), null=True, blank=True)
    odometer_km = models.PositiveIntegerField(_("current odometer (km)"), default=0)
    is_active = models.BooleanField(_("bookable"), default=True, help_text=_("Untick to pause the vehicle."))

    cost_model = models.CharField(_("cost model"), max_length=15, choices=CostModel, default=CostModel.RATES)
    rate_per_km = models.DecimalField(
        _("rate per km"), **RATE, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    rate_per_hour = models.DecimalField(
        _("rate per hour"), **RATE, default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))]
    )
    daily_cap = models.DecimalField(
        _("daily cap"),
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Optional maximum charged for the hours of one day."),
    )
    fixed_monthly_cost = models.DecimalField(
        _("fixed monthly costs"),
        **MONEY,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Insurance, provisions, owner compensation: split among members each month."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(rate_per_km__gte=0), name="vehicle_rate_per_km_not_negative"),
            models.CheckConstraint(condition=Q(rate_per_hour__gte=0), name="vehicle_rate_per_hour_not_negative"),
            models.CheckConstraint(
                condition=Q(daily_cap__isnull=True) | Q(daily_cap__gte=0), name="vehicle_daily_cap_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fixed_monthly_cost__gte=0), name="vehicle_fixed_monthly_cost_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def fuel_unit(self) -> str:
        """What its energy is counted in: kWh for an electric vehicle, litres (L) for the others."""
        return "kWh" if self.energy == self.Energy.ELECTRIC else "L"

    @property
    def description(self) -> str:
        return " ".join(part for part in (self.make, self.model, str(self.year or "")) if part)


class CostModelPeriod(models.Model):
    """The cost model a vehicle was on before a switch, until ``ends_on`` (a 1st of a month, not included).

    A switch takes effect on the 1st of the next month (``vehicles.services``), so each month is
    charged under one model: ``Vehicle.cost_model`` holds the latest choice, these rows the earlier
    ones. A row ending after today is a switch still to come.
    """

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="cost_model_periods")
    cost_model = models.CharField(_("cost model"), max_length=15, choices=Vehicle.CostModel)
    ends_on = models.DateField(_("until"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("earlier cost model")
        verbose_name_plural = _("earlier cost models")
        ordering = ["vehicle", "ends_on"]
        constraints = [
            models.UniqueConstraint(fields=["vehicle", "ends_on"], name="cost_model_period_one_end_per_day"),
            models.CheckConstraint(condition=Q(ends_on__day=1), name="cost_model_period_ends_on_a_first"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle}: {self.cost_model} until {self.ends_on:%Y-%m-%d}"


class AvailabilityWindow(models.Model):
    """A weekly window when the vehicle may be booked. A vehicle without any window is always available."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="availability_windows")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"), help_text=_("00:00 means midnight at the end of the day."))

    class Meta:
        verbose_name = _("availability window")
        verbose_name_plural = _("availability windows")
        ordering = ["weekday", "start_time"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="window_weekday_valid"),
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")) | Q(end_time=time(0)),
                name="window_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Blackout(models.Model):
    """A period when the vehicle cannot be booked at all (repairs, holidays…)."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="blackouts")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("blackout period")
        verbose_name_plural = _("blackout periods")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="blackout_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.vehicle}: {self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%Y-%m-%d %H:%M}"
