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
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from bookings.availability import unavailable_periods
from bookings.models import Booking
from communities.models import Membership
from vehicles.models import Blackout, Vehicle

VIEWS = ("week", "day", "month")
SLOT = timedelta(minutes=30)
DEFAULT_LENGTH = timedelta(hours=1)
MONTH_ENTRIES_PER_DAY = 3
PER_PAGE = 20  # upcoming and past bookings
# Bookings drawn on the calendar; rejected and cancelled ones no longer concern anyone there.
SHOWN_STATUSES = (*Booking.HOLDING_STATUSES, Booking.Status.COMPLETED)


# ---------------------------------------------------------------------------------------------
# Data handed to the templates


@dataclass(frozen=True)
class HourLabel:
    css: str  # the grid line where the hour starts, e.g. "r-3"
    label: str


@dataclass
class Column:
    day: date
    heading: str
    heading_href: str
    css: str  # "today", "past" or ""
    body: str  # pre-rendered grid content, see _GridBuilder.column


@dataclass
class Grid:
    """One time grid: rows are the day's half-hours, columns are days (or vehicles, in a day view)."""

    title: str
    vehicle: Vehicle | None
    columns: list[Column]
    paused: bool = False
    compact: bool = False  # hour cells and shorter rows, for the week of many vehicles


@dataclass(frozen=True)
class MonthEntry:
    time_label: str
    title: str
    css: str
    status_label: str
    href: str


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
    hours: list[HourLabel] = field(default_factory=list)  # the time axis, shared by every grid
    row_count: int = 0
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


class _Day:
    """One local day: its UTC bounds and the UTC start, local time and axis key of each half-hour slot."""

    def __init__(self, day: date, tz: ZoneInfo):
        self.day = day
        self.start, self.end = day_bounds(day, tz)
        self.slots: list[datetime] = []
        self.locals: list[datetime] = []
        moment = self.start
        while moment < self.end:
            self.slots.append(moment)
            self.locals.append(moment.astimezone(tz))
            moment += SLOT
        self.keys = [_row_key(local) for local in self.locals]
        # The repeated hour's times are told apart by their zone abbreviation (CEST / CET).
        self.repeated = {(hour, minute) for hour, fold, minute in self.keys if fold}

    def slot_index(self, moment: datetime, *, ceil: bool = False) -> int:
        """Index of the slot containing ``moment`` (with ``ceil``: of the first slot boundary at or after it)."""
        if moment <= self.start:
            return 0
        if moment >= self.end:
            return len(self.slots)
        steps, rest = divmod(moment - self.start, SLOT)
        return min(steps + (1 if ceil and rest else 0), len(self.slots))


class _Axis:
    """The rows shared by the columns of one grid: the union of their days' local half-hours."""

    def __init__(self, days: list[_Day], labels: _Labels):
        keys = sorted({key for d in days for key in d.keys})
        self.line_of = {key: index + 1 for index, key in enumerate(keys)}
        self.count = len(keys)
        sample = {key: local for d in days for key, local in zip(d.keys, d.locals, strict=True)}
        repeated = set().union(*(d.repeated for d in days))
        self.hours = [
            HourLabel(f"r-{self.line_of[key]}", labels.time(sample[key], with_zone=(key[0], key[2]) in repeated))
            for key in keys
            if key[2] == 0
        ]

    def lines(self, d: _Day) -> list[int]:
        """Grid line of each slot boundary of ``d`` (one more than its slots)."""
        return [self.line_of[key] for key in d.keys] + [self.count + 1]

    def gaps(self, d: _Day) -> list[str]:
        present = set(d.keys)
        gaps: list[list[int]] = []
        for key, line in self.line_of.items():
            if key in present:
                continue
            if gaps and gaps[-1][1] == line:
                gaps[-1][1] = line + 1
            else:
                gaps.append([line, line + 1])
        return [f"r-{start} e-{end}" for start, end in gaps]


