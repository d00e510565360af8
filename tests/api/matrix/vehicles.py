"""Vehicles and availability: who gets what (``api/v1/vehicles.py``, ``api/v1/availability.py``).

Any member reads and registers vehicles; only the vehicle's owner or an admin changes one (403 for the
other members, as on the pages)."""

from datetime import timedelta

from django.utils import timezone

from tests.api.matrix import MEMBERS_CREATE, MEMBERS_READ, Row, community_kwargs, statuses

MANAGERS = statuses(member=403, owner=200, admin=200, read_token=403)


def vehicle_kwargs(world, **extra) -> dict:
    return community_kwargs(world, vehicle_id=world.vehicle.pk, **extra)


def _week(world) -> dict:
    today = timezone.localdate()
    return {"start": today.isoformat(), "end": (today + timedelta(days=7)).isoformat()}


def _blackout(world) -> dict:
    start = timezone.now() + timedelta(days=30)
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(days=1)).isoformat(), "reason": "garage"}


ROWS = [
    Row("vehicles", "get", MEMBERS_READ, kwargs=community_kwargs),
    Row("vehicles", "post", MEMBERS_CREATE, kwargs=community_kwargs, body=lambda world: {"name": "Kangoo"}),
    Row("vehicle", "get", MEMBERS_READ, kwargs=vehicle_kwargs),
    Row("vehicle", "patch", MANAGERS, kwargs=vehicle_kwargs, body=lambda world: {"name": "Clio rouge"}),
    Row("vehicle_photo", "get", MEMBERS_READ, kwargs=vehicle_kwargs),
    Row("vehicle_active", "post", MANAGERS, kwargs=vehicle_kwargs, body=lambda world: {"active": False}),
    Row(
        "vehicle_windows",
        "put",
        MANAGERS,
        kwargs=vehicle_kwargs,
        body=lambda world: {"windows": [{"weekday": 0, "start_time": "08:00", "end_time": "20:00"}]},
    ),
    Row(
        "vehicle_blackouts",
        "post",
        statuses(member=403, owner=201, admin=201, read_token=403),
        kwargs=vehicle_kwargs,
        body=_blackout,
    ),
    Row(
        "vehicle_blackout",
        "delete",
        statuses(member=403, owner=204, admin=204, read_token=403),
        kwargs=lambda world: vehicle_kwargs(world, blackout_id=world.blackout.pk),
    ),
    Row("availability", "get", MEMBERS_READ, kwargs=community_kwargs, body=_week),
    Row("vehicle_availability", "get", MEMBERS_READ, kwargs=vehicle_kwargs, body=_week),
]
