"""Concurrent month closes and confirmations against real PostgreSQL: every side effect happens once."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connections

from communities.models import Membership
from ledger import emails, services
from ledger.models import SettlementEmail, SettlementPeriod, Transaction, Transfer
from tests.ledger.conftest import make_trip
from tests.ledger.test_services import _shared_car

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="needs PostgreSQL (row locks, triggers)"
    ),
    pytest.mark.django_db(transaction=True),
]

THREADS = 6


def in_parallel(function, count=THREADS):
    barrier = threading.Barrier(count)
    outcomes: list[object] = [None] * count

    def run(index):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = function()
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
    car = _shared_car(community, trio["a"], fixed="45.00")
    make_trip(car, trio["b"], 120, ended_at=mid_last_month)
    make_trip(car, trio["c"], 30, ended_at=mid_last_month + timedelta(hours=5))
    services.expense_record(
        membership=trio["a_membership"], vehicle=car, category="fuel", amount=Decimal("75.00"), spent_on=last_month
    )
    services.trip_charge(trip=make_trip(trio["car"], trio["c"], 40, ended_at=mid_last_month + timedelta(days=1)))

    def close_and_mail():
        period = services.month_close(community=community, month=last_month)
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
    transfer = services.month_close(community=community, month=last_month).transfers.get()
    admin = Membership.objects.select_related("community", "user").get(pk=trio["a_membership"].pk)

    outcomes = in_parallel(lambda: services.transfer_confirm(membership=admin, transfer=transfer).transaction_id)

    assert not [outcome for outcome in outcomes if isinstance(outcome, Exception)], outcomes
    assert len(set(outcomes)) == 1
    assert Transaction.objects.filter(kind=Transaction.Kind.SETTLEMENT).count() == 1
    assert Transfer.objects.get().is_confirmed
