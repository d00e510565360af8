"""Back up a community in a real browser: from its settings, prepare the archive, download it once."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from communities.models import Membership
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
    page.get_by_role("button", name=t("Prepare the archive")).click()
    link = page.get_by_role("link", name=t("Download the archive"))
    expect(link).to_be_visible()
    page.screenshot(path="/tmp/backup-page.png", full_page=True)

    with page.expect_download() as download:
        link.click()
    archive = zipfile.ZipFile(download.value.path())
    members = json.loads(archive.read("tables/users.json"))
    assert {member["display_name"] for member in members} == {"Alice Martin", "Maya Fabre"}
    assert json.loads(archive.read("manifest.json"))["format"] == "colocauto-community"

    page.reload()
    expect(page.get_by_role("link", name=t("Download the archive"))).to_have_count(0)
    expect(page.get_by_text(t("Downloaded"))).to_be_visible()
