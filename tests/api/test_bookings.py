"""/api/v1/communities/{id}/bookings/: the list a client polls, and booking, answering, changing, extending
and cancelling with the pages' rules and refusals."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from bookings.models import Booking
from tests.bookings.conftest import PARIS, local
from tests.factories import VehicleFactory, book, member_of
from tests.helpers import assert_constant_queries
from vehicles.models import Blackout


def bookings_url(community) -> str:
    return f"/api/v1/communities/{community.pk}/bookings/"


def booking_url(booking, action: str = "") -> str:
    return f"/api/v1/communities/{booking.community_id}/bookings/{booking.pk}/{action}"


def times(start: datetime, hours: int = 2) -> dict:
    return {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=hours)).isoformat()}


# --- the list ----------------------------------------------------------------------------------------


def test_the_list_gives_the_communitys_bookings_soonest_first_in_its_time(as_user, member, owner, vehicle, community):
    later = book(vehicle, owner, local(3, 10))
    sooner = book(vehicle, member, local(2, 10))
    book(VehicleFactory(), member_of(community), local(2, 10))  # another community's vehicle and booking

    body = as_user(member).get(bookings_url(community)).json()

    assert [item["id"] for item in body["results"]] == [sooner.pk, later.pk]
    first = body["results"][0]
    assert first["vehicle"] == {"id": vehicle.pk, "name": "Clio bleue"}
    assert first["member"] == {"id": member.pk, "display_name": "Maya Member"}
    assert datetime.fromisoformat(first["starts_at"]) == local(2, 10)
    assert first["starts_at"].endswith(local(2, 10).strftime("%z")[:3] + ":00")
    assert body["count"] == 2


def test_the_list_filters_by_vehicle_member_status_and_range(as_user, member, owner, vehicle, community):
    other_car = VehicleFactory(community=community)
    mine = book(vehicle, member, local(2, 10))
    cancelled = book(vehicle, member, local(2, 14), status=Booking.Status.CANCELLED)
    owners = book(other_car, owner, local(2, 10), status=Booking.Status.REQUESTED)
    next_week = book(vehicle, owner, local(9, 10))
    client = as_user(member)

    def ids(**query):
        return [item["id"] for item in client.get(bookings_url(community), query).json()["results"]]

    assert ids(vehicle=other_car.pk) == [owners.pk]
    assert ids(member=member.pk) == [mine.pk, cancelled.pk]
    assert ids(status=["requested", "cancelled"]) == [owners.pk, cancelled.pk]
    assert ids(start=local(2, 11).isoformat(), end=local(8, 0).isoformat()) == [mine.pk, owners.pk, cancelled.pk]
    assert ids(start=local(5, 0).isoformat()) == [next_week.pk]


def assert_refused_on(response, field: str) -> None:
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert field in response.json()["fields"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vehicle", "abc"),
        ("vehicle", "99999999999999999999999"),
        ("member", "-3"),
        ("status", "lost"),
        ("start", "yesterday"),
        ("start", "0001-01-01T00:00:00+14:00"),
    ],
)
def test_bad_filter_values_are_refused_with_the_field(as_user, member, community, field, value):
    assert_refused_on(as_user(member).get(bookings_url(community), {field: value}), field)


def test_a_filter_range_ending_before_its_start_is_refused_on_the_end(as_user, member, community):
    query = {"start": "2026-05-02T10:00+02:00", "end": "2026-05-01T10:00+02:00"}

    assert_refused_on(as_user(member).get(bookings_url(community), query), "end")


def test_the_list_runs_the_same_queries_for_2_or_20_bookings(as_user, member, community):
    def add(count: int) -> None:
        """``count`` bookings of as many cars, every other one the member's own."""
        for n in range(count):
            booker = member if n % 2 == 0 else member_of(community)
            book(VehicleFactory(community=community), booker, local(n % 5 + 2, 8))

    assert_constant_queries(as_user(member), bookings_url(community), add, rows=lambda body: body["results"])


def test_bookings_starting_together_keep_one_order_across_pages(as_user, member, community):
    same_start = [book(VehicleFactory(community=community), member, local(2, 10)) for _ in range(5)]
    client = as_user(member)

    pages = [client.get(bookings_url(community), {"page_size": 2, "page": n}).json() for n in (1, 2, 3)]

    assert [item["id"] for page in pages for item in page["results"]] == sorted(b.pk for b in same_start)


