"""Reads behind the calendar and "my bookings": what is booked, unavailable or free, laid out for display.

Everything is computed in the community's time zone. Instants are handled in UTC internally because
Python compares two datetimes sharing one tzinfo by wall time, which is wrong across a DST change.
A day is the span between two local midnights (23, 24 or 25 hours); its half-hour slots are stepped
in UTC and placed on a time axis keyed by local (hour, fold, minute), so a repeated hour gets its own
rows and a skipped hour leaves a gap.
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext, pgettext

from bookings.availability import unavailable_periods
from bookings.models import Booking
from communities.models import Membership
from vehicles.models import Blackout, Vehicle

VIEWS = ("week", "day", "month")
SLOT = timedelta(minutes=30)
DEFAULT_LENGTH = timedelta(hours=1)
MONTH_ENTRIES_PER_DAY = 3
PAST_PER_PAGE = 20
# Bookings drawn on the calendar; rejected and cancelled ones no longer concern anyone there.
SHOWN_STATUSES = (*Booking.HOLDING_STATUSES, Booking.Status.COMPLETED)


# ---------------------------------------------------------------------------------------------
# Data handed to the templates


@dataclass(frozen=True)
class AxisRow:
    line: int  # CSS grid line where the row starts (1-based)
    label: str  # shown on full hours only


@dataclass(frozen=True)
class Cell:
    """A free, bookable slot: a link to the pre-filled booking form."""

    start: int
    end: int
    href: str
    label: str


@dataclass(frozen=True)
class Gap:
    """Rows of the shared axis that do not exist on this day (clocks went forward, or back elsewhere)."""

    start: int
    end: int


@dataclass(frozen=True)
class Block:
    start: int
    end: int
    kind: str  # "booking" or "unavailable"
    title: str
    detail: str
    status: str = ""
    status_label: str = ""
    href: str = ""
    mine: bool = False


@dataclass
class Column:
    day: date
    heading: str
    heading_href: str
    is_today: bool
    cells: list[Cell] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Grid:
    """One time grid: rows are the day's half-hours, columns are days (or vehicles, in a day view)."""

    title: str
    vehicle: Vehicle | None
    rows: list[AxisRow]
    columns: list[Column]
    paused: bool = False
    compact: bool = False  # hour cells and shorter rows, for the week of many vehicles

    @property
    def row_count(self) -> int:
        return len(self.rows)


@dataclass(frozen=True)
class MonthEntry:
    time_label: str
    title: str
    status: str
    status_label: str
    href: str
    mine: bool


@dataclass
class MonthDay:
    day: date
    label: str
    href: str
    in_month: bool
    is_today: bool
    entries: list[MonthEntry] = field(default_factory=list)
    more: int = 0
    count: int = 0


@dataclass
class CalendarPage:
    view: str
    day: date
    today: date
    period_label: str
    prev_day: date
    next_day: date
    vehicle: Vehicle | None
    vehicles: list[Vehicle]
    grids: list[Grid] = field(default_factory=list)
    weeks: list[list[MonthDay]] = field(default_factory=list)
    weekday_names: list[tuple[str, str]] = field(default_factory=list)  # (full, short)


# ---------------------------------------------------------------------------------------------
# Days, slots and the time axis


def community_tz(membership: Membership) -> ZoneInfo:
    return ZoneInfo(membership.community.time_zone)


