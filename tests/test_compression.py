"""Compressed answers (issue 13): the calendar, the largest page, is sent gzip-compressed to a browser that
accepts it; no other page is, above all none that shows an IBAN, which a compressed page could leak through
its size (BREACH)."""

import gzip
import re

import pytest
from django.urls import reverse

from tests.test_bad_input import ROUTES, _url, world  # noqa: F401 - world is the fixture the routes need

COMPRESSED = {"calendar", "calendar_vehicle"}
IBAN = "FR7630006000011234567890189"


def shows_iban(html: str) -> bool:
    """The IBAN is on the page, in a form field or in groups of four (spans)."""
    return IBAN in re.sub(r"\s|</?span[^>]*>", "", html)


def gzip_get(client, url: str):
    return client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br")


@pytest.mark.parametrize("view", ["week", "day", "month"])
def test_the_calendar_is_sent_compressed_to_a_browser_that_accepts_gzip(client, community, vehicle, member, view):
    client.force_login(member)
    url = reverse("calendar", kwargs={"community_id": community.pk}) + f"?view={view}"

    response = gzip_get(client, url)
    plain = client.get(url)

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "cal-toolbar" in html and len(response.content) < len(html)
    assert "Content-Encoding" not in plain and b"cal-toolbar" in plain.content


def test_a_page_that_shows_an_iban_is_not_compressed(client, world, owner, member):  # noqa: F811
    member.iban = IBAN
    member.save()
    # The settle page shows the payer (the owner) the IBAN to pay; the profile shows the member their own.
    for person, url in ((owner, reverse("ledger_settle", args=[world["community"].pk])), (member, reverse("profile"))):
        client.force_login(person)

        response = gzip_get(client, url)

        assert response.status_code == 200
        assert "Content-Encoding" not in response
        assert shows_iban(response.content.decode()), url


def test_the_api_answer_with_an_iban_is_not_compressed(client, member):
    member.iban = IBAN
    member.save()
    client.force_login(member)

    response = gzip_get(client, "/api/v1/me/")

    assert response.status_code == 200, response.content[:200]
    assert "Content-Encoding" not in response
    assert shows_iban(response.content.decode())


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _route in ROUTES])
def test_only_the_calendar_among_community_pages_is_compressed(client, world, admin_user, name, route):  # noqa: F811
    client.force_login(admin_user)

    response = gzip_get(client, _url(world, name, route))

    assert ("Content-Encoding" in response) == (name in COMPRESSED and response.status_code == 200), (
        name,
        response.status_code,
    )