def test_an_unchanged_list_answers_304_to_its_etag(as_user, member, vehicle, community):
    booking = book(vehicle, member, local(2, 10))
    client = as_user(member)
    first = client.get(bookings_url(community))

    again = client.get(bookings_url(community), HTTP_IF_NONE_MATCH=first["ETag"])
    since = client.get(bookings_url(community), HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    client.post(booking_url(booking, "cancel/"), {}, format="json")
    changed = client.get(bookings_url(community), HTTP_IF_NONE_MATCH=first["ETag"])

    assert first.status_code == 200
    assert (again.status_code, again.content, again["ETag"]) == (304, b"", first["ETag"])
    assert since.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]
    assert changed.json()["results"][0]["status"] == "cancelled"


def test_the_etag_depends_on_the_filters_and_the_page(as_user, member, vehicle, community):
    book(vehicle, member, local(2, 10))
    client = as_user(member)
    everything = client.get(bookings_url(community))

    filtered = client.get(bookings_url(community), {"status": "confirmed"}, HTTP_IF_NONE_MATCH=everything["ETag"])

    assert filtered.status_code == 200


def test_a_new_booking_changes_the_etag(as_user, member, vehicle, community):
    client = as_user(member)
    empty = client.get(bookings_url(community))
    book(vehicle, member, local(2, 10))

    assert "Last-Modified" not in empty
    assert client.get(bookings_url(community), HTTP_IF_NONE_MATCH=empty["ETag"]).status_code == 200


# --- one booking ------------------------------------------------------------------------------------------


def test_another_communitys_booking_or_a_huge_id_is_not_found(as_user, member, community, outsider, other_community):
    theirs = book(VehicleFactory(community=other_community), outsider, local(2, 10))
    client = as_user(member)

    assert client.get(f"/api/v1/communities/{community.pk}/bookings/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/communities/{community.pk}/bookings/99999999999999999999999/").status_code == 404
    assert (
        client.get(f"/api/v1/communities/{community.pk}/bookings/99999999999999999999999/history/").json()["code"]
        == "not_found"
    )
    assert client.get(f"/api/v1/communities/{community.pk}/bookings/abc/").json()["code"] == "not_found"
    assert client.get(f"/api/v1/communities/abc/bookings/{theirs.pk}/").json()["code"] == "not_found"


def test_the_detail_shows_directions_to_the_booker_only(as_user, member, owner, vehicle):
    vehicle.parking_location = "Rue des Tilleuls"
    vehicle.save()
    booking = book(vehicle, member, local(2, 10))

    mine = as_user(member).get(booking_url(booking)).json()
    owners = as_user(owner).get(booking_url(booking)).json()

    assert mine["parking_location"] == "Rue des Tilleuls"
    assert owners["parking_location"] == ""
    assert mine["time_zone"] == "Europe/Paris"
    assert mine["actions"] == {
        "approve": False,
        "decline": False,
        "cancel": True,
        "change": True,
        "extend": False,
        "start_trip": False,
        "end_trip": False,
    }
    assert owners["actions"]["cancel"] is True


# --- booking -----------------------------------------------------------------------------------------------


def test_booking_a_free_slot_confirms_it_and_points_to_it(as_user, member, vehicle, community):
    community.owner_approval_required = False
    community.save()

    response = as_user(member).post(
        bookings_url(community), {"vehicle": vehicle.pk, **times(local(2, 10)), "note": " Lyon "}, format="json"
    )

    assert response.status_code == 201
    booking = Booking.objects.get()
    assert response["Location"].endswith(f"/api/v1/communities/{community.pk}/bookings/{booking.pk}/")
    assert (booking.member, booking.status, booking.note, booking.starts_at) == (
        member,
        Booking.Status.CONFIRMED,
        "Lyon",
        local(2, 10),
    )
    assert response.json()["status"] == "confirmed"


def test_times_without_an_offset_are_the_communitys(as_user, member, vehicle, community):
    start = local(2, 10)
    naive = {"starts_at": start.strftime("%Y-%m-%dT%H:%M"), "ends_at": start.strftime("%Y-%m-%dT12:%M")}

    response = as_user(member).post(bookings_url(community), {"vehicle": vehicle.pk, **naive}, format="json")

    assert response.status_code == 201
    assert Booking.objects.get().starts_at == start


def test_a_booking_waits_for_the_owner_when_the_community_says_so(as_user, member, vehicle, community):
    community.owner_approval_required = True
    community.save()

    response = as_user(member).post(bookings_url(community), {"vehicle": vehicle.pk, **times(local(2, 10))})

    assert response.json()["status"] == "requested"