def local_today(tz: ZoneInfo, now: datetime) -> date:
    return now.astimezone(tz).date()


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants of this local midnight and the next one (never ``start + 24 h``)."""
    start = datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return start, end


def _row_key(local: datetime) -> tuple[int, int, int]:
    # Sorting by (hour, fold, minute) puts the repeated hour's second pass after its first.
    return (local.hour, local.fold, local.minute)


@dataclass
class _Day:
    day: date
    start: datetime
    end: datetime
    slots: list[datetime]  # UTC starts of the half-hour slots
    keys: list[tuple[int, int, int]]
    locals: list[datetime]

    @classmethod
    def build(cls, day: date, tz: ZoneInfo) -> _Day:
        start, end = day_bounds(day, tz)
        slots, keys, locals_ = [], [], []
        moment = start
        while moment < end:
            local = moment.astimezone(tz)
            slots.append(moment)
            keys.append(_row_key(local))
            locals_.append(local)
            moment += SLOT
        return cls(day, start, end, slots, keys, locals_)

    def slot_index(self, moment: datetime, *, ceil: bool = False) -> int:
        """Index of the slot containing ``moment`` (or of the first slot boundary at/after it)."""
        if moment <= self.start:
            return 0
        if moment >= self.end:
            return len(self.slots)
        steps, rest = divmod(moment - self.start, SLOT)
        return min(steps + (1 if ceil and rest else 0), len(self.slots))


class _Axis:
    """The rows shared by the columns of one grid: the union of their days' local half-hours."""

    def __init__(self, days: list[_Day]):
        keys = sorted({key for d in days for key in d.keys})
        self.line_of = {key: index + 1 for index, key in enumerate(keys)}
        self.count = len(keys)
        repeated = {(hour, minute) for hour, fold, minute in keys if fold}
        self.rows: list[AxisRow] = []
        sample = {key: local for d in days for key, local in zip(d.keys, d.locals, strict=True)}
        for key in keys:
            hour, _fold, minute = key
            label = ""
            if minute == 0:
                local = sample[key]
                label = formats.time_format(local.time(), "TIME_FORMAT")
                if (hour, minute) in repeated:
                    label = f"{label} {local.tzname()}"
            self.rows.append(AxisRow(line=self.line_of[key], label=label))

    def lines(self, d: _Day) -> list[int]:
        """Grid line of each slot boundary of ``d`` (one more than its slots)."""
        return [self.line_of[key] for key in d.keys] + [self.count + 1]

    def gaps(self, d: _Day) -> list[Gap]:
        present = set(d.keys)
        gaps: list[Gap] = []
        for key, line in self.line_of.items():
            if key in present:
                continue
            if gaps and gaps[-1].end == line:
                gaps[-1] = Gap(gaps[-1].start, line + 1)
            else:
                gaps.append(Gap(line, line + 1))
        return gaps


# ---------------------------------------------------------------------------------------------
# Queries: one for the vehicles (windows and blackouts prefetched), one for the bookings


def calendar_vehicles(
    membership: Membership, *, vehicle_id: int | None, start: datetime, end: datetime
) -> list[Vehicle]:
    """The community's vehicles (or the one asked for; 404 outside the community), with what the grid needs."""
    vehicles = Vehicle.objects.filter(community_id=membership.community_id).prefetch_related(
        "availability_windows",
        Prefetch("blackouts", queryset=Blackout.objects.filter(starts_at__lt=end, ends_at__gt=start)),
    )
    if vehicle_id is not None:
        vehicles = vehicles.filter(pk=vehicle_id)
    result = list(vehicles.order_by("name", "pk"))
    if vehicle_id is not None and not result:
        raise Http404
    return result


def calendar_bookings(
    membership: Membership, *, vehicle_id: int | None, start: datetime, end: datetime
) -> list[Booking]:
    """Every shown booking of the community (or vehicle) overlapping ``[start, end)``, in one query."""
    bookings = Booking.objects.filter(
        community_id=membership.community_id,
        status__in=SHOWN_STATUSES,
        starts_at__lt=end,
        ends_at__gt=start,
    ).select_related("vehicle", "member")
    if vehicle_id is not None:
        bookings = bookings.filter(vehicle_id=vehicle_id)
    return list(bookings.order_by("starts_at", "pk"))


# ---------------------------------------------------------------------------------------------
# Building a page


def parse_view(value: str | None) -> str:
    return value if value in VIEWS else "week"


