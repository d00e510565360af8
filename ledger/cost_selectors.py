"""Reads about costs: the community's expenses, a vehicle's costs and km over a period, and what the
viewer spent and drove this month on shared-costs vehicles before the month-end split counts it."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import Http404

from bookings.models import Trip
from colocauto.core.clock import midnight, month_start, next_month
from communities.models import Membership
from communities.rules import require_active
from ledger.models import Expense
from ledger.money import ZERO, to_money
from ledger.posting import community_tz, local_today
from vehicles.models import Vehicle
from vehicles.selectors import with_cost_model_on

# --- Expenses ------------------------------------------------------------------------------


def expenses_of(membership: Membership, *, vehicle_id: int | None = None) -> QuerySet[Expense]:
    require_active(membership)
    expenses = Expense.objects.filter(community_id=membership.community_id).select_related(
        "vehicle", "paid_by", "created_by", "cancelled_by"
    )
    if vehicle_id is not None:
        expenses = expenses.filter(vehicle_id=vehicle_id)
    return expenses


def receipts_to_follow(expenses: QuerySet[Expense]) -> QuerySet[Expense]:
    """Of ``expenses``, those saved as "receipt to follow" whose receipt is still missing (undone ones need none)."""
    return expenses.filter(receipt_to_follow=True, receipt="", cancelled_at__isnull=True)


def expense_get(membership: Membership, pk: int) -> Expense:
    """An expense of the viewer's community; 404 for any other."""
    expense = expenses_of(membership).filter(pk=pk).first()
    if expense is None:
        raise Http404
    return expense


# --- Vehicles ------------------------------------------------------------------------------


@dataclass(frozen=True)
class VehicleReport:
    vehicle: Vehicle
    start: date
    end: date
    km: int
    trips: int
    costs_by_category: list[tuple[str, str, Decimal]]  # (category, label, amount), largest first
    total_cost: Decimal

    @property
    def cost_per_km(self) -> Decimal | None:
        """The actual cost per km over the period (expenses ÷ km), to the tenth of a cent."""
        if not self.km:
            return None
        return (self.total_cost / self.km).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def vehicle_report(membership: Membership, vehicle_id: int, *, start: date, end: date) -> VehicleReport:
    """Km driven (trips that ended between ``start`` and ``end``, both included) and the expenses of
    that period by category (undone expenses excluded)."""
    require_active(membership)
    vehicle = Vehicle.objects.filter(community_id=membership.community_id, pk=vehicle_id).first()
    if vehicle is None:
        raise Http404
    tz = community_tz(membership.community)
    driving = Trip.objects.filter(
        vehicle=vehicle,
        ended_at__gte=midnight(start, tz),
        ended_at__lt=midnight(end + timedelta(days=1), tz),
        distance_km__isnull=False,
    ).aggregate(km=Coalesce(Sum("distance_km"), 0), trips=Count("pk"))
    labels = dict(Expense.Category.choices)
    rows = (
        Expense.objects.filter(vehicle=vehicle, cancelled_at__isnull=True, spent_on__gte=start, spent_on__lte=end)
        .values("category")
        .annotate(total=Sum("amount", output_field=DecimalField(max_digits=20, decimal_places=2)))
        .values_list("category", "total")
    )
    costs = sorted(
        ((category, str(labels.get(category, category)), to_money(total)) for category, total in rows),
        key=lambda row: (-row[2], row[0]),
    )
    return VehicleReport(
        vehicle=vehicle,
        start=start,
        end=end,
        km=driving["km"],
        trips=driving["trips"],
        costs_by_category=costs,
        total_cost=sum((row[2] for row in costs), ZERO),
    )


# --- This month's shared costs, not yet allocated ------------------------------------------------


@dataclass(frozen=True)
class PendingSharedCosts:
    """What the viewer did this month on shared-costs vehicles, before the month-end split counts it."""

    month: date
    expenses: list[Expense]
    km_by_vehicle: list[tuple[str, int]]  # (vehicle name, km driven)

    @property
    def paid(self) -> Decimal:
        return sum((expense.amount for expense in self.expenses), ZERO)

    @property
    def km(self) -> int:
        return sum(km for _name, km in self.km_by_vehicle)

    def __bool__(self) -> bool:
        return bool(self.expenses or self.km_by_vehicle)


def pending_shared_costs_of(membership: Membership) -> PendingSharedCosts:
    """The viewer's expenses on shared-costs vehicles this month that are not allocated yet (not undone),
    and the km they drove on shared-costs vehicles this month (trips that ended in it). Two queries."""
    require_active(membership)
    community = membership.community
    tz = community_tz(community)
    month = month_start(local_today(community))
    expenses = list(
        Expense.objects.filter(
            community_id=membership.community_id,
            paid_by_id=membership.user_id,
            cost_model=Vehicle.CostModel.SHARED_COSTS,
            cancelled_at__isnull=True,
            spent_on__gte=month,
        )
        .exclude(transactions__isnull=False)
        .select_related("vehicle")
        .order_by("spent_on", "pk")
    )
    # A Q object: the annotation of ``with_cost_model_on`` is not in its declared return type.
    shared = with_cost_model_on(Vehicle.objects.filter(community_id=membership.community_id), month).filter(
        Q(cost_model_in_force=Vehicle.CostModel.SHARED_COSTS)
    )
    km = (
        Trip.objects.filter(
            vehicle__in=shared,
            driver_id=membership.user_id,
            ended_at__gte=midnight(month, tz),
            ended_at__lt=midnight(next_month(month), tz),
            distance_km__gt=0,
        )
        .values("vehicle_id", "vehicle__name")
        .annotate(km=Sum("distance_km"))
        .order_by("vehicle__name", "vehicle_id")
    )
    return PendingSharedCosts(
        month=month, expenses=expenses, km_by_vehicle=[(row["vehicle__name"], row["km"]) for row in km]
    )
