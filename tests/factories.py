"""Factories for every aggregate the tests use: people, communities, vehicles, bookings, trips, and the ledger's
expenses, transactions, settlement periods and transfers."""

from datetime import timedelta
from decimal import Decimal

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from bookings import trips
from bookings.models import Booking, Trip
from colocauto.core.clock import previous_month
from communities.models import Community, Invitation, Membership, User
from ledger import services as ledger_services
from ledger.models import Expense, SettlementPeriod, Transaction, Transfer
from ledger.posting import account_for, local_today, post
from vehicles.models import Vehicle

PASSWORD = "correct-horse-battery-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    language = "fr"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Community {n}")
    municipality = "Crest"
    postal_code = "26400"


class MembershipFactory(factory.django.DjangoModelFactory):
    """An active member since now; ``pending=True``: a request to join, not yet answered."""

    class Meta:
        model = Membership

    class Params:
        pending = factory.Trait(status=Membership.Status.PENDING, joined_at=None)

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


def member_of(community, role=Membership.Role.MEMBER, **user_fields) -> User:
    """A new person (``user_fields`` go to ``UserFactory``), an active member of ``community`` with ``role``."""
    return MembershipFactory(community=community, role=role, user=UserFactory(**user_fields)).user


OSCAR = {"email": "oscar@example.org", "display_name": "Oscar Renard"}


def community_of(*people: dict, **community_fields) -> tuple[Community, list[User]]:
    """Les Tilleuls (``community_fields`` go to ``CommunityFactory``) and ``people`` (each the fields of a
    ``UserFactory``), its active members in that order: the neighbours most browser tests start from."""
    community = CommunityFactory(name="Les Tilleuls", **community_fields)
    return community, [member_of(community, **person) for person in people]


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    community = factory.SubFactory(CommunityFactory)


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"Car {n}")
    make = "Renault"
    model = "Clio"
    year = 2018
    plate = factory.Sequence(lambda n: f"AB-{n:03d}-CD")
    odometer_km = 42000
    rate_per_km = Decimal("0.300")


# --- Bookings and trips: made directly, without the booking rules (bookings.services is what tests those) ----------


class BookingFactory(factory.django.DjangoModelFactory):
    """A confirmed booking of ``hours`` (2) from tomorrow at this time, by a new member of the vehicle's community.

    ``BookingFactory(vehicle=car, member=maya, starts_at=start, hours=3, status=Booking.Status.REQUESTED)``."""

    class Meta:
        model = Booking

    class Params:
        hours = 2

    vehicle = factory.SubFactory(VehicleFactory)
    community = factory.SelfAttribute("vehicle.community")
    member = factory.LazyAttribute(lambda booking: member_of(booking.vehicle.community))
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))
    ends_at = factory.LazyAttribute(lambda booking: booking.starts_at + timedelta(hours=booking.hours))
    status = Booking.Status.CONFIRMED


def book(vehicle, member, start, end=None, *, hours=2, status=Booking.Status.CONFIRMED, **fields) -> Booking:
    """The short form: ``book(car, maya, start)`` lasts ``hours``; ``book(car, maya, start, end)`` ends at ``end``."""
    end = end or start + timedelta(hours=hours)
    return BookingFactory(vehicle=vehicle, member=member, starts_at=start, ends_at=end, status=status, **fields)


class TripFactory(factory.django.DjangoModelFactory):
    """The trip of a booking that ended five minutes ago: ``km`` (50) driven from 10,000 km, its booking completed.
    ``ended=False``: a trip under way (no end yet, its booking in progress)."""

    class Meta:
        model = Trip

    class Params:
        km = 50
        ended = True

    booking = factory.SubFactory(
        BookingFactory,
        starts_at=factory.LazyFunction(lambda: timezone.now() - timedelta(hours=2, minutes=5)),
        status=factory.LazyAttribute(
            lambda booking: Booking.Status.COMPLETED if booking.factory_parent.ended else Booking.Status.IN_PROGRESS
        ),
    )
    vehicle = factory.SelfAttribute("booking.vehicle")
    driver = factory.SelfAttribute("booking.member")
    start_odometer = 10_000
    end_odometer = factory.LazyAttribute(lambda trip: trip.start_odometer + trip.km if trip.ended else None)
    distance_km = factory.LazyAttribute(lambda trip: trip.km if trip.ended else None)
    started_at = factory.SelfAttribute("booking.starts_at")
    ended_at = factory.LazyAttribute(lambda trip: trip.booking.ends_at if trip.ended else None)


