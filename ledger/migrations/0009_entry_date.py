"""Each entry keeps its transaction's date, so a statement reads one account's lines from one index.

- ``ledger_entry.date``: added nullable, filled from the transactions (the append-only trigger is set
  aside for that one UPDATE, inside this migration's transaction), then made NOT NULL.
- ``entry_account_date`` (account, date, transaction) INCLUDE (amount): a statement's month or page,
  and an account's balance before a day, are range scans of this index, never a scan of other
  accounts or communities.
- ``ledger_entry_date_matches`` (PostgreSQL): BEFORE INSERT, an entry without a date takes its
  transaction's; one with another date is refused. After insert the column is frozen like the rest
  of the row: ``ledger_entry_append_only`` (migration 0002) refuses every UPDATE.
"""

from django.db import migrations, models

BACKFILL = """
ALTER TABLE ledger_entry DISABLE TRIGGER ledger_entry_append_only;
UPDATE ledger_entry e SET date = t.date FROM ledger_transaction t WHERE t.id = e.transaction_id;
ALTER TABLE ledger_entry ENABLE TRIGGER ledger_entry_append_only;
"""

DATE_GUARD = """
CREATE OR REPLACE FUNCTION ledger_entry_date_matches() RETURNS trigger AS $$
DECLARE
    transaction_date date;
BEGIN
    SELECT t.date INTO transaction_date FROM ledger_transaction t WHERE t.id = NEW.transaction_id;
    IF NEW.date IS NULL THEN
        NEW.date := transaction_date;
    ELSIF NEW.date IS DISTINCT FROM transaction_date THEN
        RAISE EXCEPTION 'Ledger entry dated % but its transaction % is dated %.',
            NEW.date, NEW.transaction_id, transaction_date
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_entry_date_matches
    BEFORE INSERT ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_date_matches();
"""

DROP_DATE_GUARD = """
DROP TRIGGER IF EXISTS ledger_entry_date_matches ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_entry_date_matches();
"""


def backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL, params=None)
        return
    Entry = apps.get_model("ledger", "Entry")
    Transaction = apps.get_model("ledger", "Transaction")
    for pk, day in Transaction.objects.values_list("pk", "date").iterator(chunk_size=2000):
        Entry.objects.filter(transaction_id=pk).update(date=day)


def guard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DATE_GUARD, params=None)


def unguard(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_DATE_GUARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0008_transfer_confirmed_for_claim")]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="date",
            field=models.DateField(null=True, editable=False, verbose_name="date"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="entry",
            name="date",
            field=models.DateField(editable=False, verbose_name="date"),
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["account", "date", "transaction"], include=("amount",), name="entry_account_date"
            ),
        ),
        migrations.RunPython(guard, unguard),
    ]
