"""Defences found by the security review: bounded dates and ids, safe CSV cells and e-mail
subjects, and one rule for who may undo an expense."""

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.exceptions import DomainError
from communities.models import User
from ledger import services
from ledger.models import Expense, Transaction
from ledger.posting import earliest_expense_date, local_today
from tests.factories import VehicleFactory
from tests.ledger.conftest import make_trip
from vehicles.models import Vehicle


def url(name, community, *args):
    return reverse(name, args=[community.pk, *args])


def english(*users):
    User.objects.filter(pk__in=[user.pk for user in users]).update(language="en")


def _shared_car(community, owner):
    car = VehicleFactory(community=community, owner=owner, cost_model=Vehicle.CostModel.SHARED_COSTS)
    Vehicle.objects.filter(pk=car.pk).update(created_at=timezone.now() - timedelta(days=400))
    car.refresh_from_db()
    return car


# --- Expense dates: at most 24 months back; the month's close never crashes on an old one ------


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31"])
def test_an_expense_dated_more_than_24_months_ago_is_refused_by_the_form(client, community, vehicle, member, typed):
    english(member)
    client.force_login(member)
    data = {"vehicle": vehicle.pk, "category": "fuel", "amount": "42.50", "spent_on": typed, "note": "Old tank"}

    response = client.post(url("ledger_expense_create", community), data)

    page = response.content.decode()
    assert response.status_code == 400
    assert "An expense can be at most 24 months old" in page
    assert f'value="{typed}"' in page
    assert not Expense.objects.exists()


def test_an_expense_dated_more_than_24_months_ago_is_refused_by_the_service(community, trio, settings):
    settings.LANGUAGE_CODE = "en"
    today = local_today(community)

    with pytest.raises(DomainError, match="at most 24 months old"):
        services.expense_record(
            membership=trio["b_membership"],
            vehicle=trio["car"],
            category="fuel",
            amount=Decimal("40.00"),
            spent_on=earliest_expense_date(today) - timedelta(days=1),
        )
    services.expense_record(
        membership=trio["b_membership"],
        vehicle=trio["car"],
        category="fuel",
        amount=Decimal("40.00"),
        spent_on=earliest_expense_date(today),
    )

    assert Expense.objects.count() == 1


def test_the_earliest_expense_date_of_a_29_february_is_28_february():
    assert earliest_expense_date(date(2028, 2, 29)) == date(2026, 2, 28)
    assert earliest_expense_date(date(2026, 11, 21)) == date(2024, 11, 21)


def test_month_close_skips_an_expense_of_year_1_and_posts_the_others(
    community, trio, last_month, mid_last_month, caplog
):
    car = _shared_car(community, trio["a"])
    make_trip(car, trio["b"], 100, ended_at=mid_last_month)
    services.expense_record(
        membership=trio["c_membership"], vehicle=car, category="fuel", amount=Decimal("30"), spent_on=last_month
    )
    ancient = Expense.objects.create(  # left by an older version, before dates were bounded
        community=community,
        vehicle=car,
        category="repair",
        amount=Decimal("10"),
        spent_on=date(1, 1, 1),
        paid_by=trio["c"],
        cost_model=car.cost_model,
        created_by=trio["c"],
    )

    with caplog.at_level(logging.WARNING, logger="ledger.closing"):
        period = services.month_close(community=community, month=last_month)

    assert period.month == last_month
    assert Transaction.objects.filter(kind=Transaction.Kind.SHARED_COSTS).count() == 1
    assert not Transaction.objects.filter(expense=ancient).exists()
    assert f"Expense {ancient.pk}" in caplog.text
