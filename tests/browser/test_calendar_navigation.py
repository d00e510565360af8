"""The calendar on a phone (issue 12, item 3), at 390 × 844 in French: a range chosen by tapping a start and an
end, or by dragging; days and weeks that change in place (htmx), keeping the scroll, the focus and the URL; and
without JavaScript, the same calendar as ordinary pages."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import formats, translation
from playwright.sync_api import expect

from bookings.models import Booking
from tests.browser.test_bookings_flow import PHONE, free_slot_name, local_input, tomorrow_at
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maya():
    community = CommunityFactory(name="Les Tilleuls")
    owner = UserFactory(email="oscar@example.org", display_name="Oscar Renard")
    user = UserFactory(email="maya@example.org", display_name="Maya Roux")
    for person in (owner, user):
        MembershipFactory(community=community, user=person)
    car = VehicleFactory(community=community, owner=owner, name="Clio bleue")
    return user, community, car


def day_url(live_server, community, moment) -> str:
    return f"{live_server.url}/c/{community.pk}/calendar/?view=day&date={moment:%Y-%m-%d}"


def period(moment) -> str:
    with translation.override("fr"):
        return f"{formats.date_format(moment.date(), 'l')} {formats.date_format(moment.date(), 'DATE_FORMAT')}"


def test_on_a_phone_two_taps_choose_a_range_and_the_bar_books_exactly_those_times(maya, signed_in, live_server, t):
    user, community, car = maya
    start = tomorrow_at(16)
    phone = signed_in(user, **PHONE)
    phone.goto(day_url(live_server, community, start))

    phone.get_by_role("link", name=free_slot_name("Clio bleue", start), exact=True).tap()
    bar = phone.locator("#cal-pick")
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("Clio bleue")
    expect(bar).to_contain_text("16:00")
    expect(bar).to_contain_text("17:00")  # one cell alone: the usual hour, as its link always offered
    expect(phone.locator("a.cal-sel")).to_have_count(1)

    # The end: the half-hour starting at 18:30, so the range runs to 19:00.
    phone.get_by_role(
        "link", name=free_slot_name("Clio bleue", start + timedelta(hours=2, minutes=30)), exact=True
    ).tap()
    expect(phone.locator("a.cal-sel")).to_have_count(6)
    expect(bar).to_contain_text("16:00")
    expect(bar).to_contain_text("19:00")
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] <= 844, "the bar is off the screen"
    phone.screenshot(path="/tmp/colocauto-calendar-range.png")
    result = Axe().run(phone)
    assert result.violations_count == 0, result.generate_report()

    bar.get_by_role("link", name=t("Book these times")).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(phone.get_by_label(t.label("Start"))).to_have_value(local_input(start))
    expect(phone.get_by_label(t.label("End"))).to_have_value(local_input(start + timedelta(hours=3)))
    phone.get_by_role("button", name=t("Book"), exact=True).click()
    booking = Booking.objects.get(member=user)
    assert (booking.starts_at, booking.ends_at) == (start, start + timedelta(hours=3))


def test_with_a_mouse_a_drag_across_free_cells_chooses_the_range_and_cancel_forgets_it(maya, signed_in, live_server, t):
    user, community, car = maya
    start = tomorrow_at(10)
    page = signed_in(user)
    page.goto(day_url(live_server, community, start))
    first = page.get_by_role("link", name=free_slot_name("Clio bleue", start), exact=True)
    last = page.get_by_role(
        "link", name=free_slot_name("Clio bleue", start + timedelta(hours=1, minutes=30)), exact=True
    )
    first.scroll_into_view_if_needed()
    a, b = first.bounding_box(), last.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + 2, steps=8)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=2)
    page.mouse.up()
    bar = page.locator("#cal-pick")
    expect(bar).to_contain_text("10:00")
    expect(bar).to_contain_text("12:00")
    expect(page.locator("a.cal-sel")).to_have_count(4)
    expect(page).to_have_url(day_url(live_server, community, start))  # the drag followed no link

    bar.get_by_role("button", name=t("Cancel")).click()
    expect(bar).to_be_hidden()
    expect(page.locator("a.cal-sel")).to_have_count(0)


def test_days_change_in_place_keeping_the_scroll_and_focus_and_the_back_button_works(maya, signed_in, live_server, t):
    user, community, car = maya
    tomorrow = tomorrow_at(12)
    phone = signed_in(user, **PHONE)
    phone.goto(day_url(live_server, community, tomorrow))
    phone.evaluate("window.stillTheSamePage = true")
    documents = []
    phone.on("request", lambda r: documents.append(r.url) if r.resource_type == "document" else None)
    toolbar = phone.get_by_role("navigation", name=t("Calendar navigation"))
    phone.evaluate("window.scrollTo(0, 60)")

    toolbar.get_by_role("link", name=t("Next day")).click()
    day_after = tomorrow + timedelta(days=1)
    expect(phone.locator(".cal-period")).to_have_text(period(day_after)[:1].upper() + period(day_after)[1:])
    expect(phone).to_have_url(day_url(live_server, community, day_after))
    assert phone.evaluate("window.stillTheSamePage") is True, "the page was reloaded"
    assert documents == []
    assert phone.evaluate("window.scrollY") == 60
    expect(toolbar.get_by_role("link", name=t("Next day"))).to_be_focused()
    expect(phone.get_by_role("link", name=free_slot_name("Clio bleue", day_after), exact=True)).to_have_count(1)
    assert "Calendrier" in phone.title()

    # The week, then back twice: the browser's history holds each place, each a whole page again.
    toolbar.get_by_role("link", name=t("Week"), exact=True).click()
    expect(toolbar.get_by_role("link", name=t("Week"), exact=True)).to_have_attribute("aria-current", "page")
    phone.go_back()
    expect(phone).to_have_url(day_url(live_server, community, day_after))
    expect(phone.locator(".cal-period")).to_have_text(period(day_after)[:1].upper() + period(day_after)[1:])
    expect(phone.get_by_role("link", name=free_slot_name("Clio bleue", day_after), exact=True)).to_have_count(1)


def test_without_javascript_the_same_links_are_whole_pages_and_a_tap_on_a_cell_opens_the_form(
    maya, signed_in, live_server, t
):
    user, community, car = maya
    start = tomorrow_at(9)
    phone = signed_in(user, java_script_enabled=False, **PHONE)
    phone.goto(day_url(live_server, community, start - timedelta(days=1)))
    phone.get_by_role("navigation", name=t("Calendar navigation")).get_by_role("link", name=t("Next day")).click()
    expect(phone).to_have_url(day_url(live_server, community, start))
    expect(phone.locator("#cal-pick")).to_be_hidden()
    phone.get_by_role("link", name=free_slot_name("Clio bleue", start), exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(phone.get_by_label(t.label("Start"))).to_have_value(local_input(start))
    expect(phone.get_by_label(t.label("End"))).to_have_value(local_input(start + timedelta(hours=1)))
