"""/healthz says the process answers; /healthz/ready reports the database and Redis, each on its own,
quickly, to anyone, even when a dependency is down."""

import runpy
import secrets
import socket
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.processes import HAS_REDIS_SERVER, RedisServer, free_port

ROOT = Path(__file__).resolve().parent.parent
READY = "/healthz/ready"


@pytest.fixture
def dead_port() -> int:
    """A local port nothing listens on: connections to it are refused at once."""
    return free_port()


@pytest.fixture
def redis_url():
    """A Redis server of this test's own (the shared one must never be touched), stopped afterwards."""
    if not HAS_REDIS_SERVER:
        pytest.skip("redis-server is not installed")
    with RedisServer() as server:
        yield server.url


def test_liveness_answers_without_checking_dependencies(client, settings, dead_port):
    """No database access is allowed in this test (no ``db`` fixture), and Redis is unreachable."""
    settings.REDIS_URL = f"redis://127.0.0.1:{dead_port}/0"

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_the_database_and_redis_are_up(client, db, settings, redis_url):
    settings.REDIS_URL = redis_url

    response = client.get(READY)

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_ready_without_redis_configured_reports_it_and_stays_green(client, db, settings):
    settings.REDIS_URL = ""

    response = client.get(READY)

    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "not configured"}


def test_not_ready_within_two_seconds_when_redis_is_unreachable(client, db, settings, dead_port):
    settings.REDIS_URL = f"redis://127.0.0.1:{dead_port}/0"

    started = time.monotonic()
    response = client.get(READY)
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error: ")
    assert str(dead_port) not in body["redis"]  # the kind of failure only: no address for an anonymous caller
    assert elapsed < 2


def test_not_ready_within_two_seconds_when_redis_hangs(client, db, settings):
    """A Redis that accepts the connection and never answers (a listening socket nobody reads)."""
    with socket.socket() as hung:
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        settings.REDIS_URL = f"redis://127.0.0.1:{hung.getsockname()[1]}/0"

        started = time.monotonic()
        response = client.get(READY)
        elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert response.json()["redis"] == "error: TimeoutError"
    assert elapsed < 2


def test_not_ready_when_the_database_is_unreachable(client, db, settings, dead_port, monkeypatch):
    settings.REDIS_URL = ""
    if connection.vendor == "postgresql":
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", str(dead_port))
    else:
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent/colocauto.sqlite3")

    started = time.monotonic()
    response = client.get(READY)

    assert response.status_code == 503
    assert response.json() == {"database": "error: OperationalError", "redis": "not configured"}
    assert time.monotonic() - started < 3


def test_ready_check_needs_no_login_and_reveals_no_people(client, db, settings, admin_user):
    settings.REDIS_URL = ""

    response = client.get(READY)

    assert response.status_code == 200
    assert set(response.json()) == {"database", "redis"}
    assert admin_user.email.encode() not in response.content


def test_production_exempts_both_checks_from_the_https_redirect(client, db, settings, monkeypatch):
    """A health check from inside the container speaks plain HTTP: it must get its answer, not a redirect."""
    monkeypatch.setenv("COLOCAUTO_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("ALLOWED_HOSTS", "testserver")
    production = runpy.run_path(str(ROOT / "colocauto" / "settings.py"))
    settings.SECURE_SSL_REDIRECT = production["SECURE_SSL_REDIRECT"]
    settings.SECURE_REDIRECT_EXEMPT = production["SECURE_REDIRECT_EXEMPT"]
    settings.REDIS_URL = ""

    assert client.get("/").status_code == 301  # the control: other pages are redirected
    assert client.get("/healthz").status_code == 200
    assert client.get(READY).status_code == 200
