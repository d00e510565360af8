"""When a vehicle may be booked: its weekly availability windows and its blackout periods.

Windows are wall-clock times in the community's time zone, so each one is turned into aware
datetimes day by day (a window 08:00–20:00 stays 08:00–20:00 across a daylight-saving change).
All interval arithmetic is done in UTC: Python compares two datetimes that share a tzinfo by
their wall time, which is wrong around a DST change.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext

from bookings.timegrid import Interval, merge
from vehicles.models import AvailabilityWindow, Blackout, Vehicle

Period = tuple[datetime, datetime, str]


def availability_problem(*, vehicle: Vehicle, starts_at: datetime, ends_at: datetime) -> str | None:
    """None when [starts_at, ends_at) lies inside the vehicle's weekly availability windows (interpreted
    in the community's time zone, correct across DST; a vehicle with no window is always available) and
    overlaps no blackout; otherwise a translated reason."""
    tz = ZoneInfo(vehicle.community.time_zone)
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    blackouts = [
        blackout
        for blackout in _blackouts_of(vehicle, starts_at, ends_at)
        if blackout.starts_at < ends_at and blackout.ends_at > starts_at
    ]
    if blackouts:
        blackout = min(blackouts, key=lambda b: b.starts_at)
        start_text = _format(blackout.starts_at, tz)
        end_text = _format(blackout.ends_at, tz)
        if blackout.reason:
            return gettext("The vehicle is unavailable from %(start)s to %(end)s: %(reason)s") % {
                "start": start_text,
                "end": end_text,
                "reason": blackout.reason,
            }
        return gettext("The vehicle is unavailable from %(start)s to %(end)s.") % {"start": start_text, "end": end_text}
    windows = _windows_of(vehicle)
    if outside_windows(windows, starts_at, ends_at, tz):
        return gettext("These times are outside the vehicle's availability. It can be booked %(windows)s.") % {
            "windows": windows_text(windows)
        }
    return None


def windows_text(windows: Iterable[AvailabilityWindow]) -> str:
    """The weekly windows in a few words: "Mon–Fri 08:00–19:00, Sat 09:00–13:00" (consecutive days
    with the same hours share one entry)."""
    hours_by_day: dict[int, tuple[str, ...]] = {}
    for window in sorted(windows, key=lambda w: (w.weekday, w.start_time)):
        end = "24:00" if window.end_time == time(0) else window.end_time.strftime("%H:%M")
        hours = f"{window.start_time:%H:%M}–{end}"
        hours_by_day[window.weekday] = (*hours_by_day.get(window.weekday, ()), hours)
    runs: list[tuple[int, int, tuple[str, ...]]] = []
    for day in sorted(hours_by_day):
        if runs and runs[-1][1] == day - 1 and runs[-1][2] == hours_by_day[day]:
            runs[-1] = (runs[-1][0], day, runs[-1][2])
        else:
            runs.append((day, day, hours_by_day[day]))
    parts = []
    for first, last, hours in runs:
        days = str(WEEKDAYS_ABBR[first]) if first == last else f"{WEEKDAYS_ABBR[first]}–{WEEKDAYS_ABBR[last]}"
        parts.append(f"{days} {' / '.join(hours)}")
    return ", ".join(parts)


def unavailable_periods(
    *, vehicles: Iterable[Vehicle], range_start: datetime, range_end: datetime, tz: tzinfo
) -> dict[int, list[Period]]:
    """For each vehicle id: the aware datetime intervals meeting [range_start, range_end) that are outside
    its windows or inside a blackout, merged and sorted, with a short translated label ("unavailable",
    or the blackout reason). Gaps between windows are cut to the range; a blackout keeps its real
    start and end, so the calendar can say its dates. Uses prefetched ``availability_windows`` and ``blackouts`` when present,
    and does at most 2 queries otherwise."""
    vehicles = list(vehicles)
    range_start, range_end = range_start.astimezone(UTC), range_end.astimezone(UTC)
    windows_by_vehicle = _prefetched(vehicles, "availability_windows")
    if windows_by_vehicle is None:
        windows_by_vehicle = {vehicle.pk: [] for vehicle in vehicles}
        for window in AvailabilityWindow.objects.filter(vehicle__in=[v.pk for v in vehicles]):
            windows_by_vehicle[window.vehicle_id].append(window)
    blackouts_by_vehicle = _prefetched(vehicles, "blackouts")
    if blackouts_by_vehicle is None:
        blackouts_by_vehicle = {vehicle.pk: [] for vehicle in vehicles}
        for blackout in Blackout.objects.filter(
            vehicle__in=[v.pk for v in vehicles], starts_at__lt=range_end, ends_at__gt=range_start
        ):
            blackouts_by_vehicle[blackout.vehicle_id].append(blackout)

    unavailable_label = gettext("unavailable")
    result: dict[int, list[Period]] = {}
    for vehicle in vehicles:
        blackout_periods = _merge_blackouts(
            [
                (b.starts_at.astimezone(UTC), b.ends_at.astimezone(UTC), b.reason or unavailable_label)
                for b in blackouts_by_vehicle.get(vehicle.pk, [])
                if b.starts_at < range_end and b.ends_at > range_start
            ]
        )
        windows = windows_by_vehicle.get(vehicle.pk, [])
        closed = outside_windows(windows, range_start, range_end, tz)
        # A blackout wins over a plain gap: its reason is more useful to show.
        for blackout_start, blackout_end, _label in blackout_periods:
            closed = _subtract(closed, blackout_start, blackout_end)
        periods = sorted(
            [(start, end, unavailable_label) for start, end in closed] + blackout_periods, key=lambda p: (p[0], p[1])
        )
        result[vehicle.pk] = _join_touching(periods)
    return result


def _prefetched(vehicles: list[Vehicle], relation: str) -> dict[int, list] | None:
    """The prefetched rows of ``relation`` for every vehicle, or None if any vehicle lacks them."""
    rows = {}
    for vehicle in vehicles:
        cache = getattr(vehicle, "_prefetched_objects_cache", {})
        if relation not in cache:
            return None
        rows[vehicle.pk] = list(cache[relation])
    return rows


def _windows_of(vehicle: Vehicle) -> list[AvailabilityWindow]:
    cache = getattr(vehicle, "_prefetched_objects_cache", {})
    if "availability_windows" in cache:
        return list(cache["availability_windows"])
    return list(AvailabilityWindow.objects.filter(vehicle=vehicle))


def _blackouts_of(vehicle: Vehicle, starts_at: datetime, ends_at: datetime) -> list[Blackout]:
    cache = getattr(vehicle, "_prefetched_objects_cache", {})
    if "blackouts" in cache:
        return list(cache["blackouts"])
    return list(Blackout.objects.filter(vehicle=vehicle, starts_at__lt=ends_at, ends_at__gt=starts_at))


def outside_windows(windows: list[AvailabilityWindow], start: datetime, end: datetime, tz: tzinfo) -> list[Interval]:
    """The parts of [start, end) (UTC) outside the weekly windows, interpreted in ``tz``; none when there is
    no window at all (always available)."""
    if not windows:
        return []
    return gaps(_open_intervals(windows, start, end, tz), start, end)


def _open_intervals(windows: list[AvailabilityWindow], start: datetime, end: datetime, tz: tzinfo) -> list[Interval]:
    """The windows as merged UTC intervals covering at least [start, end)."""
    by_weekday: dict[int, list[AvailabilityWindow]] = {}
    for window in windows:
        by_weekday.setdefault(window.weekday, []).append(window)
    intervals: list[Interval] = []
    day: date = start.astimezone(tz).date() - timedelta(days=1)
    last_day: date = end.astimezone(tz).date() + timedelta(days=1)
    while day <= last_day:
        for window in by_weekday.get(day.weekday(), []):
            opens = _local(day, window.start_time, tz)
            if window.end_time == time(0):
                closes = _local(day + timedelta(days=1), time(0), tz)
            else:
                closes = _local(day, window.end_time, tz)
            if closes > opens:
                intervals.append((opens, closes))
        day += timedelta(days=1)
    return merge(intervals)


def _local(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def gaps(open_intervals: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of [start, end) not covered by the (merged, sorted) open intervals."""
    gaps: list[Interval] = []
    cursor = start
    for opens, closes in open_intervals:
        if closes <= cursor:
            continue
        if opens >= end:
            break
        if opens > cursor:
            gaps.append((cursor, opens))
        cursor = max(cursor, closes)
    if cursor < end:
        gaps.append((cursor, end))
    return gaps