def test_a_taken_slot_is_a_409_with_the_other_bookings_interval_only(as_user, member, owner, vehicle, community):
    taken = book(vehicle, owner, local(2, 9), hours=3)

    response = as_user(member).post(
        bookings_url(community), {"vehicle": vehicle.pk, **times(local(2, 10))}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "booking_conflict"
    assert set(body["params"]) == {"starts_at", "ends_at"}
    assert datetime.fromisoformat(body["params"]["starts_at"]) == taken.starts_at
    assert datetime.fromisoformat(body["params"]["ends_at"]) == taken.ends_at
    assert "Oscar" not in response.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("setup", "start", "hours", "code"),
    [
        ("notice", lambda: timezone.now() + timedelta(hours=1), 2, "min_notice"),
        ("", lambda: local(2, 10), 24 * 8, "max_duration"),
        ("blackout", lambda: local(2, 10), 2, "vehicle_unavailable"),
        ("", lambda: timezone.now() - timedelta(days=1), 2, "start_in_past"),
    ],
)
def test_the_pages_booking_rules_refuse_with_their_codes(
    as_user, member, vehicle, community, setup, start, hours, code
):
    if setup == "notice":
        community.min_notice = timedelta(hours=4)
        community.save()
    if setup == "blackout":
        Blackout.objects.create(vehicle=vehicle, starts_at=local(2, 0), ends_at=local(3, 0), reason="service")

    response = as_user(member).post(
        bookings_url(community), {"vehicle": vehicle.pk, **times(start(), hours)}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not Booking.objects.exists()


def test_the_booking_forms_own_checks_name_their_field(as_user, member, vehicle, community):
    client = as_user(member)
    paused = VehicleFactory(community=community, is_active=False)

    backwards = client.post(
        bookings_url(community),
        {"vehicle": vehicle.pk, "starts_at": local(2, 12).isoformat(), "ends_at": local(2, 10).isoformat()},
        format="json",
    )
    not_bookable = client.post(bookings_url(community), {"vehicle": paused.pk, **times(local(2, 10))}, format="json")
    missing = client.post(bookings_url(community), {"vehicle": vehicle.pk}, format="json")

    assert backwards.status_code == 400
    assert "ends_at" in backwards.json()["fields"]
    assert "vehicle" in not_bookable.json()["fields"]
    assert set(missing.json()["fields"]) == {"starts_at", "ends_at"}


def test_another_communitys_vehicle_cannot_be_booked(as_user, member, community, other_community):
    theirs = VehicleFactory(community=other_community)

    response = as_user(member).post(bookings_url(community), {"vehicle": theirs.pk, **times(local(2, 10))})

    assert response.status_code == 400
    assert "vehicle" in response.json()["fields"]


# --- answering, cancelling, changing, extending -----------------------------------------------------------


@pytest.fixture
def request_of_member(member, vehicle):
    return book(vehicle, member, local(2, 10), status=Booking.Status.REQUESTED)


def test_the_owner_approves_a_request_with_a_message(as_user, owner, request_of_member):
    response = as_user(owner).post(booking_url(request_of_member, "approve/"), {"message": "Bonne route"})

    request_of_member.refresh_from_db()
    assert response.status_code == 200
    assert (request_of_member.status, request_of_member.decision_message) == ("confirmed", "Bonne route")
    assert response.json()["decision_message"] == "Bonne route"


def test_the_booker_cannot_answer_their_own_request(as_user, member, request_of_member):
    response = as_user(member).post(booking_url(request_of_member, "approve/"), {"message": "x" * 600}, format="json")

    assert response.status_code == 403  # refused before the form, as the page does
    assert response.json()["code"] == "forbidden"


def test_an_answered_request_cannot_be_answered_again(as_user, owner, admin_user, request_of_member):
    as_user(owner).post(booking_url(request_of_member, "decline/"), {}, format="json")

    response = as_user(admin_user).post(booking_url(request_of_member, "approve/"), {}, format="json")

    request_of_member.refresh_from_db()
    assert request_of_member.status == Booking.Status.REJECTED
    assert (response.status_code, response.json()["code"]) == (400, "booking_not_requested")


def test_a_message_too_long_is_refused_on_its_field(as_user, owner, request_of_member):
    response = as_user(owner).post(booking_url(request_of_member, "decline/"), {"message": "x" * 501}, format="json")

    assert response.status_code == 400
    assert "message" in response.json()["fields"]


def test_cancelling_within_the_minimum_notice_is_marked_late(as_user, member, vehicle, community):
    community.min_notice = timedelta(hours=24)
    community.save()
    booking = book(vehicle, member, timezone.now() + timedelta(hours=3))

    response = as_user(member).post(booking_url(booking, "cancel/"), {"message": "Malade"}, format="json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancelled_late"]) == ("cancelled", True)


