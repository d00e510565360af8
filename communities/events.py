"""Domain events of communities: what happened, for the layers above to react to (see colocauto.core.events).

Emitted inside the service's transaction; a subscriber that fails rolls the whole action back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MEMBER_LEFT = "member_left"
MEMBER_REMOVED = "member_removed"


@dataclass(frozen=True)
class MemberLeft:
    """A member's membership ended: they left (``actor_id`` is theirs) or an admin removed them.

    ``reason`` is ``"member_left"`` or ``"member_removed"``. Bookings cancels their future bookings.
    """

    membership_id: int
    community_id: int
    user_id: int
    actor_id: int
    reason: Literal["member_left", "member_removed"]
