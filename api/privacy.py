"""What the API holds about a person, for their data export (see colocauto.core.privacy)."""

from django.utils.translation import gettext_lazy as _

from api.models import AccessToken
from colocauto.core.privacy import Column, Section, fields, owned, register

register(
    Section(
        name="api_tokens",
        title=_("API tokens"),
        description=_("Your personal access tokens; only their public prefix (the secret is never stored)."),
        columns=(
            *fields(AccessToken, "name"),
            Column("prefix", "string", _("Its public prefix.")),
            *fields(AccessToken, "scope created_at expires_at last_used_at revoked_at"),
        ),
        objects=owned(AccessToken, "user"),
        order=70,
    ),
)
