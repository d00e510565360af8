"""The calendar page as data: which days, which vehicles, what is booked, unavailable or free in each column.

Queries come from ``bookings.selectors``, time arithmetic from ``bookings.timegrid``; the grid's markup is
drawn by the ``calendar_column`` template tag from the data built here.
"""

from __future__ import annotations

import calendar as pycalendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext, pgettext

from bookings.availability import unavailable_periods
from bookings.calendar_format import Labels, Links
from bookings.models import Booking
from bookings.selectors import CalendarBooking, calendar_bookings, calendar_fleet, calendar_vehicles
from bookings.timegrid import (
    Axis,
    Cell,
    Day,
    busy_by_vehicle,
    day_bounds,
    free_cells,
    free_runs,
    local_today,
    run_joins,
    utc,
)
from colocauto.core.parsers import MAX_YEAR, MIN_YEAR
from communities.models import Membership
from vehicles.models import Vehicle

VIEWS = ("week", "day", "month")
DEFAULT_LENGTH = timedelta(hours=1)
MONTH_ENTRIES_PER_DAY = 3
# From this many vehicles, the community week is dense: one link per free interval instead of one per free hour.
DENSE_WEEK_VEHICLES = 3
WEEK_VEHICLES_PER_PAGE = 10


@dataclass(frozen=True)
class HourLabel:
    css: str  # the grid line where the hour starts, e.g. "r-3"
    label: str
    now: bool = False  # the current hour in today's day view, the target of "#now"


@dataclass
class Column:
    """One day of one vehicle: what the ``calendar_column`` tag draws."""

    day: date
    heading: str
    heading_href: str
    css: str  # "today", "past" or ""
    vehicle: Vehicle
    timeline: Day
    cells: list[Cell]  # the day's cells, shared by every vehicle's column of that day
    free: list[tuple[int, datetime | None]]  # the bookable cells, see timegrid.free_cells
    runs: list[tuple[int, int, datetime]]  # on a dense grid, the free intervals instead, see timegrid.free_runs
    passed: int  # slots of today already gone by
    unavailable: list[tuple[datetime, datetime, str]]
    bookings: list[CalendarBooking]


@dataclass
class Grid:
    """One time grid: rows are the day's half-hours, columns are days (or vehicles, in a day view)."""

    title: str
    vehicle: Vehicle | None
    columns: list[Column]
    paused: bool = False
    compact: bool = False  # hour cells and shorter rows, for the week of many vehicles
    dense: bool = False  # shorter rows and one link per free interval, for the week of many more vehicles


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


@dataclass(frozen=True)
class VehiclePage:
    number: int
    first: int  # the rank of its first vehicle, from 1
    last: int


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
    labels: Labels
    links: Links
    user_id: int
    grids: list[Grid] = field(default_factory=list)
    hours: list[HourLabel] = field(default_factory=list)  # the time axis, shared by every grid
    row_count: int = 0
    axis: Axis | None = None
    weeks: list[list[MonthDay]] = field(default_factory=list)
    weekday_names: list[tuple[str, str]] = field(default_factory=list)  # (full, short)
    dense: bool = False  # see Grid.dense
    vehicle_page: int = 1
    vehicle_pages: list[VehiclePage] = field(default_factory=list)  # empty when every vehicle fits on the page
    booking_minutes: int = 60  # the length of the booking a free slot proposes


def proposed_length(community) -> timedelta:
    """How long the booking that a free slot of the calendar proposes lasts."""
    return min(DEFAULT_LENGTH, community.max_duration)


def community_tz(membership: Membership) -> ZoneInfo:
    return ZoneInfo(membership.community.time_zone)


def parse_view(value: str | None) -> str:
    return value if value in VIEWS else "week"


def parse_page(value: str | None) -> int:
    """A page number of the week's vehicles; anything else means the first page."""
    return int(value) if value and value.isascii() and value.isdigit() and len(value) < 4 else 1


