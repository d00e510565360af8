"""Every write about people, communities and memberships (invitations are in ``communities.invitations``)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import Conflict, DomainError
from colocauto.core.events import emit
from colocauto.core.queue import wake
from colocauto.text import StrOrPromise, single_line
from communities import tasks
from communities.events import MEMBER_LEFT, MEMBER_REMOVED, MemberLeft
from communities.models import Community, Membership, User
from communities.rules import require_active, require_admin, require_not_last_admin
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
SETTLEMENT_FIELDS = ("pool_holder", "inactivity_months")


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
        raise DomainError(_("The pool holder must be an admin of this community."), code="pool_holder_not_admin")
    fields = [field for field in (*COMMUNITY_FIELDS, *RULE_FIELDS, *SETTLEMENT_FIELDS) if field in data]
    for field in fields:
        setattr(community, field, data[field])
    community.full_clean(exclude=["created_by"])
    # Saving the settings page (or the API's PATCH, which sends its whole form) is reviewing the rules.
    community.rules_reviewed_at = timezone.now()
    community.save(update_fields=[*fields, "rules_reviewed_at"])
    return community


@transaction.atomic
def checklist_hide(*, membership: Membership) -> Membership:
    """The member hides their setup checklist on the overview, for good."""
    require_active(membership)
    if membership.checklist_hidden_at is None:
        membership.checklist_hidden_at = timezone.now()
        membership.save(update_fields=["checklist_hidden_at"])
    return membership


# --- Membership ------------------------------------------------------------------------------


def lock_community(community_id: int) -> Community:
    """Membership changes of one community are serialised on its row, so the admin count can't race."""
    return Community.objects.select_for_update().get(pk=community_id)


def _reload(membership: Membership, community_id: int) -> Membership:
    current = (
        Membership.objects.select_related("user", "community")
        .filter(pk=membership.pk, community_id=community_id)
        .first()
    )
    if current is None:
        raise DomainError(_("This membership no longer exists."), code="membership_gone")
    return current


def _locked_for_admin(actor: Membership, membership: Membership) -> Membership:
    """An admin acts on another membership of their community: checked, locked, read afresh."""
    require_admin(actor)
    lock_community(actor.community_id)
    return _reload(membership, actor.community_id)


def _require_active_member(membership: Membership, refusal: StrOrPromise) -> None:
    """The membership (read under the community's lock) is still active; else ``refusal``."""
    if membership.status != Membership.Status.ACTIVE:
        raise Conflict(refusal, code="not_active_member")


@transaction.atomic
def membership_approve(*, actor: Membership, membership: Membership) -> Membership:
    return _decide_request(actor=actor, membership=membership, approve=True)


@transaction.atomic
def membership_reject(*, actor: Membership, membership: Membership) -> Membership:
    return _decide_request(actor=actor, membership=membership, approve=False)


def _decide_request(*, actor: Membership, membership: Membership, approve: bool) -> Membership:
    """An admin answers a pending request; the applicant is told once the answer is committed."""
    membership = _locked_for_admin(actor, membership)
    if membership.status != Membership.Status.PENDING:
        raise Conflict(_("This request has already been dealt with."), code="request_already_decided")
    if approve:
        membership.status, membership.joined_at = Membership.Status.ACTIVE, timezone.now()
    else:
        membership.status, membership.ended_at = Membership.Status.REJECTED, timezone.now()
    membership.decided_by = actor.user
    membership.save(update_fields=["status", "joined_at" if approve else "ended_at", "decided_by"])
    wake(tasks.notify_applicant_of_decision, membership.pk)
    return membership


def _with_role(membership: Membership, role: str) -> Membership:
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_promote(*, actor: Membership, membership: Membership) -> Membership:
    membership = _locked_for_admin(actor, membership)
    _require_active_member(membership, _("Only an active member can become an admin."))
    if membership.role == Membership.Role.ADMIN:
        raise Conflict(_("%(name)s is already an admin.") % {"name": membership.user.name}, code="already_admin")
    return _with_role(membership, Membership.Role.ADMIN)


@transaction.atomic
def membership_demote(*, actor: Membership, membership: Membership) -> Membership:
    membership = _locked_for_admin(actor, membership)
    if not membership.is_admin:
        raise Conflict(_("%(name)s is not an admin.") % {"name": membership.user.name}, code="not_admin")
    require_not_last_admin(
        membership, _("A community always keeps at least one admin: make someone else an admin first.")
    )
    return _with_role(membership, Membership.Role.MEMBER)


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> Membership:
    """An admin removes a member; their future bookings are cancelled (``MemberLeft``)."""
    membership = _locked_for_admin(actor, membership)
    _require_active_member(membership, _("Only an active member can be removed."))
    if membership.pk == actor.pk:
        raise Conflict(_("To leave the community yourself, use “Leave this community”."), code="remove_self")
    require_not_last_admin(membership, _("A community always keeps at least one admin."))
    _end(membership, status=Membership.Status.REMOVED, actor=actor.user)
    return membership


@transaction.atomic
def membership_leave(*, membership: Membership) -> Membership:
    """A member leaves; their future bookings are cancelled (``MemberLeft``). The last admin cannot leave."""
    lock_community(membership.community_id)
    membership = _reload(membership, membership.community_id)
    _require_active_member(membership, _("You are not an active member of this community."))
    require_not_last_admin(
        membership,
        _("You are the only admin: make another member an admin before you leave, so the community keeps one."),
    )
    _end(membership, status=Membership.Status.LEFT, actor=membership.user)
    return membership


@transaction.atomic
def membership_end_for_erasure(*, membership: Membership) -> Membership:
    """The person's account is being erased: their membership ends as if they left (``MemberLeft``), whatever
    their role; the caller has given the community another admin first when it needed one."""
    lock_community(membership.community_id)
    membership = _reload(membership, membership.community_id)
    if membership.status == Membership.Status.ACTIVE:
        _end(membership, status=Membership.Status.LEFT, actor=membership.user)
    return membership


def _end(membership: Membership, *, status: str, actor: User) -> None:
    """End an active membership and tell the layers above, in this transaction."""
    removed = status == Membership.Status.REMOVED
    membership.status = status
    membership.ended_at = timezone.now()
    fields = ["status", "ended_at"]
    if removed:
        membership.decided_by = actor
        fields.append("decided_by")
    membership.save(update_fields=fields)
    emit(
        MemberLeft(
            membership_id=membership.pk,
            community_id=membership.community_id,
            user_id=membership.user_id,
            actor_id=actor.pk,
            reason=MEMBER_REMOVED if removed else MEMBER_LEFT,  # type: ignore[arg-type]
        )
    )
