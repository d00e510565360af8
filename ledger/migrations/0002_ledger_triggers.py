"""PostgreSQL guards for the ledger: append-only rows, and balanced transactions checked at commit.

- ``ledger_append_only``: any UPDATE or DELETE of a transaction or an entry raises.
  (TRUNCATE fires no row trigger: migration 0005 refuses it with a statement trigger.)
- ``ledger_entry_balanced``: a constraint trigger, DEFERRABLE INITIALLY DEFERRED, so it runs at
  commit, once all of a transaction's entries are in: their sum must be zero and their accounts
  must belong to the transaction's community.

SQLite has no such triggers: there the services are the only writers and build balanced entries.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The ledger is append-only: % on % is refused; post a reversal instead.', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER ledger_transaction_append_only
    BEFORE UPDATE OR DELETE ON ledger_transaction
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE TRIGGER ledger_entry_append_only
    BEFORE UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();

CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger AS $$
DECLARE
    total numeric;
    strangers integer;
BEGIN
    SELECT COALESCE(SUM(e.amount), 0) INTO total FROM ledger_entry e WHERE e.transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'Ledger transaction % is unbalanced: its entries sum to %.', NEW.transaction_id, total
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT COUNT(*) INTO strangers
        FROM ledger_entry e
        JOIN ledger_account a ON a.id = e.account_id
        JOIN ledger_transaction t ON t.id = e.transaction_id
        WHERE e.transaction_id = NEW.transaction_id AND a.community_id <> t.community_id;
    IF strangers > 0 THEN
        RAISE EXCEPTION 'Ledger transaction % has entries on another community''s accounts.', NEW.transaction_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER ledger_entry_balanced
    AFTER INSERT ON ledger_entry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;
DROP FUNCTION IF EXISTS ledger_check_balanced();
DROP TRIGGER IF EXISTS ledger_entry_append_only ON ledger_entry;
DROP TRIGGER IF EXISTS ledger_transaction_append_only ON ledger_transaction;
DROP FUNCTION IF EXISTS ledger_refuse_change();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
