"""What the ledger holds about a person, for their data export (see colocauto.core.privacy)."""

from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

from colocauto.core.privacy import Column, Retention, Section, fields, file_name, keep_for, owned, register, whether
from communities.models import User
from communities.privacy import COMMUNITY
from ledger.models import Entry, Expense, SettlementEmail, Transaction, Transfer
from vehicles.privacy import VEHICLE

TRANSACTION = Column("transaction", "integer", _("Number of the transaction."), "pk")
MONTH = Column("month", "date", _("The settled month."), "period.month")
IN_PERIOD = COMMUNITY.at("period.community.name")
# An undo's reason, in an erasable ``TransactionNote`` beside the append-only transaction (migration 0013).
NOTE = Column("note", "string", _("The words written beside the line: why it was undone."))


def _entries(user: User) -> Iterator[dict[str, Any]]:
    """Each line of each of the person's accounts, oldest first, with the account's balance after it."""
    entries = (
        Entry.objects.filter(account__user=user)
        .select_related("account__community", "transaction__note")
        .order_by("account_id", "transaction__date", "transaction_id")
    )
    account: int | None = None
    balance = Decimal("0.00")
    for entry in entries.iterator(chunk_size=1000):
        if entry.account_id != account:
            account, balance = entry.account_id, Decimal("0.00")
        balance += entry.amount
        transaction = entry.transaction
        yield {
            "community": entry.account.community.name,
            "transaction": transaction.pk,
            "date": transaction.date,
            "kind": transaction.kind,
            "description": transaction.description,
            "note": transaction.note_text,
            "amount": entry.amount,
            "balance": balance,
            "recorded_at": transaction.created_at,
        }


def _expenses_of(user: User) -> QuerySet[Expense]:
    return Expense.objects.filter(Q(paid_by=user) | Q(created_by=user) | Q(cancelled_by=user))


def _expenses(user: User) -> QuerySet[Expense]:
    return (
        _expenses_of(user)
        .annotate(recorded_by_you=whether(Q(created_by=user)))
        .select_related("community", "vehicle", "paid_by")
        .order_by("spent_on", "pk")
    )


def _receipt(expense: Expense) -> str | None:
    return file_name("receipts", expense.pk, expense.receipt) if expense.receipt else None


def _receipts(user: User) -> Iterator[tuple[str, FieldFile]]:
    """The receipts the person uploaded or paid for."""
    for expense in Expense.objects.filter(Q(paid_by=user) | Q(created_by=user)).exclude(receipt="").order_by("pk"):
        yield file_name("receipts", expense.pk, expense.receipt), expense.receipt


def _transfers(user: User) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(Q(payer__user=user) | Q(payee__user=user) | Q(declared_by=user) | Q(confirmed_by=user))
        .select_related("period__community", "payer__user", "payee__user")
        .order_by("period__month", "position", "pk")
    )


def _payer(transfer: Transfer) -> str:
    return str(transfer.payer)


def _payee(transfer: Transfer) -> str:
    return str(transfer.payee)


def _postings(user: User) -> QuerySet[Transaction]:
    return Transaction.objects.filter(author=user).select_related("community", "note").order_by("date", "pk")


register(
    Section(
        name="ledger_lines",
        title=_("Account statements"),
        description=_("Every line of your accounts in your communities, with your balance after each line."),
        columns=(
            COMMUNITY,
            TRANSACTION,
            *fields(Transaction, "date kind description"),
            NOTE,
            Column("amount", "decimal", _("The amount on your account: positive, the others owe you more.")),
            Column("balance", "decimal", _("Your balance in that community after this line.")),
            Column("recorded_at", "datetime", _("When it was recorded.")),
        ),
        rows=_entries,
        covers=("ledger.Account.user",),
        order=40,
    ),
    Section(
        name="expenses",
        title=_("Expenses"),
        description=_("Expenses you paid, recorded or undid, with their receipts."),
        columns=(
            Column("expense", "integer", _("Number of the expense."), "pk"),
            COMMUNITY,
            VEHICLE,
            *fields(Expense, "category amount spent_on"),
            Column("paid_by", "string", _("Display name of who paid."), "paid_by.name"),
            *fields(Expense, "note litres odometer"),
            Column("receipt", "file", _("The receipt in this archive."), _receipt),
            Column("recorded_by_you", "boolean", _("Whether you recorded it.")),
            Column("created_at", "datetime", _("When it was recorded.")),
            *fields(Expense, "cancelled_at cancel_reason"),
        ),
        objects=_expenses,
        files=_receipts,
        covers=("ledger.Expense.paid_by", "ledger.Expense.created_by", "ledger.Expense.cancelled_by"),
        order=41,
    ),
    Section(
        name="transfers",
        title=_("Settlement transfers"),
        description=_("The transfers of the monthly settlements you had to make or receive."),
        columns=(
            IN_PERIOD,
            MONTH,
            Column("payer", "string", _("Display name of who pays."), _payer),
            Column("payee", "string", _("Display name of who is paid."), _payee),
            *fields(Transfer, "amount declared_paid_at confirmed_at"),
            Column("superseded_at", "datetime", _("When a newer plan replaced it.")),
        ),
        objects=_transfers,
        covers=("ledger.Transfer.declared_by", "ledger.Transfer.confirmed_by"),
        order=42,
    ),
    Section(
        name="postings_recorded",
        title=_("Postings you recorded"),
        description=_("Ledger transactions recorded by you (expenses, settlements, undos)."),
        columns=(
            TRANSACTION,
            COMMUNITY,
            *fields(Transaction, "date kind description"),
            NOTE.at("note_text"),
            Column("recorded_at", "datetime", _("When you recorded it."), "created_at"),
        ),
        objects=_postings,
        covers=("ledger.Transaction.author",),
        order=43,
    ),
    Section(
        name="settlement_emails",
        title=_("Settlement e-mails"),
        description=_("The monthly settlement e-mails sent to you."),
        columns=(
            IN_PERIOD,
            MONTH,
            Column("sent_at", "datetime", _("When it was sent.")),
            Column("failed_at", "datetime", _("When it could not be delivered.")),
            Column("error_code", "string", _("The mail server's answer when it failed.")),
        ),
        objects=owned(SettlementEmail, "user", "period__community"),
        order=44,
    ),
)


def _forget_receipts(cutoff: datetime) -> int:
    """Receipts of expenses spent before ``cutoff``: the file goes, the expense and its postings stay."""
    old = Expense.objects.exclude(receipt="").filter(spent_on__lt=cutoff.date())
    forgotten = 0
    for expense in old.iterator(chunk_size=500):
        expense.receipt.delete(save=False)
        Expense.objects.filter(pk=expense.pk).update(receipt="")
        forgotten += 1
    return forgotten


keep_for(
    Retention(
        name="receipts",
        description=_("Receipts of expenses (the expense and its amounts stay in the accounts)."),
        setting="RETENTION_RECEIPT_DAYS",
        forget=_forget_receipts,
    )
)
