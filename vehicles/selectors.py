"""Reads of vehicle data. Every query starts from the viewer's membership: other communities get 404."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Membership, User
from vehicles.models import AvailabilityWindow, Blackout, CostModelPeriod, Vehicle
from vehicles.rules import can_manage  # noqa: F401 - until ledger.cost_views imports it from vehicles.rules


def vehicles_for(membership: Membership) -> QuerySet[Vehicle]:
    """The vehicles of the member's community, with their owner, in one query."""
    return Vehicle.objects.filter(community_id=membership.community_id).select_related("owner")


def vehicles_described(membership: Membership) -> QuerySet[Vehicle]:
    """The vehicles of the member's community with what a vehicle's page shows, in a constant number of
    queries: the owner, the weekly windows, the blackouts not over yet (``upcoming_blackouts``), the cost
    model in force today (``cost_model_in_force``) and, when a switch is under way, the day the vehicle's
    own model takes over (``cost_model_switch_on``, as ``cost_model_schedule`` says)."""
    today = timezone.localtime(timezone.now(), ZoneInfo(membership.community.time_zone)).date()
    switch = CostModelPeriod.objects.filter(vehicle=OuterRef("pk"), ends_on__gt=today).order_by("-ends_on")
    return (
        with_cost_model_on(vehicles_for(membership), today)
        .annotate(cost_model_switch_on=Subquery(switch.values("ends_on")[:1]))
        .prefetch_related(
            Prefetch("availability_windows", queryset=AvailabilityWindow.objects.order_by("weekday", "start_time")),
            Prefetch(
                "blackouts",
                queryset=Blackout.objects.filter(ends_at__gt=timezone.now()).order_by("starts_at", "pk"),
                to_attr="upcoming_blackouts",
            ),
        )
        .order_by("name", "pk")
    )


def vehicle_get(membership: Membership, pk: int) -> Vehicle:
    """One vehicle of the member's community; 404 for a vehicle of any other community."""
    vehicle = vehicles_for(membership).filter(pk=pk).first()
    if vehicle is None:
        raise Http404
    return vehicle


def owner_candidates(membership: Membership) -> QuerySet[User]:
    """People who may own a vehicle of the member's community: its active members."""
    return User.objects.filter(
        memberships__community_id=membership.community_id, memberships__status=Membership.Status.ACTIVE
    ).order_by("display_name", "email")


def windows_of(vehicle: Vehicle) -> QuerySet[AvailabilityWindow]:
    return vehicle.availability_windows.order_by("weekday", "start_time")


def upcoming_blackouts_of(vehicle: Vehicle) -> QuerySet[Blackout]:
    """Blackouts not yet over, soonest first."""
    return vehicle.blackouts.filter(ends_at__gt=timezone.now()).order_by("starts_at")


def blackout_get(vehicle: Vehicle, pk: int) -> Blackout:
    blackout = vehicle.blackouts.filter(pk=pk).first()
    if blackout is None:
        raise Http404
    return blackout


# --- Cost model: one per month, a switch takes effect on the 1st of the next month ------------------

COST_MODEL_NAMES = {Vehicle.CostModel.RATES: _("Rates"), Vehicle.CostModel.SHARED_COSTS: _("Shared costs")}


def local_today(vehicle: Vehicle) -> date:
    """Today in the vehicle's community's time zone: months (and so cost models) begin there."""
    return timezone.localtime(timezone.now(), ZoneInfo(vehicle.community.time_zone)).date()


def cost_model_on(vehicle: Vehicle, day: date) -> str:
    """The cost model in force on ``day``: an earlier model still running then, else the vehicle's own."""
    earlier = vehicle.cost_model_periods.filter(ends_on__gt=day).order_by("ends_on").first()
    return earlier.cost_model if earlier else vehicle.cost_model


def with_cost_model_on(vehicles: QuerySet[Vehicle], day: date) -> QuerySet[Vehicle]:
    """The vehicles annotated with ``cost_model_in_force`` on ``day`` (the rule of ``cost_model_on``)."""
    earlier = CostModelPeriod.objects.filter(vehicle=OuterRef("pk"), ends_on__gt=day).order_by("ends_on")
    return vehicles.annotate(cost_model_in_force=Coalesce(Subquery(earlier.values("cost_model")[:1]), F("cost_model")))


@dataclass(frozen=True)
class CostModelSchedule:
    """The model in force today and, when a switch is under way, the one that follows and from when."""

    in_force: str
    next_model: str | None = None
    starts_on: date | None = None

    @property
    def in_force_label(self) -> str:
        return str(Vehicle.CostModel(self.in_force).label)

    @property
    def in_force_name(self) -> str:
        return str(COST_MODEL_NAMES[self.in_force])

    @property
    def next_name(self) -> str:
        return str(COST_MODEL_NAMES[self.next_model]) if self.next_model else ""


def cost_model_schedule(vehicle: Vehicle) -> CostModelSchedule:
    in_force = cost_model_on(vehicle, local_today(vehicle))
    if in_force == vehicle.cost_model:
        return CostModelSchedule(in_force=in_force)
    switch = vehicle.cost_model_periods.filter(ends_on__gt=local_today(vehicle)).order_by("-ends_on").first()
    return CostModelSchedule(in_force=in_force, next_model=vehicle.cost_model, starts_on=switch.ends_on)
