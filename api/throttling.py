"""Rate limits: per token and per client address (the address as allauth and the login limits see it).

The rates are settings (``API_RATE_PER_TOKEN``, ``API_RATE_PER_ADDRESS``), read at each request so tests
and operators can change them.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from api.models import AccessToken
from colocauto.proxies import client_ip


class _SettingRateThrottle(SimpleRateThrottle):
    setting = ""

    def get_rate(self):
        return getattr(settings, self.setting)


class PerTokenThrottle(_SettingRateThrottle):
    scope = "api_token"
    setting = "API_RATE_PER_TOKEN"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, AccessToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class PerAddressThrottle(_SettingRateThrottle):
    """Every API request, signed in or not, token valid or not: checked before authentication, so guessing
    tokens is slowed down too."""

    scope = "api_address"
    setting = "API_RATE_PER_ADDRESS"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}
