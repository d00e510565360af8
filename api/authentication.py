"""Bearer personal access tokens, next to the browser's session (with its CSRF check)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from api.tokens import token_find, token_touch


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer cca_…``. A revoked, expired or unknown token is refused with 401; a token
    of a deactivated account likewise. ``request.auth`` is the ``AccessToken``."""

    keyword = "bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Send the token as “Authorization: Bearer <token>”."), code="token_malformed"
            )
        try:
            value = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This token is not valid."), code="token_invalid") from None
        token = token_find(value)
        if token is None or token.revoked_at is not None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token is not valid."), code="token_invalid")
        if not token.is_usable():
            raise exceptions.AuthenticationFailed(_("This token has expired."), code="token_expired")
        token_touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class BrowserSessionAuthentication(SessionAuthentication):
    """The signed-in browser: Django's session, with DRF's CSRF check on unsafe methods."""
