"""The API's interactive documentation works in a real browser under the site's CSP, with no CDN."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_list_the_operations_without_csp_violations_or_outside_requests(page, live_server):
    problems: list[str] = []
    outside: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on(
        "request",
        lambda request: (
            outside.append(request.url)
            if not request.url.startswith(live_server.url) and not request.url.startswith("data:")
            else None
        ),
    )

    page.goto(f"{live_server.url}/api/v1/docs/")

    expect(page.get_by_text("Colocauto API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/me/").first).to_be_visible()
    assert problems == []
    assert outside == []
