"""The factories make whole, valid aggregates: a booking by a member of the vehicle's community, a trip that
matches its booking, and ledger records that are balanced and posted the way the services post them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from bookings.models import Booking
from communities.models import Membership
from ledger.models import Entry, Transaction
from ledger.posting import account_for, local_today
from tests.factories import (
    BookingFactory,
    CommunityFactory,
    ExpenseFactory,
    MembershipFactory,
    SettlementPeriodFactory,
    TransactionFactory,
    TransferFactory,
    TripFactory,
    VehicleFactory,
    book,
    member_of,
    owes,
)

pytestmark = pytest.mark.django_db


def is_active_member(user, community) -> bool:
    return Membership.objects.filter(user=user, community=community, status=Membership.Status.ACTIVE).exists()


def test_a_booking_is_a_confirmed_future_slot_of_a_member_of_the_vehicles_community():
    booking = BookingFactory(hours=3)

    assert booking.community == booking.vehicle.community
    assert is_active_member(booking.member, booking.community)
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.starts_at > timezone.now()
    assert booking.ends_at - booking.starts_at == timedelta(hours=3)


def test_book_lasts_the_hours_given_or_ends_at_the_end_given(vehicle, member):
    monday, tuesday, wednesday = (timezone.now() + timedelta(days=days) for days in (2, 3, 4))

    assert book(vehicle, member, monday, hours=5).ends_at == monday + timedelta(hours=5)
    assert book(vehicle, member, tuesday, tuesday + timedelta(minutes=30)).ends_at == tuesday + timedelta(minutes=30)
    assert book(vehicle, member, wednesday, status=Booking.Status.REQUESTED).status == Booking.Status.REQUESTED


def test_a_trip_is_the_completed_trip_of_its_booking_by_its_driver():
    trip = TripFactory(km=120)

    assert trip.booking.status == Booking.Status.COMPLETED
    assert trip.booking.ends_at <= timezone.now()
    assert (trip.vehicle, trip.driver) == (trip.booking.vehicle, trip.booking.member)
    assert (trip.started_at, trip.ended_at) == (trip.booking.starts_at, trip.booking.ends_at)
    assert trip.end_odometer - trip.start_odometer == trip.distance_km == 120


def test_a_trip_under_way_has_no_end_and_its_booking_is_in_progress():
    trip = TripFactory(ended=False)

    assert trip.booking.status == Booking.Status.IN_PROGRESS
    assert trip.ended_at is None and trip.end_odometer is None and trip.distance_km is None


def test_an_expense_paid_by_a_member_is_posted_to_the_owner():
    community = CommunityFactory()
    vehicle = VehicleFactory(community=community, owner=member_of(community))
    expense = ExpenseFactory(vehicle=vehicle, amount=Decimal("12.34"))

    assert expense.spent_on == local_today(vehicle.community)
    assert is_active_member(expense.paid_by, vehicle.community)
    [posting] = expense.transactions.all()
    entries = {entry.account: entry.amount for entry in posting.entries.all()}
    assert entries == {
        account_for(vehicle.community, expense.paid_by.pk): Decimal("12.34"),
        account_for(vehicle.community, vehicle.owner_id): Decimal("-12.34"),
    }


def test_an_admin_records_an_expense_paid_by_another_member(community, admin_user, member, vehicle):
    expense = ExpenseFactory(vehicle=vehicle, paid_by=member, recorded_by=admin_user)

    assert (expense.paid_by, expense.created_by) == (member, admin_user)


def test_a_transaction_is_balanced_and_owes_puts_the_debt_on_the_debtor(community, owner, member):
    default = TransactionFactory(community=community)
    debt = owes(community, owner, member, "7.50")

    for record in (default, debt):
        assert record.entries.aggregate(total=Sum("amount"))["total"] == 0
        assert record.kind == Transaction.Kind.EXPENSE and record.date == local_today(community)
    assert Entry.objects.get(transaction=debt, account=account_for(community, member.pk)).amount == Decimal("-7.50")


def test_a_transaction_refuses_unbalanced_lines(community, owner, member):
    with pytest.raises(ValueError, match="Unbalanced"):
        TransactionFactory(community=community, lines={owner: "10.00", member: "-9.99"})


def test_a_transfer_is_an_open_payment_between_two_members_of_last_months_period():
    transfer = TransferFactory()
    community = transfer.period.community

    assert transfer.period.month < local_today(community).replace(day=1)
    assert transfer.period.month == SettlementPeriodFactory.build(community=community).month
    assert transfer.payer != transfer.payee
    assert {transfer.payer.community, transfer.payee.community} == {community}
    assert transfer.is_open and transfer.amount == Decimal("40.00")


def test_member_of_makes_an_active_member_and_pending_a_request_to_join(community):
    admin = member_of(community, Membership.Role.ADMIN, display_name="Ada")
    request = MembershipFactory(community=community, pending=True)

    assert Membership.objects.get(user=admin, community=community).is_admin and admin.display_name == "Ada"
    assert is_active_member(admin, community)
    assert request.status == Membership.Status.PENDING and request.joined_at is None
