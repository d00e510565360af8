"""How bookings reacts to the events of the layers below it (registered in ``BookingsConfig.ready``)."""

from __future__ import annotations

from bookings.services import bookings_cancel_future_for_member
from colocauto.core.events import subscribe
from communities.events import MemberLeft
from communities.models import Membership, User


@subscribe(MemberLeft)
def cancel_future_bookings_of_member(event: MemberLeft) -> int:
    """Someone who leaves or is removed keeps no future booking: cancel them, in the same transaction."""
    membership = Membership.objects.select_related("community", "user").get(pk=event.membership_id)
    actor = User.objects.get(pk=event.actor_id)
    return bookings_cancel_future_for_member(membership=membership, actor=actor)
