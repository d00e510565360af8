"""No person's words on an append-only ledger row (issue 11): an undo's reason lives in an erasable
``TransactionNote``, an expense's note only on the expense, and the statement still says the same."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from ledger import services
from ledger.explain import explain, prepare
from ledger.models import Entry, Expense, Transaction, TransactionNote
from ledger.posting import account_for
from tests.factories import ExpenseFactory
from tests.ledger.conftest import make_trip

BEFORE = [("ledger", "0012_expense_receipt_to_follow")]
AFTER = [("ledger", "0013_transaction_note")]


def _texts(records) -> list[str]:
    records = list(Transaction.objects.filter(pk__in=[record.pk for record in records]).order_by("pk"))
    prepare(records)
    with translation.override("en"):
        return [explain(record) for record in records]


def test_an_undos_reason_is_a_note_beside_the_reversal_never_on_it(trio):
    charge = services.trip_charge(trip=make_trip(trio["car"], trio["b"], 20))

    reversal = services.transaction_reverse(membership=trio["a_membership"], transaction=charge, reason="Test drive")

    reversal = Transaction.objects.get(pk=reversal.pk)
    assert reversal.description == ""
    assert TransactionNote.objects.get(transaction=reversal).text == "Test drive"
    (text,) = _texts([reversal])
    assert text.startswith("Undoes “Trip with Clio: 20 km by Bruno") and text.endswith(" — reason: Test drive")


def test_an_expenses_posting_shows_the_expenses_own_note_without_copying_it(trio):
    expense = ExpenseFactory(vehicle=trio["car"], paid_by=trio["b"], note="Plein à Crest")

    posting = Transaction.objects.get(expense=expense)

    assert posting.description == "" and not TransactionNote.objects.exists()
    assert _texts([posting]) == ["Fuel / charging for Clio, paid by Bruno (charged to the owner) — Plein à Crest"]


def test_an_erased_reason_leaves_the_reversal_and_its_money(trio):
    charge = services.trip_charge(trip=make_trip(trio["car"], trio["b"], 20))
    reversal = services.transaction_reverse(membership=trio["a_membership"], transaction=charge, reason="Anne's son")

    TransactionNote.objects.filter(transaction=reversal).delete()

    (text,) = _texts([reversal])
    assert text.startswith("Undoes “Trip with Clio: 20 km by Bruno") and "reason" not in text
    assert sum(entry.amount for entry in Entry.objects.filter(transaction=reversal)) == 0
    assert Entry.objects.filter(transaction=reversal).count() == 2


@pytest.mark.postgres("check constraint and triggers")
def test_the_database_refuses_a_persons_words_on_a_transaction(community, trio):
    lines = [(account_for(community, trio["b"].pk), Decimal("1")), (account_for(community, trio["c"].pk), -1)]
    from ledger.posting import post

    with pytest.raises(IntegrityError, match="machine_made"), transaction.atomic():
        post(
            community=community,
            kind=Transaction.Kind.EXPENSE,
            on=trio["car"].created_at.date(),
            lines=lines,
            description="Paid for Chloe's birthday",
        )
    record, _created = post(
        community=community,
        kind=Transaction.Kind.EXPENSE,
        on=trio["car"].created_at.date(),
        lines=lines,
        description="12 km",
        note="Chloe's birthday",
    )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Transaction.objects.filter(pk=record.pk).update(description="")
    TransactionNote.objects.filter(transaction=record).update(text="")  # the note is erasable


@pytest.mark.postgres("triggers")
def test_an_undone_expenses_reason_can_be_erased_but_it_stays_undone(trio):
    expense = ExpenseFactory(vehicle=trio["car"], paid_by=trio["a"])  # the owner paid: nothing posted
    services.expense_cancel(membership=trio["a_membership"], expense=expense, reason="Bruno's mistake")

    Expense.objects.filter(pk=expense.pk).update(cancel_reason="")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Expense.objects.filter(pk=expense.pk).update(cancelled_at=None)
    assert Expense.objects.get(pk=expense.pk).is_cancelled


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_words_off_the_transactions_and_the_texts_stay(community, trio):
    car = trio["car"]
    charge = services.trip_charge(trip=make_trip(car, trio["b"], 20))
    reversal = services.transaction_reverse(membership=trio["a_membership"], transaction=charge, reason="Test drive")
    expense = ExpenseFactory(vehicle=car, paid_by=trio["b"], note="Plein à Crest")
    posting = Transaction.objects.get(expense=expense)
    kept = _texts([charge, reversal, posting])

    try:
        old = _migrate(BEFORE)  # the words go back onto the rows, as they were before 0013
        OldTransaction = old.get_model("ledger", "Transaction")
        assert OldTransaction.objects.get(pk=reversal.pk).description == "Test drive"
        assert OldTransaction.objects.get(pk=posting.pk).description == "Plein à Crest"
        # A line posted by hand with free text, as the old schema allowed.
        OldEntry = old.get_model("ledger", "Entry")
        accounts = [account_for(community, trio["b"].pk), account_for(community, trio["a"].pk)]
        with transaction.atomic():
            odd = OldTransaction.objects.create(
                community_id=community.pk, kind="settlement", date=charge.date, description="Cash from Bruno"
            )
            OldEntry.objects.bulk_create(
                OldEntry(transaction_id=odd.pk, account_id=account.pk, amount=amount, date=odd.date)
                for account, amount in zip(accounts, (Decimal("5"), Decimal("-5")), strict=True)
            )
    finally:
        _migrate(AFTER)

    assert dict(Transaction.objects.values_list("pk", "description")) == {
        charge.pk: "20 km",
        reversal.pk: "",
        posting.pk: "",
        odd.pk: "",
    }
    assert dict(TransactionNote.objects.values_list("transaction_id", "text")) == {
        reversal.pk: "Test drive",
        odd.pk: "Cash from Bruno",
    }
    assert _texts([charge, reversal, posting]) == kept
    assert _texts([odd]) == ["Settlement: Cash from Bruno"]
