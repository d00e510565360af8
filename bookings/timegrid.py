"""Time arithmetic behind the calendar: local days, half-hour slots, the shared time axis, busy and free time.

Pure functions on plain values (no query, no HTML), so the web calendar and an API give the same answers.
Everything is computed in the community's time zone. Instants are handled in UTC internally because
Python compares two datetimes sharing one tzinfo by wall time, which is wrong across a DST change.
A day is the span between two local midnights (23, 24 or 25 hours); its half-hour slots are stepped
in UTC and placed on a time axis keyed by local (hour, fold, minute), so a repeated hour gets its own
rows and a skipped hour leaves a gap.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

SLOT = timedelta(minutes=30)

Interval = tuple[datetime, datetime]
# A bookable cell of a day: first slot index, index after its last slot, start, end, end of the proposed booking.
Cell = tuple[int, int, datetime, datetime, datetime]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def local_today(tz: tzinfo, now: datetime) -> date:
    return now.astimezone(tz).date()


def day_bounds(day: date, tz: tzinfo) -> Interval:
    """The UTC instants of this local midnight and the next one (never ``start + 24 h``)."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


def row_key(local: datetime) -> tuple[int, int, int]:
    # Sorting by (hour, fold, minute) puts the repeated hour's second pass after its first.
    return (local.hour, local.fold, local.minute)


class Day:
    """One local day: its UTC bounds and the UTC start, local time and axis key of each half-hour slot."""

    def __init__(self, day: date, tz: tzinfo):
        self.day = day
        self.start, self.end = day_bounds(day, tz)
        self.slots: list[datetime] = []
        self.locals: list[datetime] = []
        moment = self.start
        while moment < self.end:
            self.slots.append(moment)
            self.locals.append(moment.astimezone(tz))
            moment += SLOT
        self.keys = [row_key(local) for local in self.locals]
        # The repeated hour's times are told apart by their zone abbreviation (CEST / CET).
        self.repeated = {(hour, minute) for hour, fold, minute in self.keys if fold}

    def is_repeated(self, local: datetime) -> bool:
        return (local.hour, local.minute) in self.repeated

    def slot_index(self, moment: datetime, *, ceil: bool = False) -> int:
        """Index of the slot containing ``moment`` (with ``ceil``: of the first slot boundary at or after it)."""
        if moment <= self.start:
            return 0
        if moment >= self.end:
            return len(self.slots)
        steps, rest = divmod(moment - self.start, SLOT)
        return min(steps + (1 if ceil and rest else 0), len(self.slots))

    def span(self, start: datetime, end: datetime) -> tuple[int, int] | None:
        """First slot and the slot boundary after the last one that ``[start, end)`` covers, or None."""
        start, end = utc(start), utc(end)
        if start >= self.end or end <= self.start:
            return None
        return self.slot_index(start), self.slot_index(end, ceil=True)

    def cells(self, *, steps: int, length: timedelta) -> list[Cell]:
        """The day's bookable cells of ``steps`` slots each, with the end of a booking of ``length`` from each."""
        count = len(self.slots)
        cells = []
        for index in range(0, count, steps):
            stop = min(index + steps, count)
            start = self.slots[index]
            cells.append((index, stop, start, self.slots[stop] if stop < count else self.end, start + length))
        return cells


