"""Markup of the calendar's time grids, drawn from ``bookings.calendar.Column`` data.

A week of 30 vehicles has thousands of cells, so they are written with plain string formatting instead of
one template loop iteration each, which costs about ten times more. Each free cell's markup (the
``<a class="cal-free …">`` link with its visually hidden label) is prepared once per day with every value
escaped; a vehicle only fills in its id, its name and the proposed end. Every interpolated text is escaped.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from bookings.calendar import CalendarPage, Column, Grid
from bookings.models import Booking
from bookings.timegrid import Day, utc

register = template.Library()


def _clock(local: datetime) -> str:
    """A local time as a ``datetime-local`` value (what the booking form reads), e.g. ``2026-12-07T07:00``."""
    return f"{local.year:04d}-{local.month:02d}-{local.day:02d}T{local.hour:02d}:{local.minute:02d}"


@register.simple_tag
def calendar_column(cal: CalendarPage, column: Column) -> SafeString:
    """The content of one column of a grid: gaps, past hours, free cells, unavailable periods, bookings."""
    markup = cal.__dict__.get("_markup")
    if markup is None:
        markup = cal.__dict__["_markup"] = _GridMarkup(cal)
    return markup.column(column)


@register.simple_tag
def calendar_dense_columns(cal: CalendarPage, grid: Grid) -> SafeString:
    """Every column of a dense grid (the week of many vehicles), heading included, as one string."""
    markup = cal.__dict__.get("_markup")
    if markup is None:
        markup = cal.__dict__["_markup"] = _GridMarkup(cal)
    return markup.dense_columns(grid, cal.row_count)


class _DayMarkup:
    """What every vehicle's column of one day shares: grid lines, gaps, and each cell's link pieces."""

    def __init__(self, grid: _GridMarkup, column: Column):
        day = column.timeline
        self.lines = lines = grid.axis.lines(day)
        self.gaps = "".join(f'<span class="cal-gap r-{start} e-{end}"></span>' for start, end in grid.axis.gaps(day))
        labels = grid.labels
        date_label = escape(labels.day(day.day))
        self.cells: list[tuple[str, str, str, str, str]] = []
        self.day = day
        if grid.dense:
            # A dense grid links free intervals: each slot boundary's local time, in links and in words.
            self.clock = [_clock(local) for local in day.locals] + [_clock(day.end.astimezone(grid.tz))]
            self.times: list[str] = [
                escape(labels.time(local, with_zone=day.is_repeated(local))) for local in day.locals
            ]
            self.times.append("24:00")  # a free interval that runs to the end of the day ends at 24:00
            self.date_label = date_label
            return
        for index, stop, start, cell_end, default_end in column.cells:
            local = day.locals[index]
            time_label = escape(labels.time(local, with_zone=day.is_repeated(local)))
            label = grid.book_label % {"vehicle": "\x00", "date": date_label, "time": time_label}
            label_head, _, label_tail = label.partition("\x00")
            self.cells.append(
                (
                    f'<a class="cal-free r-{lines[index]} e-{lines[stop]}" href="{grid.links.create}?vehicle=',
                    f"&amp;start={grid.iso(start)}&amp;end=",
                    grid.iso(default_end),
                    # Where the cell ends: calendar.js ends a range chosen by two taps (or a drag) there.
                    f'" data-to="{cell_end.astimezone(grid.tz).isoformat()}"><span class="visually-hidden">{label_head}',
                    f"{label_tail}</span></a>",
                )
            )


class _GridMarkup:
    def __init__(self, cal: CalendarPage):
        assert cal.axis is not None  # grids exist only on day and week pages
        self.axis = cal.axis
        self.labels = cal.labels
        self.links = cal.links
        self.user_id = cal.user_id
        self.tz = cal.labels.tz
        self.dense = cal.dense
        self.interval_label = escape(gettext("Book %(vehicle)s on %(date)s from %(start)s to %(end)s"))
        self.length = timedelta(minutes=cal.booking_minutes)
        self.book_label = escape(gettext("Book %(vehicle)s on %(date)s at %(time)s"))
        # Read out before a booking block's visible text, which names neither the vehicle nor the day.
        self.block_label = escape(gettext("%(vehicle)s, %(date)s,"))
        self.status_labels = {value: escape(label) for value, label in Booking.Status.choices}
        self.you = escape(gettext("You"))
        self._days: dict[object, _DayMarkup] = {}
        self.today_label = escape(gettext("(today)"))
        self._names: dict[str, str] = {}  # members' names, escaped once per page

    def dense_columns(self, grid: Grid, row_count: int) -> SafeString:
        parts = []
        for column in grid.columns:
            css = f" {column.css}" if column.css else ""
            today = f' <span class="visually-hidden">{self.today_label}</span>' if column.css == "today" else ""
            parts.append(
                f'<div class="cal-col{css}"><div class="cal-head"><a href="{escape(column.heading_href)}">'
                f"{escape(capfirst(column.heading))}</a>{today}</div>"
                f'<div class="cal-slots rows-{row_count}">{self.column(column)}</div></div>'
            )
        return mark_safe("".join(parts))  # noqa: S308 — every value is escaped or generated in column()

    def iso(self, moment: datetime) -> str:
        # ISO 8601 with the local offset: unambiguous even in the repeated hour of autumn.
        return moment.astimezone(self.tz).isoformat().replace("+", "%2B")

    def column(self, column: Column) -> SafeString:
        day = column.timeline
        shared = self._days.get(day.day)
        if shared is None:
            shared = self._days[day.day] = _DayMarkup(self, column)
        lines = shared.lines
        parts = [shared.gaps]
        if column.passed > 0:
            # Today's hours gone by are shaded like the days before: they cannot be booked.
            parts.append(f'<span class="cal-past r-{lines[0]} e-{lines[column.passed]}"></span>')
        if column.free:
            parts.append(self._free(shared, column))
        if column.runs:
            parts.append(self._runs(shared, column))
        for start, end, label in column.unavailable:
            span = day.span(start, end)
            if span is None or span[1] <= span[0]:
                continue
            when = escape(self.labels.period(utc(start), utc(end), day))
            if self.dense:
                parts.append(
                    f'<div class="cal-block unavailable r-{lines[span[0]]} e-{lines[span[1]]}">'
                    f"<b>{escape(capfirst(label))}</b> {when}</div>"
                )
                continue
            parts.append(
                f'<div class="cal-block unavailable r-{lines[span[0]]} e-{lines[span[1]]}">'
                f'<span class="cal-who">{escape(capfirst(label))}</span> '
                f'<span class="cal-when">{when}</span></div>'
            )
        parts.extend(self._bookings(shared, column, day))
        return mark_safe("".join(parts))  # noqa: S308 — every value above is escaped or generated here

    def _free(self, shared: _DayMarkup, column: Column) -> str:
        name = escape(column.vehicle.name)
        vehicle_id = column.vehicle.pk
        cells = shared.cells
        links = []
        for position, early_end in column.free:
            head, middle, end_iso, label_head, label_tail = cells[position]
            if early_end is not None:
                end_iso = self.iso(early_end)
            links.append(f"{head}{vehicle_id}{middle}{end_iso}{label_head}{name}{label_tail}")
        return "".join(links)

    def _runs(self, shared: _DayMarkup, column: Column) -> str:
        """One link per free interval, to the booking form at the interval's start; calendar.js moves the start
        to the tapped half-hour. Its words (vehicle, day, times) are read out, not shown."""
        head = f'<a class="cal-free r-%s e-%s" href="{self.links.create}?vehicle={column.vehicle.pk}&amp;start='
        lines, clock, times, day = shared.lines, shared.clock, shared.times, shared.day
        label = self.interval_label % {
            "vehicle": escape(column.vehicle.name),
            "date": shared.date_label,
            "start": "\x00",
            "end": "\x01",
        }
        links = []
        for first, stop, proposed_end in column.runs:
            # The form proposes the usual length by itself; the link says the end only when it comes sooner.
            end_query = ""
            if proposed_end != day.slots[first] + self.length:
                end_query = f"&amp;end={_clock(proposed_end.astimezone(self.tz))}"
            words = label.replace("\x00", times[first]).replace("\x01", times[stop])
            links.append(
                f"{head % (lines[first], lines[stop])}{clock[first]}{end_query}"
                f'"><span class="visually-hidden">{words}</span></a>'
            )
        return "".join(links)

    def _bookings(self, shared: _DayMarkup, column: Column, day: Day) -> list[str]:
        lines = shared.lines
        parts = []
        block_label = ""
        for booking in column.bookings:
            span = day.span(booking.starts_at, booking.ends_at)
            if span is None:
                continue
            if not block_label:
                block_label = self.block_label % {
                    "vehicle": escape(column.vehicle.name),
                    "date": escape(self.labels.day(day.day)),
                }
            if self.dense:
                parts.append(self._dense_booking(booking, lines, span, day, block_label))
                continue
            first, last = span[0], max(span[1], span[0] + 1)
            mine = booking.member_id == self.user_id
            when = self.labels.span(utc(booking.starts_at), utc(booking.ends_at), day)
            parts.append(
                f'<a class="cal-block booking status-{booking.status}{" mine" if mine else ""} '
                f'r-{lines[first]} e-{lines[last]}" href="{self.links.detail(booking.pk)}">'
                f'<span class="visually-hidden">{block_label} </span>'
                f'<span class="cal-when">{escape(when)}</span> '
                f'<span class="cal-who">{self.you if mine else escape(booking.member_name)}</span> '
                f'<span class="cal-status">{self.status_labels[booking.status]}</span></a>'
            )
        return parts

    def _dense_booking(self, booking, lines: list[int], span: tuple[int, int], day: Day, block_label: str) -> str:
        """A booking on a dense grid, in fewer tags: its times and who, and its status in words unless it is
        confirmed (the legend's "Booked")."""
        first, last = span[0], max(span[1], span[0] + 1)
        mine = booking.member_id == self.user_id
        confirmed = booking.status == Booking.Status.CONFIRMED
        when = escape(self.labels.span(utc(booking.starts_at), utc(booking.ends_at), day))
        status = "" if confirmed else f" <i>{self.status_labels[booking.status]}</i>"
        who = self.you if mine else self._names.get(booking.member_name)
        if who is None:
            who = self._names[booking.member_name] = escape(booking.member_name)
        return (
            f'<a class="cal-block booking{"" if confirmed else f" status-{booking.status}"}{" mine" if mine else ""} '
            f'r-{lines[first]} e-{lines[last]}" href="{self.links.detail(booking.pk)}">'
            f'<span class="visually-hidden">{block_label} </span>'
            f"{when} <b>{who}</b>{status}</a>"
        )