def parse_day(value: str | None, *, default: date) -> date:
    """A ``YYYY-MM-DD`` date; anything else (or a year too far away to page through) means ``default``."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if MIN_YEAR <= day.year <= MAX_YEAR else default


def _days_of(view: str, day: date, labels: Labels) -> tuple[list[date], date, date, str, date]:
    """The days shown, the previous and next page's day, the period's label and the page's anchor day."""
    if view == "month":
        first = day.replace(day=1)
        grid_start = first - timedelta(days=first.weekday())
        last = first.replace(day=pycalendar.monthrange(first.year, first.month)[1])
        grid_end = last + timedelta(days=6 - last.weekday())
        days = [grid_start + timedelta(days=n) for n in range((grid_end - grid_start).days + 1)]
        previous = (first - timedelta(days=1)).replace(day=1)
        return days, previous, last + timedelta(days=1), formats.date_format(first, "YEAR_MONTH_FORMAT"), first
    if view == "day":
        return [day], day - timedelta(days=1), day + timedelta(days=1), labels.day(day), day
    monday = day - timedelta(days=day.weekday())
    days = [monday + timedelta(days=n) for n in range(7)]
    period = f"{labels.day(days[0])} – {labels.day(days[-1])}"
    return days, monday - timedelta(days=7), monday + timedelta(days=7), period, monday


