"""Personal access tokens: create (the secret is returned once), revoke, find by the presented value.

A token reads ``cca_<prefix>_<secret>``: the prefix finds the row, the SHA-256 of the whole value is
compared in constant time. The secret is never stored, so a leaked database gives no usable token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from api.models import AccessToken
from colocauto.core import clock
from colocauto.core.errors import DomainError, NotFound
from colocauto.text import single_line
from communities.models import User

TOKEN_PREFIX = "cca_"
MAX_TOKENS_PER_USER = 20
# ``last_used_at`` is written at most this often, so polling clients don't write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class TokenRefused(DomainError):
    default_code = "token_invalid_request"


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def tokens_for(user: User) -> QuerySet[AccessToken]:
    """The user's tokens still in use, newest first (revoked ones are not listed)."""
    return AccessToken.objects.filter(user=user, revoked_at__isnull=True).order_by("-created_at", "-id")


@transaction.atomic
def token_create(*, user: User, name: str, scope: str, expires_at: datetime | None = None) -> tuple[AccessToken, str]:
    """Create a token for ``user``; returns the row and the full value, which is shown once and never again."""
    name = single_line(name or "").strip()
    if not name:
        raise TokenRefused(_("Give the token a name."), code="token_name_required", field="name")
    if scope not in AccessToken.Scope.values:
        raise TokenRefused(_("Choose read-only or read-write access."), code="token_scope_invalid", field="scope")
    if expires_at is not None and expires_at <= clock.now():
        raise TokenRefused(_("The expiry must be in the future."), code="token_expiry_past", field="expires_at")
    # Lock the user's row: two simultaneous creations can't both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if tokens_for(user).count() >= MAX_TOKENS_PER_USER:
        raise TokenRefused(
            _("You already have %(count)d tokens: revoke one you no longer use first.")
            % {"count": MAX_TOKENS_PER_USER},
            code="token_limit_reached",
        )
    prefix = secrets.token_hex(6)
    value = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = AccessToken.objects.create(
        user=user, name=name[:80], scope=scope, prefix=prefix, key_hash=_hash(value), expires_at=expires_at
    )
    return token, value


@transaction.atomic
def token_revoke(*, user: User, token_id: int) -> AccessToken:
    """Revoke one of the user's tokens; someone else's token is not found."""
    token = AccessToken.objects.select_for_update().filter(pk=token_id, user=user, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(_("No such token."), code="token_not_found")
    token.revoked_at = clock.now()
    token.save(update_fields=["revoked_at"])
    return token


def token_find(value: str) -> AccessToken | None:
    """The token row for a presented value, whatever its state (the caller checks expiry and revocation)."""
    if not value.startswith(TOKEN_PREFIX) or len(value) > 128:
        return None
    prefix, _sep, secret = value[len(TOKEN_PREFIX) :].partition("_")
    if not prefix or not secret:
        return None
    token = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(value)):
        return None
    return token


def token_touch(token: AccessToken) -> None:
    """Record that the token was used (at most once a minute, without touching other columns)."""
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
