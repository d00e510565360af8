"""The estimated cost of a booking as its times are chosen: on the booking form (after "See the cost", or when a
link fills it in) and as a fragment the form's script asks for when a time or the vehicle changes.

The kilometres are unknown before the trip: the estimate is the time part plus a per-km example, all from
``ledger.estimates.trip_estimate``, the very price the ledger charges for a trip (``ledger.services.trip_price``).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.shortcuts import render
from django.views.decorators.http import require_GET

from bookings import selectors
from bookings.forms import BookingForm
from communities.access import community_view, in_community_time
from communities.models import Membership
from ledger.estimates import EXAMPLE_KM, trip_estimate
from vehicles.models import Vehicle


@dataclass(frozen=True)
class BookingEstimate:
    vehicle: Vehicle
    own_vehicle: bool
    time_part: Decimal | None  # None: the trip itself is not charged (own vehicle, shared-costs month)
    per_km: Decimal
    example_km: int
    example_total: Decimal | None


def booking_estimate(
    membership: Membership, *, vehicle: Vehicle, starts_at: datetime, ends_at: datetime
) -> BookingEstimate:
    def price(km: int) -> Decimal | None:
        return trip_estimate(vehicle=vehicle, driver_id=membership.user_id, starts_at=starts_at, ends_at=ends_at, km=km)

    example_total, time_part = price(EXAMPLE_KM), price(0)
    return BookingEstimate(
        vehicle=vehicle,
        own_vehicle=vehicle.owner_id == membership.user_id,
        time_part=time_part,
        per_km=(example_total - time_part) / EXAMPLE_KM
        if example_total is not None and time_part is not None
        else Decimal(0),
        example_km=EXAMPLE_KM,
        example_total=example_total,
    )


def form_estimate(membership: Membership, form: BookingForm) -> BookingEstimate | None:
    """The estimate for a bound form's vehicle and times, once they are valid; None before."""
    if not form.is_bound or not form.is_valid():
        return None
    data = form.cleaned_data
    return booking_estimate(membership, vehicle=data["vehicle"], starts_at=data["starts_at"], ends_at=data["ends_at"])


@community_view
@in_community_time
@require_GET
def booking_estimate_fragment(request):
    """The booking form's estimate for ``?vehicle=…&starts_at=…&ends_at=…`` (the form's own fields), as HTML."""
    membership = request.membership
    form = BookingForm(request.GET, vehicles=selectors.bookable_vehicles(membership))
    return render(request, "bookings/_estimate.html", {"estimate": form_estimate(membership, form)})
