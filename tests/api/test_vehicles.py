"""/api/v1/communities/{id}/vehicles/…: what the vehicle pages show and change, through their forms and services."""

from datetime import time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.factories import VehicleFactory, book
from tests.helpers import assert_constant_queries, image_bytes
from vehicles.models import AvailabilityWindow, Blackout, Vehicle


def url(community, rest=""):
    return f"/api/v1/communities/{community.pk}/vehicles/{rest}"


def test_a_vehicle_shows_its_windows_blackouts_and_pricing(as_user, member, vehicle, community):
    vehicle.rate_per_km, vehicle.daily_cap = "0.25", "30"
    vehicle.save()
    AvailabilityWindow.objects.create(vehicle=vehicle, weekday=0, start_time=time(8), end_time=time(0))
    start = timezone.now() + timedelta(days=3)
    Blackout.objects.create(vehicle=vehicle, starts_at=start, ends_at=start + timedelta(days=1), reason="garage")
    Blackout.objects.create(vehicle=vehicle, starts_at=start - timedelta(days=9), ends_at=start - timedelta(days=8))

    body = as_user(member).get(url(community, f"{vehicle.pk}/")).json()

    assert body["windows"] == [{"weekday": 0, "start_time": "08:00", "end_time": "00:00"}]
    assert [b["reason"] for b in body["blackouts"]] == ["garage"]  # the one over is not shown
    assert (body["rate_per_km"], body["daily_cap"], body["cost_model"]) == ("0.250", "30.00", "rates")
    assert body["owner"]["display_name"] == "Oscar Owner"
    assert (body["can_manage"], body["photo_url"]) == (False, None)


def test_the_vehicle_list_takes_the_same_queries_for_2_and_20_vehicles(as_user, member, community):
    client = as_user(member)

    def add(count):
        for _ in range(count):
            car = VehicleFactory(community=community)
            AvailabilityWindow.objects.create(vehicle=car, weekday=1, start_time=time(7), end_time=time(22))
            start = timezone.now() + timedelta(days=2)
            Blackout.objects.create(vehicle=car, starts_at=start, ends_at=start + timedelta(hours=5))

    assert_constant_queries(client, url(community), add, rows=lambda body: body["results"])


def test_a_member_registers_a_vehicle_they_own_and_bookable(as_user, member, community):
    response = as_user(member).post(url(community), {"name": "Twingo", "rate_per_km": "0.2"}, format="json")

    assert response.status_code == 201, response.json()
    car = Vehicle.objects.get(pk=response.json()["id"])
    assert (car.owner, car.is_active, car.seats, str(car.rate_per_km)) == (member, True, 5, "0.200")
    assert response.json()["can_manage"] is True


def test_an_admin_owns_what_they_register_unless_they_give_it_to_the_community(as_user, admin_user, community):
    client = as_user(admin_user)

    theirs = client.post(url(community), {"name": "Zoé"}, format="json").json()
    shared = client.post(url(community), {"name": "Kangoo", "owner": None}, format="json").json()

    assert theirs["owner"]["id"] == admin_user.pk
    assert shared["owner"] is None


def test_the_vehicle_form_refuses_with_field_messages(as_user, member, community):
    client = as_user(member)

    nameless = client.post(url(community), {"make": "Renault"}, format="json")
    slip = client.post(url(community), {"name": "Clio", "rate_per_km": "22"}, format="json")
    half_place = client.post(url(community), {"name": "Clio", "latitude": "44.7"}, format="json")

    assert nameless.status_code == 400 and "name" in nameless.json()["fields"]
    assert slip.status_code == 400 and "rate_per_km" in slip.json()["fields"]
    assert half_place.status_code == 400 and half_place.json()["code"] == "invalid"
    assert not Vehicle.objects.filter(community=community).exists()


def test_only_its_owner_or_an_admin_changes_a_vehicle(as_user, owner, member, vehicle, community):
    refused = as_user(member).patch(url(community, f"{vehicle.pk}/"), {"name": "Volée"}, format="json")
    changed = as_user(owner).patch(url(community, f"{vehicle.pk}/"), {"seats": 4}, format="json")

    assert refused.status_code == 403 and refused.json()["code"] == "vehicle_manager_only"
    assert changed.status_code == 200
    vehicle.refresh_from_db()
    assert (vehicle.name, vehicle.seats, vehicle.is_active) == ("Clio bleue", 4, True)


def test_a_new_cost_model_is_announced_for_next_month(as_user, owner, vehicle, community):
    body = as_user(owner).patch(url(community, f"{vehicle.pk}/"), {"cost_model": "shared_costs"}, format="json").json()

    assert (body["cost_model"], body["next_cost_model"]) == ("rates", "shared_costs")
    assert body["next_cost_model_from"].endswith("-01")