class Axis:
    """The rows shared by the columns of one grid: the union of their days' local half-hours."""

    def __init__(self, days: list[Day]):
        keys = sorted({key for d in days for key in d.keys})
        self.line_of = {key: index + 1 for index, key in enumerate(keys)}
        self.count = len(keys)
        sample = {key: local for d in days for key, local in zip(d.keys, d.locals, strict=True)}
        repeated = set().union(*(d.repeated for d in days))
        # Where each hour starts: its grid line, a local time of it, and whether the hour happens twice that day.
        self.hours = [(self.line_of[key], sample[key], (key[0], key[2]) in repeated) for key in keys if key[2] == 0]

    def lines(self, d: Day) -> list[int]:
        """Grid line of each slot boundary of ``d`` (one more than its slots)."""
        return [self.line_of[key] for key in d.keys] + [self.count + 1]

    def gaps(self, d: Day) -> list[tuple[int, int]]:
        """The runs of grid lines ``[start, end)`` that ``d`` lacks (the hour skipped in spring)."""
        present = set(d.keys)
        gaps: list[list[int]] = []
        for key, line in self.line_of.items():
            if key in present:
                continue
            if gaps and gaps[-1][1] == line:
                gaps[-1][1] = line + 1
            else:
                gaps.append([line, line + 1])
        return [(start, end) for start, end in gaps]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted UTC intervals with the overlapping and touching ones joined."""
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def busy_by_vehicle(
    holding: Iterable[tuple[int, datetime, datetime]], unavailable: dict[int, list[tuple[datetime, datetime, str]]]
) -> dict[int, list[Interval]]:
    """Merged UTC intervals during which each vehicle cannot be booked: held by a booking, or unavailable."""
    raw: dict[int, list[Interval]] = defaultdict(list)
    for vehicle_id, start, end in holding:
        raw[vehicle_id].append((utc(start), utc(end)))
    for vehicle_id, periods in unavailable.items():
        raw[vehicle_id].extend((utc(start), utc(end)) for start, end, _label in periods)
    return {vehicle_id: merge(intervals) for vehicle_id, intervals in raw.items()}


def free_cells(
    cells: list[Cell], *, busy: list[Interval], earliest: datetime, latest: datetime
) -> list[tuple[int, datetime | None]]:
    """The cells that can be booked: each one's position in ``cells`` and, when the next busy time begins
    before a booking of the default length would end, that earlier end (else None)."""
    free: list[tuple[int, datetime | None]] = []
    cursor, busy_count = 0, len(busy)
    for position, (_index, _stop, start, end, default_end) in enumerate(cells):
        if start < earliest or start > latest:
            continue
        while cursor < busy_count and busy[cursor][1] <= start:
            cursor += 1
        early_end = None
        if cursor < busy_count:
            next_busy = busy[cursor][0]
            if next_busy < end:
                continue  # the cell itself is taken
            if next_busy < default_end:
                early_end = next_busy  # stop where the next booking or closure begins
        free.append((position, early_end))
    return free


def run_joins(day: Day, lines: list[int]) -> list[bool]:
    """For each slot of ``day``, whether a free interval may run on into it from the slot before: its grid row
    follows the previous one (``lines``: ``Axis.lines``) and its local clock reads half an hour later. Not so
    where the clock jumps (the hour skipped in spring, the hour repeated in autumn) or where the grid has rows
    this day lacks (another day's repeated hour). Computed once per day, shared by every vehicle."""
    joins = [False]
    for index in range(1, len(day.slots)):
        wall_step = day.locals[index].replace(tzinfo=None) - day.locals[index - 1].replace(tzinfo=None)
        joins.append(lines[index] == lines[index - 1] + 1 and wall_step == SLOT)
    return joins


def free_runs(
    joins: list[bool], cells: list[Cell], free: list[tuple[int, datetime | None]]
) -> list[tuple[int, int, datetime]]:
    """The free intervals of a day of half-hour ``cells``, from the bookable ones (``free_cells``): each one's
    first slot, the slot after its last, and the end of the booking proposed from its start. Consecutive
    bookable slots make one interval where ``joins`` (``run_joins``) allows, so the time at any row inside an
    interval is its start plus half an hour per row."""
    runs: list[tuple[int, int, datetime]] = []
    for position, early_end in free:
        index, stop, _start, _end, default_end = cells[position]
        if runs and runs[-1][1] == index and joins[index]:
            runs[-1] = (runs[-1][0], stop, runs[-1][2])
        else:
            runs.append((index, stop, early_end or default_end))
    return runs
