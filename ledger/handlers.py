"""What the ledger does when a lower layer says something happened (``colocauto.core.events``).

Registered in ``LedgerConfig.ready``; each handler runs inside the emitter's transaction.
"""

from bookings.events import TripCompleted
from bookings.models import Trip
from colocauto.core.events import subscribe
from ledger.models import Transaction
from ledger.services import trip_charge


@subscribe(TripCompleted)
def charge_completed_trip(event: TripCompleted) -> Transaction | None:
    """Charge the trip in the transaction that completed it: if the charge fails, the trip is not recorded."""
    return trip_charge(trip=Trip.objects.get(pk=event.trip_id))
