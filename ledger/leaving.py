"""Leaving a community with money still owed either way: the same rules as erasing one's account, scoped to the
community. With a zero balance one just leaves; otherwise one settles first (the settle-up page) or says one
leaves the balance to the community: it stays on one's account, in the plans, as a former member's that the
remaining members settle, and the admins are told (``ledger.left_balance``). Coming back is an admin's decision
(``communities.invitations``), and the account, with its balance, is where it was left."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from colocauto.core.errors import DomainError
from communities.models import Membership
from communities.services import membership_leave
from ledger.selectors import own_balance


class BalanceNotSettled(DomainError):
    """A non-zero balance, and the person did not say they leave it to the community."""

    default_code = "balance_not_settled"


def member_leave(*, membership: Membership, leave_balance: bool = False) -> Membership:
    """Leave the community (``membership_leave``: future bookings cancelled), refused with
    ``balance_not_settled`` while the balance is not zero unless ``leave_balance``."""
    if not leave_balance and own_balance(membership) != 0:
        raise BalanceNotSettled(_("Your balance is not zero: settle up first, or leave your balance to the community."))
    return membership_leave(membership=membership)
