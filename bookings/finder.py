""" "Find a free car": the slots a person picks with one tap, and the community's vehicles free for a slot.

A vehicle is free when ``services.slot_refusal`` (the very checks ``booking_create`` makes) has nothing to
say; no rule is restated here. Presets are wall-clock times in the community's time zone.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch

from bookings import rules, services
from bookings.selectors import bookable_vehicles
from communities.models import Membership
from vehicles.models import Blackout, Vehicle

PRESETS = ("soon", "tonight", "weekend")
SOON_LENGTH = timedelta(hours=2)
QUARTER = 15
EVENING = (time(18), time(23))
EVENING_TOO_LATE = time(22)
WEEKEND = (time(9), time(20))
SATURDAY, SUNDAY = 5, 6
# Refusals that come from the slot itself (the community's rules), the same for every vehicle.
SLOT_CODES = frozenset({"end_before_start", "start_in_past", "min_notice", "max_advance", "max_duration"})


def next_quarter(moment: datetime) -> datetime:
    """``moment`` rounded up to the next quarter hour (unchanged when it is on one)."""
    rounded = moment.replace(second=0, microsecond=0)
    if rounded < moment:
        rounded += timedelta(minutes=1)
    return rounded + timedelta(minutes=-rounded.minute % QUARTER)


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def preset_slot(preset: str, *, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The slot of a preset at ``now``, in ``tz``:

    - ``soon``: from now (to the next quarter hour) for two hours;
    - ``tonight``: today 18:00–23:00, from now if later; from 22:00 on, tomorrow evening;
    - ``weekend``: Saturday 09:00 to Sunday 20:00, from now if later; on a Sunday, that day; once
      Sunday's slot is over, the next weekend.
    """
    local_now = now.astimezone(tz)
    start = next_quarter(local_now)
    today = local_now.date()
    if preset == "soon":
        # In UTC, so that two hours stay two hours across a change of clock.
        return start, (start.astimezone(UTC) + SOON_LENGTH).astimezone(tz)
    if preset == "tonight":
        day = today + timedelta(days=1) if local_now.time() >= EVENING_TOO_LATE else today
        return max(start, _at(day, EVENING[0], tz)), _at(day, EVENING[1], tz)
    if preset == "weekend":
        first = today if today.weekday() == SUNDAY else today + timedelta(days=SATURDAY - today.weekday())
        sunday = first + timedelta(days=SUNDAY - first.weekday())
        starts_at, ends_at = max(start, _at(first, WEEKEND[0], tz)), _at(sunday, WEEKEND[1], tz)
        if starts_at >= ends_at:
            saturday = sunday + timedelta(days=SATURDAY - SUNDAY + 7)
            starts_at, ends_at = _at(saturday, WEEKEND[0], tz), _at(saturday + timedelta(days=1), WEEKEND[1], tz)
        return starts_at, ends_at
    raise ValueError(f"Unknown preset {preset!r}")


@dataclass(frozen=True)
class FreeVehicle:
    vehicle: Vehicle
    confirmed_at_once: bool


@dataclass(frozen=True)
class FreeVehicles:
    vehicles: list[FreeVehicle]
    slot_refusal: str  # why no vehicle at all can be booked for these times ("" when the slot itself is fine)
    taken: int  # vehicles of the community that are not free then


def free_vehicles(membership: Membership, starts_at: datetime, ends_at: datetime) -> FreeVehicles:
    """The community's active vehicles that ``booking_create`` would book for ``membership`` in the slot."""
    vehicles = (
        bookable_vehicles(membership)
        .select_related("community", "owner")
        .prefetch_related(
            "availability_windows",
            Prefetch("blackouts", queryset=Blackout.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)),
        )
    )
    free, slot_message, taken = [], "", 0
    for vehicle in vehicles:
        refusal = services.slot_refusal(vehicle=vehicle, starts_at=starts_at, ends_at=ends_at)
        if refusal is None:
            free.append(FreeVehicle(vehicle, rules.books_without_approval(membership, vehicle)))
        elif refusal.code in SLOT_CODES:
            slot_message = str(refusal.message)
            break
        else:
            taken += 1
    if slot_message:
        return FreeVehicles([], slot_message, 0)
    return FreeVehicles(free, "", taken)
