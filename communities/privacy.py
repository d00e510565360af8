"""What the communities app holds about a person, for their data export (see colocauto.core.privacy)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Retention, Section, fields, keep_for, owned, register
from communities.models import Community, Inactivity, Invitation, Membership, User

COMMUNITY = Column("community", "string", _("Name of the community."), "community.name")


def _profile(user):
    return [user]


def _decided_at(membership):
    return membership.joined_at or membership.ended_at


def _inactive_periods(user):
    """The person's own inactive periods, and those they decided on as an admin (who is named, as on the page)."""
    periods = Inactivity.objects.select_related("membership__community", "membership__user").order_by("pk")
    for period in periods.filter(Q(membership__user=user) | Q(marked_by=user) | Q(ended_by=user)):
        yield {
            "community": period.membership.community.name,
            "member": period.membership.user.name,
            "yours": period.membership.user_id == user.pk,
            "starts_on": period.starts_on,
            "ends_on": period.ends_on,
            "marked_at": period.marked_at,
            "marked_by_you": period.marked_by_id == user.pk,
            "ended_at": period.ended_at,
            "ended_by_you": period.ended_by_id == user.pk,
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
            *fields(User, "email display_name"),
            Column("phone", "string", _("Your phone number, shown to the members of your communities.")),
            *fields(User, "iban language notify_bookings notify_settlements notify_community date_joined last_login"),
        ),
        objects=_profile,
        covers=("communities.User",),
        order=0,
    ),
    Section(
        name="memberships",
        title=_("Memberships"),
        description=_("The communities you joined or asked to join, with your role."),
        columns=(COMMUNITY, *fields(Membership, "role status requested_at joined_at ended_at")),
        objects=owned(Membership, "user", "community", order=("requested_at", "pk")),
        order=10,
    ),
    Section(
        name="membership_decisions",
        title=_("Membership decisions"),
        description=_("Requests to join that you approved or refused as an admin."),
        columns=(
            COMMUNITY,
            Column("member", "string", _("Display name of the person who asked to join."), "user.name"),
            *fields(Membership, "status"),
            Column("decided_at", "datetime", _("When the person joined or was refused."), _decided_at),
        ),
        objects=owned(Membership, "decided_by", "community", "user"),
        order=11,
    ),
    Section(
        name="inactive_periods",
        title=_("Inactive periods"),
        description=_("Months when you, or a member you marked as an admin, were left out of the fixed-cost splits."),
        columns=(
            COMMUNITY,
            Column("member", "string", _("Display name of the inactive member.")),
            Column("yours", "boolean", _("Whether the inactive member is you.")),
            *fields(Inactivity, "starts_on ends_on marked_at"),
            Column("marked_by_you", "boolean", _("Whether you marked the member inactive.")),
            *fields(Inactivity, "ended_at"),
            Column("ended_by_you", "boolean", _("Whether you made the member active again (or booked, for yourself).")),
        ),
        rows=_inactive_periods,
        covers=("communities.Inactivity.marked_by", "communities.Inactivity.ended_by"),
        order=11,
    ),
    Section(
        name="invitations_sent",
        title=_("Invitations sent"),
        description=_("The invitations you created, with the address you sent them to."),
        columns=(
            COMMUNITY,
            Column("email", "string", _("The address you invited (empty for a shared link).")),
            Column("label", "string", _("Your label for the invitation."), "note"),
            *fields(Invitation, "created_at expires_at"),
            Column("max_uses", "integer", _("How many people may use it (empty: no limit).")),
            Column("uses", "integer", _("How many people used it."), "use_count"),
            *fields(Invitation, "revoked_at"),
        ),
        objects=owned(Invitation, "created_by", "community"),
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