class _Labels:
    """Localised dates and times, formatted once per page."""

    def __init__(self, tz: ZoneInfo):
        self.tz = tz
        self._times: dict[tuple[int, int, str], str] = {}
        self._days: dict[tuple[date, str], str] = {}
        self.all_day = gettext("all day")

    def time(self, local: datetime, *, with_zone: bool = False) -> str:
        zone = local.tzname() if with_zone else ""
        key = (local.hour, local.minute, zone)
        label = self._times.get(key)
        if label is None:
            label = formats.time_format(local.time(), "TIME_FORMAT")
            label = f"{label} {zone}" if zone else label
            self._times[key] = label
        return label

    def day(self, day: date, style: str = "long") -> str:
        label = self._days.get((day, style))
        if label is None:
            if style == "long":
                label = f"{formats.date_format(day, 'l')} {formats.date_format(day, 'DATE_FORMAT')}"
            else:
                label = formats.date_format(day, "D j")
            self._days[(day, style)] = label
        return label

    def period(self, start: datetime, end: datetime, day: _Day) -> str:
        """When an unavailable period is, seen from ``day``: "all day" when it is exactly this day, its
        dates when it covers this day and others ("Mon 3 – Wed 5"), else its times like ``span``."""
        if start <= day.start and end >= day.end:
            if start == day.start and end == day.end:
                return self.all_day
            first, last = start.astimezone(self.tz), end.astimezone(self.tz)
            if first.time() == time.min and last.time() == time.min:
                return f"{self.day(first.date(), 'short')} – {self.day(last.date() - timedelta(days=1), 'short')}"
            return f"{self.day(first.date(), 'short')} {self.time(first)} – {self.day(last.date(), 'short')} {self.time(last)}"
        return self.span(start, end, day)

    def span(self, start: datetime, end: datetime, day: _Day) -> str:
        """``10 a.m.–noon``; a start or end on another day carries that day."""
        parts = []
        for moment, inside in ((start, day.start <= start < day.end), (end, day.start < end <= day.end)):
            local = moment.astimezone(self.tz)
            # A period that runs to the end of the day ends at 24:00, not at "00:00" of that same day.
            text = "24:00" if moment == day.end and inside else self.time(local)
            parts.append(text if inside else f"{self.day(local.date(), 'short')} {text}")
        return "–".join(parts)


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


class CalendarBooking(NamedTuple):
    """What the calendar draws of a booking: plain values, thousands of model instances would cost more."""

    pk: int
    vehicle_id: int
    member_id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    member_name: str


