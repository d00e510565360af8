"""The database itself guards the ledger on PostgreSQL: append-only rows, balanced transactions at commit."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction

from ledger.models import Account, Entry, Transaction
from ledger.posting import account_for, local_today
from ledger.services import trip_charge
from tests.factories import CommunityFactory, UserFactory
from tests.ledger.conftest import make_trip

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL (triggers)"
    ),
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


def test_entries_on_another_communitys_account_are_refused_at_commit(community, trio):
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