def drive(membership: Membership, booking: Booking, km: int, **completion) -> Trip:
    """The trip of ``booking`` started and completed through the services, as its driver does: ``km`` driven from
    the vehicle's odometer; ``completion`` (notes, incident_description, incident_photos…) goes to trip_complete."""
    trip = trips.trip_start(membership=membership, booking=booking, start_odometer=booking.vehicle.odometer_km)
    return trips.trip_complete(membership=membership, trip=trip, end_odometer=trip.start_odometer + km, **completion)


# --- The ledger: through its services and its one posting function, so every transaction is balanced --------------


def _active_membership(community, user) -> Membership:
    return Membership.objects.select_related("community", "user").get(
        community=community, user=user, status=Membership.Status.ACTIVE
    )


class ExpenseFactory(factory.Factory):
    """Fuel for €40.00 paid today by a new member, recorded through ``ledger.services.expense_record`` (which posts
    what the vehicle's cost model asks). ``recorded_by``: the member who records it (an admin, for someone else)."""

    class Meta:
        model = Expense

    vehicle = factory.SubFactory(VehicleFactory)
    paid_by = factory.LazyAttribute(lambda expense: member_of(expense.vehicle.community))
    category = Expense.Category.FUEL
    amount = Decimal("40.00")
    spent_on = factory.LazyAttribute(lambda expense: local_today(expense.vehicle.community))
    recorded_by = None

    @classmethod
    def _create(cls, model_class, *, vehicle, paid_by, recorded_by=None, **fields) -> Expense:
        membership = _active_membership(vehicle.community, recorded_by or paid_by)
        return ledger_services.expense_record(membership=membership, vehicle=vehicle, paid_by=paid_by, **fields)


class TransactionFactory(factory.Factory):
    """A balanced transaction through ``ledger.posting.post``: ``lines`` maps each person (``None``: the pool) to the
    amount on their account; by default two new members, one owed €10.00 by the other. Links (``vehicle=car``)
    and ``description`` go to the transaction."""

    class Meta:
        model = Transaction

    community = factory.SubFactory(CommunityFactory)
    kind = Transaction.Kind.EXPENSE
    on = factory.LazyAttribute(lambda transaction: local_today(transaction.community))
    lines = factory.LazyAttribute(
        lambda transaction: {
            member_of(transaction.community): Decimal("10.00"),
            member_of(transaction.community): Decimal("-10.00"),
        }
    )

    @classmethod
    def _create(cls, model_class, *, community, lines, **fields) -> Transaction:
        entries = [
            (account_for(community, user.pk if user else None), Decimal(amount)) for user, amount in lines.items()
        ]
        record, _created = post(community=community, lines=entries, **fields)
        return record


def owes(community, creditor, debtor, amount) -> Transaction:
    """A balanced posting by which ``debtor`` owes ``creditor`` the amount."""
    return TransactionFactory(community=community, lines={creditor: Decimal(amount), debtor: -Decimal(amount)})


class SettlementPeriodFactory(factory.django.DjangoModelFactory):
    """Last month, closed for the community, with no transfers (``ledger.services.month_close`` is the real thing)."""

    class Meta:
        model = SettlementPeriod

    community = factory.SubFactory(CommunityFactory)
    month = factory.LazyAttribute(lambda period: previous_month(local_today(period.community)))


class TransferFactory(factory.django.DjangoModelFactory):
    """€40.00 of a period's plan, from ``paid_by`` to ``paid_to`` (new members unless given), neither declared
    nor confirmed."""

    class Meta:
        model = Transfer

    class Params:
        paid_by = factory.LazyAttribute(lambda transfer: member_of(transfer.period.community))
        paid_to = factory.LazyAttribute(lambda transfer: member_of(transfer.period.community))

    period = factory.SubFactory(SettlementPeriodFactory)
    payer = factory.LazyAttribute(lambda transfer: account_for(transfer.period.community, transfer.paid_by.pk))
    payee = factory.LazyAttribute(lambda transfer: account_for(transfer.period.community, transfer.paid_to.pk))
    amount = Decimal("40.00")
