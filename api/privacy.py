"""What the API holds about a person, for their data export (see colocauto.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from api.models import AccessToken
from colocauto.core.privacy import Column, Section, register


def _tokens(user):
    for token in AccessToken.objects.filter(user=user).order_by("pk"):
        yield {
            "name": token.name,
            "prefix": token.prefix,
            "scope": token.scope,
            "created_at": token.created_at,
            "expires_at": token.expires_at,
            "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at,
        }


register(
    Section(
        name="api_tokens",
        title=_("API tokens"),
        description=_("Your personal access tokens; only their public prefix (the secret is never stored)."),
        columns=(
            Column("name", "string", _("The token's name.")),
            Column("prefix", "string", _("Its public prefix.")),
            Column("scope", "string", _("read or write.")),
            Column("created_at", "datetime", _("When it was created.")),
            Column("expires_at", "datetime", _("When it expires.")),
            Column("last_used_at", "datetime", _("When it was last used.")),
            Column("revoked_at", "datetime", _("When it was revoked.")),
        ),
        rows=_tokens,
        covers=("api.AccessToken.user",),
        order=70,
    ),
)
