"""The calendar on a phone (issue 12, item 3) at 390 × 844 in French: the tab bar's "Calendrier" opens today's
day view in one page load, no redirect, scrolled to the current hour, every free slot a 44px target."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_bookings_flow import PARIS, PHONE
from tests.factories import OSCAR, VehicleFactory, community_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maya():
    community, (owner, user) = community_of(
        OSCAR, {"email": "maya@example.org", "display_name": "Maya Roux"}, min_notice=timezone.timedelta(0)
    )
    VehicleFactory(community=community, owner=owner, name="Clio bleue")
    VehicleFactory(community=community, owner=owner, name="Kangoo")
    return user, community


@pytest.mark.parametrize("javascript", [True, False])
def test_the_tab_bar_opens_today_at_the_current_hour_in_one_page_load(maya, signed_in, live_server, t, javascript):
    user, community = maya
    page = signed_in(user, java_script_enabled=javascript, **PHONE)
    page.goto(f"{live_server.url}/c/{community.pk}/")
    documents = []
    page.on("response", lambda r: documents.append(r) if r.request.resource_type == "document" else None)

    page.get_by_role("navigation", name=t("Main tabs")).get_by_role("link", name=t("Calendar"), exact=True).click()
    toolbar = page.get_by_role("navigation", name=t("Calendar navigation"))
    expect(toolbar.get_by_role("link", name=t("Day"), exact=True)).to_have_attribute("aria-current", "page")
    page.wait_for_load_state("load")
    assert [(r.status, r.request.redirected_from) for r in documents] == [(200, None)]
    assert "view=" not in page.url

    now_label = page.locator("#now")
    hour = timezone.now().astimezone(PARIS).hour
    expect(now_label).to_have_text(f"{hour:02d}:00")
    expect(now_label).to_be_in_viewport()
    if hour >= 3:  # the top of the page (and midnight) scrolled out of sight
        expect(page.get_by_role("heading", level=1)).not_to_be_in_viewport()

    toolbar.get_by_role("link", name=t("Next day")).click()  # a whole free day, whatever the hour now
    free = page.locator("a.cal-free")
    expect(free).to_have_count(2 * 48)
    for index in range(0, 2 * 48, 7):
        assert free.nth(index).bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if javascript:
        result = Axe().run(page)
        assert result.violations_count == 0, result.generate_report()
