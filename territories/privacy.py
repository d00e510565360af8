"""What the territories app holds about a person, for their data export (see colocauto.core.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Retention, Section, fields, keep_for, register, whether
from communities.privacy import COMMUNITY
from territories.models import TerritoryConsent, TerritoryInvitation, TerritoryStaff

TERRITORY = Column("territory", "string", _("Name of the territory."), "territory.name")


def _roles(user):
    for role in TerritoryStaff.objects.filter(user=user).select_related("territory", "invited_by").order_by("pk"):
        yield {
            "territory": role.territory.name,
            "may_invite": role.is_admin,
            "invited_by": role.invited_by.name if role.invited_by else None,
            "since": role.created_at,
        }
    for role in TerritoryStaff.objects.filter(invited_by=user).select_related("territory", "user").order_by("pk"):
        yield {
            "territory": role.territory.name,
            "may_invite": role.is_admin,
            "invited_by": user.name,
            "since": role.created_at,
            "colleague": role.user.name,
        }


def _invitations(user):
    return (
        TerritoryInvitation.objects.filter(Q(invited_by=user) | Q(accepted_by=user))
        .annotate(sent_by_you=whether(Q(invited_by=user)))
        .select_related("territory")
        .order_by("pk")
    )


def _consents(user):
    return (
        TerritoryConsent.objects.filter(Q(granted_by=user) | Q(withdrawn_by=user))
        .annotate(granted_by_you=whether(Q(granted_by=user)), withdrawn_by_you=whether(Q(withdrawn_by=user)))
        .select_related("community", "territory")
        .order_by("pk")
    )


register(
    Section(
        name="territory_roles",
        title=_("Local-authority roles"),
        description=_("Territories whose reports you may read, and colleagues you invited."),
        columns=(
            TERRITORY,
            Column("may_invite", "boolean", _("Whether the role may invite colleagues.")),
            Column("invited_by", "string", _("Display name of who gave the role.")),
            Column("since", "datetime", _("Since when.")),
            Column("colleague", "string", _("Display name of the colleague you invited (empty: your own role).")),
        ),
        rows=_roles,
        covers=("territories.TerritoryStaff.user", "territories.TerritoryStaff.invited_by"),
        order=60,
    ),
    Section(
        name="territory_invitations",
        title=_("Local-authority invitations"),
        description=_("Invitations to a territory's reports that you sent or accepted."),
        columns=(
            TERRITORY,
            *fields(TerritoryInvitation, "email"),
            Column("sent_by_you", "boolean", _("Whether you sent it.")),
            *fields(TerritoryInvitation, "created_at expires_at accepted_at"),
        ),
        objects=_invitations,
        covers=("territories.TerritoryInvitation.invited_by", "territories.TerritoryInvitation.accepted_by"),
        order=61,
    ),
    Section(
        name="territory_consents",
        title=_("Consents to share figures"),
        description=_("Consents you gave or withdrew, as an admin, to share anonymous figures with a territory."),
        columns=(
            COMMUNITY,
            TERRITORY,
            Column("granted_by_you", "boolean", _("Whether you gave it.")),
            *fields(TerritoryConsent, "granted_at"),
            Column("withdrawn_by_you", "boolean", _("Whether you withdrew it.")),
            *fields(TerritoryConsent, "withdrawn_at"),
        ),
        objects=_consents,
        covers=("territories.TerritoryConsent.granted_by", "territories.TerritoryConsent.withdrawn_by"),
        order=62,
    ),
)


def _forget_invitations(cutoff):
    """Invitations to a territory's reports that expired before ``cutoff`` (they hold the invited address)."""
    return TerritoryInvitation.objects.filter(expires_at__lt=cutoff).delete()[1].get(TerritoryInvitation._meta.label, 0)


keep_for(
    Retention(
        name="territory_invitations",
        description=_("Invitations to a territory's reports, once expired."),
        setting="RETENTION_INVITATION_DAYS",
        forget=_forget_invitations,
    )
)
