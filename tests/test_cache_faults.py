"""Redis is a cache, never a reason to fail a request: login and the main pages work with Redis dead
(nobody listening on its port) or hung (a server that accepts connections and never answers), and
the cache goes back to Redis once it answers again. Real sockets, no mocks."""

import logging
import shutil
import socket
import subprocess
import threading
import time

import pytest
import redis
from django.core.cache import cache
from django.urls import reverse

import colocauto.cache
from colocauto.cache import redis_cache
from tests.factories import PASSWORD, MembershipFactory, UserFactory

# A client without a socket timeout would wait forever on the hung server; it lets go after this
# long, so that a regression fails the time limits below instead of hanging the test run.
HUNG_SERVER_GIVES_UP_AFTER = 8.0
FEW_SECONDS = 3.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class HungServer:
    """A TCP server that accepts every connection and never says a word."""

    def __init__(self):
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(0.05)
        self.url = f"redis://127.0.0.1:{self._listener.getsockname()[1]}/0"
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        opened_at: dict[socket.socket, float] = {}
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                pass
            else:
                self.connections.append(connection)
                opened_at[connection] = time.monotonic()
            for connection, since in list(opened_at.items()):
                if time.monotonic() - since > HUNG_SERVER_GIVES_UP_AFTER:
                    connection.close()
                    del opened_at[connection]

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        for connection in self.connections:
            connection.close()
        self._listener.close()


@pytest.fixture(autouse=True)
def _fresh_circuit_breaker(monkeypatch):
    monkeypatch.setattr(colocauto.cache, "_unreachable_until", {})


@pytest.fixture
def hung_server():
    server = HungServer()
    yield server
    server.close()


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

    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


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
    assert len(hung_server.connections) == 1
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 1
    assert "unreachable" in messages[0]


@pytest.fixture
def redis_port_to_start_later():
    """A free port, and a function that starts a real redis-server on it; the server is stopped afterwards."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    processes: list[subprocess.Popen] = []

    def start() -> redis.Redis:
        processes.append(
            subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                stdout=subprocess.DEVNULL,
            )
        )
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=1)
        for _ in range(100):
            try:
                client.ping()
                return client
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    yield port, start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


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
