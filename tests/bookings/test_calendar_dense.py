"""The week of many vehicles (issue 13): one link per free interval, a page of vehicles at a time, and the
booking form that a link without an end opens with the usual length."""

import re
from datetime import date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.calendar import DENSE_WEEK_VEHICLES, WEEK_VEHICLES_PER_PAGE
from bookings.timegrid import SLOT, Axis, Day, free_cells, free_runs, run_joins
from tests.bookings.test_calendar import at, calendar_url, free_slot_links, get
from tests.factories import VehicleFactory, book

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 1, 15, 9, 10, tzinfo=PARIS)  # Friday 15 January 2027, 09:10 in Paris


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def fleet(community, vehicle):
    """As many vehicles as make the community week dense: the Clio first (names sort it first)."""
    vehicle.name = "A Clio"
    vehicle.save(update_fields=["name"])
    return [vehicle] + [
        VehicleFactory(community=community, name=f"Vehicle {n:02d}") for n in range(1, DENSE_WEEK_VEHICLES)
    ]


def interval_links(html: str, vehicle) -> list[tuple[str, str, str]]:
    """(row classes, href, read-out name) of each free-interval link of ``vehicle``."""
    found = re.findall(
        r'<a class="cal-free (r-\d+ e-\d+)" href="([^"]+)"><span class="visually-hidden">([^<]+)</span>', html
    )
    return [
        (rows, unescape(href), unescape(name))
        for rows, href, name in found
        if f"vehicle={vehicle.pk}&" in unescape(href)
    ]


def test_a_week_of_many_vehicles_links_each_free_interval_once(client, community, fleet, owner, member, frozen_now):
    clio = fleet[0]
    book(clio, owner, at(16, 10), at(16, 12))
    html = get(client, member, calendar_url(community, view="week", date="2027-01-16"))
    assert html.count('<section class="cal-grid cal-compact cal-dense">') == DENSE_WEEK_VEHICLES
    saturday = [link for link in interval_links(html, clio) if "start=2027-01-16" in link[1]]
    create = reverse("booking_create", kwargs={"community_id": community.pk})
    assert saturday == [
        (
            "r-1 e-21",
            f"{create}?vehicle={clio.pk}&start=2027-01-16T00:00",
            "Book A Clio on Saturday 16 January 2027 from 00:00 to 10:00",
        ),
        (
            "r-25 e-49",
            f"{create}?vehicle={clio.pk}&start=2027-01-16T12:00",
            "Book A Clio on Saturday 16 January 2027 from 12:00 to 24:00",
        ),
    ]
    # Friday: from the first half-hour after "now" (09:10) to midnight, in one link.
    friday = [link for link in interval_links(html, clio) if "start=2027-01-15" in link[1]]
    assert [(rows, href[-16:]) for rows, href, _name in friday] == [("r-20 e-49", "2027-01-15T09:30")]
    # Instead of 24 hour links a free day has one: Friday to Sunday in every grid, and the Clio's Saturday twice.
    assert len(free_slot_links(html)) == DENSE_WEEK_VEHICLES * 3 + 1


def test_an_interval_shorter_than_a_usual_booking_links_its_end(client, community, fleet, owner, member, frozen_now):
    clio = fleet[0]
    book(clio, owner, at(16, 9), at(16, 10))
    book(clio, owner, at(16, 10, 30), at(16, 12))
    html = get(client, member, calendar_url(community, view="week", date="2027-01-16"))
    hrefs = [href for _rows, href, _name in interval_links(html, clio)]
    assert any(href.endswith("start=2027-01-16T10:00&end=2027-01-16T10:30") for href in hrefs), hrefs


def test_a_booking_on_a_dense_week_says_who_when_and_a_status_other_than_confirmed(
    client, community, fleet, owner, member, frozen_now
):
    from bookings.models import Booking

    clio = fleet[0]
    book(clio, owner, at(16, 10), at(16, 12), status=Booking.Status.REQUESTED)
    book(clio, member, at(16, 14), at(16, 15))
    html = get(client, member, calendar_url(community, view="week", date="2027-01-16"))
    blocks = [
        re.sub(r"<[^>]+>", "|", block)
        for block in re.findall(r'<a class="cal-block booking[^"]*" href="[^"]+">(.*?)</a>', html)
    ]
    assert blocks == [
        "|A Clio, Saturday 16 January 2027, |10:00–12:00 |Oscar Owner| |Requested|",
        "|A Clio, Saturday 16 January 2027, |14:00–15:00 |You|",
    ]


