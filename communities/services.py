"""Every write about people and communities."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bookings.services import bookings_cancel_future_for_member
from colocauto.core.errors import Conflict, DomainError, NotAllowed
from colocauto.core.queue import wake
from colocauto.text import single_line
from communities.models import Community, Invitation, Membership, User
from communities.rules import require_admin, require_not_last_admin
from communities.selectors import pool_holder_candidates

COMMUNITY_FIELDS = ("name", "description", "charter", "municipality", "postal_code", "time_zone", "currency")
RULE_FIELDS = (
    "owner_approval_required",
    "auto_approve_invitees",
    "min_notice",
    "max_duration",
    "max_advance",
    "idle_shared_costs",
)
SETTLEMENT_FIELDS = ("pool_holder",)


class InvitationUnusable(DomainError):
    """The invitation link can no longer be used; ``reason`` says why (expired, revoked, used_up)."""

    status_code = 410

    def __init__(self, message, *, reason: str):
        super().__init__(message)
        self.reason = reason


class AlreadyMember(Conflict):
    """The user already belongs to the community, or already asked to join it."""


# --- Profile ---------------------------------------------------------------------------------


@transaction.atomic
def profile_update(*, user: User, data: dict) -> User:
    fields = ["display_name", "phone", "language", "iban", "notify_bookings", "notify_settlements", "notify_community"]
    data = dict(data)
    if "display_name" in data:
        data["display_name"] = single_line(data["display_name"])
    for field in fields:
        if field in data:
            setattr(user, field, data[field])
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user


@transaction.atomic
def language_set(*, user: User, language: str) -> None:
    if user.is_authenticated and user.language != language:
        user.language = language
        user.save(update_fields=["language"])


# --- Communities -----------------------------------------------------------------------------


@transaction.atomic
def community_create(*, user: User, data: dict) -> Community:
    """Create a community; its creator becomes its first active admin."""
    community = Community(created_by=user, **{field: data[field] for field in COMMUNITY_FIELDS if field in data})
    community.full_clean(exclude=["created_by"])
    community.save()
    now = timezone.now()
    Membership.objects.create(
        community=community,
        user=user,
        role=Membership.Role.ADMIN,
        status=Membership.Status.ACTIVE,
        requested_at=now,
        joined_at=now,
        decided_by=user,
    )
    return community


@transaction.atomic
def community_update(*, actor: Membership, data: dict) -> Community:
    """Admins change the community's description, booking rules and pool holder (one of its active admins)."""
    require_admin(actor)
    community = Community.objects.select_for_update().get(pk=actor.community_id)
    holder = data.get("pool_holder")
    if holder is not None and not pool_holder_candidates(community).filter(pk=holder.pk).exists():
        raise DomainError(_("The pool holder must be an admin of this community."))
    fields = [field for field in (*COMMUNITY_FIELDS, *RULE_FIELDS, *SETTLEMENT_FIELDS) if field in data]
    for field in fields:
        setattr(community, field, data[field])
    community.full_clean(exclude=["created_by"])
    community.save(update_fields=fields)
    return community


# --- Membership ------------------------------------------------------------------------------


def _lock_community(community_id: int) -> Community:
    """Membership changes of one community are serialised on its row, so the admin count can't race."""
    return Community.objects.select_for_update().get(pk=community_id)


def _reload(membership: Membership, community_id: int) -> Membership:
    current = (
        Membership.objects.select_related("user", "community")
        .filter(pk=membership.pk, community_id=community_id)
        .first()
    )
    if current is None:
        raise DomainError(_("This membership no longer exists."))
    return current


@transaction.atomic
def membership_approve(*, actor: Membership, membership: Membership) -> Membership:
    return _decide_request(actor=actor, membership=membership, approve=True)


@transaction.atomic
def membership_reject(*, actor: Membership, membership: Membership) -> Membership:
    return _decide_request(actor=actor, membership=membership, approve=False)


