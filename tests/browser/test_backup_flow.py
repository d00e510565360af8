"""Back up a community in a real browser: from its settings, prepare the archive, download it once."""

import json

import pytest

from communities.models import Membership
from tests.browser.archives import expect_downloaded_once, prepare_and_download
from tests.browser.test_flow import log_in
from tests.factories import PASSWORD, CommunityFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_backs_up_the_community_from_its_settings(page, live_server, t):
    community = CommunityFactory(name="Les Tilleuls")
    member_of(community, Membership.Role.ADMIN, email="alice@example.org", display_name="Alice Martin")
    member_of(community, email="maya@example.org", display_name="Maya Fabre")
    log_in(page, t, base_url=live_server.url, email="alice@example.org", password=PASSWORD)

    page.goto(f"{live_server.url}/c/{community.pk}/settings/")
    page.get_by_role("link", name=t("Back up the community (archive to download or move to another server)")).click()
    archive = prepare_and_download(page, t, "Prepare the archive")
    page.screenshot(path="/tmp/backup-page.png", full_page=True)
    members = json.loads(archive.read("tables/users.json"))
    assert {member["display_name"] for member in members} == {"Alice Martin", "Maya Fabre"}
    assert json.loads(archive.read("manifest.json"))["format"] == "colocauto-community"

    page.reload()
    expect_downloaded_once(page, t)
