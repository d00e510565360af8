"""A new community's admin, in French on a phone and a computer: the setup checklist and the empty lists lead to the
next action, and axe finds nothing on them in either colour scheme (issue 12, item 11)."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from communities import services
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
COMPUTER = {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def founder():
    user = UserFactory(email="fanny@example.org", display_name="Fanny Fondatrice")
    community = services.community_create(
        user=user, data={"name": "Les Érables", "municipality": "Crest", "postal_code": "26400"}
    )
    return user, community


def assert_no_violations(page):
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", [PHONE, COMPUTER], ids=["phone", "computer"])
def test_a_new_admin_follows_the_checklist_and_the_empty_lists(founder, signed_in, live_server, t, scheme, screen):
    user, community = founder
    page = signed_in(user, color_scheme=scheme, **screen)
    page.goto(f"{live_server.url}/c/{community.pk}/")

    checklist = page.get_by_role("region", name=t("Set up your community"))
    expect(checklist).to_contain_text(t.text("%(done)s of %(total)s done", done=0, total=4))
    assert_no_violations(page)

    page.goto(f"{live_server.url}/c/{community.pk}/members/")
    assert_no_violations(page)
    page.get_by_role("main").get_by_role("link", name=t("Invite neighbours")).click()
    expect(page).to_have_url(f"{live_server.url}/c/{community.pk}/invitations/")
    assert_no_violations(page)

    page.goto(f"{live_server.url}/c/{community.pk}/vehicles/")
    assert_no_violations(page)
    page.get_by_role("link", name=t("Add the first vehicle")).click()
    expect(page).to_have_url(f"{live_server.url}/c/{community.pk}/vehicles/new/")


def test_hiding_the_list_takes_one_tap(founder, signed_in, live_server, t):
    user, community = founder
    page = signed_in(user, **PHONE)
    page.goto(f"{live_server.url}/c/{community.pk}/")
    page.get_by_role("button", name=t("Hide this list")).click()
    expect(page.get_by_text(t("The setup list is hidden."))).to_be_visible()
    expect(page.get_by_role("region", name=t("Set up your community"))).to_have_count(0)
