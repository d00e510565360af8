"""Personal access tokens: shown once, stored hashed, scoped, expiring, revocable, rate-limited."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from api.models import AccessToken
from api.tokens import token_create, token_revoke
from colocauto.core.errors import DomainError, NotFound

ME = "/api/v1/me/"


def bearer(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")
    return client


def test_a_token_authenticates_its_owner_and_records_its_last_use(member):
    token, value = token_create(user=member, name="Phone", scope="read")

    response = bearer(value).get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == member.email
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_hash_of_the_token_is_stored(member):
    token, value = token_create(user=member, name="Phone", scope="read")

    row = AccessToken.objects.values().get(pk=token.pk)
    assert not any(value in str(column) for column in row.values())
    assert value.startswith(f"cca_{token.prefix}_")


@pytest.mark.parametrize(
    "header",
    ["Bearer cca_nothing_here", "Bearer nonsense", "Bearer", "Bearer a b", "Bearer cca_ÿÿ_x"],
)
def test_a_wrong_or_malformed_token_gets_401_with_a_code(member, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(ME)

    assert response.status_code == 401
    assert response.json()["code"] in {"token_invalid", "token_malformed"}
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_the_right_prefix_but_a_wrong_secret_is_refused(member):
    token, value = token_create(user=member, name="Phone", scope="read")

    response = bearer(value[:-3] + "xyz").get(ME)

    assert response.status_code == 401


def test_no_credentials_get_401_asking_for_a_bearer_token(db):
    response = APIClient().get(ME)

    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "detail": response.json()["detail"], "fields": {}}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_stops_working(member):
    token, value = token_create(user=member, name="Phone", scope="read")
    token_revoke(user=member, token_id=token.pk)

    assert bearer(value).get(ME).status_code == 401


def test_an_expired_token_says_it_has_expired(member, time_machine):
    token, value = token_create(user=member, name="Phone", scope="read", expires_at=timezone.now() + timedelta(days=1))
    time_machine.move_to(timezone.now() + timedelta(days=2))

    response = bearer(value).get(ME)

    assert response.status_code == 401
    assert response.json()["code"] == "token_expired"


def test_the_token_of_a_deactivated_account_is_refused(member):
    _token, value = token_create(user=member, name="Phone", scope="write")
    member.is_active = False
    member.save()

    assert bearer(value).get(ME).status_code == 401


def test_a_read_only_token_reads_but_may_not_write(member):
    _token, value = token_create(user=member, name="Phone", scope="read")
    client = bearer(value)

    assert client.get(ME).status_code == 200
    response = client.patch(ME, {"display_name": "Changed"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "token_read_only"
    member.refresh_from_db()
    assert member.display_name != "Changed"


def test_a_read_write_token_writes_without_a_csrf_token(member):
    _token, value = token_create(user=member, name="Script", scope="write")
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {value}")

    response = client.patch(ME, {"display_name": "Maya M."}, format="json")

    assert response.status_code == 200
    member.refresh_from_db()
    assert member.display_name == "Maya M."


def test_the_browser_session_needs_the_csrf_token_to_write(member):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(member)

    response = client.patch(ME, {"display_name": "Maya M."}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_someone_elses_token_cannot_be_revoked(member, owner):
    token, _value = token_create(user=owner, name="Owner's", scope="read")

    with pytest.raises(NotFound):
        token_revoke(user=member, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": " ", "scope": "read"}, "token_name_required"),
        ({"name": "x", "scope": "admin"}, "token_scope_invalid"),
        ({"name": "x", "scope": "read", "expires_at": "past"}, "token_expiry_past"),
    ],
)
def test_a_token_needs_a_name_a_known_scope_and_a_future_expiry(member, fields, code):
    if fields.get("expires_at") == "past":
        fields["expires_at"] = timezone.now() - timedelta(minutes=1)

    with pytest.raises(DomainError) as refused:
        token_create(user=member, **fields)

    assert refused.value.code == code


def test_the_number_of_tokens_per_person_is_bounded(member):
    for index in range(20):
        token_create(user=member, name=f"t{index}", scope="read")

    with pytest.raises(DomainError) as refused:
        token_create(user=member, name="one more", scope="read")

    assert refused.value.code == "token_limit_reached"


def test_requests_with_one_token_are_rate_limited(member, settings):
    settings.API_RATE_PER_TOKEN = "3/minute"
    _token, value = token_create(user=member, name="Busy", scope="read")
    client = bearer(value)

    statuses = [client.get(ME).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    refused = client.get(ME)
    assert refused.json()["code"] == "throttled"
    assert int(refused["Retry-After"]) > 0
    # Another token of the same person has its own allowance.
    _other, other_value = token_create(user=member, name="Other", scope="read")
    assert bearer(other_value).get(ME).status_code == 200


def test_guessing_tokens_from_one_address_is_rate_limited(db, settings):
    settings.API_RATE_PER_ADDRESS = "5/minute"

    statuses = [bearer(f"cca_guess{index}_secret").get(ME).status_code for index in range(7)]

    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429, 429]


def test_the_token_page_shows_a_new_token_once(client, member):
    client.force_login(member)

    created = client.post(reverse("api_tokens"), {"name": "Phone", "scope": "write", "expires_on": ""})

    assert created.status_code == 201
    token = AccessToken.objects.get(user=member)
    value = created.context["created"]["value"]
    assert value in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    again = client.get(reverse("api_tokens"))
    assert value not in again.content.decode()
    assert f"cca_{token.prefix}" in again.content.decode()
    assert bearer(value).get(ME).status_code == 200


def test_the_token_page_keeps_what_was_typed_when_refused(client, member):
    client.force_login(member)

    response = client.post(reverse("api_tokens"), {"name": "Phone", "scope": "nope"})

    assert response.status_code == 200
    assert not AccessToken.objects.exists()
    assert 'value="Phone"' in response.content.decode()


def test_the_token_page_revokes_a_token(client, member):
    token, value = token_create(user=member, name="Phone", scope="read")
    client.force_login(member)

    response = client.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert bearer(value).get(ME).status_code == 401


def test_revoking_someone_elses_token_from_the_page_changes_nothing(client, member, owner):
    token, value = token_create(user=owner, name="Owner's", scope="read")
    client.force_login(member)

    client.post(reverse("api_token_revoke", args=[token.pk]))
    client.post(reverse("api_token_revoke", args=["99999999999999999999999"]))

    assert bearer(value).get(ME).status_code == 200


def test_the_token_page_needs_a_login(client, db):
    response = client.get(reverse("api_tokens"))

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
