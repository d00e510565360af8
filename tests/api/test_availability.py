"""/api/v1/communities/{id}/availability/: free and busy time as data, with an ETag for cheap polling."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bookings.models import Booking
from tests.factories import VehicleFactory, book, member_of
from tests.helpers import assert_constant_queries
from vehicles.models import AvailabilityWindow, Blackout

PARIS = ZoneInfo("Europe/Paris")
# A Monday, well ahead of the frozen clock of the tests.
MONDAY = datetime(2030, 3, 4, tzinfo=PARIS)


def url(community, params="start=2030-03-04&end=2030-03-04", vehicle=None):
    where = f"vehicles/{vehicle.pk}/" if vehicle else ""
    return f"/api/v1/communities/{community.pk}/{where}availability/?{params}"


def at(hour, day=0):
    return MONDAY + timedelta(days=day, hours=hour)


def iso(moment):
    return moment.astimezone(PARIS).isoformat()


def test_busy_time_says_why_and_free_time_is_the_rest(as_user, member, owner, vehicle, community):
    AvailabilityWindow.objects.create(vehicle=vehicle, weekday=0, start_time=time(7), end_time=time(21))
    book(vehicle, owner, at(9), at(11))
    mine = book(vehicle, member, at(14), at(15), status=Booking.Status.REQUESTED)
    book(vehicle, member, at(16), at(17), status=Booking.Status.CANCELLED)
    blackout = Blackout.objects.create(vehicle=vehicle, starts_at=at(18), ends_at=at(20), reason="garage")

    body = as_user(member).get(url(community)).json()

    assert body["time_zone"] == "Europe/Paris"
    assert (body["start"], body["end"]) == (iso(at(0)), iso(at(24)))
    (car,) = body["vehicles"]
    assert [(b["start"], b["end"], b["reason"]) for b in car["busy"]] == [
        (iso(at(0)), iso(at(7)), "outside_window"),
        (iso(at(9)), iso(at(11)), "booking"),
        (iso(at(14)), iso(at(15)), "booking"),
        (iso(at(18)), iso(at(20)), "blackout"),
        (iso(at(21)), iso(at(24)), "outside_window"),
    ]
    booked = car["busy"][1]["booking"]
    assert (booked["member"]["display_name"], booked["mine"]) == ("Oscar Owner", False)
    assert car["busy"][2]["booking"] == {
        "id": mine.pk,
        "status": "requested",
        "member": {"id": member.pk, "display_name": "Maya Member"},
        "mine": True,
    }
    assert car["busy"][3]["blackout"] == {"id": blackout.pk, "reason": "garage"}
    assert [(f["start"], f["end"]) for f in car["free"]] == [
        (iso(at(7)), iso(at(9))),
        (iso(at(11)), iso(at(14))),
        (iso(at(15)), iso(at(18))),
        (iso(at(20)), iso(at(21))),
    ]


def test_a_paused_vehicle_has_no_free_time(as_user, member, vehicle, community):
    vehicle.is_active = False
    vehicle.save()

    (car,) = as_user(member).get(url(community, vehicle=vehicle)).json()["vehicles"]

    assert [b["reason"] for b in car["busy"]] == ["paused"]
    assert car["free"] == []


def test_every_vehicle_or_one_is_answered(as_user, member, vehicle, pool_car, community, other_community):
    client = as_user(member)
    theirs = VehicleFactory(community=other_community)

    every = client.get(url(community)).json()["vehicles"]
    one = client.get(url(community, f"start=2030-03-04&end=2030-03-05&vehicle={pool_car.pk}")).json()["vehicles"]

    assert {v["vehicle_id"] for v in every} == {vehicle.pk, pool_car.pk}
    assert [v["vehicle_id"] for v in one] == [pool_car.pk]
    assert client.get(url(community, vehicle=theirs)).status_code == 404
    assert client.get(url(community, f"start=2030-03-04&end=2030-03-05&vehicle={theirs.pk}")).status_code == 404


def test_times_without_an_offset_are_the_communitys_and_a_dst_day_has_23_hours(as_user, member, vehicle, community):
    spring = as_user(member).get(url(community, "start=2030-03-31&end=2030-03-31", vehicle)).json()
    naive = as_user(member).get(url(community, "start=2030-03-04T08:00&end=2030-03-04T09:30", vehicle)).json()

    assert (spring["start"], spring["end"]) == ("2030-03-31T00:00:00+01:00", "2030-04-01T00:00:00+02:00")
    assert spring["vehicles"][0]["free"] == [{"start": spring["start"], "end": spring["end"]}]
    assert (naive["start"], naive["end"]) == (iso(at(8)), iso(at(9.5)))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ("end=2030-03-04", "start"),
        ("start=2030-03-04", "end"),
        ("start=tomorrow&end=2030-03-05", "start"),
        ("start=2030-02-30&end=2030-03-05", "start"),
        ("start=2030-03-04T10:00+25:00&end=2030-03-05", "start"),
        ("start=0001-01-01&end=2030-03-05", "start"),
        ("start=2030-03-05&end=2030-03-04T12:00", "end"),
        ("start=2030-03-01&end=2030-05-02", "end"),
        ("start=2030-03-01&end=2030-03-02&vehicle=abc", "vehicle"),
    ],
)
def test_a_bad_or_too_long_range_is_refused_with_the_field(as_user, member, community, params, field):
    response = as_user(member).get(url(community, params))

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


def test_62_days_are_allowed(as_user, member, vehicle, community):
    assert as_user(member).get(url(community, "start=2030-03-01&end=2030-05-01")).status_code == 200


def test_an_unchanged_range_answers_304_and_any_change_a_new_etag(as_user, member, owner, vehicle, community):
    client = as_user(member)
    first = client.get(url(community))
    etag = first["ETag"]

    def answer():
        return client.get(url(community), HTTP_IF_NONE_MATCH=etag)

    unchanged = answer()
    assert (unchanged.status_code, unchanged["ETag"], unchanged.content) == (304, etag, b"")
    changes = [
        lambda: book(vehicle, owner, at(9)),
        lambda: Booking.objects.filter(vehicle=vehicle).get().save(),  # e.g. a status change
        lambda: Blackout.objects.create(vehicle=vehicle, starts_at=at(12), ends_at=at(13)),
        lambda: Blackout.objects.filter(vehicle=vehicle).delete(),
        lambda: AvailabilityWindow.objects.create(vehicle=vehicle, weekday=0, start_time=time(7), end_time=time(21)),
        lambda: VehicleFactory(community=community),
    ]
    for change in changes:
        change()
        changed = answer()
        assert changed.status_code == 200
        assert changed["ETag"] != etag
        etag = changed["ETag"]
    assert answer().status_code == 304


def test_the_etag_differs_by_person_and_range(as_user, member, owner, vehicle, community):
    mine = as_user(member).get(url(community))["ETag"]

    assert as_user(owner).get(url(community))["ETag"] != mine
    assert as_user(member).get(url(community, "start=2030-03-05&end=2030-03-05"))["ETag"] != mine


def test_changes_outside_the_range_keep_the_etag(as_user, member, owner, vehicle, community):
    client = as_user(member)
    etag = client.get(url(community))["ETag"]

    book(vehicle, owner, at(9, day=3))
    Blackout.objects.create(vehicle=vehicle, starts_at=at(9, day=5), ends_at=at(10, day=5))

    assert client.get(url(community), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_availability_takes_the_same_queries_for_2_and_20_vehicles_and_bookings(as_user, member, community):
    client = as_user(member)
    week = url(community, "start=2030-03-04&end=2030-03-10")

    def add(count):
        for n in range(count):
            car = VehicleFactory(community=community)
            AvailabilityWindow.objects.create(vehicle=car, weekday=n % 7, start_time=time(7), end_time=time(22))
            Blackout.objects.create(vehicle=car, starts_at=at(1, day=n % 7), ends_at=at(3, day=n % 7))
            book(car, member_of(community), at(10, day=n % 7))

    assert_constant_queries(client, week, add, rows=lambda body: body["vehicles"])
