"""Concurrent month closes and confirmations against real PostgreSQL: every side effect happens once."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connections

from communities.models import Membership
from ledger import closing, emails, services, transfers
from ledger.models import SettlementEmail, SettlementPeriod, Transaction, Transfer
from tests.ledger.conftest import make_trip, shared_car

pytestmark = [
    pytest.mark.postgres("row locks, triggers"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 6


def in_parallel(function, count=THREADS, *, each=None):
    """Call ``function`` in ``count`` threads at once, or each of the functions ``each`` in its own thread."""
    if each is not None:
        count = len(each)
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = each[index]() if each is not None else function()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_concurrent_month_closes_post_and_mail_everything_exactly_once(
    community, trio, last_month, mid_last_month, mailoutbox
):
    car = shared_car(community, trio["a"], fixed="45.00")
    make_trip(car, trio["b"], 120, ended_at=mid_last_month)
    make_trip(car, trio["c"], 30, ended_at=mid_last_month + timedelta(hours=5))
    services.expense_record(
        membership=trio["a_membership"], vehicle=car, category="fuel", amount=Decimal("75.00"), spent_on=last_month
    )
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 40, ended_at=mid_last_month + timedelta(days=1)))

    def close_and_mail():
        period = closing.month_close(community=community, month=last_month)
        return period.pk, emails.settlement_emails_send(period=period)

    outcomes = in_parallel(close_and_mail)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert len({period_id for period_id, _sent in outcomes}) == 1
    assert sum(sent for _period_id, sent in outcomes) == len(mailoutbox) == 3
    assert SettlementPeriod.objects.count() == 1
    assert SettlementEmail.objects.count() == 3
    assert Transaction.objects.filter(kind=Transaction.Kind.SHARED_COSTS).count() == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.FIXED_COSTS).count() == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.TRIP_CHARGE).count() == 1


def test_concurrent_confirmations_post_one_settlement(community, trio, last_month, mid_last_month):
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=mid_last_month))
    transfer = closing.month_close(community=community, month=last_month).transfers.get()
    admin = Membership.objects.select_related("community", "user").get(pk=trio["a_membership"].pk)

    outcomes = in_parallel(lambda: transfers.transfer_confirm(membership=admin, transfer=transfer).transaction_id)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert len(set(outcomes)) == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT).count() == 1
    assert Transfer.objects.get().is_confirmed


def _declared_transfer(community, trio, month):
    """Bruno owes Anne 30.00 in ``month``'s plan and has declared it paid."""
    from colocauto.core.clock import midnight
    from ledger.posting import community_tz

    ended_at = midnight(month, community_tz(community)) + timedelta(days=3)
    services.trip_charge(trip=make_trip(trio["car"], trio["b"], 100, ended_at=ended_at))
    transfer = closing.month_close(community=community, month=month).transfers.get()
    return transfer


def test_a_confirmation_racing_the_next_close_is_counted_exactly_once(community, trio, last_month, monkeypatch):
    from colocauto.core.clock import previous_month
    from ledger import closing

    transfer = _declared_transfer(community, trio, previous_month(last_month))
    transfers.transfer_declare_paid(membership=trio["b_membership"], transfer=transfer)
    payee = Membership.objects.select_related("community", "user").get(pk=trio["a_membership"].pk)
    computing = threading.Event()
    plan_balances = closing.plan_balances

    def slow_plan_balances(**arguments):
        # The close has read the declared transfers: hold it there while the payee confirms.
        computing.set()
        time.sleep(1)
        return plan_balances(**arguments)

    def confirm_while_the_plan_is_computed():
        computing.wait(timeout=10)
        return transfers.transfer_confirm(membership=payee, transfer=transfer)

    monkeypatch.setattr(closing, "plan_balances", slow_plan_balances)
    outcomes = in_parallel(
        None,
        each=[
            confirm_while_the_plan_is_computed,
            lambda: closing.month_close(community=community, month=last_month),
        ],
    )

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT).count() == 1
    assert not SettlementPeriod.objects.get(month=last_month).transfers.exists()


def test_a_declaration_racing_the_next_close_is_either_counted_or_asked_for_again_never_both(
    community, trio, last_month
):
    from colocauto.core.clock import previous_month
    from colocauto.core.errors import Conflict

    transfer = _declared_transfer(community, trio, previous_month(last_month))
    payer = Membership.objects.select_related("community", "user").get(pk=trio["b_membership"].pk)

    declared, _period = in_parallel(
        None,
        each=[
            lambda: transfers.transfer_declare_paid(membership=payer, transfer=transfer),
            lambda: closing.month_close(community=community, month=last_month),
        ],
    )

    transfer.refresh_from_db()
    asked_again = SettlementPeriod.objects.get(month=last_month).transfers.exists()
    if isinstance(declared, Conflict):
        assert transfer.superseded_at is not None and asked_again
    else:
        assert transfer.declared_paid_at is not None and transfer.superseded_at is None and not asked_again
