"""Every refusal of a booking or a trip carries a stable code (and, where useful, parameters) that a client
can act on without reading the translated message."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from bookings import services, trips
from bookings.errors import BookingConflict, BookingRefused, ImplausibleDistance
from colocauto.core.errors import DomainError, NotAllowed
from tests.bookings.conftest import local, membership_of
from tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def neighbour(community):
    user = UserFactory(email="neighbour@example.org")
    MembershipFactory(community=community, user=user)
    return user


def book(user, vehicle, start, end):
    return services.booking_create(
        membership=membership_of(user, vehicle.community), vehicle=vehicle, starts_at=start, ends_at=end
    )


def refusal(action) -> DomainError:
    with pytest.raises(DomainError) as refused:
        action()
    return refused.value


def test_a_conflict_gives_the_interval_of_the_booking_in_the_way(member, owner, vehicle):
    held = book(owner, vehicle, local(2, 10), local(2, 12))
    error = refusal(lambda: book(member, vehicle, local(2, 11), local(2, 13)))
    assert isinstance(error, BookingConflict)
    assert (error.code, error.status_code) == ("booking_conflict", 409)
    assert {key: datetime.fromisoformat(value) for key, value in error.params.items()} == {
        "starts_at": held.starts_at,
        "ends_at": held.ends_at,
    }


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        ((2, 12), (2, 12), "end_before_start"),
        ((-1, 10), (2, 12), "start_in_past"),
        ((2, 10), (12, 12), "max_duration"),
    ],
)
def test_each_broken_booking_rule_has_its_own_code(member, vehicle, start, end, code):
    error = refusal(lambda: book(member, vehicle, local(*start), local(*end)))
    assert isinstance(error, BookingRefused)
    assert error.code == code


def test_a_paused_vehicle_and_the_same_times_again_have_their_codes(member, owner, vehicle):
    booking = book(owner, vehicle, local(2, 10), local(2, 12))
    same = refusal(
        lambda: services.booking_change_times(
            membership=membership_of(owner, vehicle.community),
            booking=booking,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
        )
    )
    assert same.code == "same_times"
    vehicle.is_active = False
    vehicle.save()
    assert refusal(lambda: book(member, vehicle, local(3, 10), local(3, 12))).code == "vehicle_paused"


def test_permission_refusals_say_who_may_act(member, owner, neighbour, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    neighbour_membership = membership_of(neighbour, vehicle.community)
    cancel = refusal(lambda: services.booking_cancel(membership=neighbour_membership, booking=booking))
    answer = refusal(
        lambda: services.booking_confirm(membership=membership_of(member, vehicle.community), booking=booking)
    )
    assert isinstance(cancel, NotAllowed) and isinstance(answer, NotAllowed)
    assert (cancel.code, answer.code) == ("not_booker_or_manager", "not_manager")


def test_trip_refusals_have_their_codes(owner, vehicle):
    soon = timezone.now() + timedelta(minutes=5)
    booking = book(owner, vehicle, soon, soon + timedelta(hours=2))
    membership = membership_of(owner, vehicle.community)
    below = refusal(lambda: trips.trip_start(membership=membership, booking=booking, start_odometer=41_999))
    assert (below.code, below.params) == ("odometer_below_last_known", {"odometer_km": 42_000})
    trip = trips.trip_start(membership=membership, booking=booking, start_odometer=42_000)
    far = refusal(lambda: trips.trip_complete(membership=membership, trip=trip, end_odometer=45_000))
    assert isinstance(far, ImplausibleDistance)
    assert (far.code, far.params) == ("implausible_distance_unconfirmed", {"distance_km": 3_000})
    back = refusal(lambda: trips.trip_complete(membership=membership, trip=trip, end_odometer=41_000))
    assert (back.code, back.params) == ("end_odometer_below_start", {"start_odometer": 42_000})
