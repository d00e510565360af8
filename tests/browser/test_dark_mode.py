"""Dark mode follows the system's setting, with no switch to find: the page, its cards and fields turn dark."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "element => getComputedStyle(element).backgroundColor")


@pytest.mark.parametrize(("scheme", "body"), [("light", "rgb(246, 248, 250)"), ("dark", "rgb(13, 17, 23)")])
def test_the_colours_follow_the_systems_scheme(page, live_server, scheme, body):
    page.emulate_media(color_scheme=scheme)
    page.goto(f"{live_server.url}/accounts/login/")
    assert _background(page, "html") == body
    field = _background(page, "input[type=email]")
    assert field == ("rgb(255, 255, 255)" if scheme == "light" else "rgb(13, 17, 23)")
