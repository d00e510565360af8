"""The database itself guards the ledger on PostgreSQL: append-only rows, balanced transactions at commit."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from ledger import closing, transfers
from ledger.models import Account, Entry, Expense, SettlementPeriod, Transaction, Transfer
from ledger.posting import account_balances, account_for, local_today
from ledger.services import trip_charge
from tests.factories import CommunityFactory, ExpenseFactory, UserFactory
from tests.ledger.conftest import make_trip

pytestmark = [
    pytest.mark.postgres("triggers"),
]


def _raw(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)


def _check_deferred_constraints_now():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_transactions_and_entries_cannot_be_updated_or_deleted(community, trio):
    record = trip_charge(trip=make_trip(trio["car"], trio["b"], 100))
    entry = record.entries.first()

    for attempt in (
        lambda: Transaction.objects.filter(pk=record.pk).update(description="edited"),
        lambda: Entry.objects.filter(pk=entry.pk).update(amount=Decimal("1.00")),
        lambda: Entry.objects.filter(pk=entry.pk).delete(),
        lambda: _raw(f"DELETE FROM ledger_transaction WHERE id = {record.pk}"),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()

    assert Entry.objects.filter(transaction=record).count() == 2
    assert Transaction.objects.get(pk=record.pk).description == "100 km"


# The bad rows are written inside a savepoint that the refusal rolls back: the test leaves nothing behind
# (Django's test teardown checks deferred constraints too, so every ledger test on PostgreSQL is checked).


def test_an_unbalanced_transaction_is_refused_at_commit(community, trio):
    accounts = account_for(community, trio["b"].pk), account_for(community, trio["c"].pk)

    with pytest.raises(DatabaseError, match="unbalanced"), transaction.atomic():
        record = Transaction.objects.create(
            community=community, kind=Transaction.Kind.EXPENSE, date=local_today(community)
        )
        Entry.objects.create(transaction=record, account=accounts[0], amount=Decimal("10.00"))
        Entry.objects.create(transaction=record, account=accounts[1], amount=Decimal("-9.99"))
        _check_deferred_constraints_now()

    assert not Transaction.objects.exists()


def test_a_balanced_transaction_passes_the_commit_check(community, trio):
    trip_charge(trip=make_trip(trio["car"], trio["b"], 100))

    _check_deferred_constraints_now()  # no error

    assert Entry.objects.count() == 2


def test_entries_on_another_communitys_account_are_refused(community, trio):
    stranger = Account.objects.create(community=CommunityFactory(), user=UserFactory())
    ours = account_for(community, trio["b"].pk)

    with pytest.raises(DatabaseError, match="another community"), transaction.atomic():
        record = Transaction.objects.create(
            community=community, kind=Transaction.Kind.EXPENSE, date=local_today(community)
        )
        Entry.objects.create(transaction=record, account=ours, amount=Decimal("10.00"))
        Entry.objects.create(transaction=record, account=stranger, amount=Decimal("-10.00"))
        _check_deferred_constraints_now()

    assert not Entry.objects.exists()


# --- Every table whose change would rewrite money (migration 0005) -------------------------------


@pytest.fixture
def money(community, trio, last_month, mid_last_month):
    """One of each ledger row: accounts, a trip's posting, an unposted and an undone expense, a closed
    month whose transfer is confirmed."""
    from ledger import services
    from ledger.models import Expense

    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid_last_month))
    period = closing.month_close(community=community, month=last_month)
    transfer = period.transfers.get()
    transfers.transfer_confirm(membership=trio["a_membership"], transfer=transfer)
    unposted = ExpenseFactory(vehicle=trio["car"], paid_by=trio["a"])
    undone = ExpenseFactory(vehicle=trio["car"], paid_by=trio["a"], amount=Decimal("12.00"))
    services.expense_cancel(membership=trio["a_membership"], expense=undone, reason="typo")
    assert not Transaction.objects.filter(expense__in=[unposted, undone]).exists()  # the owner paid: nothing posted
    return {
        "account": account_for(community, trio["b"].pk),
        "stranger": UserFactory(),
        "other_community": CommunityFactory(),
        "unposted": unposted,
        "undone": Expense.objects.get(pk=undone.pk),
        "period": period,
        "transfer": transfer,
    }


FORBIDDEN = {
    "an account moved to another person": "UPDATE ledger_account SET user_id = {stranger.pk} WHERE id = {account.pk}",
    "an account moved to another community": (
        "UPDATE ledger_account SET community_id = {other_community.pk} WHERE id = {account.pk}"
    ),
    "a member's account made the pool": "UPDATE ledger_account SET kind = 'pool', user_id = NULL WHERE id = {account.pk}",
    "an account deleted": "DELETE FROM ledger_account WHERE id = {account.pk}",
    "an account's stored balance": "UPDATE ledger_account SET balance = balance + 1 WHERE id = {account.pk}",
    "a month's stored total": "UPDATE ledger_accountmonth SET amount = amount + 1 WHERE account_id = {account.pk}",
    "a month's stored total deleted": "DELETE FROM ledger_accountmonth WHERE account_id = {account.pk}",
    "a month's stored total made up": (
        "INSERT INTO ledger_accountmonth (account_id, month, amount) VALUES ({account.pk}, '1999-01-01', 5)"
    ),
    "an unposted expense's amount": "UPDATE ledger_expense SET amount = 4000 WHERE id = {unposted.pk}",
    "an expense's payer": "UPDATE ledger_expense SET paid_by_id = {stranger.pk} WHERE id = {unposted.pk}",
    "an expense's vehicle": "UPDATE ledger_expense SET vehicle_id = vehicle_id + 1000 WHERE id = {unposted.pk}",
    "an expense's date": "UPDATE ledger_expense SET spent_on = spent_on - 40 WHERE id = {unposted.pk}",
    "an expense's cost model": "UPDATE ledger_expense SET cost_model = 'shared_costs' WHERE id = {unposted.pk}",
    "an undone expense undone no more": "UPDATE ledger_expense SET cancelled_at = NULL WHERE id = {undone.pk}",
    "an expense deleted": "DELETE FROM ledger_expense WHERE id = {unposted.pk}",
    "a transfer's amount": "UPDATE ledger_transfer SET amount = 1 WHERE id = {transfer.pk}",
    "a transfer's payer": "UPDATE ledger_transfer SET payer_id = payee_id, payee_id = payer_id WHERE id = {transfer.pk}",
    "a confirmed transfer unconfirmed": (
        "UPDATE ledger_transfer SET confirmed_at = NULL, transaction_id = NULL WHERE id = {transfer.pk}"
    ),
    "a transfer deleted": "DELETE FROM ledger_transfer WHERE id = {transfer.pk}",
    "a period's month": "UPDATE ledger_settlementperiod SET month = month - 31 WHERE id = {period.pk}",
    "a period deleted": "DELETE FROM ledger_settlementperiod WHERE id = {period.pk}",
    **{
        f"{table} truncated": f"TRUNCATE {table} CASCADE"
        for table in (
            "ledger_entry",
            "ledger_transaction",
            "ledger_account",
            "ledger_expense",
            "ledger_settlementperiod",
            "ledger_transfer",
            "ledger_accountmonth",
        )
    },
}


@pytest.mark.parametrize("statement", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_statements_that_would_rewrite_money_are_refused(money, statement):
    balances_before = account_balances(money["account"].community_id)
    _check_deferred_constraints_now()  # else PostgreSQL refuses TRUNCATE itself: "pending trigger events"

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _raw(statement.format(**money))

    assert account_balances(money["account"].community_id) == balances_before
    assert Expense.objects.get(pk=money["unposted"].pk).amount == Decimal("40.00")


def test_the_updates_the_application_makes_are_still_allowed(money, trio, community):
    from django.utils import timezone

    from colocauto.core.clock import next_month
    from ledger import services

    # An expense's receipt and its cancellation.
    Expense.objects.filter(pk=money["unposted"].pk).update(receipt="receipts/1/scan.pdf")
    services.expense_cancel(membership=trio["a_membership"], expense=money["unposted"], reason="paid twice")
    # E-mail claims, taken and released; a period's e-mail stamp.
    Transfer.objects.filter(pk=money["transfer"].pk).update(paid_notified_at=timezone.now())
    Transfer.objects.filter(pk=money["transfer"].pk).update(paid_notified_at=None)
    SettlementPeriod.objects.filter(pk=money["period"].pk).update(emails_sent_at=timezone.now())
    # A plan's transfer declared paid, a later plan superseding it, and that plan's transfers confirmed.
    this_month = local_today(community).replace(day=1)
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 50))
    declared = closing.settlement_period_open(community=community, month=this_month).transfers.get()
    transfers.transfer_declare_paid(membership=trio["c_membership"], transfer=declared)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 30))
    later = closing.settlement_period_open(community=community, month=next_month(this_month))
    for transfer in later.transfers.filter(payee__user=trio["a"]):
        transfers.transfer_confirm(membership=trio["a_membership"], transfer=transfer)
    _check_deferred_constraints_now()

    assert Expense.objects.get(pk=money["unposted"].pk).is_cancelled
    assert later.transfers.filter(confirmed_at__isnull=False).exists()


def test_a_flush_that_allows_it_may_truncate_the_ledger(money):
    from ledger.db_guards import ALLOW_TRUNCATE

    _check_deferred_constraints_now()
    with transaction.atomic():
        sid = transaction.savepoint()
        _raw(ALLOW_TRUNCATE)
        _raw("TRUNCATE ledger_entry")
        assert not Entry.objects.exists()
        transaction.savepoint_rollback(sid)

    assert Entry.objects.exists()


def test_an_entry_takes_its_transactions_date_and_keeps_it(community, trio):
    accounts = account_for(community, trio["b"].pk), account_for(community, trio["c"].pk)
    day = local_today(community)
    record = Transaction.objects.create(community=community, kind=Transaction.Kind.EXPENSE, date=day)
    _raw(
        f"INSERT INTO ledger_entry (transaction_id, account_id, amount) VALUES "
        f"({record.pk}, {accounts[0].pk}, 10), ({record.pk}, {accounts[1].pk}, -10)"
    )

    assert set(Entry.objects.filter(transaction=record).values_list("date", flat=True)) == {day}
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        Entry.objects.filter(transaction=record).update(date=day.replace(year=day.year - 1))


def test_an_entry_dated_otherwise_than_its_transaction_is_refused(community, trio):
    accounts = account_for(community, trio["b"].pk), account_for(community, trio["c"].pk)
    day = local_today(community)

    with pytest.raises(DatabaseError, match="dated"), transaction.atomic():
        record = Transaction.objects.create(community=community, kind=Transaction.Kind.EXPENSE, date=day)
        Entry.objects.create(transaction=record, account=accounts[0], amount=Decimal("10.00"), date=day)
        Entry.objects.create(
            transaction=record, account=accounts[1], amount=Decimal("-10.00"), date=day.replace(year=day.year - 1)
        )
