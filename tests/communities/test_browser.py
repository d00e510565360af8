"""What a keyboard or phone user notices on every page, in Debian's Chromium (like tests/browser)."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"Browser tests need Debian's Chromium at {CHROMIUM}.")
    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run"]
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": args, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB"}


def test_form_errors_take_focus_to_the_first_invalid_field(page, live_server):
    page.goto(live_server.url + reverse("account_signup"))
    page.locator("#id_password1").fill("a-long-unusual-passphrase-77")
    page.locator("form.account-form button[type=submit], main form button[type=submit]").last.click()
    first_invalid = page.locator('main [aria-invalid="true"]').first
    expect(first_invalid).to_be_focused()


def test_wrong_password_takes_focus_to_the_error_summary(page, live_server, member):
    page.goto(live_server.url + reverse("account_login"))
    page.locator("#id_login").fill(member.email)
    page.locator("#id_password").fill(PASSWORD + "-wrong")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main .errorlist.nonfield")).to_be_focused()


def test_on_a_phone_every_community_page_is_in_the_tab_bar_or_its_more_menu(
    new_context, live_server, community, admin_user
):
    phone = new_context(viewport={"width": 375, "height": 740})
    page = phone.new_page()
    page.goto(live_server.url + reverse("account_login"))
    page.locator("#id_login").fill(admin_user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.goto(live_server.url + reverse("member_list", args=[community.pk]))
    expect(page.locator(".community-nav")).to_be_hidden()
    page.locator(".tab-more summary").click()
    tabs = page.locator(".tab-bar a")
    assert tabs.count() >= 14  # four tabs, then every other page of the community and the account's links
    for index in range(tabs.count()):
        box = tabs.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, tabs.nth(index).inner_text()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 740, tabs.nth(index).inner_text()
    expect(page.locator('.tab-bar a[aria-current="page"]')).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
