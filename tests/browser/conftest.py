"""Playwright drives Debian's Chromium (/usr/bin/chromium, never a downloaded browser) against the live server.

The live server runs in a thread of the test process, so e-mails land in ``django.core.mail.outbox``.
"""

import os
import re
from pathlib import Path

import pytest
from django.utils import translation

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        message = f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # French is the default language: the browser asks for it, as most of our users' browsers do.
    return {**browser_context_args, "locale": "fr-FR", "timezone_id": "Europe/Paris"}


@pytest.fixture
def page(page):
    page.set_default_timeout(15_000)
    return page


class Translator:
    """The text a user sees for a source string, in French by default: ``t("Log in")``, ``t("Log in", "en")``."""

    def __call__(self, message: str, language: str = "fr") -> str:
        with translation.override(language):
            return translation.gettext(message)

    def text(self, message: str, language: str = "fr", **params) -> str:
        """What a screen reader reads for a ``{% blocktranslate %}``: interpolated, tags removed, spaces collapsed."""
        return " ".join(re.sub(r"<[^>]+>", "", self(message, language) % params).split())

    def label(self, message: str, language: str = "fr") -> re.Pattern:
        """A field's label as rendered: the translated text in any case (models' verbose names are lower-case),
        possibly followed by a colon (``Mot de passe :``)."""
        return re.compile(rf"^\s*{re.escape(self(message, language))}\s*:?\s*$", re.IGNORECASE)


@pytest.fixture
def t() -> Translator:
    return Translator()


@pytest.fixture
def signed_in(new_context, live_server, t):
    """``signed_in(user)``: a page in a browser of its own (a person's phone or computer), logged in as ``user``
    with the factories' password. ``context_args`` go to the new context (e.g. a phone's viewport)."""
    from playwright.sync_api import expect

    from tests.factories import PASSWORD

    def open_page(user, **context_args):
        page = new_context(**context_args).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/accounts/login/")
        # The login page speaks the browser's language (French); the site then speaks the user's.
        page.get_by_label(t.label("Email")).fill(user.email)
        page.get_by_label(t.label("Password")).fill(PASSWORD)
        page.get_by_role("button", name=t("Sign In")).click()
        account = page.get_by_role("navigation", name=t("Account", user.language))
        expect(account.get_by_role("button", name=t("Log out", user.language))).to_be_visible()
        return page

    return open_page
