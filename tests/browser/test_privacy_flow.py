"""Download my data in a real browser: from the profile, prepare the archive, follow it, download it once."""

import json
import zipfile

import pytest
from playwright.sync_api import expect

from tests.browser.test_flow import log_in
from tests.factories import PASSWORD, CommunityFactory, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_downloads_their_data_once_from_the_profile(page, live_server, t):
    member_of(
        CommunityFactory(name="Les Tilleuls"), email="maya@example.org", display_name="Maya Fabre", phone="0612345678"
    )
    log_in(page, t, base_url=live_server.url, email="maya@example.org", password=PASSWORD)

    page.goto(f"{live_server.url}/profile/")
    page.get_by_role("link", name=t("My data")).click()
    page.get_by_role("button", name=t("Prepare my archive")).click()
    link = page.get_by_role("link", name=t("Download the archive"))
    expect(link).to_be_visible()

    with page.expect_download() as download:
        link.click()
    archive = zipfile.ZipFile(download.value.path())
    profile = json.loads(archive.read("data.json"))["sections"]["profile"][0]
    assert profile["display_name"] == "Maya Fabre" and profile["phone"] == "0612345678"

    page.goto(f"{live_server.url}/profile/data/")
    expect(page.get_by_role("link", name=t("Download the archive"))).to_have_count(0)
    expect(page.get_by_text(t("Downloaded"))).to_be_visible()
