"""No person's words on an append-only row (issue 11): they move to rows that can be erased.

- ``TransactionNote``: a person's words beside a transaction (an undo's reason), erasable, where
  ``Transaction.description`` used to hold them. An expense's posting no longer copies the expense's note:
  the statement reads it from the expense, whose note is erasable.
- Existing rows: every description that is not machine-made ("12 km", "2026-03", "2026-03:12/31") moves
  to a note — except the copy of an expense's own note on its posting, which is only emptied — and is then
  emptied on the transaction. That UPDATE is the one the append-only trigger exists to refuse, so it runs
  with that trigger disabled, inside this migration's transaction only.
- PostgreSQL: a check constraint keeps ``ledger_transaction.description`` machine-made from now on, and an
  undone expense's reason (``ledger_expense.cancel_reason``) leaves the columns frozen once it is undone
  (migration 0005): it is a person's words, erasable like the expense's note.
"""

import re

import django.db.models.deletion
from django.db import migrations, models

MACHINE_MADE = r"^(\d+ km|\d{1,4}-\d{2}(:\d+/\d+)?)?$"
CHECK = "ledger_transaction_description_machine_made"
UNDO_TRIGGER = (
    "CREATE TRIGGER ledger_expense_never_undone BEFORE UPDATE ON ledger_expense "
    "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_undo({columns});"
)
UNDO_COLUMNS = "'cancelled_at', 'cancelled_by_id'"
UNDO_COLUMNS_BEFORE = "'cancelled_at', 'cancelled_by_id', 'cancel_reason'"


def _personal(record) -> bool:
    if record.kind in ("expense", "reversal"):
        return True
    return re.fullmatch(MACHINE_MADE, record.description) is None


def _rewrite_descriptions(schema_editor, change) -> None:
    """Run ``change`` with the append-only trigger of ``ledger_transaction`` off (PostgreSQL), in this transaction."""
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute("ALTER TABLE ledger_transaction DISABLE TRIGGER ledger_transaction_append_only")
    change()
    if postgres:
        schema_editor.execute("ALTER TABLE ledger_transaction ENABLE TRIGGER ledger_transaction_append_only")


def move_words_to_notes(apps, schema_editor):
    Transaction = apps.get_model("ledger", "Transaction")
    TransactionNote = apps.get_model("ledger", "TransactionNote")
    records = Transaction.objects.exclude(description="").select_related("expense").order_by("pk")
    moved = []
    for record in records.iterator(chunk_size=2000):
        if not _personal(record):
            continue
        copy_of_expense_note = (
            record.kind == "expense" and record.expense is not None and record.description == record.expense.note[:200]
        )
        if not copy_of_expense_note:
            TransactionNote.objects.create(transaction_id=record.pk, text=record.description)
        moved.append(record.pk)

    def empty() -> None:
        for start in range(0, len(moved), 2000):
            Transaction.objects.filter(pk__in=moved[start : start + 2000]).update(description="")

    if moved:
        _rewrite_descriptions(schema_editor, empty)


def words_back_onto_transactions(apps, schema_editor):
    """Backward: the notes go back onto the transactions (and expense postings get their note's copy)."""
    Transaction = apps.get_model("ledger", "Transaction")
    TransactionNote = apps.get_model("ledger", "TransactionNote")

    def restore() -> None:
        for note in TransactionNote.objects.order_by("pk"):
            Transaction.objects.filter(pk=note.transaction_id).update(description=note.text)
        for record in Transaction.objects.filter(kind="expense", description="").exclude(expense=None):
            Transaction.objects.filter(pk=record.pk).update(description=record.expense.note[:200])

    _rewrite_descriptions(schema_editor, restore)
    TransactionNote.objects.all().delete()


def guard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE ledger_transaction ADD CONSTRAINT {CHECK} CHECK (description ~ '{MACHINE_MADE}')"
    )
    schema_editor.execute("DROP TRIGGER ledger_expense_never_undone ON ledger_expense")
    schema_editor.execute(UNDO_TRIGGER.format(columns=UNDO_COLUMNS))


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE ledger_transaction DROP CONSTRAINT IF EXISTS {CHECK}")
    schema_editor.execute("DROP TRIGGER IF EXISTS ledger_expense_never_undone ON ledger_expense")
    schema_editor.execute(UNDO_TRIGGER.format(columns=UNDO_COLUMNS_BEFORE))


class Migration(migrations.Migration):
    dependencies = [("ledger", "0012_expense_receipt_to_follow")]

    operations = [
        migrations.CreateModel(
            name="TransactionNote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("text", models.CharField(max_length=200, verbose_name="text")),
                (
                    "transaction",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, related_name="note", to="ledger.transaction"
                    ),
                ),
            ],
            options={"verbose_name": "transaction note", "verbose_name_plural": "transaction notes"},
        ),
        migrations.RunPython(move_words_to_notes, words_back_onto_transactions),
        migrations.RunPython(guard, unguard),
    ]
