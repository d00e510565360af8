"""How the calendar names and links things: localised dates and times, and its URLs, each made once per page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext

from bookings.timegrid import Day
from colocauto.text import date_text


class Labels:
    """Localised dates and times, formatted once per page."""

    def __init__(self, tz: tzinfo):
        self.tz = tz
        self._times: dict[tuple[int, int, str], str] = {}
        self._days: dict[tuple[date, str], str] = {}
        self.all_day = gettext("all day")

    def time(self, local: datetime, *, with_zone: bool = False) -> str:
        zone = (local.tzname() or "") if with_zone else ""
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
                label = f"{formats.date_format(day, 'l')} {date_text(day, 'DATE_FORMAT')}"
            else:
                label = formats.date_format(day, "D j")
            self._days[(day, style)] = label
        return label

    def period(self, start: datetime, end: datetime, day: Day) -> str:
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

    def span(self, start: datetime, end: datetime, day: Day) -> str:
        """``10 a.m.–noon``; a start or end on another day carries that day."""
        parts = []
        for moment, inside in ((start, day.start <= start < day.end), (end, day.start < end <= day.end)):
            local = moment.astimezone(self.tz)
            # A period that runs to the end of the day ends at 24:00, not at "00:00" of that same day.
            text = "24:00" if moment == day.end and inside else self.time(local)
            parts.append(text if inside else f"{self.day(local.date(), 'short')} {text}")
        return "–".join(parts)


class Links:
    """URLs the page needs, reversed once per page rather than once per cell or booking."""

    def __init__(self, community_id: int):
        self.community_id = community_id
        self.create = reverse("booking_create", kwargs={"community_id": community_id})
        self.community = reverse("calendar", kwargs={"community_id": community_id})
        marker = 987654321
        detail = reverse("booking_detail", kwargs={"community_id": community_id, "pk": marker})
        self._detail_prefix, self._detail_suffix = detail.split(str(marker))

    def detail(self, booking_id: int) -> str:
        return f"{self._detail_prefix}{booking_id}{self._detail_suffix}"

    def calendar(self, vehicle_id: int | None, view: str, day: date) -> str:
        base = self.community
        if vehicle_id is not None:
            base = reverse("calendar_vehicle", kwargs={"community_id": self.community_id, "vehicle_id": vehicle_id})
        return f"{base}?view={view}&date={day.isoformat()}"
