"""The first pages a visitor sees, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landing_page_invites_visitors_to_sign_up(page, live_server, t):
    page.goto(live_server.url)

    expect(page).to_have_title(re.compile("Colocauto"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Share your cars with your neighbours"))
    page.get_by_role("main").get_by_role("link", name=t("Create an account")).click()

    expect(page).to_have_url(re.compile(r"/accounts/signup/$"))
    expect(page.get_by_label(t.label("Your name"))).to_be_visible()


def test_login_page_has_labelled_fields(page, live_server, t):
    page.goto(live_server.url)
    page.get_by_role("main").get_by_role("link", name=t("Log in")).click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label(t.label("Password"))).to_be_visible()
    expect(page.get_by_label(t.label("Email"))).to_be_visible()


def test_language_switcher_shows_the_site_in_english_and_back(page, live_server, t):
    page.goto(f"{live_server.url}/accounts/login/")

    page.get_by_role("button", name="English").click()

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("navigation", name="Account").get_by_role("link", name="Sign up")).to_be_visible()

    page.get_by_role("button", name="Français").click()

    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("navigation", name=t("Account")).get_by_role("link", name=t("Sign up"))).to_be_visible()