def _subtract(intervals: list[Interval], start: datetime, end: datetime) -> list[Interval]:
    remaining: list[Interval] = []
    for a, b in intervals:
        if b <= start or a >= end:
            remaining.append((a, b))
            continue
        if a < start:
            remaining.append((a, start))
        if b > end:
            remaining.append((end, b))
    return remaining


def _merge_blackouts(periods: list[Period]) -> list[Period]:
    """Overlapping blackouts become one period whose label lists their distinct reasons."""
    merged: list[Period] = []
    for start, end, label in sorted(periods, key=lambda p: (p[0], p[1])):
        if merged and start < merged[-1][1]:
            previous_start, previous_end, previous_label = merged[-1]
            labels = previous_label.split("; ")
            if label not in labels:
                labels.append(label)
            merged[-1] = (previous_start, max(previous_end, end), "; ".join(labels))
        else:
            merged.append((start, end, label))
    return merged


def _join_touching(periods: list[Period]) -> list[Period]:
    joined: list[Period] = []
    for start, end, label in periods:
        if joined and joined[-1][2] == label and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end), label)
        else:
            joined.append((start, end, label))
    return joined


def _format(moment: datetime, tz: tzinfo) -> str:
    return formats.date_format(moment.astimezone(tz), "SHORT_DATETIME_FORMAT")