def calendar_bookings(
    membership: Membership, *, vehicle_id: int | None, start: datetime, end: datetime
) -> list[CalendarBooking]:
    """Every shown booking of the community (or vehicle) overlapping ``[start, end)``, in one query."""
    bookings = Booking.objects.filter(
        community_id=membership.community_id,
        status__in=SHOWN_STATUSES,
        starts_at__lt=end,
        ends_at__gt=start,
    )
    if vehicle_id is not None:
        bookings = bookings.filter(vehicle_id=vehicle_id)
    rows = bookings.order_by("starts_at", "pk").values_list(
        "pk", "vehicle_id", "member_id", "starts_at", "ends_at", "status", "member__display_name", "member__email"
    )
    # The member's name as User.name gives it: the display name, else the e-mail address's local part.
    return [CalendarBooking(*row[:6], row[6] or row[7].split("@")[0]) for row in rows]


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
    """Everything the calendar template draws, for the community's vehicles or for one of them."""
    tz = community_tz(membership)
    today = local_today(tz, now)
    labels = _Labels(tz)
    if view == "month":
        first = day.replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        grid_end = last + timedelta(days=6 - last.weekday())
        days = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days + 1)]
        prev_day, next_day = (first - timedelta(days=1)).replace(day=1), last + timedelta(days=1)
        period, anchor = formats.date_format(first, "YEAR_MONTH_FORMAT"), first
    elif view == "day":
        days = [day]
        prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
        period, anchor = labels.day(day), day
    else:
        monday = day - timedelta(days=day.weekday())
        days = [monday + timedelta(days=n) for n in range(7)]
        prev_day, next_day = monday - timedelta(days=7), monday + timedelta(days=7)
        period, anchor = f"{labels.day(days[0])} – {labels.day(days[-1])}", monday

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
            labels=labels,
            bookings=bookings,
            vehicles={v.pk: v for v in vehicles},
            membership=membership,
            links=links,
            vehicle_id=vehicle_id,
        )
        return page

    unavailable = unavailable_periods(vehicles=vehicles, range_start=range_start, range_end=range_end, tz=tz)
    busy = _busy_by_vehicle(bookings, unavailable)
    by_vehicle: dict[int, list[CalendarBooking]] = defaultdict(list)
    for booking in bookings:
        by_vehicle[booking.vehicle_id].append(booking)
    day_data = [_Day(d, tz) for d in days]
    axis = _Axis(day_data, labels)
    page.hours, page.row_count = axis.hours, axis.count
    # A week of several vehicles offers hour cells instead of half-hours, to keep the page light.
    steps = 2 if vehicle is None and view == "week" else 1
    grids = _GridBuilder(
        membership=membership, now=now, today=today, labels=labels, links=links, axis=axis, steps=steps
    )

    def column(v: Vehicle, d: _Day, heading: str, heading_href: str) -> Column:
        return grids.column(
            vehicle=v,
            day=d,
            bookings=by_vehicle[v.pk],
            unavailable=unavailable.get(v.pk, []),
            busy=busy.get(v.pk, []),
            heading=heading,
            heading_href=heading_href,
        )

    if view == "day" and vehicle is None:
        # One grid, one column per vehicle.
        d = day_data[0]
        page.grids.append(
            Grid(
                title=period,
                vehicle=None,
                columns=[column(v, d, v.name, links.calendar(v.pk, "day", d.day)) for v in vehicles],
            )
        )
        return page
    # One grid per vehicle, one column per day.
    for v in vehicles:
        page.grids.append(
            Grid(
                title=v.name,
                vehicle=v,
                columns=[
                    column(v, d, labels.day(d.day, "short"), links.calendar(vehicle_id, "day", d.day)) for d in day_data
                ],
                paused=not v.is_active,
                compact=steps > 1,
            )
        )
    return page


class _Links:
    """URLs the page needs, reversed once per page rather than once per cell or booking."""

    def __init__(self, membership: Membership):
        self.community_id = membership.community_id
        self.create = reverse("booking_create", kwargs={"community_id": self.community_id})
        self.community = reverse("calendar", kwargs={"community_id": self.community_id})
        marker = 987654321
        detail = reverse("booking_detail", kwargs={"community_id": self.community_id, "pk": marker})
        self._detail_prefix, self._detail_suffix = detail.split(str(marker))

    def detail(self, booking_id: int) -> str:
        return f"{self._detail_prefix}{booking_id}{self._detail_suffix}"

    def calendar(self, vehicle_id: int | None, view: str, day: date) -> str:
        base = self.community
        if vehicle_id is not None:
            base = reverse("calendar_vehicle", kwargs={"community_id": self.community_id, "vehicle_id": vehicle_id})
        return f"{base}?view={view}&date={day.isoformat()}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _busy_by_vehicle(
    bookings: list[CalendarBooking], unavailable: dict[int, list[tuple[datetime, datetime, str]]]
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


