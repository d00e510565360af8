from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bookings.models import Trip
from colocauto.core.clock import midnight, previous_month
from communities.models import Membership
from ledger import closing, services
from ledger.posting import community_tz, local_today
from tests.factories import ExpenseFactory, MembershipFactory, TripFactory, UserFactory, VehicleFactory
from vehicles.models import Vehicle


def make_trip(vehicle: Vehicle, driver, km: int, *, ended_at: datetime | None = None, hours: float = 2) -> Trip:
    """A completed booking and its trip of ``km`` from 10,000 km (made directly: the bookings flow is not under
    test here), ended five minutes ago unless ``ended_at``."""
    ended_at = ended_at or timezone.now() - timedelta(minutes=5)
    return TripFactory(
        booking__vehicle=vehicle,
        booking__member=driver,
        booking__starts_at=ended_at - timedelta(hours=hours),
        booking__ends_at=ended_at,
        km=km,
    )


def mid(month: date, community) -> datetime:
    """Noon on the 15th of ``month`` in the community's time zone."""
    return midnight(month + timedelta(days=14), community_tz(community)) + timedelta(hours=12)


def shared_car(community, owner, fixed: str = "0") -> Vehicle:
    """A co-owned car (shared costs, ``fixed`` a month) of ``owner`` (None: the community), registered 400 days ago."""
    car = VehicleFactory(
        community=community, owner=owner, cost_model=Vehicle.CostModel.SHARED_COSTS, fixed_monthly_cost=Decimal(fixed)
    )
    Vehicle.objects.filter(pk=car.pk).update(created_at=timezone.now() - timedelta(days=400))
    car.refresh_from_db()
    return car


def add_member(community, name: str, *, joined_at=None, role=Membership.Role.MEMBER, language="fr"):
    user = UserFactory(display_name=name, email=f"{name.lower().replace(' ', '.')}@example.org", language=language)
    membership = MembershipFactory(
        community=community, user=user, role=role, joined_at=joined_at or timezone.now() - timedelta(days=400)
    )
    return user, membership


@pytest.fixture
def last_month(community):
    return previous_month(local_today(community))


@pytest.fixture
def mid_last_month(community, last_month):
    """Noon on the 15th of last month, in the community's time zone."""
    return mid(last_month, community)


@pytest.fixture
def trio(community):
    """The worked example's people: A lends a car at €0.30/km; B and C drive it. Members for a year."""
    a, a_membership = add_member(community, "Anne", role=Membership.Role.ADMIN)
    b, b_membership = add_member(community, "Bruno")
    c, c_membership = add_member(community, "Chloe")
    car = VehicleFactory(community=community, owner=a, name="Clio", rate_per_km=Decimal("0.300"))
    return {
        "a": a,
        "b": b,
        "c": c,
        "car": car,
        "a_membership": a_membership,
        "b_membership": b_membership,
        "c_membership": c_membership,
    }


@pytest.fixture
def period_example(community, trio, last_month, mid_last_month):
    """The worked example, closed: A +5.00, B +10.00, C −15.00; plan C→B 10.00, C→A 5.00."""
    car = trio["car"]
    services.trip_charge(trip=make_trip(car, trio["b"], 100, ended_at=mid_last_month))
    services.trip_charge(trip=make_trip(car, trio["c"], 50, ended_at=mid_last_month))
    ExpenseFactory(vehicle=car, paid_by=trio["b"], spent_on=last_month + timedelta(days=15))
    return closing.month_close(community=community, month=last_month)
