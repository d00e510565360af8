"""The calendar on a phone (issue 12): the day view comes from the server when no view was chosen, with no
script redirecting; today's day view marks the current hour as "#now", which the tab bar and "Today" link to."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bookings.calendar import calendar_page
from bookings.calendar_views import is_phone
from communities.models import Membership
from tests.bookings.test_calendar import IPHONE_AGENT, NOW, PHONE_AGENT, calendar_url, get

PARIS = ZoneInfo("Europe/Paris")
CALENDAR_JS = Path(__file__).resolve().parents[2] / "static" / "js" / "calendar.js"
DESKTOP_AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def current_view(html: str) -> str:
    return re.search(r'<a href="\?view=(\w+)&amp;date=[-\d]+" aria-current="page">', html).group(1)


@pytest.mark.parametrize(
    ("headers", "phone"),
    [
        ({"HTTP_USER_AGENT": PHONE_AGENT, "HTTP_SEC_CH_UA_MOBILE": "?1"}, True),
        ({"HTTP_USER_AGENT": IPHONE_AGENT}, True),  # Safari sends no client hint
        ({"HTTP_USER_AGENT": DESKTOP_AGENT, "HTTP_SEC_CH_UA_MOBILE": "?0"}, False),
        ({"HTTP_USER_AGENT": DESKTOP_AGENT}, False),
        ({}, False),
    ],
)
def test_a_phone_that_chose_no_view_gets_the_day_from_the_server(
    client, community, vehicle, member, frozen_now, headers, phone
):
    client.defaults.update(headers)
    response_html = get(client, member, calendar_url(community))
    assert current_view(response_html) == ("day" if phone else "week")
    assert "location.replace" not in CALENDAR_JS.read_text()  # no script sends it elsewhere
    response = client.get(calendar_url(community))
    assert {"Sec-CH-UA-Mobile", "User-Agent"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_chosen_view_varies_with_nothing_but_the_session(client, community, vehicle, member, frozen_now):
    client.defaults["HTTP_USER_AGENT"] = IPHONE_AGENT
    get(client, member, calendar_url(community, view="month"))
    response = client.get(calendar_url(community, view="month"))
    assert "User-Agent" not in response.get("Vary", "")
    assert 'aria-current="page">Month<' in response.content.decode()


def test_is_phone_reads_the_client_hint_or_the_user_agent(rf):
    assert is_phone(rf.get("/", HTTP_SEC_CH_UA_MOBILE="?1"))
    assert is_phone(rf.get("/", HTTP_USER_AGENT=IPHONE_AGENT))
    assert not is_phone(rf.get("/", HTTP_SEC_CH_UA_MOBILE="?0", HTTP_USER_AGENT=DESKTOP_AGENT))


def test_today_s_day_view_marks_the_current_hour_once(client, community, vehicle, member, frozen_now):
    html = get(client, member, calendar_url(community, view="day"))
    assert html.count('id="now"') == 1
    label = re.search(r'<span class="cal-hour (r-\d+)" id="now">([^<]+)</span>', html)
    assert label.group(2) == "09:00"  # it is 09:10
    assert label.group(1) == "r-19"  # the 19th half-hour row starts at 09:00
    assert '<a class="button small secondary" href="?view=day#now">Today</a>' in html


@pytest.mark.parametrize("params", [{"view": "day", "date": "2027-01-16"}, {"view": "week"}, {"view": "month"}])
def test_no_current_hour_on_another_day_nor_in_a_week(client, community, vehicle, member, frozen_now, params):
    html = get(client, member, calendar_url(community, **params))
    assert 'id="now"' not in html


def test_the_repeated_hour_of_the_autumn_clock_change_is_current_once(community, vehicle, member):
    membership = Membership.objects.get(community=community, user=member)
    for now, row in ((datetime(2026, 10, 25, 0, 40), 5), (datetime(2026, 10, 25, 1, 40), 7)):  # UTC
        # 02:40 summer time, then 02:40 winter time: the first 02:00 (rows 5-6), then the second (rows 7-8).
        page = calendar_page(membership=membership, view="day", day=now.date(), now=now.replace(tzinfo=ZoneInfo("UTC")))
        current = [hour for hour in page.hours if hour.now]
        assert [hour.css for hour in current] == [f"r-{row}"]