def _decide_request(*, actor: Membership, membership: Membership, approve: bool) -> Membership:
    """An admin answers a pending request; the applicant is told once the answer is committed."""
    require_admin(actor)
    _lock_community(actor.community_id)
    membership = _reload(membership, actor.community_id)
    if membership.status != Membership.Status.PENDING:
        raise Conflict(_("This request has already been dealt with."))
    if approve:
        membership.status, membership.joined_at = Membership.Status.ACTIVE, timezone.now()
    else:
        membership.status, membership.ended_at = Membership.Status.REJECTED, timezone.now()
    membership.decided_by = actor.user
    membership.save(update_fields=["status", "joined_at" if approve else "ended_at", "decided_by"])
    _notify_applicant_on_commit(membership)
    return membership


def _notify_applicant_on_commit(membership: Membership) -> None:
    from communities.tasks import notify_applicant_of_decision

    wake(notify_applicant_of_decision, membership.pk)


@transaction.atomic
def membership_promote(*, actor: Membership, membership: Membership) -> Membership:
    require_admin(actor)
    _lock_community(actor.community_id)
    membership = _reload(membership, actor.community_id)
    if membership.status != Membership.Status.ACTIVE:
        raise Conflict(_("Only an active member can become an admin."))
    if membership.role == Membership.Role.ADMIN:
        raise Conflict(_("%(name)s is already an admin.") % {"name": membership.user.name})
    membership.role = Membership.Role.ADMIN
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_demote(*, actor: Membership, membership: Membership) -> Membership:
    require_admin(actor)
    _lock_community(actor.community_id)
    membership = _reload(membership, actor.community_id)
    if not membership.is_admin:
        raise Conflict(_("%(name)s is not an admin.") % {"name": membership.user.name})
    require_not_last_admin(
        membership, _("A community always keeps at least one admin: make someone else an admin first.")
    )
    membership.role = Membership.Role.MEMBER
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> Membership:
    """An admin removes a member; their future bookings are cancelled."""
    require_admin(actor)
    _lock_community(actor.community_id)
    membership = _reload(membership, actor.community_id)
    if membership.status != Membership.Status.ACTIVE:
        raise Conflict(_("Only an active member can be removed."))
    if membership.pk == actor.pk:
        raise Conflict(_("To leave the community yourself, use “Leave this community”."))
    require_not_last_admin(membership, _("A community always keeps at least one admin."))
    membership.status = Membership.Status.REMOVED
    membership.ended_at = timezone.now()
    membership.decided_by = actor.user
    membership.save(update_fields=["status", "ended_at", "decided_by"])
    bookings_cancel_future_for_member(membership=membership, actor=actor.user)
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """A member leaves; their future bookings are cancelled. The last admin cannot leave."""
    _lock_community(membership.community_id)
    membership = _reload(membership, membership.community_id)
    if membership.status != Membership.Status.ACTIVE:
        raise Conflict(_("You are not an active member of this community."))
    require_not_last_admin(
        membership,
        _("You are the only admin: make another member an admin before you leave, so the community keeps one."),
    )
    membership.status = Membership.Status.LEFT
    membership.ended_at = timezone.now()
    membership.save(update_fields=["status", "ended_at"])
    bookings_cancel_future_for_member(membership=membership, actor=membership.user)
    return membership


# --- Invitations -----------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, actor: Membership, note: str = "", expires_in_days: int = 14, max_uses: int | None = None, email: str = ""
) -> Invitation:
    require_admin(actor)
    if expires_in_days < 1:
        raise DomainError(_("An invitation must stay valid for at least one day."))
    if max_uses is not None and max_uses < 1:
        raise DomainError(_("The maximum number of uses must be at least 1."))
    invitation = Invitation.objects.create(
        community_id=actor.community_id,
        created_by=actor.user,
        note=note,
        email=email.strip().lower(),
        expires_at=timezone.now() + timedelta(days=expires_in_days),
        max_uses=max_uses,
    )
    return invitation


