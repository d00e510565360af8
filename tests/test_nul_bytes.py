"""A NUL character anywhere a request carries text (address, query, form, cookie) gets a translated
400 page, never a server error: PostgreSQL refuses NUL in text, so it must not reach a query."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ledger.models import Expense
from tests.factories import PASSWORD
from tests.helpers import image_bytes
from tests.ledger.test_views_costs import expense_data


def assert_bad_request(response, language="en"):
    assert response.status_code == 400
    content = response.content.decode()
    if language == "en":
        assert "Bad request" in content
        assert "could not be read" in content
    else:
        assert "Requête invalide" in content
    assert 'href="/"' in content


@pytest.mark.parametrize("path", ["/join/%00/", "/join/abc%00def/", "/c/1%00/", "/accounts/login/%00"])
def test_a_nul_in_the_address_gets_a_400_page(client, db, path):
    assert_bad_request(client.get(path, HTTP_ACCEPT_LANGUAGE="en"))


def test_the_400_page_speaks_french_by_default(client, db):
    assert_bad_request(client.get("/join/%00/"), language="fr")


@pytest.mark.parametrize("query", ["date=%00", "vehicle=1%00", "%00=1", "next=/%00"])
def test_a_nul_in_the_query_gets_a_400_page(client, community, admin_user, query):
    client.force_login(admin_user)

    response = client.get(f"{reverse('calendar', args=[community.pk])}?{query}", HTTP_ACCEPT_LANGUAGE="en")

    assert_bad_request(response)


def test_a_nul_in_a_form_value_gets_a_400_page(client, community, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("profile"), {"display_name": "Alice\x00", "language": "en"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert_bad_request(response)
    admin_user.refresh_from_db()
    assert admin_user.display_name == "Alice Admin"


def test_a_nul_in_a_form_field_name_gets_a_400_page(client, db):
    response = client.post(
        reverse("account_login"), {"login\x00": "x", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert_bad_request(response)


def test_a_nul_in_the_login_gets_a_400_page(client, db):
    response = client.post(
        reverse("account_login"), {"login": "a\x00@example.org", "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert_bad_request(response)


def test_a_nul_in_an_invitation_code_typed_in_a_form_gets_a_400_page(client, db):
    response = client.post("/join/abc/", {"token": "\x00"}, HTTP_ACCEPT_LANGUAGE="en")

    assert_bad_request(response)


def test_a_nul_in_the_session_cookie_gets_a_400_page(client, db):
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    assert_bad_request(client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en"))


def test_a_nul_in_an_uploaded_file_name_never_reaches_storage(client, community, vehicle, member):
    # Django drops non-printable characters from uploaded file names, so the upload goes through.
    client.force_login(member)
    receipt = SimpleUploadedFile("tic\x00ket.png", image_bytes("PNG"), content_type="image/png")

    response = client.post(
        reverse("ledger_expense_create", args=[community.pk]), {**expense_data(vehicle), "receipt": receipt}
    )

    assert response.status_code == 302
    assert "\x00" not in Expense.objects.get().receipt.name


def test_ordinary_requests_go_through(client, community, admin_user):
    client.force_login(admin_user)

    assert client.get(f"{reverse('calendar', args=[community.pk])}?date=2026-01-05").status_code == 200


def test_other_bad_requests_show_the_same_page(client, db, settings):
    settings.DEBUG = False

    assert_bad_request(client.get("/", HTTP_HOST="not-our-site.example", HTTP_ACCEPT_LANGUAGE="en"))


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/v1/communities/%00/bookings/", None),
        ("get", "/api/v1/communities/1/bookings/?status=%00", None),
        ("post", "/api/v1/communities/1/bookings/1/cancel/", {"\x00J": "{}"}),
    ],
)
def test_the_api_refuses_a_nul_in_its_own_error_shape(client, db, method, path, data):
    response = getattr(client, method)(path, data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "code": "malformed",
        "detail": "The request holds a NUL character, which is not allowed in text.",
        "fields": {},
    }
