"""The week of many vehicles in a real browser (issue 13): one link per free interval; a click or a tap inside
it opens the booking form at the half-hour under the pointer, Enter at the interval's start; the arrow keys
move between intervals and bookings; axe finds no violation on it nor on the phone's day view."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from bookings.calendar import DENSE_WEEK_VEHICLES
from tests.factories import OSCAR, VehicleFactory, book, community_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def fleet():
    """Les Tilleuls with enough vehicles for a dense week; the Clio is first (names sort it first)."""
    community, (owner, jules) = community_of(OSCAR, {"email": "jules@example.org", "display_name": "Jules Petit"})
    car = VehicleFactory(community=community, owner=owner, name="A Clio bleue")
    for n in range(1, DENSE_WEEK_VEHICLES + 1):
        VehicleFactory(community=community, owner=owner, name=f"Vehicle {n:02d}")
    return {"community": community, "car": car, "owner": owner, "jules": jules}


def tomorrow_at(hour: int, minute: int = 0) -> datetime:
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS)


def local_input(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def week_url(live_server, fleet, day) -> str:
    return f"{live_server.url}/c/{fleet['community'].pk}/calendar/?view=week&date={day:%Y-%m-%d}"


def afternoon_interval(page, fleet):
    """Tomorrow's free interval of the Clio after its booking, 12:00 to midnight."""
    link = page.locator(f'a.cal-free[href*="vehicle={fleet["car"].pk}&start={local_input(tomorrow_at(12))}"]')
    expect(link).to_have_count(1)
    return link


def point_at(link, rows_down: int) -> dict:
    """The middle of the ``rows_down``-th half-hour row of a free interval, relative to the link."""
    box = link.bounding_box()
    rows = 24  # 12:00 to 24:00
    return {"x": box["width"] / 2, "y": (rows_down + 0.5) * box["height"] / rows}


def test_a_click_inside_a_free_interval_opens_the_form_at_the_half_hour_clicked(fleet, signed_in, live_server, t):
    book(fleet["car"], fleet["owner"], tomorrow_at(8), tomorrow_at(12))
    page = signed_in(fleet["jules"])
    page.goto(week_url(live_server, fleet, tomorrow_at(12).date()))
    interval = afternoon_interval(page, fleet)
    interval.scroll_into_view_if_needed()

    interval.click(position=point_at(interval, 5))  # the 6th half-hour from noon: 14:30

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(page.get_by_label(t.label("Vehicle"))).to_have_value(str(fleet["car"].pk))
    expect(page.get_by_label(t.label("Start"))).to_have_value(local_input(tomorrow_at(14, 30)))
    expect(page.get_by_label(t.label("End"))).to_have_value(local_input(tomorrow_at(15, 30)))


def test_a_tap_at_the_end_of_an_interval_proposes_a_booking_cut_at_its_end(fleet, signed_in, live_server, t):
    book(fleet["car"], fleet["owner"], tomorrow_at(8), tomorrow_at(12))
    book(fleet["car"], fleet["owner"], tomorrow_at(15), tomorrow_at(23))
    phone = signed_in(fleet["jules"], **PHONE)
    phone.goto(week_url(live_server, fleet, tomorrow_at(12).date()))
    interval = phone.locator(f'a.cal-free[href*="vehicle={fleet["car"].pk}&start={local_input(tomorrow_at(12))}"]')
    interval.scroll_into_view_if_needed()
    box = interval.bounding_box()

    interval.tap(position={"x": box["width"] / 2, "y": box["height"] * 5.5 / 6})  # 14:30, the last half-hour

    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(phone.get_by_label(t.label("Start"))).to_have_value(local_input(tomorrow_at(14, 30)))
    expect(phone.get_by_label(t.label("End"))).to_have_value(local_input(tomorrow_at(15)))


def test_enter_on_a_free_interval_opens_the_form_at_its_start(fleet, signed_in, live_server, t):
    book(fleet["car"], fleet["owner"], tomorrow_at(8), tomorrow_at(12))
    page = signed_in(fleet["jules"])
    page.goto(week_url(live_server, fleet, tomorrow_at(12).date()))
    target = afternoon_interval(page, fleet)
    wanted = target.text_content().strip()

    # After the Clio's name, Tab passes the day links of the week's columns up to the first one with an item
    # (past days have none: how many depends on the weekday the test runs), then stops on the grid's one item
    # in the Tab order; the arrow keys then walk to tomorrow's afternoon interval.
    page.get_by_role("link", name="A Clio bleue", exact=True).focus()
    for _ in range(8):  # seven day links at most, then the item
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.cal-slots a')"):
            break
    assert page.evaluate("document.activeElement.matches('.cal-slots a')")
    assert f"vehicle={fleet['car'].pk}&" in page.evaluate("document.activeElement.href")
    column_of = "(el => [...el.closest('.cal-body').querySelectorAll('.cal-col')].indexOf(el.closest('.cal-col')))"
    wanted_column = target.evaluate(f"el => {column_of}(el)")
    names = [page.evaluate("document.activeElement.textContent.trim()")]
    # ArrowRight moves a day on, ArrowDown to the next item down the same day.
    for _ in range(7):
        if page.evaluate(f"{column_of}(document.activeElement)") >= wanted_column:
            break
        page.keyboard.press("ArrowRight")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    for _ in range(6):
        if names[-1] == wanted:
            break
        page.keyboard.press("ArrowDown")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names[-1] == wanted, names
    # Within each vehicle's grid only one item is in the Tab order.
    per_grid = "[...document.querySelectorAll('.cal-body')].map(b => b.querySelectorAll('a[tabindex=\"0\"]').length)"
    assert page.evaluate(per_grid) == [1] * (DENSE_WEEK_VEHICLES + 1)

    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(page.get_by_label(t.label("Start"))).to_have_value(local_input(tomorrow_at(12)))
    expect(page.get_by_label(t.label("End"))).to_have_value(local_input(tomorrow_at(13)))


def test_axe_finds_no_violation_on_the_dense_week_nor_on_the_phone_day_view(fleet, signed_in, live_server):
    book(fleet["car"], fleet["owner"], tomorrow_at(8), tomorrow_at(12))
    page = signed_in(fleet["jules"])
    page.goto(week_url(live_server, fleet, tomorrow_at(12).date()))
    expect(page.locator(".cal-dense")).to_have_count(DENSE_WEEK_VEHICLES + 1)
    week = Axe().run(page)
    assert week.violations_count == 0, week.generate_report()

    phone = signed_in(fleet["jules"], **PHONE)
    phone.goto(f"{live_server.url}/c/{fleet['community'].pk}/calendar/?view=day&date={tomorrow_at(12):%Y-%m-%d}")
    expect(phone.locator(".cal-col")).to_have_count(DENSE_WEEK_VEHICLES + 1)
    day = Axe().run(phone)
    assert day.violations_count == 0, day.generate_report()