def parse_day(value: str | None, *, default: date) -> date:
    """A ``YYYY-MM-DD`` date; anything else (or a year too far away to page through) means ``default``."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if 1900 <= day.year <= 2999 else default


def calendar_page(
    *, membership: Membership, vehicle_id: int | None = None, view: str, day: date, now: datetime
) -> CalendarPage:
    tz = community_tz(membership)
    today = local_today(tz, now)
    if view == "month":
        first = day.replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        grid_end = last + timedelta(days=6 - last.weekday())
        days = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days + 1)]
        prev_day = (first - timedelta(days=1)).replace(day=1)
        next_day = last + timedelta(days=1)
        period = formats.date_format(first, "YEAR_MONTH_FORMAT")
        anchor = first
    elif view == "day":
        days = [day]
        prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
        period = _long_date(day)
        anchor = day
    else:
        monday = day - timedelta(days=day.weekday())
        days = [monday + timedelta(days=n) for n in range(7)]
        prev_day, next_day = monday - timedelta(days=7), monday + timedelta(days=7)
        period = f"{_long_date(days[0])} – {_long_date(days[-1])}"
        anchor = monday

    range_start, range_end = day_bounds(days[0], tz)[0], day_bounds(days[-1], tz)[1]
    vehicles = calendar_vehicles(membership, vehicle_id=vehicle_id, start=range_start, end=range_end)
    bookings = calendar_bookings(membership, vehicle_id=vehicle_id, start=range_start, end=range_end)
    vehicle = vehicles[0] if vehicle_id is not None else None
    page = CalendarPage(
        view=view,
        day=anchor,
        today=today,
        period_label=period,
        prev_day=prev_day,
        next_day=next_day,
        vehicle=vehicle,
        vehicles=vehicles,
    )
    links = _Links(membership)
    if view == "month":
        page.weekday_names = [(formats.date_format(d, "l"), formats.date_format(d, "D")) for d in days[:7]]
        page.weeks = _month_weeks(
            days=days,
            month=anchor.month,
            today=today,
            tz=tz,
            bookings=bookings,
            membership=membership,
            links=links,
            vehicle_id=vehicle_id,
            show_vehicle=vehicle is None,
        )
        return page

    unavailable = unavailable_periods(vehicles=vehicles, range_start=range_start, range_end=range_end, tz=tz)
    busy = _busy_by_vehicle(bookings, unavailable)
    by_vehicle: dict[int, list[Booking]] = defaultdict(list)
    for booking in bookings:
        by_vehicle[booking.vehicle_id].append(booking)
    context = _GridContext(membership=membership, tz=tz, now=now, today=today, links=links)
    day_data = [_Day.build(d, tz) for d in days]
    if view == "day" and vehicle is None:
        # One grid, one column per vehicle.
        axis = _Axis(day_data)
        grid = Grid(title=period, vehicle=None, rows=axis.rows, columns=[])
        for v in vehicles:
            column = context.column(
                vehicle=v,
                day=day_data[0],
                axis=axis,
                bookings=by_vehicle[v.pk],
                unavailable=unavailable.get(v.pk, []),
                busy=busy.get(v.pk, []),
                heading=v.name,
                heading_href=links.vehicle_calendar(v.pk, "day", day),
                slot_steps=1,
            )
            grid.columns.append(column)
        page.grids.append(grid)
        return page

    # One grid per vehicle, one column per day. A multi-vehicle week uses hour cells to stay light.
    slot_steps = 2 if vehicle is None and view == "week" else 1
    axis = _Axis(day_data)
    for v in vehicles:
        grid = Grid(title=v.name, vehicle=v, rows=axis.rows, columns=[], paused=not v.is_active, compact=slot_steps > 1)
        for d in day_data:
            grid.columns.append(
                context.column(
                    vehicle=v,
                    day=d,
                    axis=axis,
                    bookings=by_vehicle[v.pk],
                    unavailable=unavailable.get(v.pk, []),
                    busy=busy.get(v.pk, []),
                    heading=formats.date_format(d.day, "D j"),
                    heading_href=links.calendar(vehicle_id, "day", d.day),
                    slot_steps=slot_steps,
                )
            )
        page.grids.append(grid)
    return page


def _long_date(day: date) -> str:
    return f"{formats.date_format(day, 'l')} {formats.date_format(day, 'DATE_FORMAT')}"


def _short_time(local: datetime) -> str:
    return formats.time_format(local.time(), "TIME_FORMAT")


class _Links:
    """URLs the grid needs, reversed once per page rather than once per cell."""

    def __init__(self, membership: Membership):
        self.community_id = membership.community_id
        self.create = reverse("booking_create", kwargs={"community_id": self.community_id})
        self.community = reverse("calendar", kwargs={"community_id": self.community_id})

    def book(self, vehicle_id: int, start: datetime, end: datetime, tz: ZoneInfo) -> str:
        # ISO 8601 with the local offset: unambiguous even in the repeated hour of autumn.
        start_iso = start.astimezone(tz).isoformat().replace("+", "%2B")
        end_iso = end.astimezone(tz).isoformat().replace("+", "%2B")
        return f"{self.create}?vehicle={vehicle_id}&start={start_iso}&end={end_iso}"

    def detail(self, booking_id: int) -> str:
        return reverse("booking_detail", kwargs={"community_id": self.community_id, "pk": booking_id})

    def calendar(self, vehicle_id: int | None, view: str, day: date) -> str:
        base = self.community if vehicle_id is None else self.vehicle_base(vehicle_id)
        return f"{base}?view={view}&date={day.isoformat()}"

    def vehicle_base(self, vehicle_id: int) -> str:
        return reverse("calendar_vehicle", kwargs={"community_id": self.community_id, "vehicle_id": vehicle_id})

    def vehicle_calendar(self, vehicle_id: int, view: str, day: date) -> str:
        return f"{self.vehicle_base(vehicle_id)}?view={view}&date={day.isoformat()}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _busy_by_vehicle(
    bookings: list[Booking], unavailable: dict[int, list[tuple[datetime, datetime, str]]]
) -> dict[int, list[tuple[datetime, datetime]]]:
    """Merged, sorted UTC intervals during which each vehicle cannot be booked."""
    raw: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for booking in bookings:
        if booking.status in Booking.HOLDING_STATUSES:
            raw[booking.vehicle_id].append((_utc(booking.starts_at), _utc(booking.ends_at)))
    for vehicle_id, periods in unavailable.items():
        raw[vehicle_id].extend((_utc(start), _utc(end)) for start, end, _label in periods)
    merged: dict[int, list[tuple[datetime, datetime]]] = {}
    for vehicle_id, intervals in raw.items():
        intervals.sort()
        out: list[tuple[datetime, datetime]] = []
        for start, end in intervals:
            if out and start <= out[-1][1]:
                out[-1] = (out[-1][0], max(out[-1][1], end))
            else:
                out.append((start, end))
        merged[vehicle_id] = out
    return merged


@dataclass
class _GridContext:
    membership: Membership
    tz: ZoneInfo
    now: datetime
    today: date
    links: _Links

    def __post_init__(self):
        community = self.membership.community
        self.earliest = _utc(self.now) + community.min_notice
        self.latest = _utc(self.now) + community.max_advance
        self.length = min(DEFAULT_LENGTH, community.max_duration)
        self.book_label = gettext("Book %(vehicle)s on %(date)s at %(time)s")
        self.status_labels = dict(Booking.Status.choices)
        self.you = gettext("You")
        self._time_labels: dict[date, list[str]] = {}

    def time_labels(self, d: _Day) -> list[str]:
        labels = self._time_labels.get(d.day)
        if labels is None:
            repeated = {(hour, minute) for hour, fold, minute in d.keys if fold}
            labels = []
            for key, local in zip(d.keys, d.locals, strict=True):
                label = _short_time(local)
                if (key[0], key[2]) in repeated:
                    label = f"{label} {local.tzname()}"
                labels.append(label)
            self._time_labels[d.day] = labels
        return labels

    def column(
        self,
        *,
        vehicle: Vehicle,
        day: _Day,
        axis: _Axis,
        bookings: list[Booking],
        unavailable: list[tuple[datetime, datetime, str]],
        busy: list[tuple[datetime, datetime]],
        heading: str,
        heading_href: str,
        slot_steps: int,
    ) -> Column:
        lines = axis.lines(day)
        column = Column(
            day=day.day,
            heading=heading,
            heading_href=heading_href,
            is_today=day.day == self.today,
            gaps=axis.gaps(day),
        )
        for start, end, label in unavailable:
            start, end = _utc(start), _utc(end)
            if start >= day.end or end <= day.start:
                continue
            first, last = day.slot_index(start), day.slot_index(end, ceil=True)
            if last > first:
                detail = f"{self._span(start, end, day)}"
                column.blocks.append(Block(lines[first], lines[last], "unavailable", label, detail))
        for booking in bookings:
            start, end = _utc(booking.starts_at), _utc(booking.ends_at)
            if start >= day.end or end <= day.start:
                continue
            first, last = day.slot_index(start), day.slot_index(end, ceil=True)
            last = max(last, first + 1)
            mine = booking.member_id == self.membership.user_id
            column.blocks.append(
                Block(
                    start=lines[first],
                    end=lines[last],
                    kind="booking",
                    title=self.you if mine else booking.member.name,
                    detail=self._span(start, end, day),
                    status=booking.status,
                    status_label=str(self.status_labels[booking.status]),
                    href=self.links.detail(booking.pk),
                    mine=mine,
                )
            )
        if vehicle.is_active and day.end > self.earliest and day.start <= self.latest:
            column.cells = self._free_cells(vehicle, day, lines, busy, slot_steps)
        return column

    def _span(self, start: datetime, end: datetime, day: _Day) -> str:
        """``10:00–12:00``; an end or start on another day carries its date."""
        parts = []
        for moment in (start, end):
            local = moment.astimezone(self.tz)
            text = _short_time(local)
            if not (day.start <= moment < day.end or (moment == day.end and moment is end)):
                text = f"{formats.date_format(local.date(), 'D j')} {text}"
            parts.append(text)
        return "–".join(parts)

    def _free_cells(
        self, vehicle: Vehicle, day: _Day, lines: list[int], busy: list[tuple[datetime, datetime]], steps: int
    ) -> list[Cell]:
        cells: list[Cell] = []
        date_label = _long_date(day.day)
        time_labels = self.time_labels(day)
        cursor = 0
        slot_count = len(day.slots)
        for index in range(0, slot_count, steps):
            start = day.slots[index]
            stop = min(index + steps, slot_count)
            end = day.slots[stop] if stop < slot_count else day.end
            if start < self.earliest or start > self.latest:
                continue
            while cursor < len(busy) and busy[cursor][1] <= start:
                cursor += 1
            if cursor < len(busy) and busy[cursor][0] < end:
                continue
            booking_end = start + self.length
            if cursor < len(busy) and busy[cursor][0] < booking_end:
                booking_end = busy[cursor][0]
            label = self.book_label % {"vehicle": vehicle.name, "date": date_label, "time": time_labels[index]}
            cells.append(
                Cell(lines[index], lines[stop], self.links.book(vehicle.pk, start, booking_end, self.tz), label)
            )
        return cells


def _month_weeks(
    *,
    days: list[date],
    month: int,
    today: date,
    tz: ZoneInfo,
    bookings: list[Booking],
    membership: Membership,
    links: _Links,
    vehicle_id: int | None,
    show_vehicle: bool,
) -> list[list[MonthDay]]:
    cells = {
        d: MonthDay(
            day=d,
            label=_long_date(d),
            href=links.calendar(vehicle_id, "day", d),
            in_month=d.month == month,
            is_today=d == today,
        )
        for d in days
    }
    status_labels = dict(Booking.Status.choices)
    you = gettext("You")
    for booking in bookings:
        start_local = booking.starts_at.astimezone(tz)
        end_local = booking.ends_at.astimezone(tz)
        last_day = (end_local - timedelta(microseconds=1)).date()
        d = max(start_local.date(), days[0])
        while d <= last_day and d <= days[-1]:
            cell = cells[d]
            cell.count += 1
            if len(cell.entries) < MONTH_ENTRIES_PER_DAY:
                mine = booking.member_id == membership.user_id
                who = you if mine else booking.member.name
                title = f"{booking.vehicle.name} · {who}" if show_vehicle else who
                time_label = _short_time(start_local) if start_local.date() == d else pgettext("booking", "cont.")
                cell.entries.append(
                    MonthEntry(
                        time_label=time_label,
                        title=title,
                        status=booking.status,
                        status_label=str(status_labels[booking.status]),
                        href=links.detail(booking.pk),
                        mine=mine,
                    )
                )
            else:
                cell.more += 1
            d += timedelta(days=1)
    return [[cells[days[n + i]] for i in range(7)] for n in range(0, len(days), 7)]


# ---------------------------------------------------------------------------------------------
# My bookings


@dataclass
class MyBookings:
    in_progress: list[Booking]
    upcoming: list[Booking]
    to_record: list[Booking]
    past: Page


def my_bookings(*, membership: Membership, now: datetime, page: int | str | None = 1) -> MyBookings:
    """The member's bookings in this community, by what they call for: ongoing, coming, to record, done."""
    mine = Booking.objects.filter(community_id=membership.community_id, member_id=membership.user_id).select_related(
        "vehicle"
    )
    holding = Q(status__in=Booking.HOLDING_STATUSES)
    in_progress = mine.filter(holding, starts_at__lte=now, ends_at__gt=now).order_by("starts_at", "pk")
    upcoming = mine.filter(holding, starts_at__gt=now).order_by("starts_at", "pk")
    # Ended bookings that were (or are being) driven but whose trip is not recorded yet.
    to_record = mine.filter(
        Q(trip__isnull=True) | Q(trip__ended_at__isnull=True),
        status__in=[Booking.Status.CONFIRMED, Booking.Status.IN_PROGRESS],
        ends_at__lte=now,
    ).order_by("-ends_at", "-pk")
    # Done with: driven and recorded, cancelled, rejected, or a request whose time passed unanswered.
    past = mine.filter(
        Q(status__in=[Booking.Status.COMPLETED, Booking.Status.CANCELLED, Booking.Status.REJECTED])
        | Q(status=Booking.Status.REQUESTED, ends_at__lte=now)
    )
    paginator = Paginator(past.order_by("-starts_at", "-pk"), PAST_PER_PAGE)
    return MyBookings(
        in_progress=list(in_progress),
        upcoming=list(upcoming),
        to_record=list(to_record),
        past=paginator.get_page(page),
    )
