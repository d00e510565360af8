"""Parallel requests for the same slot against real PostgreSQL: exactly one booking, clean refusals.

Control variants remove the guards to show the race is real: without the exclusion constraint, the
application's check alone lets duplicates through when requests interleave.
"""

import importlib
import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from bookings import services
from bookings.errors import BookingConflict
from bookings.models import Booking
from communities.models import Membership
from tests.bookings.conftest import local
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory

pytestmark = [
    pytest.mark.postgres("exclusion constraint"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
overlap_migration = importlib.import_module("bookings.migrations.0002_booking_no_overlap")


@pytest.fixture
def memberships():
    community = CommunityFactory(owner_approval_required=False)
    vehicle = VehicleFactory(community=community)
    rows = [MembershipFactory(community=community, user=UserFactory()) for _ in range(THREADS)]
    return vehicle, [Membership.objects.select_related("community", "user").get(pk=row.pk) for row in rows]


def book_in_parallel(vehicle, memberships):
    """Every thread (own connection) books the same slot at the same moment; returns the outcomes."""
    barrier = threading.Barrier(len(memberships))
    outcomes: list[object] = [None] * len(memberships)

    def attempt(index, membership):
        # Threads do not inherit the test's active language: the messages checked below are English.
        translation.activate("en")
        try:
            barrier.wait(timeout=10)
            outcomes[index] = services.booking_create(
                membership=membership, vehicle=vehicle, starts_at=local(3, 10), ends_at=local(3, 12)
            )
        except Exception as error:  # noqa: BLE001 - every outcome is inspected by the test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i, m)) for i, m in enumerate(memberships)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.fixture
def checks_pass_together(monkeypatch):
    """Every request passes the application's overlap check before any of them inserts (the race)."""
    barrier = threading.Barrier(THREADS)
    original = services._check_overlap

    def check_then_wait(**kwargs):
        original(**kwargs)
        barrier.wait(timeout=10)

    monkeypatch.setattr(services, "_check_overlap", check_then_wait)


@pytest.fixture
def no_application_check(monkeypatch):
    monkeypatch.setattr(services, "_check_overlap", lambda **kwargs: None)


@pytest.fixture
def no_exclusion_constraint():
    with connection.cursor() as cursor:
        cursor.execute(overlap_migration.DROP)
    yield
    Booking.objects.all().delete()  # the constraint cannot come back over duplicates
    with connection.cursor() as cursor:
        cursor.execute(overlap_migration.ADD)


def conflicts_and_bookings(outcomes):
    bookings = [o for o in outcomes if isinstance(o, Booking)]
    conflicts = [o for o in outcomes if isinstance(o, BookingConflict)]
    others = [o for o in outcomes if not isinstance(o, Booking | BookingConflict)]
    return bookings, conflicts, others


def race_for_one_slot(vehicle, people) -> list[BookingConflict]:
    """Every member books the same slot at once: exactly one booking is made and every other attempt is a
    conflict, nothing else. Returns the conflicts."""
    bookings, conflicts, others = conflicts_and_bookings(book_in_parallel(vehicle, people))
    assert others == []
    assert (len(bookings), len(conflicts)) == (1, THREADS - 1)
    assert Booking.objects.filter(vehicle=vehicle).count() == 1
    return conflicts


def test_parallel_requests_for_one_slot_make_exactly_one_booking(memberships):
    conflicts = race_for_one_slot(*memberships)
    assert all("Choose other times" in str(c.message) for c in conflicts)


def test_constraint_turns_the_race_into_clean_conflicts(memberships, checks_pass_together):
    conflicts = race_for_one_slot(*memberships)
    # The refusal names the booking that won, like the application's own check.
    assert all("already booked from" in str(c.message) for c in conflicts)


def test_constraint_alone_keeps_one_booking(memberships, no_application_check):
    race_for_one_slot(*memberships)


def test_control_without_any_guard_duplicates_appear(memberships, no_application_check, no_exclusion_constraint):
    vehicle, people = memberships
    bookings, conflicts, others = conflicts_and_bookings(book_in_parallel(vehicle, people))
    assert others == []
    assert len(bookings) > 1
    assert Booking.objects.filter(vehicle=vehicle).count() == len(bookings)


def test_control_application_check_alone_loses_the_race(memberships, checks_pass_together, no_exclusion_constraint):
    vehicle, people = memberships
    bookings, _conflicts, others = conflicts_and_bookings(book_in_parallel(vehicle, people))
    assert others == []
    assert len(bookings) == THREADS
