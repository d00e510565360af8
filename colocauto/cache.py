"""Redis as a cache, never a reason to fail a request.

Only allauth's rate limits use the cache. When Redis is down, hung or too slow, each call gives up
after a short socket timeout, a warning is logged once, and the process keeps its cache in its own
memory for a while (a circuit breaker: a dead Redis costs one timeout per process every
``RETRY_AFTER_SECONDS``, not one per call). Rate limits keep working, per process, during the
outage; the first call that reaches Redis again switches back to it.
"""

import logging
import time
from urllib.parse import urlsplit

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Redis answers in a millisecond; half a second means it is not answering.
REDIS_TIMEOUT_SECONDS = 0.5
RETRY_AFTER_SECONDS = 10.0

# Location → monotonic time before which Redis is not tried again; shared by a process's threads
# (Django gives each thread its own cache object).
_unreachable_until: dict[str, float] = {}


def redis_cache(url: str) -> dict:
    """The CACHES entry for a Redis at ``url``."""
    return {
        "BACKEND": "colocauto.cache.ResilientRedisCache",
        "LOCATION": url,
        "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
    }


def _without_credentials(location: str) -> str:
    parts = urlsplit(location)
    return f"{parts.hostname}:{parts.port or 6379}{parts.path}" if parts.hostname else location


class ResilientRedisCache(RedisCache):
    """Django's Redis cache; when Redis fails, this process's memory stands in for it."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._location = server if isinstance(server, str) else ",".join(server)
        shared = {name: params[name] for name in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION") if name in params}
        self._fallback = LocMemCache(f"colocauto-redis-fallback:{self._location}", {**shared, "MAX_ENTRIES": 10000})

    def _call(self, operation: str, *args, **kwargs):
        retry_at = _unreachable_until.get(self._location)
        if retry_at is not None and time.monotonic() < retry_at:
            return getattr(self._fallback, operation)(*args, **kwargs)
        try:
            result = getattr(super(), operation)(*args, **kwargs)
        except RedisError as error:
            if retry_at is None:
                logger.warning(
                    "Redis cache %s unreachable (%s): using this process's memory, trying again in %d s.",
                    _without_credentials(self._location),
                    error,
                    RETRY_AFTER_SECONDS,
                )
            _unreachable_until[self._location] = time.monotonic() + RETRY_AFTER_SECONDS
            return getattr(self._fallback, operation)(*args, **kwargs)
        if retry_at is not None and _unreachable_until.pop(self._location, None) is not None:
            logger.warning("Redis cache %s reachable again.", _without_credentials(self._location))
            self._fallback.clear()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", key, value, timeout, version=version)

    def get(self, key, default=None, version=None):
        return self._call("get", key, default, version=version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", key, value, timeout, version=version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", key, timeout, version=version)

    def delete(self, key, version=None):
        return self._call("delete", key, version=version)

    def get_many(self, keys, version=None):
        return self._call("get_many", keys, version=version)

    def has_key(self, key, version=None):
        return self._call("has_key", key, version=version)

    def incr(self, key, delta=1, version=None):
        return self._call("incr", key, delta, version=version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", data, timeout, version=version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", keys, version=version)

    def clear(self):
        return self._call("clear")
