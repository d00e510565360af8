"""Pages for a signed-in person (IBANs, QR codes, statements, receipts, bookings) are never stored by
a browser or a proxy: every one of them answers `Cache-Control: private, no-store`, except pictures,
which say how long the person's own browser may keep them."""

import pytest
from django.urls import reverse

from tests.test_bad_input import ROUTES, _url, world  # noqa: F401 - world is the fixture the routes need

PRIVATE_NO_STORE = "private, no-store"
ACCOUNT_PAGES = ("home", "profile", "community_create", "account_email", "account_change_password")


def assert_never_stored(response):
    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE_NO_STORE


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_account_pages_are_never_stored(client, admin_user, name):
    client.force_login(admin_user)

    assert_never_stored(client.get(reverse(name)))


@pytest.mark.parametrize(
    "name", ["ledger_settle", "ledger_statement_csv", "ledger_statement_pdf", "ledger_receipt", "ledger_account"]
)
def test_money_pages_are_never_stored(client, world, admin_user, name):  # noqa: F811
    client.force_login(admin_user)
    route = dict(ROUTES)[name]

    assert_never_stored(client.get(_url(world, name, route)))


@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[name for name, _route in ROUTES])
def test_every_community_page_is_private(client, world, admin_user, name, route):  # noqa: F811
    client.force_login(admin_user)

    response = client.get(_url(world, name, route))

    if response.status_code != 200:
        return  # a POST-only action or a redirect: nothing shown
    if response["Content-Type"].startswith("image/"):
        assert response["Cache-Control"].startswith("private,")
    else:
        assert response["Cache-Control"] == PRIVATE_NO_STORE
