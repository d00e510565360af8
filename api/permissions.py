"""What a request may do before any rule of the domain is asked: signed in, and a token's scope."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from api.models import AccessToken


class TokenScope(BasePermission):
    """A read-only token may only read. A token never grants more than its owner has: the domain rules
    that follow check the owner exactly as on the pages."""

    message = _("This token is read-only: create a read-and-write token to make changes.")
    code = "token_read_only"

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if isinstance(token, AccessToken) and token.is_read_only:
            return request.method in SAFE_METHODS
        return True
