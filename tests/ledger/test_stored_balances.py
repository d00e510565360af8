"""Stored balances (``Account.balance``, ``AccountMonth``): kept by the database as entries are posted,
read by every balance the application shows, and proved equal to the sums of the entries."""

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from colocauto.celery import app
from ledger import services, tasks
from ledger.models import Account, AccountMonth, Entry, Transaction
from ledger.money import ZERO
from ledger.posting import account_for, post
from ledger.settle_up import settle_up
from ledger.statement_selectors import account_balance_before
from ledger.stored_balances import stored_balance_mismatches, stored_balances_verify
from tests.helpers import url
from tests.ledger.conftest import make_trip


def _post(community, on, *amounts_by_account):
    return post(community=community, kind=Transaction.Kind.EXPENSE, on=on, lines=amounts_by_account)[0]


def _summed(account) -> Decimal:
    return sum(Entry.objects.filter(account=account).values_list("amount", flat=True), ZERO)


def _months(account) -> dict[date, Decimal]:
    return {row.month: row.amount for row in AccountMonth.objects.filter(account=account)}


def _write_around_the_trigger(sql):
    """What a restore or a hand-made fix could do: write a stored total directly. On PostgreSQL the guards
    refuse it, so the test turns triggers off for its own (rolled back) transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = origin")


def test_each_posting_adds_to_the_stored_balance_and_its_months_total(community, trio):
    anne, bruno = account_for(community, trio["a"].pk), account_for(community, trio["b"].pk)

    _post(community, date(2025, 1, 31), (anne, Decimal("10.10")), (bruno, Decimal("-10.10")))
    _post(community, date(2025, 1, 2), (anne, Decimal("-0.20")), (bruno, Decimal("0.20")))
    _post(community, date(2025, 3, 1), (anne, Decimal("5.00")), (bruno, Decimal("-5.00")))

    anne.refresh_from_db()
    bruno.refresh_from_db()
    assert anne.balance == _summed(anne) == Decimal("14.90")
    assert bruno.balance == _summed(bruno) == Decimal("-14.90")
    assert _months(anne) == {date(2025, 1, 1): Decimal("9.90"), date(2025, 3, 1): Decimal("5.00")}
    assert _months(bruno) == {date(2025, 1, 1): Decimal("-9.90"), date(2025, 3, 1): Decimal("-5.00")}
    assert stored_balance_mismatches(community.pk) == []


def test_a_reversal_brings_the_stored_balances_back(community, trio):
    record = services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100))
    services.transaction_reverse(membership=trio["a_membership"], transaction=record, reason="Wrong car")

    assert set(Account.objects.filter(community=community).values_list("balance", flat=True)) == {ZERO}
    assert stored_balance_mismatches(community.pk) == []


def test_the_balance_before_a_day_reads_month_totals_and_that_months_entries_in_one_query(community, trio):
    anne, bruno = account_for(community, trio["a"].pk), account_for(community, trio["b"].pk)
    for on, cents in [
        (date(2024, 11, 30), 700),
        (date(2025, 1, 1), 150),
        (date(2025, 1, 20), 33),
        (date(2025, 2, 3), 9),
    ]:
        amount = Decimal(cents) / 100
        _post(community, on, (anne, amount), (bruno, -amount))

    for day in [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1), date(2025, 1, 2), date(2025, 1, 20),
                date(2025, 1, 21), date(2025, 2, 1), date(2025, 3, 15)]:  # fmt: skip
        expected = sum(
            Entry.objects.filter(account=anne, transaction__date__lt=day).values_list("amount", flat=True), ZERO
        )
        with CaptureQueriesContext(connection) as queries:
            assert account_balance_before(anne.pk, day) == expected, day
        assert len(queries) == 1
        assert account_balance_before(bruno.pk, day) == -expected


def test_the_balances_and_settle_pages_never_sum_the_entries(client, community, trio):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100))
    client.force_login(trio["b"])

    for name in ("ledger_balances", "ledger_settle", "community_detail"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(name, community)).status_code == 200
        assert not [query["sql"] for query in queries if "ledger_entry" in query["sql"]], name


def test_the_settle_page_reads_the_balances_once(community, trio):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100))

    with CaptureQueriesContext(connection) as queries:
        state = settle_up(trio["b_membership"])

    assert state.balance == Decimal("-30.00")
    assert [transfer.amount for transfer in state.live_plan] == [Decimal("30.00")]
    assert len([query for query in queries if "ledger_account" in query["sql"]]) == 1


def test_the_verification_names_and_logs_every_stored_total_that_differs(community, trio, caplog):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100))
    bruno = account_for(community, trio["b"].pk)
    month = AccountMonth.objects.get(account=bruno)
    assert stored_balances_verify() == 0

    _write_around_the_trigger(f"UPDATE ledger_account SET balance = balance + 1 WHERE id = {bruno.pk}")
    _write_around_the_trigger(f"DELETE FROM ledger_accountmonth WHERE id = {month.pk}")
    with caplog.at_level(logging.ERROR, logger="ledger.stored_balances"):
        assert tasks.stored_balances_verify() == 2

    assert {(m.account_id, m.month, m.stored, m.summed) for m in stored_balance_mismatches(community.pk)} == {
        (bruno.pk, None, Decimal("-29.00"), Decimal("-30.00")),
        (bruno.pk, month.month, None, Decimal("-30.00")),
    }
    assert len([record for record in caplog.records if record.levelno == logging.ERROR]) == 2


def test_beat_verifies_the_stored_balances_every_night():
    entry = app.conf.beat_schedule["ledger-stored-balances-verify"]

    assert entry["task"] == "ledger.tasks.stored_balances_verify"
    assert entry["schedule"].hour == {3}


# --- PostgreSQL: the triggers --------------------------------------------------------------------


def _calls(function: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT calls FROM pg_stat_xact_user_functions WHERE funcname = %s", [function])
        row = cursor.fetchone()
    return row[0] if row else 0


@pytest.mark.postgres("triggers")
def test_a_transaction_of_many_entries_is_checked_once_at_commit(community):
    from communities.models import Membership
    from tests.ledger.conftest import add_member

    people = [add_member(community, f"Person {index}")[0] for index in range(60)]
    accounts = [account_for(community, person.pk) for person in people]
    Membership.objects.filter(community=community).update(status=Membership.Status.ACTIVE)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL track_functions = 'pl'")

    _post(community, date(2025, 5, 5), *[(account, Decimal("1.00")) for account in accounts[1:]],
          (accounts[0], Decimal("-59.00")))  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert _calls("ledger_check_transaction_balanced") == 1
    assert _calls("ledger_entries_posted") == 1  # one statement: the stored totals are updated once
    assert stored_balance_mismatches(community.pk) == []


@pytest.mark.postgres("triggers")
def test_a_transaction_of_many_entries_unbalanced_by_a_cent_is_refused_at_commit(community):
    from django.db import DatabaseError, transaction

    from tests.ledger.conftest import add_member

    accounts = [account_for(community, add_member(community, f"Person {index}")[0].pk) for index in range(40)]
    with pytest.raises(DatabaseError, match="unbalanced"), transaction.atomic():
        record = Transaction.objects.create(community=community, kind=Transaction.Kind.EXPENSE, date=date(2025, 5, 5))
        Entry.objects.bulk_create(
            [Entry(transaction=record, account=account, amount=Decimal("1.00")) for account in accounts[1:]]
            + [Entry(transaction=record, account=accounts[0], amount=Decimal("-38.99"))]
        )
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    assert not Transaction.objects.exists()
    assert set(Account.objects.values_list("balance", flat=True)) == {ZERO}


@pytest.mark.postgres("triggers")
@pytest.mark.django_db(transaction=True)
def test_no_entry_joins_a_transaction_recorded_earlier(community, trio):
    from django.db import DatabaseError, transaction

    record = services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100))  # committed
    accounts = account_for(community, trio["c"].pk), account_for(community, None)

    with pytest.raises(DatabaseError, match="recorded earlier"), transaction.atomic():
        Entry.objects.bulk_create(
            [
                Entry(transaction=record, account=accounts[0], amount=Decimal("5.00")),
                Entry(transaction=record, account=accounts[1], amount=Decimal("-5.00")),
            ]
        )

    assert record.entries.count() == 2
    assert stored_balance_mismatches(community.pk) == []


@pytest.mark.postgres("triggers")
def test_an_account_cannot_be_created_with_a_balance(community, trio):
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Account.objects.create(community=community, user=trio["c"], balance=Decimal("100.00"))


@pytest.mark.postgres("triggers")
def test_a_transaction_started_in_a_savepoint_takes_its_entries_afterwards(community, trio):
    """``post`` records the transaction inside a savepoint, then its entries outside it: still "now"."""
    anne, bruno = account_for(community, trio["a"].pk), account_for(community, trio["b"].pk)

    _post(community, date(2025, 6, 1) - timedelta(days=1), (anne, Decimal("1.00")), (bruno, Decimal("-1.00")))

    assert Account.objects.get(pk=anne.pk).balance == Decimal("1.00")
