"""Login limits count each client, not the reverse proxy: the client's address is read from
X-Forwarded-For through exactly TRUSTED_PROXY_COUNT proxies, as docker-compose.yml sets it, and a
forged header gets nobody out of the limits."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from colocauto.proxies import client_ip
from tests.factories import PASSWORD, UserFactory

COMPOSE_FILE = Path(__file__).resolve().parent.parent / "docker-compose.yml"
PROXY = "172.18.0.1"  # what gunicorn sees in compose: the reverse proxy, through Docker's bridge
CLIENT_A = "203.0.113.10"
CLIENT_B = "198.51.100.20"


def compose_trusted_proxy_count() -> int:
    """TRUSTED_PROXY_COUNT as docker-compose.yml gives it to the web service (its default)."""
    match = re.search(r"^\s+TRUSTED_PROXY_COUNT:\s*(?:\$\{TRUSTED_PROXY_COUNT:-)?(\d+)", COMPOSE_FILE.read_text(), re.M)
    assert match, "docker-compose.yml sets no TRUSTED_PROXY_COUNT"
    return int(match.group(1))


@pytest.fixture
def behind_the_compose_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = compose_trusted_proxy_count()


def log_in(client, email: str, password: str, *, remote: str, forwarded_for: str | None = None):
    headers = {"REMOTE_ADDR": remote, "HTTP_ACCEPT_LANGUAGE": "en"}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return client.post(reverse("account_login"), {"login": email, "password": password}, **headers)


def ten_wrong_passwords(client, **address):
    # Ten different accounts, so that only the per-address limit (10 a minute) is reached.
    for n in range(10):
        response = log_in(client, f"guess{n}@example.org", "wrong-password", **address)
        assert response.status_code == 200


def is_locked_out(response) -> bool:
    return "Too many failed login attempts" in response.content.decode()


def test_compose_trusts_the_one_reverse_proxy_in_front_of_web():
    assert compose_trusted_proxy_count() == 1


def test_failed_logins_from_one_client_behind_the_proxy_do_not_lock_out_another(client, db, behind_the_compose_proxy):
    user = UserFactory(email="neighbour@example.org")
    ten_wrong_passwords(client, remote=PROXY, forwarded_for=CLIENT_A)

    blocked = log_in(client, user.email, PASSWORD, remote=PROXY, forwarded_for=CLIENT_A)
    assert is_locked_out(blocked)

    response = log_in(client, user.email, PASSWORD, remote=PROXY, forwarded_for=CLIENT_B)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_client_behind_the_proxy_forging_forwarded_for_is_still_limited(client, db, behind_the_compose_proxy):
    user = UserFactory(email="neighbour@example.org")
    # The proxy appends the address it sees to whatever the client sent.
    for n in range(10):
        log_in(client, f"guess{n}@example.org", "wrong", remote=PROXY, forwarded_for=f"10.0.0.{n}, {CLIENT_A}")

    response = log_in(client, user.email, PASSWORD, remote=PROXY, forwarded_for=f"10.0.0.99, {CLIENT_A}")

    assert is_locked_out(response)


def test_a_direct_client_forging_forwarded_for_is_still_limited(client, db, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    user = UserFactory(email="neighbour@example.org")
    for n in range(10):
        log_in(client, f"guess{n}@example.org", "wrong", remote=CLIENT_A, forwarded_for=f"10.0.0.{n}")

    response = log_in(client, user.email, PASSWORD, remote=CLIENT_A, forwarded_for="10.0.0.99")

    assert is_locked_out(response)


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded_for", "expected"),
    [
        (0, CLIENT_A, "10.0.0.1", CLIENT_A),  # no proxy of ours: the header is the client's invention
        (1, PROXY, CLIENT_A, CLIENT_A),
        (1, PROXY, f"10.0.0.1, {CLIENT_A}", CLIENT_A),  # only the proxy's entry counts
        (1, PROXY, f" 10.0.0.1 ,{CLIENT_A} ", CLIENT_A),
        (2, "10.1.0.2", f"10.0.0.1, {CLIENT_A}, 10.1.0.1", CLIENT_A),
        (2, "10.1.0.2", CLIENT_A, CLIENT_A),  # came through the inner proxy only
        (1, PROXY, None, PROXY),  # the health check, from inside
        (1, PROXY, "", PROXY),
        (1, PROXY, "not an address", PROXY),
        (1, PROXY, "2001:DB8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_outermost_trusted_proxy_saw(settings, trusted, remote, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for

    assert client_ip(RequestFactory().get("/", **headers)) == expected
