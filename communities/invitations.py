"""Invitations: secret links to join a community, optionally sent to one e-mail address.

The rules on a link come in two forms: ``invitation_unusable`` / ``invitation_wrong_recipient`` return the
refusal (or None) for a page that explains it; ``invitation_accept`` raises the same refusal.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import Conflict, DomainError, NotAllowed
from colocauto.core.queue import wake
from colocauto.text import date_text
from communities import tasks
from communities.models import Invitation, Membership, User
from communities.rules import require_admin
from communities.services import lock_community

OPEN_STATUSES = (Membership.Status.ACTIVE, Membership.Status.PENDING)


class InvitationUnusable(DomainError):
    """The invitation link can no longer be used; ``reason`` says why (expired, revoked, used_up), and the
    code is ``invitation_<reason>``."""

    status_code = 410

    def __init__(self, message, *, reason: str):
        super().__init__(message, code=f"invitation_{reason}")
        self.reason = reason


class AlreadyMember(Conflict):
    """The user already belongs to the community (``already_member``), or already asked to join it
    (``already_requested``)."""

    default_code = "already_member"


def _already_requested(community_name: str) -> AlreadyMember:
    return AlreadyMember(
        _("You have already asked to join %(name)s; an admin will answer soon.") % {"name": community_name},
        code="already_requested",
    )


def _used_up() -> InvitationUnusable:
    return InvitationUnusable(
        _("This invitation has already been used as many times as allowed. Ask an admin for a new link."),
        reason="used_up",
    )


@transaction.atomic
def invitation_create(
    *, actor: Membership, note: str = "", expires_in_days: int = 14, max_uses: int | None = None, email: str = ""
) -> Invitation:
    require_admin(actor)
    if expires_in_days < 1:
        raise DomainError(_("An invitation must stay valid for at least one day."), code="invitation_too_short")
    if max_uses is not None and max_uses < 1:
        raise DomainError(_("The maximum number of uses must be at least 1."), code="invitation_max_uses_too_low")
    return Invitation.objects.create(
        community_id=actor.community_id,
        created_by=actor.user,
        note=note,
        email=email.strip().lower(),
        expires_at=timezone.now() + timedelta(days=expires_in_days),
        max_uses=max_uses,
    )


@transaction.atomic
def invitation_send_by_email(*, actor: Membership, email: str, expires_in_days: int = 14) -> Invitation:
    """Invite one e-mail address: a single-use link bound to it, e-mailed after the transaction commits."""
    email = email.strip().lower()
    already = Membership.objects.filter(
        community_id=actor.community_id, user__email__iexact=email, status__in=OPEN_STATUSES
    ).exists()
    if already:
        raise AlreadyMember(
            _("%(email)s is already a member of this community or has asked to join.") % {"email": email},
            field="email",
        )
    invitation = invitation_create(actor=actor, email=email, expires_in_days=expires_in_days, max_uses=1)
    wake(tasks.send_invitation_email, invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: Membership, invitation: Invitation) -> Invitation:
    require_admin(actor)
    updated = Invitation.objects.filter(pk=invitation.pk, community_id=actor.community_id, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if updated != 1:
        raise Conflict(_("This invitation was already revoked."), code="invitation_already_revoked")
    invitation.refresh_from_db()
    return invitation


def _local_datetime(value, time_zone: str) -> str:
    return date_text(timezone.localtime(value, ZoneInfo(time_zone)), "DATETIME_FORMAT")


def invitation_unusable(invitation: Invitation) -> InvitationUnusable | None:
    """Why the link can't be used any more (revoked, expired, used up), or None while it can."""
    if invitation.is_revoked:
        return InvitationUnusable(
            _("This invitation has been revoked by an admin of the community. Ask them for a new link."),
            reason="revoked",
        )
    if invitation.is_expired:
        return InvitationUnusable(
            _("This invitation expired on %(date)s. Ask an admin of the community for a new link.")
            % {"date": _local_datetime(invitation.expires_at, invitation.community.time_zone)},
            reason="expired",
        )
    if invitation.is_used_up:
        return _used_up()
    return None


class Addressed(Protocol):
    """An invitation to one e-mail address (a community's, or a territory's staff invitation)."""

    @property
    def email(self) -> str: ...


def invitation_wrong_recipient(*, user: User, invitation: Addressed) -> NotAllowed | None:
    """An invitation sent to an e-mail address can only be used by the account with that address:
    the refusal for anyone else, or None."""
    if not invitation.email or user.email.lower() == invitation.email.lower():
        return None
    if EmailAddress.objects.filter(user=user, email__iexact=invitation.email, verified=True).exists():
        return None
    return NotAllowed(
        _("This invitation was sent to another e-mail address. Log in with the account of %(email)s to use it.")
        % {"email": invitation.email},
        code="invitation_for_another_address",
    )


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """Join through an invitation: a pending request (or an active membership if the community auto-approves).

    One use is counted atomically; under concurrency ``max_uses`` is never exceeded.
    """
    community = lock_community(invitation.community_id)
    invitation.refresh_from_db()
    refusal = invitation_unusable(invitation) or invitation_wrong_recipient(user=user, invitation=invitation)
    if refusal is not None:
        raise refusal
    existing = Membership.objects.filter(community=community, user=user, status__in=OPEN_STATUSES).first()
    if existing is not None:
        if existing.is_active:
            raise AlreadyMember(_("You are already a member of %(name)s.") % {"name": community.name})
        raise _already_requested(community.name)
    counted = (
        Invitation.objects.filter(pk=invitation.pk, revoked_at=None, expires_at__gt=timezone.now())
        .filter(Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")))
        .update(use_count=F("use_count") + 1)
    )
    if counted != 1:
        raise _used_up()
    now = timezone.now()
    # Someone who left or was removed comes back only when an admin lets them in (their account, balance included,
    # is where they left it).
    former = Membership.objects.filter(
        community=community, user=user, status__in=(Membership.Status.LEFT, Membership.Status.REMOVED)
    ).exists()
    auto = community.auto_approve_invitees and not former
    membership = Membership(community=community, user=user, invitation=invitation, role=Membership.Role.MEMBER)
    membership.status = Membership.Status.ACTIVE if auto else Membership.Status.PENDING
    membership.requested_at, membership.joined_at = now, (now if auto else None)
    try:
        with transaction.atomic():  # the unique open membership per person may refuse a concurrent request
            membership.save(force_insert=True)
    except IntegrityError:
        raise _already_requested(community.name) from None
    if not auto:
        wake(tasks.notify_admins_of_request, membership.pk)
    return membership