def test_someone_else_cannot_cancel_a_members_booking(as_user, community, request_of_member):
    neighbour = member_of(community)

    response = as_user(neighbour).post(booking_url(request_of_member, "cancel/"), {}, format="json")

    assert response.status_code == 403
    assert Booking.objects.get().status == Booking.Status.REQUESTED


def test_changing_times_onto_another_booking_is_a_409(as_user, member, owner, vehicle):
    mine = book(vehicle, member, local(2, 10))
    book(vehicle, owner, local(3, 10))

    moved = as_user(member).post(booking_url(mine, "change/"), times(local(2, 14)), format="json")
    clash = as_user(member).post(booking_url(mine, "change/"), times(local(3, 9)), format="json")

    mine.refresh_from_db()
    assert moved.status_code == 200
    assert mine.starts_at == local(2, 14)
    assert clash.status_code == 409
    assert clash.json()["code"] == "booking_conflict"
    assert datetime.fromisoformat(clash.json()["params"]["starts_at"]) == local(3, 10)


def test_a_confirmed_booking_moved_beyond_its_times_waits_for_approval_again(as_user, member, vehicle, community):
    community.owner_approval_required = True
    community.save()
    booking = book(vehicle, member, local(2, 10))

    response = as_user(member).post(booking_url(booking, "change/"), times(local(2, 11)), format="json")

    assert response.json()["status"] == "requested"


def test_extending_a_booking_in_progress(as_user, member, vehicle):
    now = timezone.now()
    booking = book(vehicle, member, now - timedelta(hours=1), hours=2, status=Booking.Status.IN_PROGRESS)
    later = (booking.ends_at + timedelta(hours=2)).astimezone(PARIS)

    response = as_user(member).post(booking_url(booking, "extend/"), {"ends_at": later.isoformat()}, format="json")

    booking.refresh_from_db()
    assert response.status_code == 200
    assert booking.ends_at == later


def test_only_a_booking_in_progress_can_be_extended(as_user, member, vehicle):
    booking = book(vehicle, member, local(2, 10))

    response = as_user(member).post(booking_url(booking, "extend/"), {"ends_at": local(2, 15).isoformat()})

    assert (response.status_code, response.json()["code"]) == (400, "booking_not_in_progress")


def test_wrongly_typed_bodies_get_400_not_500(as_user, member, vehicle, community):
    booking = book(vehicle, member, local(2, 10))
    client = as_user(member)

    for url, body in [
        (bookings_url(community), {"vehicle": "one", **times(local(2, 10))}),
        (bookings_url(community), {"vehicle": vehicle.pk, "starts_at": ["x"], "ends_at": 3}),
        (bookings_url(community), {"vehicle": vehicle.pk, "starts_at": "9999-12-31T23:59+14:00", "ends_at": "x"}),
        (bookings_url(community), ["not", "an", "object"]),
        (booking_url(booking, "change/"), {"starts_at": {"a": 1}, "ends_at": None}),
        (booking_url(booking, "cancel/"), {"message": {"a": 1}}),
    ]:
        response = client.post(url, body, format="json")
        assert response.status_code == 400, (url, body, response.content)
        assert response.json()["code"] == "invalid"


# --- history -----------------------------------------------------------------------------------------------


def test_the_history_says_who_did_what_in_the_persons_language(as_user, member, owner, request_of_member):
    member.language = "en"
    member.save()
    as_user(member).post(booking_url(request_of_member, "change/"), times(local(2, 14)), format="json")
    as_user(owner).post(booking_url(request_of_member, "approve/"), {"message": "OK"}, format="json")

    body = as_user(member).get(booking_url(request_of_member, "history/")).json()

    assert [line["kind"] for line in body["results"]] == ["changed", "confirmed"]
    changed, confirmed = body["results"]
    assert changed["label"] == "Times changed"
    assert changed["actor"] == {"id": member.pk, "display_name": "Maya Member"}
    assert datetime.fromisoformat(changed["details"]["starts_at"]) == local(2, 14)
    assert any(line.startswith("Before:") for line in changed["lines"])
    assert confirmed["actor"]["display_name"] == "Oscar Owner"
    assert confirmed["lines"] == ["Message: OK"]