class _FreeSlots:
    """The bookable cells of one day, shared by every vehicle's column of that day.

    A week of 30 vehicles has thousands of cells, so their links are rendered here with plain string
    formatting instead of one template loop iteration each, which costs about ten times more. Each
    cell's markup (the ``<a class="cal-free …">`` link with its visually hidden label) is prepared once
    per day with every value escaped; a vehicle only fills in its id, its name and the proposed end.
    """

    def __init__(
        self,
        *,
        day: _Day,
        lines: list[int],
        steps: int,
        labels: _Labels,
        length: timedelta,
        create_url: str,
        book_label: str,
    ):
        self.tz = labels.tz
        self.cells: list[tuple[datetime, datetime, datetime, str, str, str, str, str]] = []
        date_label = escape(labels.day(day.day))
        count = len(day.slots)
        for index in range(0, count, steps):
            stop = min(index + steps, count)
            start = day.slots[index]
            end = day.slots[stop] if stop < count else day.end
            local = day.locals[index]
            time_label = escape(labels.time(local, with_zone=(local.hour, local.minute) in day.repeated))
            label = book_label % {"vehicle": "\x00", "date": date_label, "time": time_label}
            label_head, _, label_tail = label.partition("\x00")
            self.cells.append(
                (
                    start,
                    end,
                    start + length,
                    f'<a class="cal-free r-{lines[index]} e-{lines[stop]}" href="{create_url}?vehicle=',
                    f"&amp;start={self.iso(start)}&amp;end=",
                    self.iso(start + length),
                    f'"><span class="visually-hidden">{label_head}',
                    f"{label_tail}</span></a>",
                )
            )

    def iso(self, moment: datetime) -> str:
        # ISO 8601 with the local offset: unambiguous even in the repeated hour of autumn.
        return moment.astimezone(self.tz).isoformat().replace("+", "%2B")

    def render(
        self, *, vehicle: Vehicle, busy: list[tuple[datetime, datetime]], earliest: datetime, latest: datetime
    ) -> str:
        name = escape(vehicle.name)
        vehicle_id = vehicle.pk
        links = []
        cursor, busy_count = 0, len(busy)
        for start, end, default_end, head, middle, end_iso, label_head, label_tail in self.cells:
            if start < earliest or start > latest:
                continue
            while cursor < busy_count and busy[cursor][1] <= start:
                cursor += 1
            if cursor < busy_count:
                next_busy = busy[cursor][0]
                if next_busy < end:
                    continue  # the cell itself is taken
                if next_busy < default_end:
                    end_iso = self.iso(next_busy)  # stop where the next booking or closure begins
            links.append(f"{head}{vehicle_id}{middle}{end_iso}{label_head}{name}{label_tail}")
        return mark_safe("".join(links))  # noqa: S308 — every interpolated value is escaped or generated here


class _GridBuilder:
    def __init__(
        self,
        *,
        membership: Membership,
        now: datetime,
        today: date,
        labels: _Labels,
        links: _Links,
        axis: _Axis,
        steps: int,
    ):
        community = membership.community
        self.user_id = membership.user_id
        self.today = today
        self.labels = labels
        self.links = links
        self.axis = axis
        self.steps = steps
        self.now = _utc(now)
        self.earliest = self.now + community.min_notice
        self.latest = _utc(now) + community.max_advance
        self.length = min(DEFAULT_LENGTH, community.max_duration)
        self.book_label = escape(gettext("Book %(vehicle)s on %(date)s at %(time)s"))
        # Read out before a booking block's visible text, which names neither the vehicle nor the day.
        self.block_label = escape(gettext("%(vehicle)s, %(date)s,"))
        self.status_labels = {value: escape(label) for value, label in Booking.Status.choices}
        self.you = escape(gettext("You"))
        self._layouts: dict[date, tuple[list[int], list[str], _FreeSlots]] = {}

    def _layout(self, day: _Day) -> tuple[list[int], list[str], _FreeSlots]:
        layout = self._layouts.get(day.day)
        if layout is None:
            lines = self.axis.lines(day)
            free = _FreeSlots(
                day=day,
                lines=lines,
                steps=self.steps,
                labels=self.labels,
                length=self.length,
                create_url=self.links.create,
                book_label=self.book_label,
            )
            layout = self._layouts[day.day] = (lines, self.axis.gaps(day), free)
        return layout

    def column(
        self,
        *,
        vehicle: Vehicle,
        day: _Day,
        bookings: list[CalendarBooking],
        unavailable: list[tuple[datetime, datetime, str]],
        busy: list[tuple[datetime, datetime]],
        heading: str,
        heading_href: str,
    ) -> Column:
        lines, gaps, free = self._layout(day)
        # Markup of the grid's content: the rows this day lacks, the free slots' links, then the blocks,
        # each booking a link to its detail. Built here rather than in the template because a week of
        # many vehicles has hundreds of blocks; every interpolated text is escaped.
        parts = [f'<span class="cal-gap {css}"></span>' for css in gaps]
        if day.start < self.now < day.end and (passed := day.slot_index(self.now)) > 0:
            # Today's hours gone by are shaded like the days before: they cannot be booked.
            parts.append(f'<span class="cal-past r-{lines[0]} e-{lines[passed]}"></span>')
        if vehicle.is_active and day.end > self.earliest and day.start <= self.latest:
            parts.append(free.render(vehicle=vehicle, busy=busy, earliest=self.earliest, latest=self.latest))
        for start, end, label in unavailable:
            start, end = _utc(start), _utc(end)
            if start >= day.end or end <= day.start:
                continue
            first, last = day.slot_index(start), day.slot_index(end, ceil=True)
            if last > first:
                parts.append(
                    f'<div class="cal-block unavailable r-{lines[first]} e-{lines[last]}">'
                    f'<span class="cal-who">{escape(capfirst(label))}</span> '
                    f'<span class="cal-when">{escape(self.labels.period(start, end, day))}</span></div>'
                )
        block_label = ""
        for booking in bookings:
            start, end = _utc(booking.starts_at), _utc(booking.ends_at)
            if start >= day.end or end <= day.start:
                continue
            if not block_label:
                block_label = self.block_label % {
                    "vehicle": escape(vehicle.name),
                    "date": escape(self.labels.day(day.day)),
                }
            first, last = day.slot_index(start), day.slot_index(end, ceil=True)
            last = max(last, first + 1)
            mine = booking.member_id == self.user_id
            parts.append(
                f'<a class="cal-block booking status-{booking.status}{" mine" if mine else ""} '
                f'r-{lines[first]} e-{lines[last]}" href="{self.links.detail(booking.pk)}">'
                f'<span class="visually-hidden">{block_label} </span>'
                f'<span class="cal-when">{escape(self.labels.span(start, end, day))}</span> '
                f'<span class="cal-who">{self.you if mine else escape(booking.member_name)}</span> '
                f'<span class="cal-status">{self.status_labels[booking.status]}</span></a>'
            )
        return Column(
            day=day.day,
            heading=heading,
            heading_href=heading_href,
            css="today" if day.day == self.today else "past" if day.day < self.today else "",
            body=mark_safe("".join(parts)),  # noqa: S308 — escaped above
        )