@transaction.atomic
def invitation_send_by_email(*, actor: Membership, email: str, expires_in_days: int = 14) -> Invitation:
    """Invite one e-mail address: a single-use link bound to it, e-mailed after the transaction commits."""
    email = email.strip().lower()
    already = Membership.objects.filter(
        community_id=actor.community_id,
        user__email__iexact=email,
        status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING],
    ).exists()
    if already:
        raise AlreadyMember(
            _("%(email)s is already a member of this community or has asked to join.") % {"email": email}
        )
    invitation = invitation_create(actor=actor, email=email, expires_in_days=expires_in_days, max_uses=1)
    from communities.tasks import send_invitation_email

    wake(send_invitation_email, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    require_admin(actor)
    updated = Invitation.objects.filter(pk=invitation.pk, community_id=actor.community_id, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if updated != 1:
        raise Conflict(_("This invitation was already revoked."))
    invitation.refresh_from_db()
    return invitation


def _local_datetime(value, time_zone: str) -> str:
    return formats.date_format(timezone.localtime(value, ZoneInfo(time_zone)), "DATETIME_FORMAT")


def invitation_check_usable(invitation: Invitation) -> None:
    """Raise ``InvitationUnusable`` explaining exactly why a link can't be used any more."""
    if invitation.is_revoked:
        raise InvitationUnusable(
            _("This invitation has been revoked by an admin of the community. Ask them for a new link."),
            reason="revoked",
        )
    if invitation.is_expired:
        raise InvitationUnusable(
            _("This invitation expired on %(date)s. Ask an admin of the community for a new link.")
            % {"date": _local_datetime(invitation.expires_at, invitation.community.time_zone)},
            reason="expired",
        )
    if invitation.is_used_up:
        raise InvitationUnusable(
            _("This invitation has already been used as many times as allowed. Ask an admin for a new link."),
            reason="used_up",
        )


def invitation_check_recipient(*, user: User, invitation: Invitation) -> None:
    """An invitation sent to an e-mail address can only be used by the account with that address."""
    if not invitation.email or user.email.lower() == invitation.email.lower():
        return
    if EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        return
    raise NotAllowed(
        _("This invitation was sent to another e-mail address. Log in with the account of %(email)s to use it.")
        % {"email": invitation.email}
    )


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """Join through an invitation: a pending request (or an active membership if the community auto-approves).

    One use is counted atomically; under concurrency ``max_uses`` is never exceeded.
    """
    community = _lock_community(invitation.community_id)
    invitation.refresh_from_db()
    invitation_check_usable(invitation)
    invitation_check_recipient(user=user, invitation=invitation)
    existing = Membership.objects.filter(
        community=community, user=user, status__in=[Membership.Status.ACTIVE, Membership.Status.PENDING]
    ).first()
    if existing is not None:
        if existing.is_active:
            raise AlreadyMember(_("You are already a member of %(name)s.") % {"name": community.name})
        raise AlreadyMember(
            _("You have already asked to join %(name)s; an admin will answer soon.") % {"name": community.name}
        )
    counted = (
        Invitation.objects.filter(pk=invitation.pk, revoked_at=None, expires_at__gt=timezone.now())
        .filter(Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")))
        .update(use_count=F("use_count") + 1)
    )
    if counted != 1:
        raise InvitationUnusable(
            _("This invitation has already been used as many times as allowed. Ask an admin for a new link."),
            reason="used_up",
        )
    now = timezone.now()
    auto = community.auto_approve_invitees
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                community=community,
                user=user,
                invitation=invitation,
                role=Membership.Role.MEMBER,
                status=Membership.Status.ACTIVE if auto else Membership.Status.PENDING,
                requested_at=now,
                joined_at=now if auto else None,
            )
    except IntegrityError:
        raise AlreadyMember(
            _("You have already asked to join %(name)s; an admin will answer soon.") % {"name": community.name}
        ) from None
    if not auto:
        from communities.tasks import notify_admins_of_request

        wake(notify_admins_of_request, membership.pk)
    return membership
