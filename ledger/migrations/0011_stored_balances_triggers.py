"""Stored balances kept by the database, and one balance check per transaction instead of one per entry.

- ``ledger_entry_posted`` (PostgreSQL: once per INSERT statement, over the rows it inserted; SQLite: once
  per row): adds the new entries to their account's ``balance`` and to its ``ledger_accountmonth`` row of
  the transaction's month, in the same database transaction as the posting, whoever inserts them
  (services, bulk inserts of the monthly job, benchmark seeding). On PostgreSQL it locks the accounts in
  id order first, so concurrent postings on the same accounts queue instead of deadlocking. It refuses, at
  once, entries on another community's accounts and entries added to a transaction recorded by an
  earlier database transaction (set-based, over the statement's rows).
- ``ledger_transaction_balanced`` (PostgreSQL) replaces 0002's ``ledger_entry_balanced``: still deferred to
  commit, but fired once per transaction row, not once per entry (each entry re-summed its whole
  transaction and joined it to the accounts: quadratic in the number of entries), and one index range
  of the transaction's entries summed. Same guarantees: the entries sum to zero (at commit), all on
  accounts of the transaction's community (now refused at insert); with the refusal of late entries
  above, no entry joins an old transaction after its check.
- Stored totals are written by that trigger only (PostgreSQL): changing ``ledger_account.balance``,
  creating an account with a balance, or writing ``ledger_accountmonth`` by hand is refused
  (``pg_trigger_depth() < 2``: not from inside a trigger); TRUNCATE as on every ledger table.
- Existing data is backfilled first: each account's balance and month totals from its entries.
"""

from django.db import migrations

POSTGRES_BACKFILL = [
    """
    UPDATE ledger_account a SET balance = s.total
    FROM (SELECT account_id, SUM(amount) AS total FROM ledger_entry GROUP BY account_id) s
    WHERE a.id = s.account_id
    """,
    """
    INSERT INTO ledger_accountmonth (account_id, month, amount)
    SELECT e.account_id, date_trunc('month', t.date)::date, SUM(e.amount)
    FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
    GROUP BY 1, 2
    """,
]

