"""Who may undo what: the one place the pages (which buttons show) and the services (what goes
through) read, so a button is never shown for an action that is then refused."""

from ledger.models import Expense, Transaction


def may_cancel_expense(membership, expense: Expense) -> bool:
    """An expense is undone by whoever recorded it, whoever paid it, or an admin."""
    return membership.is_admin or membership.user_id in (expense.created_by_id, expense.paid_by_id)


def may_reverse(membership, record: Transaction) -> bool:
    """A transaction is undone by an admin or its author; an expense's posting also by whoever may
    cancel that expense (undoing the posting is undoing the expense)."""
    if membership.is_admin or (record.author_id is not None and record.author_id == membership.user_id):
        return True
    return record.expense_id is not None and may_cancel_expense(membership, record.expense)
