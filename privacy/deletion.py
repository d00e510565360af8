"""Asking for one's account to be erased, changing one's mind, and the job that erases when the time comes.

A person whose balances are all zero asks and the erasure is scheduled at once, for the end of a 14-day
grace period (``GRACE_PERIOD``) they can cancel during (e-mail with a link, banner on every page). With a
non-zero balance anywhere, they either settle first (``standing_balances`` shows the transfers to make or
receive, from the settle-up plan) or say they leave the balance to the community (``leave_balance``): their
account stays in the community's plans as a former member's, which the remaining members settle, and the
admins are told when the membership ends (``ledger.handlers``). Nothing is erased before the job runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import Conflict, DomainError, NotFound
from colocauto.core.queue import wake_by_name
from communities.models import Community, Membership, User
from communities.rules import is_last_admin
from ledger.leaving import BalanceNotSettled
from ledger.models import Account
from ledger.money import to_money
from ledger.settle_up import Move, my_open_moves
from privacy.erasure import person_erase
from privacy.models import GRACE_PERIOD, AccountDeletion

log = logging.getLogger(__name__)


@dataclass
class StandingBalance:
    """The person's non-zero balance in one community, and how to settle it there."""

    community: Community
    amount: Decimal
    member: bool  # still an active member (the settle-up page is theirs to use)
    moves: list[Move] = field(default_factory=list)


def standing_balances(user: User) -> list[StandingBalance]:
    """The person's non-zero balances, community by community, with the transfers of the settle-up plan they
    take part in: those of the latest closed month still open, or the plan today's balances give."""
    accounts = (
        Account.objects.filter(user=user, kind=Account.Kind.MEMBER).exclude(balance=0).select_related("community")
    )
    active = {
        membership.community_id: membership
        for membership in Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related(
            "community", "user"
        )
    }
    standing = []
    for account in accounts.order_by("community__name", "pk"):
        row = StandingBalance(account.community, to_money(account.balance), account.community_id in active)
        if row.member:
            row.moves = my_open_moves(active[account.community_id])
        standing.append(row)
    return standing


def communities_handed_over(user: User) -> list[Community]:
    """The communities the person is the only admin of, with other members: at the erasure their
    longest-standing member becomes admin (``communities.erasure.memberships_end``)."""
    handed = []
    for membership in Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).select_related("community"):
        others = Membership.objects.filter(community_id=membership.community_id, status=Membership.Status.ACTIVE)
        if is_last_admin(membership) and others.exclude(pk=membership.pk).exists():
            handed.append(membership.community)
    return handed


def deletion_pending(user: User) -> AccountDeletion | None:
    if not user.is_authenticated:
        return None
    return AccountDeletion.objects.filter(user=user, cancelled_at__isnull=True, erased_at__isnull=True).first()


def deletion_request(*, user: User, leave_balance: bool = False) -> AccountDeletion:
    """Schedule the erasure of the person's account after the grace period; refused (``balance_not_settled``)
    while a balance is not zero, unless they leave it to the community."""
    if not leave_balance and standing_balances(user):
        raise BalanceNotSettled(_("Your balance is not zero: settle up first, or leave your balance to the community."))
    now = timezone.now()
    try:
        with transaction.atomic():
            deletion = AccountDeletion.objects.create(
                user=user, requested_at=now, erase_after=now + GRACE_PERIOD, leave_balance=leave_balance
            )
            User.objects.filter(pk=user.pk).update(erasure_due_at=deletion.erase_after)
    except IntegrityError:
        raise Conflict(_("Your account is already scheduled for erasure."), code="deletion_already_requested") from None
    wake_by_name("privacy.tasks.deletion_email", deletion.pk)
    return deletion


def deletion_cancel(*, user: User, token: str | None = None) -> AccountDeletion:
    """The person changes their mind before the erasure: their account stays as it is."""
    with transaction.atomic():
        deletions = AccountDeletion.objects.select_for_update().filter(
            user=user, cancelled_at__isnull=True, erased_at__isnull=True
        )
        if token is not None:
            deletions = deletions.filter(token=token)
        deletion = deletions.first()
        if deletion is None:
            raise NotFound(_("There is no erasure of your account to cancel."), code="deletion_not_found")
        deletion.cancelled_at = timezone.now()
        deletion.save(update_fields=["cancelled_at"])
        User.objects.filter(pk=user.pk).update(erasure_due_at=None)
    return deletion


def deletions_due() -> list[int]:
    return list(
        AccountDeletion.objects.filter(
            cancelled_at__isnull=True, erased_at__isnull=True, erase_after__lte=timezone.now()
        ).values_list("user_id", flat=True)
    )


def erasures_run() -> int:
    """Beat: erase every account whose grace period is over. Idempotent: an account erased is not erased again,
    and one that fails (logged) is tried again on the next run without holding up the others."""
    erased = 0
    for user_id in deletions_due():
        try:
            erased += int(person_erase(user_id=user_id))
        except Exception:
            log.exception("Erasing account %s failed; the next run tries again.", user_id)
    return erased


def operator_erase(*, user: User, operator: str, reason: str) -> AccountDeletion:
    """A site operator erases an account now, on the person's written request: who and why are recorded."""
    operator, reason = operator.strip(), reason.strip()
    if not operator or not reason:
        raise DomainError(_("Say who you are and why you erase this account."), code="operator_reason_required")
    if user.is_erased:
        raise Conflict(_("This account was already erased."), code="already_erased")
    now = timezone.now()
    with transaction.atomic():
        AccountDeletion.objects.filter(user=user, cancelled_at__isnull=True, erased_at__isnull=True).update(
            cancelled_at=now
        )
        deletion = AccountDeletion.objects.create(
            user=user,
            requested_at=now,
            erase_after=now,
            leave_balance=True,
            operator=operator[:120],
            operator_reason=reason[:500],
        )
        person_erase(user_id=user.pk)
    deletion.refresh_from_db()
    return deletion
