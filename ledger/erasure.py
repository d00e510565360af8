"""What erasing a person's account does to the ledger (registered in ``ledger/privacy.py``).

Money is never touched: accounts, transactions, entries, transfers and settlements keep pointing at the
person's row, now a pseudonym ("Former member 3"), so every balance, statement and plan stays exactly as it
was and each community still sums to zero. Only what the person wrote goes: the notes and undo reasons of
the expenses they paid, recorded or undid, and the reasons of the lines they undid (``TransactionNote``).

Receipts are kept (decision, see docs/architecture.md, "Erasure"): they justify amounts other members paid or were
credited, the community's accounting needs them, their file names are random, and the expense now points
at the pseudonym; the retention job deletes them after ``RETENTION_RECEIPT_DAYS`` like everyone's.
"""

from __future__ import annotations

from django.db.models import Q

from colocauto.core.privacy import Eraser, erase_with, keep
from communities.models import User
from ledger.models import Expense, TransactionNote

ERASES = (
    "ledger.Expense.paid_by",
    "ledger.Expense.created_by",
    "ledger.Expense.cancelled_by",
    "ledger.Expense.note",
    "ledger.Expense.cancel_reason",
    "ledger.Transaction.author",
    "ledger.TransactionNote.text",
)


def erase_ledger(user: User) -> None:
    theirs = Expense.objects.filter(Q(paid_by=user) | Q(created_by=user) | Q(cancelled_by=user))
    theirs.exclude(note="", cancel_reason="").update(note="", cancel_reason="")
    TransactionNote.objects.filter(transaction__author=user).delete()


erase_with(Eraser(name="ledger", erase=erase_ledger, covers=ERASES))
keep(
    "Money stays exactly as it was: accounts, transfers and e-mail records point at the pseudonym, so every balance "
    "and plan is unchanged and each community still sums to zero.",
    "ledger.Account.user",
    "ledger.Transfer.declared_by",
    "ledger.Transfer.confirmed_by",
    "ledger.SettlementEmail.user",
    "ledger.SettlementEmail.error_code",
    "ledger.LeftBalanceNotice",
)
keep(
    "Machine-made text only (km, month, idempotency key, cost model): no person's words, which a check constraint "
    "keeps off the append-only rows (migration 0013).",
    "ledger.Transaction.description",
    "ledger.Transaction.idempotency_key",
    "ledger.Expense.cost_model",
)
keep(
    "Receipts are the community's accounting: they justify amounts others paid or were credited; their file "
    "names are random and the expense points at the pseudonym; the retention job deletes them later.",
    "ledger.Expense.receipt",
)