def test_a_photo_is_uploaded_in_multipart_and_served_to_members_only(
    as_user, owner, member, outsider, vehicle, community
):
    photo = SimpleUploadedFile("car.png", image_bytes(), content_type="image/png")

    uploaded = as_user(owner).patch(url(community, f"{vehicle.pk}/"), {"photo": photo}, format="multipart")
    served = as_user(member).get(url(community, f"{vehicle.pk}/photo/"))
    hidden = as_user(outsider).get(url(community, f"{vehicle.pk}/photo/"))

    assert uploaded.status_code == 200, uploaded.json()
    assert uploaded.json()["photo_url"].endswith(f"/vehicles/{vehicle.pk}/photo/")
    assert "/media/" not in uploaded.content.decode()
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert hidden.status_code == 404


def test_a_vehicle_without_photo_answers_404(as_user, member, vehicle, community):
    assert as_user(member).get(url(community, f"{vehicle.pk}/photo/")).status_code == 404


def test_a_vehicle_is_paused_and_made_bookable_again(as_user, owner, vehicle, community):
    client = as_user(owner)

    paused = client.post(url(community, f"{vehicle.pk}/active/"), {"active": False}, format="json")
    again = client.post(url(community, f"{vehicle.pk}/active/"), {"active": True}, format="json")
    missing = client.post(url(community, f"{vehicle.pk}/active/"), {}, format="json")

    assert paused.json()["is_active"] is False
    assert again.json()["is_active"] is True
    assert missing.status_code == 400 and "active" in missing.json()["fields"]


def test_weekly_windows_are_replaced_and_overlaps_refused(as_user, owner, vehicle, community):
    client = as_user(owner)
    path = url(community, f"{vehicle.pk}/windows/")
    monday = {"weekday": 0, "start_time": "08:00", "end_time": "12:00"}

    saved = client.put(
        path, {"windows": [monday, {**monday, "start_time": "14:00", "end_time": "00:00"}]}, format="json"
    )
    overlap = client.put(path, {"windows": [monday, {**monday, "start_time": "11:00"}]}, format="json")
    backwards = client.put(path, {"windows": [{**monday, "start_time": "13:00"}]}, format="json")
    cleared = client.put(path, {"windows": []}, format="json")

    assert saved.status_code == 200 and len(saved.json()["windows"]) == 2
    assert overlap.status_code == 400 and "08:00–12:00" in overlap.json()["detail"]
    assert backwards.status_code == 400
    assert cleared.json() == {"windows": []}
    assert not vehicle.availability_windows.exists()


def test_a_blackout_is_added_with_the_bookings_it_holds_and_lifted(as_user, owner, member, vehicle, community):
    start = timezone.now() + timedelta(days=4)
    book(vehicle, member, start + timedelta(hours=2))
    client = as_user(owner)

    added = client.post(
        url(community, f"{vehicle.pk}/blackouts/"),
        {"starts_at": start.isoformat(), "ends_at": (start + timedelta(days=1)).isoformat(), "reason": "garage"},
        format="json",
    )
    over = client.post(
        url(community, f"{vehicle.pk}/blackouts/"),
        {"starts_at": "2020-01-01T08:00:00+01:00", "ends_at": "2020-01-02T08:00:00+01:00"},
        format="json",
    )
    lifted = client.delete(url(community, f"{vehicle.pk}/blackouts/{added.json()['id']}/"))

    assert added.status_code == 201 and added.json()["held_bookings"] == 1
    assert over.status_code == 400 and over.json()["code"] == "blackout_over"
    assert lifted.status_code == 204
    assert not vehicle.blackouts.exists()


def test_another_communitys_vehicle_is_not_found(as_user, member, community, other_community):
    theirs = VehicleFactory(community=other_community)

    assert as_user(member).get(url(community, f"{theirs.pk}/")).status_code == 404
    assert as_user(member).get(url(community, "99999999999999999999999/")).status_code == 404


def test_a_missing_photo_is_refused_in_json_even_to_an_image_client(as_user, member, vehicle, community):
    response = as_user(member).get(url(community, f"{vehicle.pk}/photo/?format=image"), HTTP_ACCEPT="image/*")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_any_text_in_place_of_an_id_is_a_json_404(as_user, owner, vehicle, community):
    client = as_user(owner)

    for path in (
        f"/api/v1/communities/{community.pk}/vehicles/abc/",
        f"/api/v1/communities/{community.pk}/vehicles/-3/availability/?start=2030-01-01&end=2030-01-02",
        f"/api/v1/communities/{community.pk}/vehicles/{vehicle.pk}/blackouts/0.5/",
        "/api/v1/communities/null,null/members/",
    ):
        response = client.delete(path) if "blackouts" in path else client.get(path)
        assert (response.status_code, response["Content-Type"]) == (404, "application/json"), path
