"""What the communities app holds about a person, for their data export (see colocauto.core.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Retention, Section, keep_for, register
from communities.models import Community, Invitation, Membership

COMMUNITY = Column("community", "string", _("Name of the community."))


def _profile(user):
    yield {
        "email": user.email,
        "display_name": user.display_name,
        "phone": user.phone,
        "iban": user.iban,
        "language": user.language,
        "notify_bookings": user.notify_bookings,
        "notify_settlements": user.notify_settlements,
        "notify_community": user.notify_community,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _memberships(user):
    for membership in Membership.objects.filter(user=user).select_related("community").order_by("requested_at", "pk"):
        yield {
            "community": membership.community.name,
            "role": membership.role,
            "status": membership.status,
            "requested_at": membership.requested_at,
            "joined_at": membership.joined_at,
            "ended_at": membership.ended_at,
        }


def _decisions(user):
    decided = Membership.objects.filter(decided_by=user).select_related("community", "user").order_by("pk")
    for membership in decided:
        yield {
            "community": membership.community.name,
            "member": membership.user.name,
            "status": membership.status,
            "decided_at": membership.joined_at or membership.ended_at,
        }


def _invitations(user):
    for invitation in Invitation.objects.filter(created_by=user).select_related("community").order_by("pk"):
        yield {
            "community": invitation.community.name,
            "email": invitation.email,
            "label": invitation.note,
            "created_at": invitation.created_at,
            "expires_at": invitation.expires_at,
            "max_uses": invitation.max_uses,
            "uses": invitation.use_count,
            "revoked_at": invitation.revoked_at,
        }


def _communities(user):
    for community in Community.objects.filter(created_by=user).order_by("pk"):
        yield {"community": community.name, "role": "created_by", "created_at": community.created_at}
    for community in Community.objects.filter(pool_holder=user).order_by("pk"):
        yield {"community": community.name, "role": "pool_holder", "created_at": community.created_at}


register(
    Section(
        name="profile",
        title=_("Profile"),
        description=_("Your account: e-mail address, name, phone, IBAN, language and e-mail preferences."),
        columns=(
            Column("email", "string", _("Your e-mail address (your login).")),
            Column("display_name", "string", _("The name other members see.")),
            Column("phone", "string", _("Your phone number, shown to the members of your communities.")),
            Column("iban", "string", _("Your IBAN, shown only to members who owe you money.")),
            Column("language", "string", _("The language of your pages and e-mails (fr or en).")),
            Column("notify_bookings", "boolean", _("Whether you get e-mails about bookings.")),
            Column("notify_settlements", "boolean", _("Whether you get the monthly settlement e-mail.")),
            Column("notify_community", "boolean", _("Whether you get e-mails about members and invitations.")),
            Column("date_joined", "datetime", _("When you created your account.")),
            Column("last_login", "datetime", _("When you last logged in.")),
        ),
        rows=_profile,
        covers=("communities.User",),
        order=0,
    ),
    Section(
        name="memberships",
        title=_("Memberships"),
        description=_("The communities you joined or asked to join, with your role."),
        columns=(
            COMMUNITY,
            Column("role", "string", _("admin or member.")),
            Column("status", "string", _("pending, active, rejected or left.")),
            Column("requested_at", "datetime", _("When you asked to join or were invited.")),
            Column("joined_at", "datetime", _("When you became a member.")),
            Column("ended_at", "datetime", _("When your membership ended.")),
        ),
        rows=_memberships,
        covers=("communities.Membership.user",),
        order=10,
    ),
    Section(
        name="membership_decisions",
        title=_("Membership decisions"),
        description=_("Requests to join that you approved or refused as an admin."),
        columns=(
            COMMUNITY,
            Column("member", "string", _("Display name of the person who asked to join.")),
            Column("status", "string", _("The membership's status now.")),
            Column("decided_at", "datetime", _("When the person joined or was refused.")),
        ),
        rows=_decisions,
        covers=("communities.Membership.decided_by",),
        order=11,
    ),
    Section(
        name="invitations_sent",
        title=_("Invitations sent"),
        description=_("The invitations you created, with the address you sent them to."),
        columns=(
            COMMUNITY,
            Column("email", "string", _("The address you invited (empty for a shared link).")),
            Column("label", "string", _("Your label for the invitation.")),
            Column("created_at", "datetime", _("When you created it.")),
            Column("expires_at", "datetime", _("When it expires.")),
            Column("max_uses", "integer", _("How many people may use it (empty: no limit).")),
            Column("uses", "integer", _("How many people used it.")),
            Column("revoked_at", "datetime", _("When you revoked it.")),
        ),
        rows=_invitations,
        covers=("communities.Invitation.created_by",),
        order=12,
    ),
    Section(
        name="communities_created",
        title=_("Communities you created or hold the pool of"),
        description=_("Communities you created, and those whose shared pool you hold."),
        columns=(
            COMMUNITY,
            Column("role", "string", _("created_by or pool_holder.")),
            Column("created_at", "datetime", _("When the community was created.")),
        ),
        rows=_communities,
        covers=("communities.Community.created_by", "communities.Community.pool_holder"),
        order=13,
    ),
)


def _forget_invitations(cutoff):
    """Invitations that expired or were revoked before ``cutoff`` (they hold the invited address)."""
    old = Invitation.objects.filter(Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff))
    return old.delete()[1].get(Invitation._meta.label, 0)


keep_for(
    Retention(
        name="invitations",
        description=_("Invitations to a community, once expired or revoked."),
        setting="RETENTION_INVITATION_DAYS",
        forget=_forget_invitations,
    )
)
