"""Property: whatever members do — trips, expenses, undos, allocations, settlements, admins marking members
inactive (left out of the fixed-cost splits) — every transaction
is balanced, each community's balances sum to exactly zero, the stored balances and month totals equal
the sums of the entries; a closed plan settles them all."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from colocauto.core.clock import month_start, next_month
from communities.models import Inactivity, Membership
from ledger import closing, services, transfers
from ledger.models import Entry, Transaction
from ledger.posting import account_balances, local_today
from ledger.stored_balances import stored_balance_mismatches
from tests.factories import CommunityFactory, VehicleFactory
from tests.ledger.conftest import add_member, make_trip
from vehicles.models import Vehicle

PEOPLE = 4

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("trip"),
            st.integers(0, PEOPLE - 1),
            st.integers(0, 3),
            st.integers(0, 800),
            st.integers(1, 60),
        ),
        st.tuples(st.just("expense"), st.integers(0, PEOPLE - 1), st.integers(0, 3), st.integers(1, 50_000)),
        st.tuples(st.just("undo"), st.integers(0, 50)),
        st.tuples(st.just("allocate"), st.integers(0, 3)),
        st.tuples(st.just("settle"), st.integers(0, 5)),
        st.tuples(st.just("inactive"), st.integers(0, PEOPLE - 1)),
    ),
    max_size=25,
)


class _Rollback(Exception):
    pass


def _world():
    community = CommunityFactory()
    joined = timezone.now() - timedelta(days=2000)
    people = [
        add_member(
            community,
            f"P{index} {community.pk}",
            joined_at=joined,
            role=Membership.Role.ADMIN if index < 2 else Membership.Role.MEMBER,
        )
        for index in range(PEOPLE)
    ]
    users = [user for user, _membership in people]
    vehicles = [
        VehicleFactory(community=community, owner=users[0], rate_per_km=Decimal("0.317")),
        VehicleFactory(
            community=community,
            owner=None,
            rate_per_km=Decimal("0.105"),
            rate_per_hour=Decimal("1.333"),
            daily_cap=Decimal("12.50"),
        ),
        VehicleFactory(
            community=community,
            owner=users[1],
            cost_model=Vehicle.CostModel.SHARED_COSTS,
            fixed_monthly_cost=Decimal("47.11"),
        ),
        VehicleFactory(
            community=community,
            owner=None,
            cost_model=Vehicle.CostModel.SHARED_COSTS,
            fixed_monthly_cost=Decimal("100.00"),
        ),
    ]
    Vehicle.objects.filter(community=community).update(created_at=joined)
    for vehicle in vehicles:
        vehicle.refresh_from_db()
    return community, [membership for _user, membership in people], vehicles


def _confirmer(memberships, transfer):
    """The payee confirms; for the pool, an admin who is not the payer (there are two admins)."""
    for membership in memberships:
        if membership.user_id == transfer.payee.user_id:
            return membership
    return next(m for m in memberships if m.is_admin and m.user_id != transfer.payer.user_id)


def _run(community, memberships, vehicles, ops):
    admin = memberships[0]
    today = local_today(community)
    # A plan settles what is dated up to its month's end: plans of this month onwards see all the activity.
    month = month_start(today)
    for step, op in enumerate(ops):
        kind = op[0]
        if kind == "trip":
            _kind, driver, vehicle, km, hours = op
            trip = make_trip(
                vehicles[vehicle],
                memberships[driver].user,
                km,
                ended_at=timezone.now() - timedelta(minutes=10 + step),
                hours=hours,
            )
            services.trip_charge(trip=trip)
        elif kind == "expense":
            _kind, payer, vehicle, cents = op
            services.expense_record(
                membership=memberships[payer],
                vehicle=vehicles[vehicle],
                category="fuel",
                amount=Decimal(cents) / 100,
                spent_on=today,
            )
        elif kind == "undo":
            candidates = list(
                Transaction.objects.filter(community=community, reversed_by__isnull=True)
                .exclude(kind=Transaction.Kind.REVERSAL)
                .order_by("pk")
            )
            if candidates:
                target = candidates[op[1] % len(candidates)]
                services.transaction_reverse(membership=admin, transaction=target, reason="Property test")
        elif kind == "allocate":
            vehicle = vehicles[op[1]]
            closing.shared_costs_allocate(vehicle=vehicle, month=today)
            closing.fixed_costs_allocate(vehicle=vehicle, month=today)
        elif kind == "inactive":
            # Inactive since this month (as if marked last month): the month's fixed costs leave them out.
            Inactivity.objects.get_or_create(
                membership=memberships[op[1]], ends_on=None, defaults={"starts_on": month_start(today)}
            )
        elif kind == "settle":
            period = closing.settlement_period_open(community=community, month=month)
            month = next_month(month)
            balances_before = account_balances(community)
            plan = list(period.transfers.all())
            for transfer in plan[: op[1]]:
                transfers.transfer_confirm(membership=_confirmer(memberships, transfer), transfer=transfer)
            if op[1] >= len(plan) and not Transaction.objects.filter(community=community, date__gt=today).exists():
                # The whole plan confirmed and nothing posted since: everyone is settled.
                assert all(amount == 0 for amount in account_balances(community).values()), balances_before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_activity_keeps_every_transaction_and_community_balanced(db, ops):
    try:
        with transaction.atomic():
            community, memberships, vehicles = _world()
            other, other_memberships, other_vehicles = _world()
            _run(community, memberships, vehicles, ops)
            _run(other, other_memberships, other_vehicles, ops[::-1])

            for place in (community, other):
                balances = account_balances(place)
                # The stored balances equal the sums of the entries, and so do the month totals.
                summed = defaultdict(Decimal)
                for account_id, amount in Entry.objects.filter(account__community=place).values_list(
                    "account_id", "amount"
                ):
                    summed[account_id] += amount
                assert balances == {account_id: summed[account_id] for account_id in balances}
                assert stored_balance_mismatches(place.pk) == []
                assert sum(balances.values()) == 0
                assert all(amount == amount.quantize(Decimal("0.01")) for amount in balances.values())
            # Summed in Python: SQLite's SUM of decimals is a float sum, inexact in the last digits.
            totals = defaultdict(Decimal)
            for transaction_id, amount in Entry.objects.values_list("transaction_id", "amount"):
                totals[transaction_id] += amount
            assert all(total == 0 for total in totals.values())
            for record in Transaction.objects.filter(reverses__isnull=False).select_related("reverses"):
                original = {entry.account_id: entry.amount for entry in record.reverses.entries.all()}
                assert {entry.account_id: -entry.amount for entry in record.entries.all()} == original
            # On PostgreSQL this also runs the deferred zero-sum trigger on every entry written.
            connection.check_constraints()
            raise _Rollback
    except _Rollback:
        pass
