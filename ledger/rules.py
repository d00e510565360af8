"""Who may do what with money: the one place the pages (which buttons show), the e-mails and the services
(what goes through) read, so a button is never shown for an action that is then refused."""

from ledger.models import Account, Expense, Transaction, Transfer


def may_cancel_expense(membership, expense: Expense) -> bool:
    """An expense is undone by whoever recorded it, whoever paid it, or an admin."""
    return membership.is_admin or membership.user_id in (expense.created_by_id, expense.paid_by_id)


def may_reverse(membership, record: Transaction) -> bool:
    """A transaction is undone by an admin or its author; an expense's posting also by whoever may
    cancel that expense (undoing the posting is undoing the expense)."""
    if membership.is_admin or (record.author_id is not None and record.author_id == membership.user_id):
        return True
    return record.expense_id is not None and may_cancel_expense(membership, record.expense)


# --- Transfers of a settle-up plan -----------------------------------------------------------


def holds(membership, account: Account) -> bool:
    """Whether the member answers for the account: it is theirs, or it is the community pool and they are
    the pool holder the community named (an admin: ``Community.pool_holder``)."""
    if account.user_id is not None:
        return account.user_id == membership.user_id
    return membership.is_admin and membership.community.pool_holder_id == membership.user_id


def account_holder(account: Account, pool_holder):
    """The person who pays or receives for the account: its member, or for the pool ``pool_holder``
    (``communities.selectors.pool_holder_of``; None when nobody holds it)."""
    return account.user if account.user_id is not None else pool_holder


def may_declare_paid(membership, transfer: Transfer) -> bool:
    """Only whoever makes the transfer says it is paid: its payer, or for the pool its holder or an admin
    who is not the payee. Nobody declares a transfer they do not make."""
    if not membership.is_active:
        return False
    if transfer.payer.is_pool:
        return membership.is_admin and not holds(membership, transfer.payee)
    return holds(membership, transfer.payer)


def may_confirm_transfer(membership, transfer: Transfer) -> bool:
    """The payee confirms the money arrived; an admin may confirm on the payee's (or the pool's) behalf, but
    never for a transfer they make: not its payer, nor who declared the pool's payment."""
    if not membership.is_active or holds(membership, transfer.payer):
        return False
    if transfer.payer.is_pool and transfer.declared_by_id == membership.user_id:
        return False
    return membership.is_admin or holds(membership, transfer.payee)


def confirmed_on_behalf(transfer: Transfer, pool_holder) -> bool:
    """Whether someone other than the payee (an admin) confirmed the transfer for them."""
    payee = account_holder(transfer.payee, pool_holder)
    return transfer.confirmed_by_id is not None and (payee is None or transfer.confirmed_by_id != payee.pk)


def transfer_actions(membership, transfer: Transfer) -> dict:
    """What the viewer may do with the transfer now, and from which side they see it."""
    pays = holds(membership, transfer.payer)
    receives = holds(membership, transfer.payee)
    return {
        "side": "pay" if pays else "receive" if receives else None,
        "can_declare": transfer.is_open and not transfer.declared_paid_at and may_declare_paid(membership, transfer),
        "can_confirm": transfer.is_open and may_confirm_transfer(membership, transfer),
        "on_behalf": not receives,
    }
