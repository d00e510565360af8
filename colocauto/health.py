"""Readiness probes: each dependency answers within a couple of seconds or is reported down.

Each probe opens its own short-lived connection with a short timeout, so a database or a Redis
that is down, hung or far away makes the check answer "error" quickly instead of hanging the
request. The answer names the kind of failure only (``error: TimeoutError``); the details
(host names, user names) go to the log, never to the anonymous caller.
"""

import logging

import redis
from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

OK = "ok"
NOT_CONFIGURED = "not configured"
REDIS_TIMEOUT_SECONDS = 1.0
# libpq's smallest connect timeout: it reads 1 as 2 (https://www.postgresql.org/docs/current/libpq-connect.html).
POSTGRES_CONNECT_TIMEOUT_SECONDS = 2


def _failure(dependency: str, error: Exception) -> str:
    logger.warning("Readiness: %s is not available: %s", dependency, error)
    return f"error: {type(error).__name__}"


def database_status(alias: str = "default") -> str:
    """Connect afresh with the site's database settings and run ``SELECT 1``."""
    settings_dict = dict(connections[alias].settings_dict)
    if settings_dict["ENGINE"] == "django.db.backends.postgresql":
        options = dict(settings_dict.get("OPTIONS") or {})
        options["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_SECONDS
        settings_dict["OPTIONS"] = options
    probe = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any driver error means "not ready", never a 500
        return _failure("the database", error)
    finally:
        probe.close()
    return OK


def redis_status() -> str:
    """Ping the Redis of ``REDIS_URL`` (cache and Celery broker); "not configured" without one."""
    if not settings.REDIS_URL:
        return NOT_CONFIGURED
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),  # one attempt: the probe reports, it does not insist
    )
    try:
        client.ping()
    except (redis.RedisError, OSError) as error:
        return _failure("Redis", error)
    finally:
        client.close()
    return OK


def readiness() -> tuple[dict[str, str], bool]:
    """Each dependency's status, and whether every configured one is up."""
    statuses = {"database": database_status(), "redis": redis_status()}
    return statuses, all(status in (OK, NOT_CONFIGURED) for status in statuses.values())
