"""The monthly roll-up behind every report: one row per community × month × vehicle energy.

Reports read these rows (summed per territory in ``territories.usage``), never bookings, so a report's cost does not grow with history. The job
(``territories.tasks.usage_rollup_month``) refreshes a finished month; refreshing again replaces the
month's rows (unique constraint + upsert, stale rows deleted), so it is safe to repeat.

Each community also gets one row with ``energy = "all"``: counts of distinct households and the
largest household's share cannot be added up across energies, so they are computed for all
energies together. Sum the energy rows, or read the "all" row; never add both.

Months are counted in each community's own time zone. Heavy numbers come from SQL aggregates
grouped per household (never a loop over bookings); Python only folds those per-household sums.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import models, transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.events import emit
from vehicles.models import Vehicle

ALL_ENERGIES = "all"
ENERGY_CHOICES = [*Vehicle.Energy.choices, (ALL_ENERGIES, _("All energies"))]
COUNTED_BOOKINGS = ("confirmed", "in_progress", "completed")


class UsageFigures(models.Model):
    """The numbers of the roll-ups: a community's month (``MonthlyUsage``), or a territory's branch
    (``TerritoryUsage``, their sums; the largest household is the largest of the parts')."""

    bookings = models.PositiveIntegerField(_("bookings"), default=0)
    booked_hours = models.DecimalField(_("booked hours"), max_digits=12, decimal_places=2, default=Decimal("0"))
    km = models.PositiveBigIntegerField(_("km driven"), default=0)
    trips = models.PositiveIntegerField(_("trips"), default=0)
    trips_by_non_owners = models.PositiveIntegerField(_("trips by non-owners"), default=0)
    households = models.PositiveIntegerField(_("households who booked or drove"), default=0)
    members = models.PositiveIntegerField(_("members"), default=0)
    vehicles = models.PositiveIntegerField(_("vehicles"), default=0)
    available_hours = models.DecimalField(_("available hours"), max_digits=12, decimal_places=2, default=Decimal("0"))
    driver_charges = models.DecimalField(_("paid by drivers"), max_digits=14, decimal_places=2, default=Decimal("0"))
    charged_km = models.PositiveBigIntegerField(_("km behind those charges"), default=0)
    max_household_km = models.PositiveBigIntegerField(_("km of the household who drove most"), default=0)
    max_household_hours = models.DecimalField(
        _("hours of the household who booked most"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        abstract = True


class MonthlyUsage(UsageFigures):
    """What one community did in one month with its vehicles of one energy (or ``all`` of them).

    ``households`` are the distinct members who booked or drove; ``members`` the community's members
    during the month (the same on each of its rows: read it from the ``all`` row). Bookings count in
    the month they start; their hours are clipped to the month; trips and km count in the month the
    trip ended (as the ledger charges them).
    """

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="monthly_usage")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    energy = models.CharField(_("energy"), max_length=10, choices=ENERGY_CHOICES)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("monthly usage")
        verbose_name_plural = _("monthly usage")
        ordering = ["month", "community_id", "energy"]
        constraints = [
            models.UniqueConstraint(fields=["community", "month", "energy"], name="monthly_usage_once"),
        ]
        indexes = [models.Index(fields=["month", "energy"])]

    def __str__(self) -> str:
        return f"{self.community_id} {self.month:%Y-%m} {self.energy}"


class RollupMonth(models.Model):
    """Marks a month whose roll-up is stored, so a report computes a missing month once, on demand."""

    month = models.DateField(unique=True)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


# Every number of a row, then when it was computed: what a refresh overwrites.
FIGURE_FIELDS = [field.name for field in UsageFigures._meta.local_fields]
UPDATED_FIELDS = [*FIGURE_FIELDS, "refreshed_at"]


def month_first(day: date) -> date:
    return day.replace(day=1)


def month_after(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _bounds(month: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(month, time(0), tzinfo=tz), datetime.combine(month_after(month), time(0), tzinfo=tz)


def _hours(duration: timedelta | None) -> Decimal:
    if not duration:
        return Decimal("0")
    return (Decimal(int(duration.total_seconds())) / Decimal(3600)).quantize(Decimal("0.01"))


@dataclass
class _Household:
    bookings: int = 0
    hours: Decimal = Decimal("0")
    trips: int = 0
    km: int = 0


@dataclass
class _Cell:
    households: dict[int, _Household] = field(default_factory=lambda: defaultdict(_Household))
    trips_by_non_owners: int = 0
    vehicles: int = 0
    available_hours: Decimal = Decimal("0")
    driver_charges: Decimal = Decimal("0")
    charged_km: int = 0


def usage_rows(*, month: date, community_ids: list[int] | None = None) -> list[MonthlyUsage]:
    """The month's roll-up rows, computed now and not saved (the current month is only ever computed so)."""
    from communities.models import Community

    month = month_first(month)
    scope = Community.objects.all() if community_ids is None else Community.objects.filter(pk__in=community_ids)
    zones = sorted(set(scope.values_list("time_zone", flat=True)))
    now = timezone.now()
    rows: list[MonthlyUsage] = []
    for zone in zones:
        rows += _rows_in_zone(month, ZoneInfo(zone), scope.filter(time_zone=zone), now)
    return rows


def _rows_in_zone(month: date, tz: ZoneInfo, communities, now: datetime) -> list[MonthlyUsage]:
    from bookings.models import Booking, Trip
    from communities.models import Membership
    from ledger.models import Entry, Expense, Transaction

    start, end = _bounds(month, tz)
    cells: dict[tuple[int, str], _Cell] = defaultdict(_Cell)

    clipped = ExpressionWrapper(Least("ends_at", Value(end)) - Greatest("starts_at", Value(start)), DurationField())
    booked = (
        Booking.objects.filter(community__in=communities, status__in=COUNTED_BOOKINGS, starts_at__lt=end)
        .filter(ends_at__gt=start)
        .values_list("community_id", "vehicle__energy", "member_id")
        .annotate(bookings=Count("pk", filter=Q(starts_at__gte=start)), hours=Sum(clipped))
    )
    for community_id, energy, member_id, bookings, hours in booked:
        household = cells[community_id, energy].households[member_id]
        household.bookings += bookings
        household.hours += _hours(hours)

    trips = Trip.objects.filter(
        vehicle__community__in=communities, ended_at__gte=start, ended_at__lt=end, distance_km__isnull=False
    )
    by_non_owner = Q(vehicle__owner__isnull=True) | ~Q(driver_id=F("vehicle__owner_id"))
    driven = trips.values_list("vehicle__community_id", "vehicle__energy", "driver_id").annotate(
        trips=Count("pk"), km=Sum("distance_km"), non_owner=Count("pk", filter=by_non_owner)
    )
    for community_id, energy, driver_id, trip_count, km, non_owner in driven:
        cell = cells[community_id, energy]
        cell.households[driver_id].trips += trip_count
        cell.households[driver_id].km += km or 0
        cell.trips_by_non_owners += non_owner

    # Cost per km: what drivers paid on lent cars (trip charges not undone), and the month's real
    # costs of co-owned cars, split by km among their drivers.
    charged = (
        Entry.objects.filter(
            amount__gt=0,
            transaction__kind=Transaction.Kind.TRIP_CHARGE,
            transaction__reversed_by__isnull=True,
            # The trips' own filters, joined: ``trip__in=trips`` made PostgreSQL check every charge ever posted.
            transaction__community__in=communities,
            transaction__trip__ended_at__gte=start,
            transaction__trip__ended_at__lt=end,
            transaction__trip__distance_km__isnull=False,
        )
        .values_list("transaction__community_id", "transaction__trip__vehicle__energy")
        .annotate(amount=Sum("amount"), km=Sum("transaction__trip__distance_km"))
    )
    for community_id, energy, amount, km in charged:
        cells[community_id, energy].driver_charges += amount or 0
        cells[community_id, energy].charged_km += km or 0
    shared_km = dict(
        trips.filter(vehicle__cost_model=Vehicle.CostModel.SHARED_COSTS)
        .values_list("vehicle_id")
        .annotate(km=Sum("distance_km"))
        .values_list("vehicle_id", "km")
    )
    shared_costs = (
        Expense.objects.filter(
            vehicle_id__in=[pk for pk, km in shared_km.items() if km],
            cost_model=Vehicle.CostModel.SHARED_COSTS,
            cancelled_at__isnull=True,
            spent_on__gte=month,
            spent_on__lt=month_after(month),
        )
        .values_list("vehicle_id", "community_id", "vehicle__energy")
        .annotate(amount=Sum("amount"))
    )
    for vehicle_id, community_id, energy, amount in shared_costs:
        cells[community_id, energy].driver_charges += amount or 0
        cells[community_id, energy].charged_km += shared_km[vehicle_id]

    _add_vehicles(cells, communities, month, tz, start, end)

    members = dict(
        Membership.objects.filter(
            community__in=communities,
            joined_at__lt=end,
            status__in=[Membership.Status.ACTIVE, Membership.Status.LEFT, Membership.Status.REMOVED],
        )
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list("community_id")
        .annotate(count=Count("user_id", distinct=True))
        .values_list("community_id", "count")
    )
    return _fold(cells, members, month, now)


def _add_vehicles(cells, communities, month: date, tz: ZoneInfo, start: datetime, end: datetime) -> None:
    """Vehicles of the month (bookable, or booked in it) and their hours open under their weekly windows."""
    from bookings.models import Booking
    from vehicles.models import AvailabilityWindow

    booked_in_month = Booking.objects.filter(
        vehicle=models.OuterRef("pk"), status__in=COUNTED_BOOKINGS, starts_at__lt=end, ends_at__gt=start
    )
    vehicles = list(
        Vehicle.objects.filter(community__in=communities, created_at__lt=end)
        .filter(Q(is_active=True) | models.Exists(booked_in_month))
        .values_list("pk", "community_id", "energy", "created_at")
    )
    midnight_end = ExpressionWrapper(Value(timedelta(days=1)) - (F("start_time") - Value(time(0))), DurationField())
    span = ExpressionWrapper(F("end_time") - F("start_time"), DurationField())
    windows = (
        AvailabilityWindow.objects.filter(vehicle_id__in=[pk for pk, *_rest in vehicles])
        .annotate(hours=models.Case(models.When(end_time=time(0), then=midnight_end), default=span))
        .values_list("vehicle_id", "weekday")
        .annotate(total=Sum("hours"))
    )
    weekly: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for vehicle_id, weekday, total in windows:
        weekly[vehicle_id][weekday] = min(_hours(total), Decimal(24))
    for pk, community_id, energy, created_at in vehicles:
        first = max(month, created_at.astimezone(tz).date())
        hours = Decimal("0")
        for offset in range((month_after(month) - first).days):
            day = first + timedelta(days=offset)
            hours += weekly[pk].get(day.weekday(), Decimal(0)) if pk in weekly else Decimal(24)
        cell = cells[community_id, energy]
        cell.vehicles += 1
        cell.available_hours += hours


def _fold(cells: dict[tuple[int, str], _Cell], members: dict[int, int], month: date, now) -> list[MonthlyUsage]:
    """Per-household sums → one row per community and energy, plus the community's ``all`` row."""
    totals: dict[int, _Cell] = defaultdict(_Cell)
    rows = []
    for (community_id, energy), cell in sorted(cells.items()):
        total = totals[community_id]
        for member_id, household in cell.households.items():
            merged = total.households[member_id]
            merged.bookings += household.bookings
            merged.hours += household.hours
            merged.trips += household.trips
            merged.km += household.km
        total.trips_by_non_owners += cell.trips_by_non_owners
        total.vehicles += cell.vehicles
        total.available_hours += cell.available_hours
        total.driver_charges += cell.driver_charges
        total.charged_km += cell.charged_km
        rows.append(_row(community_id, energy, cell, members.get(community_id, 0), month, now))
    for community_id in members.keys() - totals.keys():
        totals[community_id] = _Cell()
    for community_id, total in sorted(totals.items()):
        rows.append(_row(community_id, ALL_ENERGIES, total, members.get(community_id, 0), month, now))
    return rows


def _row(community_id: int, energy: str, cell: _Cell, members: int, month: date, now) -> MonthlyUsage:
    households = cell.households.values()
    return MonthlyUsage(
        community_id=community_id,
        month=month,
        energy=energy,
        bookings=sum(h.bookings for h in households),
        booked_hours=sum((h.hours for h in households), Decimal("0")),
        km=sum(h.km for h in households),
        trips=sum(h.trips for h in households),
        trips_by_non_owners=cell.trips_by_non_owners,
        households=sum(1 for h in households if h.bookings or h.trips or h.hours),
        members=members,
        vehicles=cell.vehicles,
        available_hours=cell.available_hours,
        driver_charges=cell.driver_charges,
        charged_km=cell.charged_km,
        max_household_km=max((h.km for h in households), default=0),
        max_household_hours=max((h.hours for h in households), default=Decimal("0")),
        refreshed_at=now,
    )


@dataclass(frozen=True)
class MonthRolledUp:
    """A month's ``MonthlyUsage`` rows were stored again."""

    month: date


def usage_rollup_refresh(*, month: date) -> int:
    """Store the month's roll-up for every community (upsert, then drop rows that no longer exist);
    returns how many rows it holds. Idempotent: running it twice leaves the same rows."""
    month = month_first(month)
    rows = usage_rows(month=month)
    with transaction.atomic():
        MonthlyUsage.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["community", "month", "energy"],
            update_fields=UPDATED_FIELDS,
        )
        refreshed_at = rows[0].refreshed_at if rows else timezone.now()
        MonthlyUsage.objects.filter(month=month, refreshed_at__lt=refreshed_at).delete()
        RollupMonth.objects.update_or_create(month=month, defaults={"refreshed_at": refreshed_at})
        # The territories' sums follow, in this transaction (``territories.usage`` subscribes).
        emit(MonthRolledUp(month=month))
    return len(rows)
