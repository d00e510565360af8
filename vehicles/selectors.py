"""Reads of vehicle data. Every query starts from the viewer's membership: other communities get 404."""

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from bookings.models import Booking
from communities.models import Membership, User
from vehicles.models import AvailabilityWindow, Blackout, Vehicle


def vehicles_for(membership: Membership) -> QuerySet[Vehicle]:
    """The vehicles of the member's community, with their owner, in one query."""
    return Vehicle.objects.filter(community_id=membership.community_id).select_related("owner")


def vehicle_get(membership: Membership, pk: int) -> Vehicle:
    """One vehicle of the member's community; 404 for a vehicle of any other community."""
    vehicle = vehicles_for(membership).filter(pk=pk).first()
    if vehicle is None:
        raise Http404
    return vehicle


def can_manage(membership: Membership, vehicle: Vehicle) -> bool:
    """Admins manage every vehicle of their community; an owner manages their own."""
    if not membership.is_active or membership.community_id != vehicle.community_id:
        return False
    return membership.is_admin or (vehicle.owner_id is not None and vehicle.owner_id == membership.user_id)


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


def holding_bookings_count(vehicle: Vehicle, starts_at: datetime, ends_at: datetime) -> int:
    """Bookings that still hold a slot of the vehicle within [starts_at, ends_at)."""
    return Booking.objects.filter(
        vehicle=vehicle, status__in=Booking.HOLDING_STATUSES, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).count()
