"""PostgreSQL guards on every ledger table whose change would rewrite money (see ``ledger.db_guards``).

- Columns that define money never change after insert (``ledger_refuse_frozen_change``, the
  columns are the trigger's arguments): an account's community, holder and kind; an expense's
  community, vehicle, category, amount, date, payer, cost model and author; a transfer's period,
  payer, payee and amount; a settlement period's community and month.
- Steps that posted money are never undone (``ledger_refuse_undo``: once the first column is set,
  it and the others stay as they are): an undone expense stays undone, a confirmed transfer stays
  confirmed on its settlement transaction.
- DELETE is refused on accounts, expenses, transfers and settlement periods (as on transactions
  and entries since 0002), and TRUNCATE on all six tables unless the transaction allowed it.

What the application legitimately updates stays free: an expense's cancellation and receipt, a
transfer's declaration, confirmation, supersession and e-mail claims, a period's e-mail stamp.
"""

from django.db import migrations

TABLES = (
    "ledger_account",
    "ledger_entry",
    "ledger_transaction",
    "ledger_expense",
    "ledger_settlementperiod",
    "ledger_transfer",
)
FROZEN = {
    "ledger_account": ("community_id", "user_id", "kind"),
    "ledger_expense": (
        "community_id",
        "vehicle_id",
        "category",
        "amount",
        "spent_on",
        "paid_by_id",
        "cost_model",
        "created_by_id",
    ),
    "ledger_transfer": ("period_id", "payer_id", "payee_id", "amount"),
    "ledger_settlementperiod": ("community_id", "month"),
}
NEVER_UNDONE = {
    "ledger_expense": ("cancelled_at", "cancelled_by_id", "cancel_reason"),
    "ledger_transfer": ("confirmed_at", "confirmed_by_id", "transaction_id"),
}
NEVER_DELETED = ("ledger_account", "ledger_expense", "ledger_settlementperiod", "ledger_transfer")

FUNCTIONS = """
CREATE OR REPLACE FUNCTION ledger_refuse_frozen_change() RETURNS trigger AS $$
DECLARE
    column_name text;
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
BEGIN
    FOREACH column_name IN ARRAY TG_ARGV LOOP
        IF old_row -> column_name IS DISTINCT FROM new_row -> column_name THEN
            RAISE EXCEPTION 'The ledger is append-only: changing %.% is refused.', TG_TABLE_NAME, column_name
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_refuse_undo() RETURNS trigger AS $$
DECLARE
    column_name text;
    old_row jsonb := to_jsonb(OLD);
    new_row jsonb := to_jsonb(NEW);
BEGIN
    IF old_row ->> TG_ARGV[0] IS NULL THEN
        RETURN NEW;
    END IF;
    FOREACH column_name IN ARRAY TG_ARGV LOOP
        IF old_row -> column_name IS DISTINCT FROM new_row -> column_name THEN
            RAISE EXCEPTION 'The ledger is append-only: %.% cannot change once % is set.',
                TG_TABLE_NAME, column_name, TG_ARGV[0]
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END LOOP;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

-- The setting's name is ledger.db_guards.ALLOW_TRUNCATE_SETTING.
CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('colocauto.allow_ledger_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The ledger is append-only: TRUNCATE on % is refused.', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _arguments(columns) -> str:
    return ", ".join(f"'{column}'" for column in columns)


def forward_sql() -> list[str]:
    statements = [FUNCTIONS]
    for table, columns in FROZEN.items():
        statements.append(
            f"CREATE TRIGGER {table}_frozen BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_frozen_change({_arguments(columns)});"
        )
    for table, columns in NEVER_UNDONE.items():
        statements.append(
            f"CREATE TRIGGER {table}_never_undone BEFORE UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_undo({_arguments(columns)});"
        )
    for table in NEVER_DELETED:
        # ledger_refuse_change comes from migration 0002.
        statements.append(
            f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();"
        )
    for table in TABLES:
        statements.append(
            f"CREATE TRIGGER {table}_never_truncated BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate();"
        )
    return statements


def backward_sql() -> list[str]:
    statements = [f"DROP TRIGGER IF EXISTS {table}_frozen ON {table};" for table in FROZEN]
    statements += [f"DROP TRIGGER IF EXISTS {table}_never_undone ON {table};" for table in NEVER_UNDONE]
    statements += [f"DROP TRIGGER IF EXISTS {table}_never_deleted ON {table};" for table in NEVER_DELETED]
    statements += [f"DROP TRIGGER IF EXISTS {table}_never_truncated ON {table};" for table in TABLES]
    statements += [
        "DROP FUNCTION IF EXISTS ledger_refuse_truncate();",
        "DROP FUNCTION IF EXISTS ledger_refuse_undo();",
        "DROP FUNCTION IF EXISTS ledger_refuse_frozen_change();",
    ]
    return statements


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in forward_sql():
            schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in backward_sql():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_transfer_notified")]

    operations = [migrations.RunPython(forward, backward)]
