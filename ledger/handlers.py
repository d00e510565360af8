"""What the ledger does when a lower layer says something happened (``colocauto.core.events``).

Registered in ``LedgerConfig.ready``; each handler runs inside the emitter's transaction.
"""

from bookings.events import TripCompleted
from bookings.models import Trip
from colocauto.core.events import subscribe
from communities.events import MemberLeft
from ledger.left_balance import left_balance_record
from ledger.models import LeftBalanceNotice, Transaction
from ledger.services import trip_charge


@subscribe(TripCompleted)
def charge_completed_trip(event: TripCompleted) -> Transaction | None:
    """Charge the trip in the transaction that completed it: if the charge fails, the trip is not recorded."""
    return trip_charge(trip=Trip.objects.get(pk=event.trip_id))


@subscribe(MemberLeft)
def tell_admins_of_a_balance_left(event: MemberLeft) -> LeftBalanceNotice | None:
    """A member who leaves (or is removed, or erased) keeps their balance on their account, as a former member's
    the community settles: the admins are told once when it is not zero."""
    return left_balance_record(community_id=event.community_id, user_id=event.user_id, reason=event.reason)