def _month_weeks(
    *,
    days: list[date],
    month: int,
    today: date,
    labels: _Labels,
    bookings: list[CalendarBooking],
    vehicles: dict[int, Vehicle],
    membership: Membership,
    links: _Links,
    vehicle_id: int | None,
) -> list[list[MonthDay]]:
    cells = {
        d: MonthDay(
            day=d,
            label=labels.day(d),
            href=links.calendar(vehicle_id, "day", d),
            in_month=d.month == month,
            is_today=d == today,
        )
        for d in days
    }
    status_labels = {value: str(label) for value, label in Booking.Status.choices}
    you = gettext("You")
    continued = pgettext("a booking that started on an earlier day", "cont.")
    for booking in bookings:
        start_local = booking.starts_at.astimezone(labels.tz)
        end_local = booking.ends_at.astimezone(labels.tz)
        last_day = (end_local - timedelta(microseconds=1)).date()
        d = max(start_local.date(), days[0])
        while d <= last_day and d <= days[-1]:
            cell = cells[d]
            cell.count += 1
            if len(cell.entries) < MONTH_ENTRIES_PER_DAY:
                mine = booking.member_id == membership.user_id
                who = you if mine else booking.member_name
                title = who if vehicle_id is not None else f"{vehicles[booking.vehicle_id].name} · {who}"
                cell.entries.append(
                    MonthEntry(
                        time_label=labels.time(start_local) if start_local.date() == d else continued,
                        title=title,
                        css=f"status-{booking.status}{' mine' if mine else ''}",
                        status_label=status_labels[booking.status],
                        href=links.detail(booking.pk),
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
    to_record: list[Booking]
    upcoming: Page
    past: Page


def my_bookings(
    *, membership: Membership, now: datetime, upcoming_page: int | str | None = 1, past_page: int | str | None = 1
) -> MyBookings:
    """The member's bookings in this community, by what they call for: ongoing, to record, coming, done."""
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
    ).order_by("-starts_at", "-pk")
    return MyBookings(
        in_progress=list(in_progress),
        to_record=list(to_record),
        upcoming=Paginator(upcoming, PER_PAGE).get_page(upcoming_page),
        past=Paginator(past, PER_PAGE).get_page(past_page),
    )
