"""Bookings and trips: any member reads the community's bookings; the booker, the vehicle's owner or an admin
change, extend or cancel one; the owner or an admin answer a request; only the booker starts the trip and
only the driver ends it. Each row acts on a booking in the state where the action is possible."""

from datetime import timedelta

from django.utils import timezone

from bookings.models import Booking, BookingSeries
from tests.api.matrix import MEMBERS_CREATE, MEMBERS_READ, Row, community_kwargs, statuses
from tests.factories import TripFactory, book

# Anyone of the community, the booker included (the booker, the owner, an admin).
PARTY = statuses(member=200, owner=200, admin=200, read_token=403)
DECIDERS = statuses(member=403, owner=200, admin=200, read_token=403)
BOOKER = statuses(member=200, owner=403, admin=403, read_token=403)


def _once(world, name, make):
    if name not in world.extras:
        world.extras[name] = make()
    return world.extras[name]


def _in_progress(world) -> Booking:
    """The member's booking under way (started an hour ago, three hours long)."""
    return _once(
        world,
        "in_progress",
        lambda: book(
            world.vehicle,
            world.booking.member,
            timezone.now() - timedelta(hours=1),
            hours=3,
            status=Booking.Status.IN_PROGRESS,
        ),
    )


def _starting(world) -> Booking:
    """The member's confirmed booking starting in ten minutes: its trip may start."""
    return _once(
        world,
        "starting",
        lambda: book(world.vehicle, world.booking.member, timezone.now() + timedelta(minutes=10), hours=2),
    )


def _driving(world) -> Booking:
    """The member's booking whose trip is under way."""
    return _once(world, "driving", lambda: TripFactory(booking=_in_progress(world), ended=False).booking)


def _in_series(world) -> Booking:
    """The member's requested booking, made a date of a weekly recurring booking."""

    def make() -> Booking:
        local = timezone.localtime(world.booking.starts_at)
        series = BookingSeries.objects.create(
            community=world.community,
            vehicle=world.vehicle,
            member=world.booking.member,
            first_date=local.date(),
            until=local.date(),
            start_time=local.time(),
            end_time=timezone.localtime(world.booking.ends_at).time(),
        )
        Booking.objects.filter(pk=world.booking.pk).update(series=series)
        return world.booking

    return _once(world, "in_series", make)


def _series(world, **extra) -> dict:
    first = timezone.localdate() + timedelta(days=10)
    return {
        "vehicle": world.vehicle.pk,
        "first_date": first.isoformat(),
        "start_time": "10:00",
        "end_time": "12:00",
        "frequency": "weekly",
        "interval": 1,
        "until": (first + timedelta(weeks=1)).isoformat(),
        **extra,
    }


def _booking(world, **extra) -> dict:
    return community_kwargs(world, booking_id=world.booking.pk, **extra)


def _later(world, days: int) -> dict:
    start = timezone.now() + timedelta(days=days)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=2)).isoformat()}


def _new_booking(world) -> dict:
    return {"vehicle": world.vehicle.pk, **_later(world, 4)}


ROWS = [
    Row("bookings", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("bookings", "post", MEMBERS_CREATE, kwargs=community_kwargs, body=_new_booking),
    Row("booking", "get", MEMBERS_READ, kwargs=_booking),
    Row("booking_history", "get", MEMBERS_READ, kwargs=_booking),
    Row("booking_series_preview", "post", PARTY, kwargs=community_kwargs, body=_series),
    Row(
        "booking_series",
        "post",
        MEMBERS_CREATE,
        kwargs=community_kwargs,
        body=lambda world: _series(world, days=[(timezone.localdate() + timedelta(days=10)).isoformat()]),
    ),
    Row(
        "booking_cancel_following",
        "post",
        PARTY,
        kwargs=lambda world: community_kwargs(world, booking_id=_in_series(world).pk),
        body=lambda world: {"message": ""},
    ),
    Row("booking_approve", "post", DECIDERS, kwargs=_booking, body=lambda world: {"message": "OK"}),
    Row("booking_decline", "post", DECIDERS, kwargs=_booking, body=lambda world: {}),
    Row("booking_cancel", "post", PARTY, kwargs=_booking, body=lambda world: {"message": "Sorry"}),
    Row("booking_change", "post", PARTY, kwargs=_booking, body=lambda world: _later(world, 5)),
    Row(
        "booking_extend",
        "post",
        PARTY,
        kwargs=lambda world: community_kwargs(world, booking_id=_in_progress(world).pk),
        body=lambda world: {"ends_at": (_in_progress(world).ends_at + timedelta(hours=1)).isoformat()},
    ),
    Row(
        "booking_trip_start",
        "post",
        BOOKER,
        kwargs=lambda world: community_kwargs(world, booking_id=_starting(world).pk),
        body=lambda world: {"start_odometer": world.vehicle.odometer_km + 3},
    ),
    Row(
        "booking_trip_end",
        "post",
        BOOKER,
        kwargs=lambda world: community_kwargs(world, booking_id=_driving(world).pk),
        body=lambda world: {"end_odometer": _driving(world).trip.start_odometer + 42, "fuel_level": "half"},
    ),
]
