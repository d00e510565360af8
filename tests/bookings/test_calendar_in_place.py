"""The calendar changes in place (issue 12, item 3): its own moves, asked by htmx, get the calendar alone
(with the page's title); anything else, including the browser's history, gets the whole page. Each free cell
says where it ends, so that two taps can choose a range."""

import re
from datetime import datetime
from html import unescape

import pytest

from tests.bookings.test_calendar import NOW, PARIS, at, calendar_url
from tests.factories import book


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_BOOSTED": "true", "HTTP_HX_CURRENT_URL": "http://testserver/"}


def fetch(client, user, url, **headers):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url, **headers)
    assert response.status_code == 200
    return response


def test_a_move_asked_in_place_gets_the_calendar_and_its_title_without_the_page_around_it(
    client, community, vehicle, member, frozen_now
):
    response = fetch(client, member, calendar_url(community, view="day", date="2027-01-18"), **HTMX)
    html = response.content.decode()
    assert "<html" not in html and "<body" not in html and "tab-bar" not in html
    assert re.match(rf"\s*<title>Calendar · {community.name} · Colocauto</title>", html)
    assert html.count('id="calendar"') == 1
    assert "Monday, January 18, 2027" in html or "Monday 18 January 2027" in html
    assert 'class="cal-free' in html
    assert "HX-Request" in response["Vary"]


def test_the_whole_page_is_sent_without_htmx_and_when_the_browser_restores_its_history(
    client, community, vehicle, member, frozen_now
):
    url = calendar_url(community, view="week", date="2027-01-18")
    for headers in ({}, {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}):
        response = fetch(client, member, url, **headers)
        html = response.content.decode()
        assert html.lstrip().startswith("<!DOCTYPE html>")
        assert 'src="/static/vendor/htmx/htmx.min.js"' in html
        assert html.count('id="calendar"') == 1
        assert "HX-Request" in response["Vary"]


def test_only_the_calendars_own_navigation_is_boosted_never_a_slot_or_a_booking(
    client, community, vehicle, member, owner, frozen_now
):
    book(vehicle, owner, at(18, 10), at(18, 12))
    html = fetch(client, member, calendar_url(community, view="day", date="2027-01-18")).content.decode()
    boosted = re.findall(r'<(\w+)[^>]*hx-boost="true"', html)
    assert boosted and set(boosted) <= {"nav", "ul", "p", "h3", "a"}
    for link in re.findall(r"<a [^>]*>", html):
        if "cal-free" in link or "cal-block" in link:
            assert "hx-" not in link


def test_each_free_cell_says_where_it_ends_and_its_link_keeps_the_usual_length(
    client, community, vehicle, member, frozen_now
):
    html = fetch(client, member, calendar_url(community, view="day", date="2027-01-18")).content.decode()
    cells = re.findall(r'<a class="cal-free[^"]*" href="([^"]+)" data-to="([^"]+)"', html)
    assert len(cells) == 48
    href, to = cells[20]  # 10:00, a half-hour cell
    assert "start=2027-01-18T10:00:00%2B01:00" in unescape(href)
    assert "end=2027-01-18T11:00:00%2B01:00" in unescape(href)  # the usual hour, as before
    assert datetime.fromisoformat(to) == at(18, 10, 30)
    assert datetime.fromisoformat(cells[-1][1]) == datetime(2027, 1, 19, 0, 0, tzinfo=PARIS)


def test_the_range_bar_is_offered_with_its_words_on_day_and_week_grids_but_not_on_a_month(
    client, community, vehicle, member, frozen_now
):
    day = fetch(client, member, calendar_url(community, view="day", date="2027-01-18")).content.decode()
    assert 'id="cal-pick" hidden data-what="%(place)s, from %(start)s to %(end)s"' in day
    assert "Book these times" in day
    month = fetch(client, member, calendar_url(community, view="month", date="2027-01-18")).content.decode()
    assert 'id="cal-pick"' not in month