def calendar_page(
    *,
    membership: Membership,
    vehicle_id: int | None = None,
    view: str,
    day: date,
    now: datetime,
    page_number: int = 1,
) -> CalendarPage:
    """Everything the calendar template draws, for the community's vehicles or for one of them (in a week of
    many vehicles: the ``page_number``-th page of them)."""
    tz = community_tz(membership)
    today = local_today(tz, now)
    labels = Labels(tz)
    days, prev_day, next_day, period, anchor = _days_of(view, day, labels)
    range_start, range_end = day_bounds(days[0], tz)[0], day_bounds(days[-1], tz)[1]
    number, pages = 1, 1
    if view == "week" and vehicle_id is None:
        # A week of a large fleet is shown a page of vehicles at a time: each page stays light to send and draw.
        vehicles, number, fleet = calendar_fleet(
            membership, start=range_start, end=range_end, page=page_number, per_page=WEEK_VEHICLES_PER_PAGE
        )
        pages = max(1, -(-fleet // WEEK_VEHICLES_PER_PAGE))
    else:
        vehicles = calendar_vehicles(membership, vehicle_id=vehicle_id, start=range_start, end=range_end)
    bookings = calendar_bookings(
        membership,
        vehicle_id=vehicle_id,
        start=range_start,
        end=range_end,
        vehicle_ids=[v.pk for v in vehicles] if pages > 1 else None,
    )
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
        labels=labels,
        links=Links(membership.community_id),
        user_id=membership.user_id,
        vehicle_page=number,
        vehicle_pages=[
            VehiclePage(n, (n - 1) * WEEK_VEHICLES_PER_PAGE + 1, min(n * WEEK_VEHICLES_PER_PAGE, fleet))
            for n in range(1, pages + 1)
        ]
        if pages > 1
        else [],
    )
    if view == "month":
        page.weekday_names = [(formats.date_format(d, "l"), formats.date_format(d, "D")) for d in days[:7]]
        page.weeks = _month_weeks(page, days=days, bookings=bookings, vehicle_id=vehicle_id)
        return page
    _fill_grids(page, membership=membership, days=days, bookings=bookings, now=now, period=period)
    return page


def _fill_grids(
    page: CalendarPage,
    *,
    membership: Membership,
    days: list[date],
    bookings: list[CalendarBooking],
    now: datetime,
    period: str,
) -> None:
    labels, links, vehicles, vehicle = page.labels, page.links, page.vehicles, page.vehicle
    tz = labels.tz
    timelines = [Day(d, tz) for d in days]
    range_start, range_end = timelines[0].start, timelines[-1].end
    unavailable = unavailable_periods(vehicles=vehicles, range_start=range_start, range_end=range_end, tz=tz)
    holding = ((b.vehicle_id, b.starts_at, b.ends_at) for b in bookings if b.status in Booking.HOLDING_STATUSES)
    busy = busy_by_vehicle(holding, unavailable)
    by_vehicle: dict[int, list[CalendarBooking]] = defaultdict(list)
    for booking in bookings:
        by_vehicle[booking.vehicle_id].append(booking)
    page.axis = axis = Axis(timelines)
    page.row_count = axis.count

    community = membership.community
    now = utc(now)
    earliest, latest = now + community.min_notice, now + community.max_advance
    # A week of several vehicles offers hour cells instead of half-hours, to keep the page light; a week of
    # many vehicles offers one link per free interval (at the tapped half-hour with calendar.js).
    compact = vehicle is None and page.view == "week"
    dense = compact and len(vehicles) >= DENSE_WEEK_VEHICLES
    steps = 2 if compact and not dense else 1
    length = proposed_length(community)
    # The dense week's rows are short: its time axis names every third hour.
    # Today's day view opens at the current hour (links to it end in "#now"); compared in UTC, so that only
    # the right one of a repeated hour (the autumn change of clock) is the current one.
    hour_now = utc(now).astimezone(tz).replace(minute=0, second=0, microsecond=0) if page.view == "day" else None
    page.hours = [
        HourLabel(
            f"r-{line}", labels.time(local, with_zone=twice), now=hour_now is not None and utc(local) == utc(hour_now)
        )
        for line, local, twice in axis.hours
        if not dense or local.hour % 3 == 0
    ]
    page.dense = dense
    page.booking_minutes = int(length.total_seconds() // 60)
    cells_of = {t.day: t.cells(steps=steps, length=length) for t in timelines}
    joins_of = {t.day: run_joins(t, axis.lines(t)) for t in timelines} if dense else {}

    def column(v: Vehicle, t: Day, heading: str, heading_href: str) -> Column:
        cells = cells_of[t.day]
        vehicle_busy = busy.get(v.pk, [])
        bookable = v.is_active and t.end > earliest and t.start <= latest
        free = free_cells(cells, busy=vehicle_busy, earliest=earliest, latest=latest) if bookable else []
        runs = free_runs(joins_of[t.day], cells, free) if dense else []
        return Column(
            day=t.day,
            heading=heading,
            heading_href=heading_href,
            css="today" if t.day == page.today else "past" if t.day < page.today else "",
            vehicle=v,
            timeline=t,
            cells=cells,
            free=[] if dense else free,
            runs=runs,
            passed=t.slot_index(now) if t.start < now < t.end else 0,
            unavailable=unavailable.get(v.pk, []),
            bookings=by_vehicle[v.pk],
        )

    if page.view == "day" and vehicle is None:
        # One grid, one column per vehicle.
        t = timelines[0]
        columns = [column(v, t, v.name, links.calendar(v.pk, "day", t.day)) for v in vehicles]
        page.grids.append(Grid(title=period, vehicle=None, columns=columns))
        return
    # One grid per vehicle, one column per day.
    vehicle_id = vehicle.pk if vehicle is not None else None
    for v in vehicles:
        columns = [
            column(v, t, labels.day(t.day, "short"), links.calendar(vehicle_id, "day", t.day)) for t in timelines
        ]
        page.grids.append(
            Grid(title=v.name, vehicle=v, columns=columns, paused=not v.is_active, compact=compact, dense=dense)
        )


def _month_weeks(
    page: CalendarPage, *, days: list[date], bookings: list[CalendarBooking], vehicle_id: int | None
) -> list[list[MonthDay]]:
    labels, links = page.labels, page.links
    vehicles = {v.pk: v for v in page.vehicles}
    cells = {
        d: MonthDay(
            day=d,
            label=labels.day(d),
            href=links.calendar(vehicle_id, "day", d),
            in_month=d.month == page.day.month,
            is_today=d == page.today,
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
                mine = booking.member_id == page.user_id
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
