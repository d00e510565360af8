"""Inactive members in a real browser, in French: the admin finds a member who has done nothing for months on the
members page, marks them inactive after confirming, and sees the badge; axe finds no violation on the page."""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from communities.models import Inactivity, Membership
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_marks_a_quiet_member_inactive_from_the_members_page(signed_in, live_server, t):
    community = CommunityFactory(name="Les Tilleuls")
    anne = member_of(community, role=Membership.Role.ADMIN, email="anne@example.org", display_name="Anne Admin")
    quiet = UserFactory(display_name="Quentin Calme")
    MembershipFactory(community=community, user=quiet, joined_at=timezone.now() - timedelta(days=400))
    page = signed_in(anne)

    page.goto(f"{live_server.url}/c/{community.pk}/members/")
    quiet_list = page.locator("section", has=page.get_by_role("heading", name="Sans activité depuis 6 mois"))
    expect(quiet_list.get_by_role("cell", name="Quentin Calme", exact=True)).to_be_visible()
    assert Axe().run(page).violations_count == 0

    page.once("dialog", lambda dialog: dialog.accept())
    quiet_list.get_by_role(
        "button", name=t.text('Mark inactive<span class="visually-hidden"> (%(name)s)</span>', name="Quentin Calme")
    ).click()

    expect(page.get_by_text("Quentin Calme est marqué inactif à compter du mois prochain")).to_be_visible()
    expect(page.locator(".badge.off").first).to_contain_text("inactif à compter du 1er")
    assert Inactivity.objects.filter(membership__user=quiet, ends_on=None).exists()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