POSTGRES_FORWARD = [
    # True when the row version was written by the current database transaction (or one of its
    # subtransactions, e.g. a savepoint already released), still open: xmin widened to 64 bits.
    """
    CREATE OR REPLACE FUNCTION ledger_written_now(row_xmin xid) RETURNS boolean AS $$
    DECLARE
        current_xid bigint := txid_current();
        written bigint := (txid_current() >> 32 << 32) + row_xmin::text::bigint;
    BEGIN
        IF written > current_xid + 2147483648 THEN
            written := written - 4294967296;
        ELSIF written < current_xid - 2147483648 THEN
            written := written + 4294967296;
        END IF;
        RETURN written >= 0 AND txid_status(written) IS NOT DISTINCT FROM 'in progress';
    END;
    $$ LANGUAGE plpgsql STABLE;
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_entries_posted() RETURNS trigger AS $$
    DECLARE
        late bigint;
        stranger bigint;
    BEGIN
        SELECT t.id INTO late
            FROM (SELECT DISTINCT transaction_id FROM posted) n
            JOIN ledger_transaction t ON t.id = n.transaction_id
            WHERE NOT ledger_written_now(t.xmin)
            LIMIT 1;
        IF late IS NOT NULL THEN
            RAISE EXCEPTION 'The ledger is append-only: no entry can join transaction %, recorded earlier.', late
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        SELECT p.transaction_id INTO stranger
            FROM posted p
            JOIN ledger_transaction t ON t.id = p.transaction_id
            JOIN ledger_account a ON a.id = p.account_id
            WHERE a.community_id <> t.community_id
            LIMIT 1;
        IF stranger IS NOT NULL THEN
            RAISE EXCEPTION 'Ledger transaction % has entries on another community''s accounts.', stranger
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        PERFORM 1 FROM ledger_account WHERE id IN (SELECT account_id FROM posted) ORDER BY id FOR NO KEY UPDATE;
        UPDATE ledger_account a SET balance = a.balance + s.total
            FROM (SELECT account_id, SUM(amount) AS total FROM posted GROUP BY account_id) s
            WHERE a.id = s.account_id;
        INSERT INTO ledger_accountmonth (account_id, month, amount)
            SELECT p.account_id, date_trunc('month', t.date)::date, SUM(p.amount)
            FROM posted p JOIN ledger_transaction t ON t.id = p.transaction_id
            GROUP BY 1, 2
            ON CONFLICT (account_id, month) DO UPDATE SET amount = ledger_accountmonth.amount + EXCLUDED.amount;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER ledger_entry_posted AFTER INSERT ON ledger_entry
        REFERENCING NEW TABLE AS posted
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_posted();
    """,
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_hand_written_total() RETURNS trigger AS $$
    BEGIN
        IF pg_trigger_depth() < 2 THEN
            RAISE EXCEPTION 'The ledger is append-only: %.% is kept by the entries'' trigger, never written.',
                TG_TABLE_NAME, TG_ARGV[0]
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER ledger_account_balance_kept BEFORE UPDATE ON ledger_account
        FOR EACH ROW WHEN (OLD.balance IS DISTINCT FROM NEW.balance)
        EXECUTE FUNCTION ledger_refuse_hand_written_total('balance');
    """,
    """
    CREATE TRIGGER ledger_account_balance_starts_at_zero BEFORE INSERT ON ledger_account
        FOR EACH ROW WHEN (NEW.balance <> 0)
        EXECUTE FUNCTION ledger_refuse_hand_written_total('balance');
    """,
    """
    CREATE TRIGGER ledger_accountmonth_kept BEFORE INSERT OR UPDATE OR DELETE ON ledger_accountmonth
        FOR EACH ROW EXECUTE FUNCTION ledger_refuse_hand_written_total('amount');
    """,
    # ledger_refuse_truncate comes from migration 0005.
    """
    CREATE TRIGGER ledger_accountmonth_never_truncated BEFORE TRUNCATE ON ledger_accountmonth
        FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();
    """,
    # One balance check per transaction, at commit.
    """
    CREATE OR REPLACE FUNCTION ledger_check_transaction_balanced() RETURNS trigger AS $$
    DECLARE
        total numeric;
    BEGIN
        SELECT COALESCE(SUM(amount), 0) INTO total FROM ledger_entry WHERE transaction_id = NEW.id;
        IF total <> 0 THEN
            RAISE EXCEPTION 'Ledger transaction % is unbalanced: its entries sum to %.', NEW.id, total
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_transaction
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_check_transaction_balanced();
    """,
    "DROP TRIGGER IF EXISTS ledger_entry_balanced ON ledger_entry;",
    "DROP FUNCTION IF EXISTS ledger_check_balanced();",
]

# 0002's per-entry check, restored on the way back.
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS ledger_transaction_balanced ON ledger_transaction;",
    "DROP FUNCTION IF EXISTS ledger_check_transaction_balanced();",
    "DROP TRIGGER IF EXISTS ledger_accountmonth_never_truncated ON ledger_accountmonth;",
    "DROP TRIGGER IF EXISTS ledger_accountmonth_kept ON ledger_accountmonth;",
    "DROP TRIGGER IF EXISTS ledger_account_balance_starts_at_zero ON ledger_account;",
    "DROP TRIGGER IF EXISTS ledger_account_balance_kept ON ledger_account;",
    "DROP FUNCTION IF EXISTS ledger_refuse_hand_written_total();",
    "DROP TRIGGER IF EXISTS ledger_entry_posted ON ledger_entry;",
    "DROP FUNCTION IF EXISTS ledger_entries_posted();",
    "DROP FUNCTION IF EXISTS ledger_written_now(xid);",
    """
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
    """,
    """
    CREATE CONSTRAINT TRIGGER ledger_entry_balanced AFTER INSERT ON ledger_entry
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
    """,
]

# SQLite stores decimals as floating point: ROUND(…, 2) brings every stored total back to the cent, so
# rounding errors never accumulate (reads quantize to the cent, as every SQLite sum in the ledger).
SQLITE_BACKFILL = [
    """
    UPDATE ledger_account SET balance = ROUND(
        COALESCE((SELECT SUM(amount) FROM ledger_entry WHERE account_id = ledger_account.id), 0), 2)
    """,
    """
    INSERT INTO ledger_accountmonth (account_id, month, amount)
    SELECT e.account_id, strftime('%Y-%m-01', t.date), ROUND(SUM(e.amount), 2)
    FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
    GROUP BY 1, 2
    """,
]

SQLITE_FORWARD = [
    """
    CREATE TRIGGER ledger_entry_posted AFTER INSERT ON ledger_entry
    BEGIN
        UPDATE ledger_account SET balance = ROUND(balance + NEW.amount, 2) WHERE id = NEW.account_id;
        INSERT INTO ledger_accountmonth (account_id, month, amount)
            SELECT NEW.account_id, strftime('%Y-%m-01', t.date), NEW.amount
            FROM ledger_transaction t WHERE t.id = NEW.transaction_id
            ON CONFLICT (account_id, month) DO UPDATE SET amount = ROUND(amount + excluded.amount, 2);
    END;
    """,
]

SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS ledger_entry_posted;"]


def _run(schema_editor, statements):
    for statement in statements:
        schema_editor.execute(statement, params=None)


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_BACKFILL + POSTGRES_FORWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKFILL + SQLITE_FORWARD)


def backward(apps, schema_editor):
    # The stored totals themselves go with migration 0009's columns and table.
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _run(schema_editor, POSTGRES_BACKWARD)
    elif vendor == "sqlite":
        _run(schema_editor, SQLITE_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0010_stored_balances")]

    operations = [migrations.RunPython(forward, backward)]
