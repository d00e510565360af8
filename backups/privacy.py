"""What the backups app holds about a person: the community backups they asked for as an admin."""

from django.utils.translation import gettext_lazy as _

from backups.models import CommunityExport
from colocauto.core.privacy import Column, Section, fields, owned, register

register(
    Section(
        name="community_backups",
        title=_("Community backups"),
        description=_("The backups of a whole community you asked for as its admin (the archives are not included)."),
        columns=(
            Column("community", "string", _("The community."), "community.name"),
            *fields(CommunityExport, "requested_at ready_at downloaded_at"),
        ),
        objects=owned(CommunityExport, "requested_by", "community"),
        order=91,
    ),
)
