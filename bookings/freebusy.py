"""The free and busy time of a community's vehicles over a range, as data rather than a drawn grid.

The calendar page draws the same facts (``bookings.calendar``): the same selectors read the vehicles and
the bookings a member sees, and the same interval functions (``bookings.availability``,
``bookings.timegrid``) turn weekly windows into closed time. Each busy interval says why (a booking, a
blackout, outside the weekly windows, a paused vehicle); free time is what no busy interval covers.
Free time ignores the community's notice and advance rules, which depend on the moment one asks: a
client applies them from the community's rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bookings.availability import gaps, outside_windows
from bookings.selectors import CalendarBooking, calendar_bookings, calendar_vehicles
from bookings.timegrid import Interval, merge, utc
from communities.models import Membership
from vehicles.models import Blackout, Vehicle

# The longest range one request may ask for: two months of a large community stays a light answer.
MAX_RANGE = timedelta(days=62)

BOOKING, BLACKOUT, OUTSIDE_WINDOW, PAUSED = "booking", "blackout", "outside_window", "paused"
BUSY_REASONS = (BOOKING, BLACKOUT, OUTSIDE_WINDOW, PAUSED)


@dataclass(frozen=True)
class Busy:
    """A time the vehicle cannot be booked, and why. Bookings and blackouts keep their real start and end;
    closed time (outside the windows, paused) is cut to the range."""

    starts_at: datetime
    ends_at: datetime
    reason: str  # one of BUSY_REASONS
    booking: CalendarBooking | None = None
    blackout: Blackout | None = None


@dataclass
class VehicleFreeBusy:
    vehicle: Vehicle
    busy: list[Busy] = field(default_factory=list)
    free: list[Interval] = field(default_factory=list)


def free_busy(
    membership: Membership, *, vehicle_id: int | None, start: datetime, end: datetime
) -> list[VehicleFreeBusy]:
    """For each vehicle of the member's community (or the one asked for; 404 outside it): what holds it
    during [start, end) and the free intervals left, in UTC. Three queries, whatever the data size."""
    start, end = utc(start), utc(end)
    tz = ZoneInfo(membership.community.time_zone)
    vehicles = calendar_vehicles(membership, vehicle_id=vehicle_id, start=start, end=end)
    by_vehicle: dict[int, list[Busy]] = {vehicle.pk: [] for vehicle in vehicles}
    for booking in calendar_bookings(membership, vehicle_id=vehicle_id, start=start, end=end):
        by_vehicle[booking.vehicle_id].append(Busy(booking.starts_at, booking.ends_at, BOOKING, booking=booking))
    result = []
    for vehicle in vehicles:
        busy = by_vehicle[vehicle.pk]
        if not vehicle.is_active:
            busy.append(Busy(start, end, PAUSED))
        busy.extend(Busy(b.starts_at, b.ends_at, BLACKOUT, blackout=b) for b in vehicle.blackouts.all())
        windows = list(vehicle.availability_windows.all())
        busy.extend(Busy(s, e, OUTSIDE_WINDOW) for s, e in outside_windows(windows, start, end, tz))
        busy.sort(key=lambda b: (b.starts_at, b.ends_at, BUSY_REASONS.index(b.reason)))
        free = gaps(merge((utc(b.starts_at), utc(b.ends_at)) for b in busy), start, end)
        result.append(VehicleFreeBusy(vehicle=vehicle, busy=busy, free=free))
    return result
