"""Who may change a vehicle: one predicate, and the check vehicle services call before a write."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import NotAllowed
from communities.models import Membership
from communities.rules import is_active_member, is_admin
from vehicles.models import Vehicle


def can_manage(membership: Membership, vehicle: Vehicle) -> bool:
    """Admins manage every vehicle of their community; an owner manages their own (an active member only).

    The same people decide on the vehicle's booking requests."""
    if not is_active_member(membership) or membership.community_id != vehicle.community_id:
        return False
    return is_admin(membership) or (vehicle.owner_id is not None and vehicle.owner_id == membership.user_id)


def require_manager(membership: Membership, vehicle: Vehicle) -> None:
    if not can_manage(membership, vehicle):
        raise NotAllowed(
            _("Only an admin or the vehicle's owner can change this vehicle."), code="vehicle_manager_only"
        )
