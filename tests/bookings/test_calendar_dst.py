"""Daylight-saving days in Europe/Paris: 29 March 2026 has 23 hours, 25 October 2026 has 25."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings import timegrid
from tests.factories import book
from tests.helpers import page

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def frozen_now(time_machine, community):
    """Early January 2026, with bookings allowed a year ahead, so both DST days are bookable."""
    community.max_advance = timedelta(days=365)
    community.save()
    time_machine.move_to(datetime(2026, 1, 2, 12, 0, tzinfo=UTC), tick=False)


def day_page(client, user, community, vehicle, day, view="day"):
    url = reverse("calendar_vehicle", kwargs={"community_id": community.pk, "vehicle_id": vehicle.pk})
    return page(client, user, url, {"view": view, "date": day})


def slot_starts(html: str, day: str) -> list[str]:
    starts = []
    for href in re.findall(r'<a class="cal-free[^"]*" href="([^"]+)"', html):
        start = parse_qs(urlsplit(unescape(href)).query)["start"][0]
        if start.startswith(day):
            starts.append(start)
    return starts


def test_day_bounds_follow_local_midnights():
    for day, hours in ((date(2026, 3, 29), 23), (date(2026, 10, 25), 25), (date(2026, 6, 1), 24)):
        start, end = timegrid.day_bounds(day, PARIS)
        assert end - start == timedelta(hours=hours)
        assert start.astimezone(PARIS).hour == 0 and end.astimezone(PARIS).hour == 0


def test_spring_forward_day_has_23_hours_and_no_2_am(client, community, vehicle, member, frozen_now):
    html = day_page(client, member, community, vehicle, "2026-03-29")
    starts = slot_starts(html, "2026-03-29")
    assert len(starts) == 46
    assert starts[3:6] == ["2026-03-29T01:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T03:30:00+02:00"]
    assert not any("T02:" in start for start in starts)
    assert "rows-46" in html


def test_fall_back_day_has_25_hours_and_2_am_twice(client, community, vehicle, member, frozen_now):
    html = day_page(client, member, community, vehicle, "2026-10-25")
    starts = slot_starts(html, "2026-10-25")
    assert len(starts) == 50
    assert starts[4:8] == [
        "2026-10-25T02:00:00+02:00",
        "2026-10-25T02:30:00+02:00",
        "2026-10-25T02:00:00+01:00",
        "2026-10-25T02:30:00+01:00",
    ]
    # Each slot proposes one real hour: the first 02:30 ends at the second 02:30.
    assert "start=2026-10-25T02:30:00%2B02:00&amp;end=2026-10-25T02:30:00%2B01:00" in html
    # The repeated hour is told apart on the time axis.
    assert "02:00 CEST" in html and "02:00 CET" in html


def test_booking_across_the_repeated_hour_is_drawn_over_four_hours_of_rows(
    client, community, vehicle, owner, member, frozen_now
):
    book(vehicle, owner, datetime(2026, 10, 25, 1, 0, tzinfo=PARIS), datetime(2026, 10, 25, 4, 0, tzinfo=PARIS))
    for view in ("day", "week"):
        html = day_page(client, member, community, vehicle, "2026-10-25", view=view)
        # 01:00 starts line 3; 04:00 starts line 11 because 02:00–03:00 is there twice. 4 real hours, 8 rows.
        block = re.search(r'class="cal-block booking status-confirmed r-(\d+) e-(\d+)"[^>]*>(.*?)</a>', html)
        assert block and block.group(1, 2) == ("3", "11"), view
        assert "01:00–04:00" in block.group(3)
        starts = slot_starts(html, "2026-10-25")
        assert "2026-10-25T00:30:00+02:00" in starts and "2026-10-25T04:00:00+01:00" in starts
        assert not [s for s in starts if "T01:" in s or "T02:" in s or "T03:" in s]


def test_spring_week_keeps_other_days_at_24_hours_and_marks_the_missing_hour(
    client, community, vehicle, owner, member, frozen_now
):
    book(vehicle, owner, datetime(2026, 3, 29, 1, 0, tzinfo=PARIS), datetime(2026, 3, 29, 4, 0, tzinfo=PARIS))
    html = day_page(client, member, community, vehicle, "2026-03-29", view="week")
    assert len(slot_starts(html, "2026-03-28")) == 48
    assert len(slot_starts(html, "2026-03-29")) == 46 - 4  # 01:00–04:00 is two real hours that day
    assert "rows-48" in html
    # On Sunday the 02:00 and 02:30 rows do not exist: one gap, lines 5 to 7.
    assert html.count('<span class="cal-gap r-5 e-7"></span>') == 1
    block = re.search(r'class="cal-block booking status-confirmed r-(\d+) e-(\d+)"', html)
    assert block.group(1, 2) == ("3", "9")


def test_fall_week_gives_the_other_days_a_gap_for_the_repeated_hour(client, community, vehicle, member, frozen_now):
    html = day_page(client, member, community, vehicle, "2026-10-21", view="week")
    assert "rows-50" in html
    # Monday 19 to Saturday 24 have no second 02:00: six gaps on lines 7 to 9.
    assert html.count('<span class="cal-gap r-7 e-9"></span>') == 6
    assert len(slot_starts(html, "2026-10-24")) == 48
    assert len(slot_starts(html, "2026-10-25")) == 50
