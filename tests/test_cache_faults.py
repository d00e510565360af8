"""Redis is a cache, never a reason to fail a request: login and the main pages work with Redis dead
(nobody listening on its port) or hung (a server that accepts connections and never answers), and
the cache goes back to Redis once it answers again. Real sockets, no mocks."""

import logging
import time
from contextlib import ExitStack

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

import colocauto.cache
from colocauto.cache import redis_cache
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.helpers import assert_locked_out
from tests.processes import HAS_REDIS_SERVER, HungServer, RedisServer, free_port

# The hung server closes a connection after this long, so that a regression fails the time limits below
# instead of hanging the test run.
HUNG_SERVER_GIVES_UP_AFTER = 8.0
FEW_SECONDS = 3.0


@pytest.fixture(autouse=True)
def _fresh_circuit_breaker(monkeypatch):
    monkeypatch.setattr(colocauto.cache, "_unreachable_until", {})


@pytest.fixture
def hung_server():
    with HungServer(gives_up_after=HUNG_SERVER_GIVES_UP_AFTER) as server:
        yield server


@pytest.fixture(params=["dead", "hung"])
def unreachable_redis(request, settings):
    """The cache pointed at a dead port, then at a hung server."""
    if request.param == "dead":
        url = f"redis://127.0.0.1:{free_port()}/0"
    else:
        url = request.getfixturevalue("hung_server").url
    settings.CACHES = {"default": redis_cache(url)}
    return url


@pytest.fixture
def neighbour(db):
    user = UserFactory(email="neighbour@example.org", language="en")
    MembershipFactory(user=user)
    return user


def within_seconds(request):
    """Make one request, and check that it did not wait for Redis (each request, since the machine may be busy)."""
    started = time.monotonic()
    response = request()
    assert time.monotonic() - started < FEW_SECONDS
    return response


def log_in(client, email: str, password: str):
    return within_seconds(
        lambda: client.post(reverse("account_login"), {"login": email, "password": password}, HTTP_ACCEPT_LANGUAGE="en")
    )


def test_login_succeeds_within_seconds_when_redis_is_unreachable(client, neighbour, unreachable_redis):
    response = log_in(client, neighbour.email, PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(neighbour.pk)


def test_wrong_passwords_are_refused_and_still_limited_when_redis_is_unreachable(client, neighbour, unreachable_redis):
    for _ in range(5):
        response = log_in(client, neighbour.email, "wrong-password")
        assert response.status_code == 200
        assert "The email address and/or password you specified are not correct." in response.content.decode()

    response = log_in(client, neighbour.email, PASSWORD)

    assert_locked_out(client, response)


def test_booking_calendar_and_ledger_pages_work_when_redis_is_unreachable(client, neighbour, unreachable_redis):
    log_in(client, neighbour.email, PASSWORD)
    community = neighbour.memberships.get().community

    for name in ("booking_create", "calendar", "my_bookings", "ledger_account", "ledger_settle"):
        assert within_seconds(lambda name=name: client.get(reverse(name, args=[community.pk]))).status_code == 200
    assert within_seconds(lambda: client.get(reverse("profile"))).status_code == 200


def test_a_hung_redis_costs_one_short_timeout_then_is_left_alone_for_a_while(db, settings, hung_server, caplog):
    settings.CACHES = {"default": redis_cache(hung_server.url)}

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="colocauto.cache"):
        cache.set("greeting", "bonjour")
        values = [cache.get("greeting") for _ in range(20)]

    assert time.monotonic() - started < FEW_SECONDS  # twenty timeouts would take ten
    assert values == ["bonjour"] * 20  # this process's memory stood in for Redis
    assert len(hung_server.accepted) == 1
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1
    assert "unreachable" in messages[0]


@pytest.fixture
def redis_port_to_start_later():
    """A free port, and a function that starts a real redis-server on it; the server is stopped afterwards."""
    if not HAS_REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    port = free_port()
    with ExitStack() as servers:

        def start() -> redis.Redis:
            servers.enter_context(RedisServer(port))
            return redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)

        yield port, start


def test_the_cache_goes_back_to_redis_once_it_answers_again(
    db, settings, monkeypatch, redis_port_to_start_later, caplog
):
    port, start_redis = redis_port_to_start_later
    monkeypatch.setattr(colocauto.cache, "RETRY_AFTER_SECONDS", 0.2)
    settings.CACHES = {"default": redis_cache(f"redis://127.0.0.1:{port}/0")}
    cache.set("during-the-outage", 1)
    assert cache.get("during-the-outage") == 1

    real_redis = start_redis()
    time.sleep(0.3)
    with caplog.at_level(logging.WARNING, logger="colocauto.cache"):
        cache.set("after-the-outage", 2)

    assert real_redis.exists(cache.make_key("after-the-outage")) == 1
    assert cache.get("during-the-outage") is None  # the stand-in memory is dropped
    assert any("reachable again" in record.getMessage() for record in caplog.records)
