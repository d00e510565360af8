"""Who may do what with money, and what an expense may be: the one place the pages (which buttons show,
what a form accepts), the e-mails and the services (what goes through) read, so a button is never shown for
an action that is then refused."""

from datetime import date
from typing import Literal, TypedDict

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from colocauto.core.clock import years_before
from colocauto.core.errors import DomainError, NotAllowed
from communities.models import Membership, User
from communities.rules import is_active_member
from ledger.models import Account, Expense, Transaction, Transfer

# --- Expenses ----------------------------------------------------------------------------------

EXPENSE_MAX_AGE_YEARS = 2


class InvalidExpense(DomainError):
    """A field of an expense breaks a rule; ``code`` says which (e.g. "expense_too_old")."""

    default_code = "invalid_expense"


def earliest_expense_date(today: date) -> date:
    """The oldest day an expense may be dated: two years before ``today`` (28 February for a 29th)."""
    return years_before(today, EXPENSE_MAX_AGE_YEARS)


def check_expense_date(spent_on: date, *, today: date) -> None:
    """An expense is dated from ``earliest_expense_date`` to ``today`` (the community's day)."""
    if spent_on > today:
        raise InvalidExpense(_("The date cannot be in the future."), code="expense_date_in_future")
    earliest = earliest_expense_date(today)
    if spent_on < earliest:
        raise InvalidExpense(
            _("An expense can be at most 24 months old: enter a date from %(date)s.")
            % {"date": date_format(earliest, "SHORT_DATE_FORMAT")},
            code="expense_too_old",
        )


def may_cancel_expense(membership: Membership, expense: Expense) -> bool:
    """An expense is undone by whoever recorded it, whoever paid it, or an admin."""
    return membership.is_admin or membership.user_id in (expense.created_by_id, expense.paid_by_id)


def require_may_cancel_expense(membership: Membership, expense: Expense) -> None:
    """Refuse (403 ``expense_undo_not_allowed``) anyone ``may_cancel_expense`` does not allow."""
    if not may_cancel_expense(membership, expense):
        raise NotAllowed(
            _("Only the person who recorded it, the payer or an admin can undo an expense."),
            code="expense_undo_not_allowed",
        )


def may_attach_receipt(membership: Membership, expense: Expense) -> bool:
    """A receipt is added later to an expense saved without one, by whoever may undo it, while it stands."""
    return not expense.receipt and not expense.is_cancelled and may_cancel_expense(membership, expense)


def require_may_handle_receipt(membership: Membership, expense: Expense) -> None:
    """Refuse (403 ``receipt_attach_not_allowed``) anyone but the expense's author, payer or an admin."""
    if not may_cancel_expense(membership, expense):
        raise NotAllowed(
            _("Only the person who recorded it, the payer or an admin can add its receipt."),
            code="receipt_attach_not_allowed",
        )


def require_may_attach_receipt(membership: Membership, expense: Expense) -> None:
    """``may_attach_receipt``, or why not."""
    require_may_handle_receipt(membership, expense)
    if expense.receipt:
        raise InvalidExpense(_("This expense already has its receipt."), code="receipt_already_attached")
    if expense.is_cancelled:
        raise InvalidExpense(_("This expense was undone: it needs no receipt."), code="expense_undone")


def may_reverse(membership: Membership, record: Transaction) -> bool:
    """A transaction is undone by an admin or its author; an expense's posting also by whoever may
    cancel that expense (undoing the posting is undoing the expense)."""
    if membership.is_admin or (record.author_id is not None and record.author_id == membership.user_id):
        return True
    return record.expense is not None and may_cancel_expense(membership, record.expense)


# --- Transfers of a settle-up plan -----------------------------------------------------------


def holds(membership: Membership, account: Account) -> bool:
    """Whether the member answers for the account: it is theirs, or it is the community pool and they are
    the pool holder the community named (an admin: ``Community.pool_holder``)."""
    if account.user_id is not None:
        return account.user_id == membership.user_id
    return membership.is_admin and membership.community.pool_holder_id == membership.user_id


def account_holder(account: Account, pool_holder: User | None) -> User | None:
    """The person who pays or receives for the account: its member, or for the pool ``pool_holder``
    (``communities.selectors.pool_holder_of``; None when nobody holds it)."""
    return account.user if account.user_id is not None else pool_holder


def awaits_payment(transfer: Transfer) -> bool:
    """Still to be made: nobody said it is paid, it is not confirmed, and no newer plan replaced it."""
    return transfer.is_open and transfer.declared_paid_at is None


def may_declare_paid(membership: Membership, transfer: Transfer) -> bool:
    """Only whoever makes the transfer says it is paid: its payer, or for the pool its holder or an admin
    who is not the payee. Nobody declares a transfer they do not make."""
    if not is_active_member(membership):
        return False
    if transfer.payer.is_pool:
        return membership.is_admin and not holds(membership, transfer.payee)
    return holds(membership, transfer.payer)


def may_confirm_transfer(membership: Membership, transfer: Transfer) -> bool:
    """The payee confirms the money arrived; an admin may confirm on the payee's (or the pool's) behalf, but
    never for a transfer they make: not its payer, nor who declared the pool's payment."""
    if not is_active_member(membership) or holds(membership, transfer.payer):
        return False
    if transfer.payer.is_pool and transfer.declared_by_id == membership.user_id:
        return False
    return membership.is_admin or holds(membership, transfer.payee)


def confirmed_on_behalf(transfer: Transfer, pool_holder: User | None) -> bool:
    """Whether someone other than the payee (an admin) confirmed the transfer for them."""
    payee = account_holder(transfer.payee, pool_holder)
    return transfer.confirmed_by_id is not None and (payee is None or transfer.confirmed_by_id != payee.pk)


class TransferActions(TypedDict):
    side: Literal["pay", "receive"] | None
    can_declare: bool
    can_confirm: bool
    on_behalf: bool
    to_make: bool


def transfer_actions(membership: Membership, transfer: Transfer) -> TransferActions:
    """What the viewer may do with the transfer now (the buttons ``transfer_declare_paid`` and
    ``transfer_confirm`` accept), from which side they see it, and whether it is still theirs to make."""
    pays = holds(membership, transfer.payer)
    receives = holds(membership, transfer.payee)
    return {
        "side": "pay" if pays else "receive" if receives else None,
        "can_declare": awaits_payment(transfer) and may_declare_paid(membership, transfer),
        "can_confirm": transfer.is_open and may_confirm_transfer(membership, transfer),
        "on_behalf": not receives,
        # How to pay is shown only to whoever makes it, until they say it is paid (never an invitation to pay twice).
        "to_make": pays and awaits_payment(transfer),
    }
