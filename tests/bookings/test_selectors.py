"""Reads scoped to the viewer's community."""

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from bookings.models import Booking
from bookings.selectors import booking_get, bookings_awaiting_trip
from tests.bookings.conftest import membership_of
from tests.factories import TripFactory, book


def make(member, vehicle, hours_ago, status=Booking.Status.CONFIRMED):
    now = timezone.now()
    return book(vehicle, member, now - timedelta(hours=hours_ago + 2), now - timedelta(hours=hours_ago), status=status)


def test_booking_get_is_404_outside_the_community(member, outsider, vehicle, other_community):
    booking = make(member, vehicle, 1)
    assert booking_get(membership_of(member, vehicle.community), booking.pk) == booking
    with pytest.raises(Http404):
        booking_get(membership_of(outsider, other_community), booking.pk)


def test_bookings_awaiting_trip_are_the_users_ended_bookings_without_a_completed_trip(member, owner, vehicle):
    no_trip = make(member, vehicle, 1)
    open_trip = make(member, vehicle, 5, status=Booking.Status.IN_PROGRESS)
    TripFactory(booking=open_trip, start_odometer=1, ended=False)
    done = make(member, vehicle, 10, status=Booking.Status.COMPLETED)
    TripFactory(booking=done, start_odometer=1, km=4)
    make(member, vehicle, 20, status=Booking.Status.CANCELLED)
    make(member, vehicle, 30, status=Booking.Status.REQUESTED)  # never confirmed: nothing to drive
    make(member, vehicle, -5)  # not ended yet
    make(owner, vehicle, 40)  # someone else's
    awaiting = list(bookings_awaiting_trip(membership_of(member, vehicle.community)))
    assert awaiting == [open_trip, no_trip]