def test_the_booking_form_proposes_the_usual_length_when_the_link_gives_no_end(client, community, vehicle, member):
    url = reverse("booking_create", kwargs={"community_id": community.pk})
    html = get(client, member, f"{url}?vehicle={vehicle.pk}&start=2027-01-16T12:00")
    assert 'value="2027-01-16T12:00"' in html and 'value="2027-01-16T13:00"' in html
    community.max_duration = timedelta(minutes=30)
    community.save()
    html = get(client, member, f"{url}?vehicle={vehicle.pk}&start=2027-01-16T12:00")
    assert 'value="2027-01-16T12:30"' in html


def test_a_week_of_a_large_fleet_shows_a_page_of_vehicles_at_a_time(
    client, community, fleet, owner, member, frozen_now
):
    more = [
        VehicleFactory(community=community, name=f"Vehicle {n:02d}")
        for n in range(DENSE_WEEK_VEHICLES, WEEK_VEHICLES_PER_PAGE + 2)
    ]
    last = more[-1]
    book(last, owner, at(16, 10), at(16, 12))
    first_page = get(client, member, calendar_url(community, view="week", date="2027-01-16"))
    assert first_page.count('<section class="cal-grid') == WEEK_VEHICLES_PER_PAGE
    assert last.name not in first_page and "Oscar Owner" not in first_page
    pager = re.search(r'<nav class="cal-pager" aria-label="Vehicles shown">(.*?)</nav>', first_page, re.S).group(1)
    assert re.findall(r'href="([^"]+)"( aria-current="page")?>([^<]+)</a>', pager) == [
        ("?view=week&amp;date=2027-01-11&amp;page=1", ' aria-current="page"', "Vehicles 1–10"),
        ("?view=week&amp;date=2027-01-11&amp;page=2", "", f"Vehicles 11–{WEEK_VEHICLES_PER_PAGE + 2}"),
    ]
    second_page = get(client, member, calendar_url(community, view="week", date="2027-01-16", page=2))
    assert second_page.count('<section class="cal-grid') == 2
    assert last.name in second_page and "Oscar Owner" in second_page
    # The previous and next weeks stay on this page of vehicles; a page past the last shows the last.
    assert 'rel="next" href="?view=week&amp;date=2027-01-18&amp;page=2"' in second_page
    assert (
        get(client, member, calendar_url(community, view="week", date="2027-01-16", page=9)).count(
            '<section class="cal-grid'
        )
        == 2
    )
    assert (
        get(client, member, calendar_url(community, view="week", date="2027-01-16", page="x")).count(
            '<section class="cal-grid'
        )
        == WEEK_VEHICLES_PER_PAGE
    )


@pytest.mark.parametrize("page", [1, 2])
def test_a_page_of_a_large_fleet_runs_as_many_queries_with_2_as_with_200_bookings(
    client, community, fleet, owner, member, frozen_now, page
):
    vehicles = fleet + [
        VehicleFactory(community=community, name=f"Vehicle {n:02d}")
        for n in range(DENSE_WEEK_VEHICLES, WEEK_VEHICLES_PER_PAGE + 2)
    ]
    client.force_login(member)
    url = calendar_url(community, view="week", date="2027-01-18", page=page)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured.captured_queries)

    book(vehicles[-1], owner, at(18, 10), at(18, 11))
    book(vehicles[0], owner, at(18, 10), at(18, 11))
    few = queries()
    for n in range(200):
        vehicle = vehicles[n % len(vehicles)]
        start = at(19, 0) + timedelta(minutes=30 * (n // len(vehicles)))
        book(vehicle, owner, start, start + SLOT)
    assert queries() == few


def test_free_intervals_stop_where_the_clock_repeats_or_the_grid_has_rows_the_day_lacks():
    # Sunday 25 October 2026, Paris: 02:00–03:00 happens twice. The week's grid has rows for both passes.
    days = [Day(date(2026, 10, 19) + timedelta(days=n), PARIS) for n in range(7)]
    axis = Axis(days)
    start, end = days[0].start, days[-1].end
    for day, expected in ((days[6], [(0, 6), (6, 50)]), (days[0], [(0, 6), (6, 48)])):
        cells = day.cells(steps=1, length=timedelta(hours=1))
        free = free_cells(cells, busy=[], earliest=start, latest=end)
        runs = free_runs(run_joins(day, axis.lines(day)), cells, free)
        assert [(first, stop) for first, stop, _end in runs] == expected
