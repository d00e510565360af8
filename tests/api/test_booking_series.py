"""/api/v1/communities/{id}/booking-series/: a recurring booking's dates previewed with the refusals' codes,
booked all or nothing (409 when a date was taken meanwhile), and cancelled from one date onwards."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bookings.models import Booking, BookingSeries
from tests.factories import book

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 9, tzinfo=PARIS)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def url(community, suffix="") -> str:
    return f"/api/v1/communities/{community.pk}/booking-series/{suffix}"


def rule(vehicle, **changes) -> dict:
    return {
        "vehicle": vehicle.pk,
        "first_date": "2026-12-02",
        "start_time": "14:00",
        "end_time": "18:00",
        "frequency": "weekly",
        "interval": 1,
        "until": "2026-12-16",
        **changes,
    }


def test_the_preview_gives_each_date_free_or_with_the_refusals_code(as_user, member, owner, vehicle, community):
    book(vehicle, owner, datetime(2026, 12, 9, 15, tzinfo=PARIS), hours=1)

    response = as_user(member).post(url(community, "preview/"), rule(vehicle), format="json")

    body = response.json()
    assert response.status_code == 200
    assert [(d["day"], d["free"], d["code"]) for d in body["dates"]] == [
        ("2026-12-02", True, ""),
        ("2026-12-09", False, "booking_conflict"),
        ("2026-12-16", True, ""),
    ]
    assert body["confirmed_at_once"] is False
    assert body["summary"].startswith("Toutes les semaines le mercredi")


def test_booking_the_chosen_dates_makes_one_booking_each(as_user, owner, vehicle, community):
    days = ["2026-12-02", "2026-12-16"]

    response = as_user(owner).post(url(community), {**rule(vehicle), "days": days}, format="json")

    assert response.status_code == 201
    made = BookingSeries.objects.get()
    assert response.json()["bookings"] == list(made.bookings.order_by("starts_at").values_list("pk", flat=True))
    assert [b.starts_at.date() for b in made.bookings.order_by("starts_at")] == [date(2026, 12, 2), date(2026, 12, 16)]
    assert set(made.bookings.values_list("status", flat=True)) == {Booking.Status.CONFIRMED}


def test_a_date_taken_meanwhile_refuses_the_whole_series_with_409(as_user, member, owner, vehicle, community):
    book(vehicle, owner, datetime(2026, 12, 9, 17, tzinfo=PARIS), hours=2)

    response = as_user(member).post(
        url(community), {**rule(vehicle), "days": ["2026-12-02", "2026-12-09"]}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "series_occurrence_refused"
    assert response.json()["params"] == {"date": "2026-12-09", "code": "booking_conflict"}
    assert not BookingSeries.objects.exists()


def test_a_rule_over_a_year_is_refused_on_its_field(as_user, member, vehicle, community):
    response = as_user(member).post(url(community, "preview/"), rule(vehicle, until="2028-01-05"), format="json")

    assert response.status_code == 400
    assert "until" in response.json()["fields"]


def test_cancel_a_date_and_the_following_ones(as_user, member, vehicle, community):
    as_user(member).post(url(community), {**rule(vehicle), "days": ["2026-12-02", "2026-12-09", "2026-12-16"]})
    second = Booking.objects.order_by("starts_at")[1]

    response = as_user(member).post(
        f"/api/v1/communities/{community.pk}/bookings/{second.pk}/cancel-following/", {}, format="json"
    )

    assert response.status_code == 200
    statuses = list(Booking.objects.order_by("starts_at").values_list("status", flat=True))
    assert statuses == [Booking.Status.REQUESTED, Booking.Status.CANCELLED, Booking.Status.CANCELLED]
    assert time(14) == second.starts_at.astimezone(PARIS).time()


def test_approving_with_following_confirms_the_later_dates_that_wait_too(as_user, member, owner, vehicle, community):
    days = ["2026-12-02", "2026-12-09", "2026-12-16"]
    created = as_user(member).post(url(community), {**rule(vehicle), "days": days}, format="json")
    assert created.status_code == 201, created.json()
    dates = list(Booking.objects.filter(series__community=community).order_by("starts_at"))
    assert [b.status for b in dates] == ["requested"] * 3

    response = as_user(owner).post(
        f"/api/v1/communities/{community.pk}/bookings/{dates[1].pk}/approve/", {"following": True}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "confirmed"
    assert [b.status for b in Booking.objects.filter(pk__in=[b.pk for b in dates]).order_by("starts_at")] == [
        "requested",
        "confirmed",
        "confirmed",
    ]


def test_a_following_that_is_not_a_boolean_is_a_400_with_the_field(as_user, member, owner, vehicle, community):
    as_user(member).post(url(community), {**rule(vehicle), "days": ["2026-12-02", "2026-12-09"]}, format="json")
    first = Booking.objects.filter(series__community=community).order_by("starts_at").first()

    response = as_user(owner).post(
        f"/api/v1/communities/{community.pk}/bookings/{first.pk}/approve/", {"following": "maybe"}, format="json"
    )

    assert response.status_code == 400
    assert "following" in str(response.json())
    assert Booking.objects.get(pk=first.pk).status == "requested"
