"""Phone navigation (issue 12, item 1) at 390 × 844 in French: a compact header showing the community, a tab
bar at the bottom with 44px targets, "Plus" opening the other pages without JavaScript; axe finds nothing in
either colour scheme; on a computer the top navigation stays and the tab bar is not there."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import CommunityFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


@pytest.fixture
def jules():
    community = CommunityFactory(name="Les Tilleuls")
    user = UserFactory(email="jules@example.org", display_name="Jules Petit")
    MembershipFactory(community=community, user=user)
    MembershipFactory(community=CommunityFactory(name="Le Hameau"), user=user)
    return user, community


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_phone_has_a_compact_header_and_a_tab_bar(jules, signed_in, live_server, t, scheme):
    user, community = jules
    page = signed_in(user, color_scheme=scheme, **PHONE)
    page.goto(f"{live_server.url}/c/{community.pk}/")

    header = page.locator(".site-header").bounding_box()
    assert header["height"] <= 110, f"the header takes {header['height']}px"
    expect(page.get_by_label(t("Community"), exact=True)).to_have_value(str(community.pk))
    expect(page.get_by_label(t("Community"), exact=True).locator("option:checked")).to_have_text("Les Tilleuls")
    expect(page.locator(".community-nav")).to_be_hidden()

    tabs = page.get_by_role("navigation", name=t("Main tabs"))
    for name in (t("Calendar"), t("My bookings"), t("My account")):
        link = tabs.get_by_role("link", name=name, exact=True)
        box = link.bounding_box()
        assert box["height"] >= 44 and box["y"] + box["height"] <= 844, name
    more = tabs.locator("summary")
    assert more.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    more.click()
    balances = tabs.get_by_role("link", name=t("Balances"), exact=True)
    expect(balances).to_be_in_viewport()
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()

    balances.click()
    expect(page).to_have_url(f"{live_server.url}/c/{community.pk}/ledger/balances/")
    tabs.locator("summary").click()
    expect(tabs.get_by_role("link", name=t("Balances"), exact=True)).to_have_attribute("aria-current", "page")

    page.get_by_role("navigation", name=t("Main tabs")).get_by_role("link", name=t("Calendar"), exact=True).click()
    expect(tabs.get_by_role("link", name=t("Calendar"), exact=True)).to_have_attribute("aria-current", "page")


def test_more_opens_and_switching_community_works_without_javascript(jules, signed_in, live_server, t, browser):
    user, community = jules
    page = signed_in(user, java_script_enabled=False, **PHONE)
    page.goto(f"{live_server.url}/c/{community.pk}/")
    page.get_by_role("navigation", name=t("Main tabs")).locator("summary").click()
    members = page.get_by_role("navigation", name=t("Main tabs")).get_by_role("link", name=t("Members"), exact=True)
    expect(members).to_be_visible()
    page.get_by_label(t("Community"), exact=True).select_option(label="Le Hameau")
    page.get_by_role("button", name=t("Go")).click()
    expect(page.get_by_label(t("Community"), exact=True).locator("option:checked")).to_have_text("Le Hameau")
    expect(page.get_by_role("heading", level=1)).to_have_text("Le Hameau")


def test_a_computer_keeps_the_top_navigation_and_has_no_tab_bar(jules, signed_in, live_server, t):
    user, community = jules
    page = signed_in(user, viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/c/{community.pk}/")
    expect(page.locator(".tab-bar")).to_be_hidden()
    top = page.get_by_role("navigation", name=t.text("Community %(name)s", name="Les Tilleuls"))
    for name in (t("Calendar"), t("My bookings"), t("My account"), t("Balances"), t("Members")):
        expect(top.get_by_role("link", name=name, exact=True)).to_be_visible()
    expect(page.get_by_role("navigation", name=t("Account")).get_by_text("Jules Petit")).to_be_visible()
