"""Download my data in a real browser: from the profile, prepare the archive, follow it, download it once."""

import json

import pytest

from tests.browser.archives import expect_downloaded_once, prepare_and_download
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
    archive = prepare_and_download(page, t, "Prepare my archive")
    profile = json.loads(archive.read("data.json"))["sections"]["profile"][0]
    assert profile["display_name"] == "Maya Fabre" and profile["phone"] == "0612345678"

    page.goto(f"{live_server.url}/profile/data/")
    expect_downloaded_once(page, t)
