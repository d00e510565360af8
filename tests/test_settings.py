"""Settings come from the environment: production refuses unsafe values, bad values fail loudly."""

import os
import runpy
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parent.parent
SETTINGS_FILE = ROOT / "colocauto" / "settings.py"
VARIABLES = (
    "COLOCAUTO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "DB_CONN_MAX_AGE",
    "REDIS_URL",
    "EMAIL_HOST",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "UPLOAD_MAX_BYTES",
    "TRUSTED_PROXY_COUNT",
)


def real_secret_key() -> str:
    return secrets.token_urlsafe(48)


@pytest.fixture
def environment(monkeypatch):
    """A clean environment for reading the settings file afresh; returns a setter."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_variables(**variables):
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return set_variables


def load_settings() -> dict:
    return runpy.run_path(str(SETTINGS_FILE))


def production(**overrides) -> dict:
    return {"COLOCAUTO_ENV": "production", "SECRET_KEY": real_secret_key(), "ALLOWED_HOSTS": "example.org", **overrides}


def test_development_needs_no_variable(environment):
    loaded = load_settings()

    assert loaded["DEBUG"] is True
    assert loaded["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True
    assert loaded["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert "locmem" in loaded["CACHES"]["default"]["BACKEND"]


def test_production_starts_with_a_real_key_and_hosts(environment):
    environment(**production())

    loaded = load_settings()

    assert loaded["DEBUG"] is False
    assert loaded["ALLOWED_HOSTS"] == ["example.org"]
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["SECURE_HSTS_SECONDS"] >= 31536000


def test_production_refuses_to_start_without_a_secret_key(environment):
    environment(COLOCAUTO_ENV="production", ALLOWED_HOSTS="example.org")

    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings()


@pytest.mark.parametrize(
    "key",
    [
        "django-insecure-" + "x1y2z3" * 10,
        "too-short-a-key",
        "a" * 64,
    ],
    ids=["django-insecure", "short", "repetitive"],
)
def test_production_refuses_a_weak_secret_key(environment, key):
    environment(**production(SECRET_KEY=key))

    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        load_settings()


@pytest.mark.parametrize("hosts", [None, "", " , "])
def test_production_refuses_to_start_without_allowed_hosts(environment, monkeypatch, hosts):
    environment(**production())
    if hosts is None:
        monkeypatch.delenv("ALLOWED_HOSTS")
    else:
        monkeypatch.setenv("ALLOWED_HOSTS", hosts)

    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        load_settings()


def test_the_redis_cache_gives_up_within_a_second_and_never_fails_a_request(environment):
    environment(REDIS_URL="redis://redis:6379/0")

    cache = load_settings()["CACHES"]["default"]

    assert cache["BACKEND"] == "colocauto.cache.ResilientRedisCache"
    assert cache["LOCATION"] == "redis://redis:6379/0"
    assert 0 < cache["OPTIONS"]["socket_connect_timeout"] <= 1
    assert 0 < cache["OPTIONS"]["socket_timeout"] <= 1


def test_no_proxy_is_trusted_unless_configured(environment):
    assert load_settings()["TRUSTED_PROXY_COUNT"] == 0
    environment(TRUSTED_PROXY_COUNT="2")
    assert load_settings()["TRUSTED_PROXY_COUNT"] == 2


def test_production_refuses_debug(environment):
    environment(**production(DEBUG="true"))

    with pytest.raises(ImproperlyConfigured, match="DEBUG"):
        load_settings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DEBUG", "maybe"),
        ("DB_CONN_MAX_AGE", "abc"),
        ("UPLOAD_MAX_BYTES", "5MB"),
        ("SECURE_HSTS_SECONDS", "one year"),
        ("COLOCAUTO_ENV", "staging"),
        ("TRUSTED_PROXY_COUNT", "one"),
        ("TRUSTED_PROXY_COUNT", "-1"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(environment, name, value):
    environment(**production(**{name: value}))

    with pytest.raises(ImproperlyConfigured, match=name):
        load_settings()


def test_production_settings_pass_the_deploy_check_without_warnings():
    # The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE must not leak into a deployment check.
    ignored = {*VARIABLES, "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {name: value for name, value in os.environ.items() if name not in ignored}
    env.update(production(), DJANGO_SETTINGS_MODULE="colocauto.settings")

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_pages_carry_the_security_headers(client, db):
    response = client.get("/accounts/login/")

    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_repeated_failed_logins_lock_the_account_even_with_the_right_password(client, db):
    user = UserFactory(email="neighbour@example.org")
    headers = {"Accept-Language": "en"}
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"}, headers=headers)
        assert response.status_code == 200

    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD}, headers=headers)

    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_flood_of_login_attempts_from_one_address_gets_429(client, db):
    statuses = [
        client.post("/accounts/login/", {"login": f"guess{n}@example.org", "password": "wrong-password"}).status_code
        for n in range(31)
    ]

    assert set(statuses[:30]) == {200}
    assert statuses[30] == 429


def test_english_dates_are_day_first_with_24_hour_times():
    from datetime import date, datetime

    from django import forms
    from django.utils import formats, translation

    moment = datetime(2026, 11, 24, 16, 0)
    with translation.override("en"):
        assert formats.date_format(moment, "DATETIME_FORMAT") == "24 November 2026, 16:00"
        assert formats.date_format(moment, "DATE_FORMAT") == "24 November 2026"
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "24/11/2026"
        assert formats.date_format(moment, "SHORT_DATETIME_FORMAT") == "24/11/2026 16:00"
        assert formats.time_format(moment, "TIME_FORMAT") == "16:00"
        assert formats.get_format("FIRST_DAY_OF_WEEK") == 1
        assert forms.DateField().clean("24/11/2026") == date(2026, 11, 24)
        assert forms.DateField().clean("2026-11-24") == date(2026, 11, 24)
        assert forms.DateTimeField().clean("24/11/2026 09:30").replace(tzinfo=None) == datetime(2026, 11, 24, 9, 30)
    with translation.override("fr"):
        assert formats.date_format(moment, "SHORT_DATE_FORMAT") == "24/11/2026"
