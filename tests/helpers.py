"""What many tests share: a community page's path, people reading English, a page as a signed-in person, one of its
sections, a form sent back with the input kept, the SQL queries it takes (and an API list's, for few and many rows), a sign-in refused after too many
attempts, the bookings it links to, an image, an e-mail awaited."""

import re
import time
from collections.abc import Callable
from datetime import datetime
from io import BytesIO
from zoneinfo import ZoneInfo

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from communities.models import User

# A moment well inside a month and a week (Wednesday 18 November 2026, 15:00 in Paris), for tests that speak of
# "this month": ``@pytest.mark.time_machine(MID_MONTH, tick=False)`` freezes the clock there for the whole test,
# its fixtures included. Run at the wall clock's time, such a test fails in the first minutes of a month.
MID_MONTH = datetime(2026, 11, 18, 15, 0, tzinfo=ZoneInfo("Europe/Paris"))


def url(name: str, community, *args) -> str:
    """The path of the community's page ``name``; ``args`` are its arguments after the community."""
    return reverse(name, args=[community.pk, *args])


def english(*users) -> None:
    """Pages and e-mails follow each person's language; assertions read the English source strings."""
    User.objects.filter(pk__in=[user.pk for user in users]).update(language="en")


def page(client, user, url: str, params: dict | None = None, *, language: str = "en") -> str:
    """The HTML of ``url`` (with the query ``params``) as ``user``, signed in and reading ``language``; the page must
    answer 200."""
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_refused_keeping(response, status: int, error: str, *typed: str) -> str:
    """The form came back with ``status`` and ``error``, each value ``typed`` still in its field; returns the page."""
    html = response.content.decode()
    assert response.status_code == status
    assert error in html
    for value in typed:
        assert f'value="{value}"' in html
    return html


def assert_locked_out(client, response) -> None:
    """The sign-in was refused for too many failed attempts, and nobody is signed in."""
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def queries_to_get(client, url: str, params: dict | None = None) -> int:
    """How many SQL queries one GET of ``url`` takes; the page must answer 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(queries.captured_queries)


def assert_constant_queries(
    client,
    url: str,
    add: Callable[[int], object],
    *,
    rows: Callable[[dict], list] | None = None,
    few: int = 2,
    many: int = 20,
) -> None:
    """The list at ``url`` takes as many SQL queries with ``many`` rows as with ``few``; ``add(n)`` adds n rows.
    ``rows(body)``: the rows in the JSON answer, which must then list ``few`` and ``many``."""
    listed = []

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        if rows is not None:
            listed.append(len(rows(response.json())))
        return len(captured)

    client.get(url)  # an API token's first use is recorded once: later requests are what is counted
    add(few)
    before = count()
    add(many - few)
    assert count() == before
    if rows is not None:
        assert listed == [few, many]


def section(html: str, labelled_by: str) -> str:
    """The inside of the page's ``<section aria-labelledby="…">``, or "" when the page has none."""
    match = re.search(rf'<section[^>]*aria-labelledby="{labelled_by}">(.*?)</section>', html, re.S)
    return match.group(1) if match else ""


def booking_ids(html: str) -> list[int]:
    """The bookings the HTML links to, in the order of the links."""
    return [int(pk) for pk in re.findall(r"/bookings/(\d+)/", html)]


def image_bytes(image_format: str = "PNG", size=(64, 40), exif: dict | None = None) -> bytes:
    """A small image file's content, with the EXIF tags given (e.g. ``{0x0112: 6}``: rotated)."""
    image = Image.new("RGB", size, (30, 90, 160))
    buffer = BytesIO()
    options = {}
    if exif:
        data = image.getexif()
        data.update(exif)
        options["exif"] = data.tobytes()
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def wait_for_mail(to: str, subject_part: str = "", timeout: float = 10.0):
    """The latest e-mail to ``to`` (with ``subject_part`` in its subject) in ``django.core.mail.outbox``, waiting for
    it up to ``timeout`` seconds: a live server runs in the test's process, so its e-mails land there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in reversed(mail.outbox):
            if to in message.to and subject_part in message.subject:
                return message
        time.sleep(0.1)
    raise AssertionError(f"no e-mail to {to}; outbox: {[(m.to, m.subject) for m in mail.outbox]}")
