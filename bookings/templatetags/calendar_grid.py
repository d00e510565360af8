"""Markup of the calendar's time grids, drawn from ``bookings.calendar.Column`` data.

A week of 30 vehicles has thousands of cells, so they are written with plain string formatting instead of
one template loop iteration each, which costs about ten times more. Each free cell's markup (the
``<a class="cal-free …">`` link with its visually hidden label) is prepared once per day with every value
escaped; a vehicle only fills in its id, its name and the proposed end. Every interpolated text is escaped.
"""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

from bookings.calendar import CalendarPage, Column
from bookings.models import Booking
from bookings.timegrid import Day, utc

register = template.Library()


@register.simple_tag
def calendar_column(cal: CalendarPage, column: Column) -> SafeString:
    """The content of one column of a grid: gaps, past hours, free cells, unavailable periods, bookings."""
    markup = cal.__dict__.get("_markup")
    if markup is None:
        markup = cal.__dict__["_markup"] = _GridMarkup(cal)
    return markup.column(column)


class _DayMarkup:
    """What every vehicle's column of one day shares: grid lines, gaps, and each cell's link pieces."""

    def __init__(self, grid: _GridMarkup, column: Column):
        day = column.timeline
        self.lines = lines = grid.axis.lines(day)
        self.gaps = "".join(f'<span class="cal-gap r-{start} e-{end}"></span>' for start, end in grid.axis.gaps(day))
        labels = grid.labels
        date_label = escape(labels.day(day.day))
        self.cells: list[tuple[str, str, str, str, str]] = []
        for index, stop, start, _end, default_end in column.cells:
            local = day.locals[index]
            time_label = escape(labels.time(local, with_zone=day.is_repeated(local)))
            label = grid.book_label % {"vehicle": "\x00", "date": date_label, "time": time_label}
            label_head, _, label_tail = label.partition("\x00")
            self.cells.append(
                (
                    f'<a class="cal-free r-{lines[index]} e-{lines[stop]}" href="{grid.links.create}?vehicle=',
                    f"&amp;start={grid.iso(start)}&amp;end=",
                    grid.iso(default_end),
                    f'"><span class="visually-hidden">{label_head}',
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
        self.book_label = escape(gettext("Book %(vehicle)s on %(date)s at %(time)s"))
        # Read out before a booking block's visible text, which names neither the vehicle nor the day.
        self.block_label = escape(gettext("%(vehicle)s, %(date)s,"))
        self.status_labels = {value: escape(label) for value, label in Booking.Status.choices}
        self.you = escape(gettext("You"))
        self._days: dict[object, _DayMarkup] = {}

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
        for start, end, label in column.unavailable:
            span = day.span(start, end)
            if span is None or span[1] <= span[0]:
                continue
            parts.append(
                f'<div class="cal-block unavailable r-{lines[span[0]]} e-{lines[span[1]]}">'
                f'<span class="cal-who">{escape(capfirst(label))}</span> '
                f'<span class="cal-when">{escape(self.labels.period(utc(start), utc(end), day))}</span></div>'
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
