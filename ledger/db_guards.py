"""The PostgreSQL guards of the ledger, and their one deliberate opening.

Triggers (migrations 0002 and 0005) keep every table whose change would rewrite money append-only:
transactions and entries never change; accounts never change holder, community or kind; an
expense's amount, payer, vehicle, date and category never change and an undone expense stays
undone; a transfer's period, payer, payee and amount never change and a confirmed transfer stays
confirmed; a settlement period keeps its community and month. None of them can be deleted, and
TRUNCATE is refused on all of them — unless the same transaction first runs ``ALLOW_TRUNCATE``.
Only a whole-database flush does that: Django's test teardown (``tests/conftest.py``) or a
deliberate restore. The guards stop mistakes and application bugs; whoever owns the tables can
still drop a trigger, which is why the database role the application uses should not own them.
"""

ALLOW_TRUNCATE_SETTING = "colocauto.allow_ledger_truncate"
ALLOW_TRUNCATE = f"SET LOCAL {ALLOW_TRUNCATE_SETTING} = 'on';"
