"""What a trip would cost before it is made: the charge ``trip_charge`` would post, for an example distance.

The kilometres are not known before the trip, so the estimate is for ``EXAMPLE_KM`` km plus the booked hours.
"""

from datetime import datetime
from decimal import Decimal

from colocauto.core.clock import local_date
from ledger.posting import community_tz
from ledger.services import charged_per_trip, trip_price
from vehicles.models import Vehicle

EXAMPLE_KM = 50


def trip_estimate(
    *, vehicle: Vehicle, driver_id: int, starts_at: datetime, ends_at: datetime, km: int = EXAMPLE_KM
) -> Decimal | None:
    """The charge of a ``km`` trip in ``[starts_at, ends_at)``, or None when such a trip is not charged on its
    own (the owner's own car, a shared-costs vehicle)."""
    ends_on = local_date(ends_at, community_tz(vehicle.community))
    if not charged_per_trip(vehicle=vehicle, driver_id=driver_id, on=ends_on):
        return None
    return trip_price(vehicle=vehicle, km=km, starts_at=starts_at, ends_at=ends_at)
