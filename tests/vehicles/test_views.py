from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from communities.models import User
from tests.factories import UserFactory, VehicleFactory
from tests.files import one_colour_png
from tests.helpers import assert_refused_keeping, english, image_bytes, url
from vehicles.models import AvailabilityWindow, Blackout, Vehicle


@pytest.fixture(autouse=True)
def _english(people):
    # Assertions read the English source strings, whatever catalogues exist.
    User.objects.filter(pk__in=[p.pk for p in people.values() if p]).update(language="en")


@pytest.fixture
def blackout(vehicle):
    start = timezone.now() + timedelta(days=3)
    return Blackout.objects.create(vehicle=vehicle, starts_at=start, ends_at=start + timedelta(days=1), reason="garage")


@pytest.fixture
def vehicle_with_photo(vehicle):
    vehicle.photo.save("x.png", SimpleUploadedFile("x.png", image_bytes("PNG")), save=True)
    return vehicle


def form_data(**overrides):
    data = {
        "name": "Berlingo",
        "kind": "van",
        "make": "Citroën",
        "model": "Berlingo",
        "year": "2015",
        "plate": "GH-123-JK",
        "energy": "diesel",
        "seats": "5",
        "gearbox": "manual",
        "parking_location": "Place de l'église",
        "latitude": "44.727700",
        "longitude": "5.023000",
        "instructions": "Keys in the blue box.",
        "insurer": "MAIF",
        "policy_number": "P-42",
        "insurance_expiry": "2031-03-01",
        "odometer_km": "120000",
        "is_active": "on",
        "cost_model": "rates",
        "rate_per_km": "0.25",
        "rate_per_hour": "0",
        "daily_cap": "",
        "fixed_monthly_cost": "30",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Who sees what


GET_MATRIX = {
    # url name: (anonymous, outsider, member, owner, admin)
    "vehicle_list": (302, 404, 200, 200, 200),
    "vehicle_create": (302, 404, 200, 200, 200),
    "vehicle_detail": (302, 404, 200, 200, 200),
    "vehicle_edit": (302, 404, 403, 200, 200),
    "vehicle_availability": (302, 404, 403, 200, 200),
    "vehicle_blackout_add": (302, 404, 403, 200, 200),
    "vehicle_photo": (302, 404, 200, 200, 200),
}
POST_MATRIX = {
    "vehicle_set_active": (302, 404, 403, 302, 302),
    "vehicle_blackout_delete": (302, 404, 403, 302, 302),
}
PEOPLE = ("anonymous", "outsider", "member", "owner", "admin")


def url_args(name, vehicle, blackout):
    if name in ("vehicle_list", "vehicle_create"):
        return []
    if name == "vehicle_blackout_delete":
        return [vehicle.pk, blackout.pk]
    return [vehicle.pk]


@pytest.mark.parametrize("name", list(GET_MATRIX) + list(POST_MATRIX))
@pytest.mark.parametrize("who", PEOPLE)
def test_every_vehicle_url_answers_each_person_as_expected(
    client, people, community, vehicle_with_photo, blackout, name, who
):
    if people[who]:
        client.force_login(people[who])
    target = url(name, community, *url_args(name, vehicle_with_photo, blackout))
    if name in GET_MATRIX:
        response = client.get(target)
        expected = GET_MATRIX[name][PEOPLE.index(who)]
    else:
        response = client.post(target, {"active": "0"})
        expected = POST_MATRIX[name][PEOPLE.index(who)]
    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["vehicle_detail", "vehicle_edit", "vehicle_photo", "vehicle_availability"])
def test_outsider_gets_404_through_their_own_community_too(client, outsider, other_community, vehicle_with_photo, name):
    client.force_login(outsider)
    assert client.get(url(name, other_community, vehicle_with_photo.pk)).status_code == 404


def test_outsider_post_changes_nothing(client, outsider, community, vehicle, blackout):
    client.force_login(outsider)
    client.post(url("vehicle_set_active", community, vehicle.pk), {"active": "0"})
    client.post(url("vehicle_blackout_delete", community, vehicle.pk, blackout.pk))
    client.post(url("vehicle_edit", community, vehicle.pk), form_data(name="Stolen"))
    vehicle.refresh_from_db()
    assert vehicle.is_active and vehicle.name == "Clio bleue"
    assert Blackout.objects.filter(pk=blackout.pk).exists()


# Create and edit


def test_member_adds_a_vehicle_and_owns_it(client, member, community):
    client.force_login(member)
    response = client.post(url("vehicle_create", community), form_data())
    vehicle = Vehicle.objects.get(name="Berlingo")
    assert response.status_code == 302
    assert response["Location"] == url("vehicle_detail", community, vehicle.pk)
    assert vehicle.owner == member and vehicle.community == community
    assert vehicle.rate_per_km == Decimal("0.250")
    assert vehicle.insurance_expiry.isoformat() == "2031-03-01"


def test_member_form_has_no_owner_choice_but_admin_form_has(client, member, admin_user, community):
    client.force_login(member)
    assert 'name="owner"' not in client.get(url("vehicle_create", community)).content.decode()
    client.force_login(admin_user)
    page = client.get(url("vehicle_create", community)).content.decode()
    assert 'name="owner"' in page and "Nobody: the community owns it" in page


def test_form_groups_fields_in_fieldsets(client, member, community):
    client.force_login(member)
    page = client.get(url("vehicle_create", community)).content.decode()
    for legend in ("Identity", "Where &amp; how", "Insurance", "Pricing", "Status"):
        assert f"<legend>{legend}</legend>" in page


def test_admin_adds_a_community_owned_vehicle(client, admin_user, community):
    client.force_login(admin_user)
    client.post(url("vehicle_create", community), form_data(owner=""))
    assert Vehicle.objects.get(name="Berlingo").owner is None


def test_admin_adds_a_vehicle_for_a_member(client, admin_user, member, community):
    client.force_login(admin_user)
    client.post(url("vehicle_create", community), form_data(owner=str(member.pk)))
    assert Vehicle.objects.get(name="Berlingo").owner == member


def test_admin_cannot_pick_an_outsider_as_owner(client, admin_user, outsider, community):
    client.force_login(admin_user)
    response = client.post(url("vehicle_create", community), form_data(owner=str(outsider.pk)))
    assert response.status_code == 200
    assert not Vehicle.objects.filter(name="Berlingo").exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_owner_edits_their_vehicle(client, owner, community, vehicle):
    client.force_login(owner)
    response = client.post(url("vehicle_edit", community, vehicle.pk), form_data(name="Clio rouge"))
    assert response.status_code == 302
    vehicle.refresh_from_db()
    assert vehicle.name == "Clio rouge" and vehicle.owner == owner


def test_admin_edits_a_vehicle_and_changes_its_owner(client, admin_user, member, community, vehicle):
    client.force_login(admin_user)
    client.post(url("vehicle_edit", community, vehicle.pk), form_data(owner=str(member.pk), seats="7"))
    vehicle.refresh_from_db()
    assert (vehicle.owner, vehicle.seats) == (member, 7)


def test_member_cannot_edit_someone_elses_vehicle(client, member, community, vehicle):
    client.force_login(member)
    response = client.post(url("vehicle_edit", community, vehicle.pk), form_data(name="Mine now"))
    assert response.status_code == 403
    vehicle.refresh_from_db()
    assert vehicle.name == "Clio bleue"


def test_invalid_input_is_explained_and_kept(client, member, community):
    client.force_login(member)
    response = client.post(
        url("vehicle_create", community), form_data(seats="0", latitude="44.5", longitude="", plate="ZZ-999-ZZ")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give both the latitude and the longitude, or neither." in page
    assert 'value="ZZ-999-ZZ"' in page and 'value="0"' in page
    assert not Vehicle.objects.filter(name="Berlingo").exists()


def test_owner_pauses_and_resumes_the_vehicle(client, owner, community, vehicle):
    client.force_login(owner)
    client.post(url("vehicle_set_active", community, vehicle.pk), {"active": "0"})
    vehicle.refresh_from_db()
    assert not vehicle.is_active
    assert "Paused" in client.get(url("vehicle_list", community)).content.decode()
    client.post(url("vehicle_set_active", community, vehicle.pk), {"active": "1"})
    vehicle.refresh_from_db()
    assert vehicle.is_active


# Photos


def test_photo_upload_is_accepted_and_served_to_members(client, owner, member, community):
    client.force_login(owner)
    client.post(
        url("vehicle_create", community),
        {**form_data(), "photo": SimpleUploadedFile("car.png", image_bytes("PNG"), content_type="image/png")},
    )
    vehicle = Vehicle.objects.get(name="Berlingo")
    assert vehicle.photo
    client.force_login(member)
    response = client.get(url("vehicle_photo", community, vehicle.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert url("vehicle_photo", community, vehicle.pk) in client.get(url("vehicle_list", community)).content.decode()


def test_photo_is_not_served_to_outsiders(client, outsider, community, vehicle_with_photo):
    client.force_login(outsider)
    assert client.get(url("vehicle_photo", community, vehicle_with_photo.pk)).status_code == 404


def test_stored_photo_is_served_by_its_content_not_its_name(client, member, community, vehicle):
    storage = vehicle.photo.storage
    vehicle.photo.name = storage.save(f"vehicles/{community.pk}/old.html", ContentFile(image_bytes("PNG")))
    vehicle.save()
    client.force_login(member)
    response = client.get(url("vehicle_photo", community, vehicle.pk))
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    vehicle.photo.name = storage.save(f"vehicles/{community.pk}/old.jpg", ContentFile(b"<script>alert(1)</script>"))
    vehicle.save()
    assert client.get(url("vehicle_photo", community, vehicle.pk)).status_code == 404


def test_photo_view_is_404_when_there_is_no_photo(client, member, community, vehicle):
    client.force_login(member)
    assert client.get(url("vehicle_photo", community, vehicle.pk)).status_code == 404


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("car.jpg", b"I am a text file wearing a .jpg name", content_type="image/jpeg"),
            "This file is not a picture we can read.",
        ),
        (
            SimpleUploadedFile("car.gif", image_bytes("GIF"), content_type="image/gif"),
            "Pictures must be JPEG, PNG or WebP (this one is GIF).",
        ),
    ],
    ids=["text-renamed-jpg", "gif"],
)
def test_bad_photo_is_refused_and_other_input_kept(client, member, community, upload, message):
    client.force_login(member)
    response = client.post(url("vehicle_create", community), {**form_data(name="Zoé"), "photo": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'value="Zoé"' in page and 'value="GH-123-JK"' in page and "Keys in the blue box." in page
    assert "choose it again" in page
    assert not Vehicle.objects.exists()


def test_too_large_photo_is_refused_and_other_input_kept(client, member, community, settings):
    settings.UPLOAD_MAX_BYTES = 100
    client.force_login(member)
    photo = SimpleUploadedFile("car.png", image_bytes("PNG", size=(200, 200)), content_type="image/png")
    response = client.post(url("vehicle_create", community), {**form_data(name="Zoé"), "photo": photo})
    page = response.content.decode()
    assert "This file is too large" in page
    assert 'value="Zoé"' in page
    assert not Vehicle.objects.exists()


def test_photo_too_big_to_decode_gets_a_translated_form_error(client, member, community):
    User.objects.filter(pk=member.pk).update(language="fr")
    client.force_login(member)
    flat = SimpleUploadedFile("flat.png", one_colour_png(7700, 7700), content_type="image/png")  # 0.2 MB

    response = client.post(url("vehicle_create", community), {**form_data(name="Zoé"), "photo": flat})

    page = response.content.decode()
    assert "Cette image est trop grande (60 mégapixels) ; pour une image PNG comme celle-ci, la limite est de" in page
    assert 'value="Zoé"' in page
    assert not Vehicle.objects.exists()


def test_owner_removes_the_photo(client, owner, community, vehicle_with_photo):
    client.force_login(owner)
    client.post(url("vehicle_edit", community, vehicle_with_photo.pk), form_data(remove_photo="on"))
    vehicle_with_photo.refresh_from_db()
    assert not vehicle_with_photo.photo


# Detail page


def test_detail_shows_every_field_with_units_and_map_link(client, member, community, vehicle):
    Vehicle.objects.filter(pk=vehicle.pk).update(
        parking_location="Rue des Tilleuls",
        latitude=Decimal("44.727700"),
        longitude=Decimal("5.023000"),
        instructions="Keys under the mat",
        insurer="MAIF",
        policy_number="P-42",
        rate_per_km=Decimal("0.125"),
        rate_per_hour=Decimal("1.5"),
        daily_cap=Decimal("12"),
    )
    client.force_login(member)
    page = client.get(url("vehicle_detail", community, vehicle.pk)).content.decode()
    for text in ("Rue des Tilleuls", "Keys under the mat", "MAIF", "P-42", "€0.125/km", "€1.50/h", "€12.00"):
        assert text in page
    assert "https://www.openstreetmap.org/?mlat=44.727700&amp;mlon=5.023000" in page
    assert "Always available" in page
    assert f"?vehicle={vehicle.pk}" in page
    assert reverse("vehicle_edit", args=[community.pk, vehicle.pk]) not in page


def test_detail_shows_edit_links_to_the_owner(client, owner, community, vehicle):
    client.force_login(owner)
    page = client.get(url("vehicle_detail", community, vehicle.pk)).content.decode()
    assert reverse("vehicle_edit", args=[community.pk, vehicle.pk]) in page
    assert reverse("vehicle_availability", args=[community.pk, vehicle.pk]) in page


def test_detail_lists_windows_and_upcoming_blackouts_only(client, member, community, vehicle, blackout):
    AvailabilityWindow.objects.create(vehicle=vehicle, weekday=0, start_time=time(8), end_time=time(0))
    past_end = timezone.now() - timedelta(days=1)
    Blackout.objects.create(
        vehicle=vehicle, starts_at=past_end - timedelta(days=1), ends_at=past_end, reason="old repair"
    )
    client.force_login(member)
    page = client.get(url("vehicle_detail", community, vehicle.pk)).content.decode()
    assert "Monday 08:00–24:00" in page
    assert "garage" in page and "old repair" not in page


# Weekly availability


def window(weekday: str, start: str, end: str, **fields) -> dict:
    """One row of the weekly availability form, as typed."""
    return {"weekday": weekday, "start_time": start, "end_time": end, **fields}


def windows_post(*rows, initial=0):
    data = {
        "windows-TOTAL_FORMS": str(len(rows)),
        "windows-INITIAL_FORMS": str(initial),
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"windows-{index}-{key}"] = value
    return data


def post_windows(client, user, vehicle, *rows):
    """``user`` sends the weekly availability form of ``vehicle`` with these rows (no existing window)."""
    client.force_login(user)
    return client.post(url("vehicle_availability", vehicle.community, vehicle.pk), windows_post(*rows))


def test_owner_saves_weekly_windows(client, owner, vehicle):
    response = post_windows(
        client, owner, vehicle, window("0", "08:00", "12:00"), window("5", "00:00", "00:00"), window("", "", "")
    )
    assert response.status_code == 302
    windows = list(vehicle.availability_windows.values_list("weekday", "start_time", "end_time"))
    assert windows == [(0, time(8), time(12)), (5, time(0), time(0))]


def test_overlapping_windows_are_refused_and_kept_in_the_form(client, owner, vehicle):
    response = post_windows(client, owner, vehicle, window("2", "08:00", "12:00"), window("2", "11:30", "18:00"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "overlap" in page and 'value="11:30"' in page
    assert not vehicle.availability_windows.exists()


def test_window_ending_before_it_starts_is_refused_in_the_form(client, owner, vehicle):
    response = post_windows(client, owner, vehicle, window("3", "18:00", "09:00"))
    assert "must end after it starts" in response.content.decode()
    assert not vehicle.availability_windows.exists()


def test_removing_every_window_makes_the_vehicle_always_available(client, owner, community, vehicle):
    AvailabilityWindow.objects.create(vehicle=vehicle, weekday=0, start_time=time(8), end_time=time(12))
    client.force_login(owner)
    page = client.get(url("vehicle_availability", community, vehicle.pk)).content.decode()
    assert 'value="08:00"' in page and "always available" in page
    client.post(
        url("vehicle_availability", community, vehicle.pk),
        windows_post(window("0", "08:00", "12:00", DELETE="on"), initial=1),
    )
    assert not vehicle.availability_windows.exists()


# Blackouts


def test_blackout_is_read_in_the_community_time_zone(client, owner, community, vehicle):
    community.time_zone = "America/Martinique"  # UTC−4 all year
    community.save()
    client.force_login(owner)
    response = client.post(
        url("vehicle_blackout_add", community, vehicle.pk),
        {"starts_at": "2031-01-10T09:00", "ends_at": "2031-01-12T18:00", "reason": "holidays"},
    )
    assert response.status_code == 302
    blackout = vehicle.blackouts.get()
    assert blackout.starts_at == datetime(2031, 1, 10, 13, 0, tzinfo=UTC)
    page = client.get(url("vehicle_detail", community, vehicle.pk)).content.decode()
    assert "10 January 2031, 09:00" in page and "holidays" in page and "America/Martinique" in page


def test_blackout_form_shows_stored_times_back_in_community_time(client, owner, community, vehicle):
    client.force_login(owner)
    response = client.post(
        url("vehicle_blackout_add", community, vehicle.pk),
        {"starts_at": "2031-07-10T09:00", "ends_at": "2031-07-10T08:00", "reason": "oops"},
    )
    page = response.content.decode()
    assert "The end of the period must be after its start." in page
    assert 'value="2031-07-10T09:00"' in page and 'value="oops"' in page
    assert not vehicle.blackouts.exists()


def test_blackout_with_unreadable_dates_is_explained(client, owner, community, vehicle):
    client.force_login(owner)
    response = client.post(
        url("vehicle_blackout_add", community, vehicle.pk), {"starts_at": "tomorrow", "ends_at": "", "reason": ""}
    )
    assert response.status_code == 200
    assert response.content.decode().count('aria-invalid="true"') == 2


def test_owner_removes_a_blackout(client, owner, community, vehicle, blackout):
    client.force_login(owner)
    response = client.post(url("vehicle_blackout_delete", community, vehicle.pk, blackout.pk))
    assert response.status_code == 302
    assert not Blackout.objects.filter(pk=blackout.pk).exists()


def test_blackout_of_another_vehicle_is_404(client, owner, community, vehicle, blackout):
    other = VehicleFactory(community=community, owner=owner)
    client.force_login(owner)
    assert client.post(url("vehicle_blackout_delete", community, other.pk, blackout.pk)).status_code == 404


# Query count


def test_vehicle_list_query_count_does_not_grow_with_vehicles(client, member, community):
    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url("vehicle_list", community))
        assert response.status_code == 200
        return len(queries)

    client.force_login(member)
    for _ in range(2):
        VehicleFactory(community=community, owner=UserFactory(), photo="vehicles/x.png")
    few = count_queries()
    for index in range(28):
        VehicleFactory(community=community, owner=UserFactory() if index % 2 else None, photo="vehicles/x.png")
    assert Vehicle.objects.filter(community=community).count() == 30
    assert count_queries() == few


def test_vehicle_page_links_to_its_cost_report_and_for_managers_the_rate_calculator(client, owner, member, vehicle):
    url = reverse("vehicle_detail", args=[vehicle.community_id, vehicle.pk])
    report = reverse("ledger_vehicle_report", args=[vehicle.community_id, vehicle.pk])
    calculator = reverse("ledger_calculator", args=[vehicle.community_id]) + f"?vehicle={vehicle.pk}"

    client.force_login(member)
    page = client.get(url).content.decode()
    assert report in page
    assert calculator not in page

    client.force_login(owner)
    page = client.get(url).content.decode()
    assert calculator.replace("&", "&amp;") in page


# Rates typed with a French comma, implausible rates, plate, folded optional groups (UX report items 3, 9, 33)


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("typed", ["0,22", "0.22", " 0,22 "])
def test_rate_per_km_accepts_a_comma_or_a_dot_in_both_languages(client, member, community, language, typed):
    User.objects.filter(pk=member.pk).update(language=language)
    client.force_login(member)
    response = client.post(
        url("vehicle_create", community),
        form_data(rate_per_km=typed, rate_per_hour="1,5", daily_cap="12,50", fixed_monthly_cost="1 234,56"),
    )
    assert response.status_code == 302
    vehicle = Vehicle.objects.get(name="Berlingo")
    assert vehicle.rate_per_km == Decimal("0.22") and vehicle.rate_per_hour == Decimal("1.5")
    assert vehicle.daily_cap == Decimal("12.50") and vehicle.fixed_monthly_cost == Decimal("1234.56")


def test_rate_fields_are_text_boxes_with_the_decimal_keyboard_showing_the_local_format(client, owner, vehicle):
    vehicle.rate_per_km = Decimal("0.22")
    vehicle.save()
    User.objects.filter(pk=owner.pk).update(language="fr")
    client.force_login(owner)
    page = client.get(url("vehicle_edit", vehicle.community, vehicle.pk)).content.decode()
    assert 'type="text" name="rate_per_km" value="0,220" inputmode="decimal"' in page


def test_absurd_rates_are_refused_with_a_clear_message(client, member, community):
    client.force_login(member)
    response = client.post(url("vehicle_create", community), form_data(rate_per_km="22", rate_per_hour="60"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "€22/km is far more than any car costs to run: the most is €2.00/km. Check the comma." in page
    assert "€60/h is far more than a neighbour&#x27;s car is worth an hour: the most is €50.00/h." in page
    assert 'value="22"' in page
    assert not Vehicle.objects.filter(name="Berlingo").exists()


def test_the_service_refuses_an_absurd_rate_too(owner, community, vehicle):
    from communities.models import Membership
    from vehicles import services
    from vehicles.exceptions import InvalidVehicle

    membership = Membership.objects.get(user=owner, community=community)
    with pytest.raises(InvalidVehicle):
        services.vehicle_update(membership=membership, vehicle=vehicle, data={"rate_per_km": Decimal("2.5")})


def test_plate_is_trimmed_and_upper_cased(client, member, community):
    client.force_login(member)
    client.post(url("vehicle_create", community), form_data(plate="  ab-123-cd "))
    assert Vehicle.objects.get(name="Berlingo").plate == "AB-123-CD"


def test_empty_optional_groups_are_folded_and_filled_ones_open(client, member, owner, community, vehicle):
    client.force_login(member)
    page = client.get(url("vehicle_create", community)).content.decode()
    assert page.count('<details class="vehicle-optional">') == 2
    assert "<summary>Insurance" in page and "<summary>Position on the map" in page

    vehicle.insurer = "MAIF"
    vehicle.save()
    client.force_login(owner)
    page = client.get(url("vehicle_edit", community, vehicle.pk)).content.decode()
    assert page.count('<details class="vehicle-optional">') == 1
    assert "<summary>Insurance" not in page and "<summary>Position on the map" in page


def test_blackout_success_message_says_what_is_blocked_and_when(client, owner, community, vehicle):
    from django.utils import formats, translation

    client.force_login(owner)
    response = client.post(
        url("vehicle_blackout_add", community, vehicle.pk),
        {"starts_at": "2031-01-10T09:00", "ends_at": "2031-01-12T18:00", "reason": "holidays"},
        follow=True,
    )
    with translation.override("en"):
        start = formats.date_format(datetime(2031, 1, 10, 9, 0), "SHORT_DATETIME_FORMAT")
        end = formats.date_format(datetime(2031, 1, 12, 18, 0), "SHORT_DATETIME_FORMAT")
    expected = f"Blocked: nobody can book {vehicle.name} from {start} to {end}."
    assert expected.replace("'", "&#x27;") in response.content.decode()


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01T00:00", "9999-12-31T23:59"), ("2030-01-01T00:00", "9999-12-31T23:59")]
)
def test_blackout_with_a_year_out_of_range_is_refused_with_the_input_kept(
    client, owner, community, vehicle, start, end
):
    client.force_login(owner)
    response = client.post(url("vehicle_blackout_add", community, vehicle.pk), {"starts_at": start, "ends_at": end})
    assert_refused_keeping(response, 200, "Enter a date between the years 1900 and 2999.", end)
    assert not Blackout.objects.exists()


def test_vehicle_name_with_line_breaks_is_saved_on_one_line(client, owner, community):
    client.force_login(owner)
    client.post(url("vehicle_create", community), form_data(name="Berlingo\r\nBcc: all@example.org"))
    assert Vehicle.objects.get(community=community).name == "Berlingo Bcc: all@example.org"


def test_vehicle_name_of_control_characters_only_is_refused(client, owner, community):
    client.force_login(owner)
    response = client.post(url("vehicle_create", community), form_data(name="\x07\x08"))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Vehicle.objects.filter(community=community).exists()


def test_a_cost_model_switch_is_announced_with_the_day_it_takes_effect(client, owner, member, community, vehicle):
    from vehicles.selectors import local_today

    today = local_today(vehicle)
    starts_on = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    with translation.override("en"):
        expected = f"Shared costs from {formats.date_format(starts_on, 'j F')}"
    client.force_login(owner)

    response = client.post(
        url("vehicle_edit", community, vehicle.pk), form_data(cost_model="shared_costs"), follow=True
    )

    page = response.content.decode()
    assert expected in page  # the saved notice and the vehicle page
    assert "Rates (lent car" in page  # still in force this month
    form = client.get(url("vehicle_edit", community, vehicle.pk)).content.decode()
    assert expected in form and "takes effect on the 1st of the next month" in form
    client.force_login(member)
    assert expected in client.get(url("vehicle_detail", community, vehicle.pk)).content.decode()


def test_the_form_asks_for_a_position_by_the_phone_never_for_coordinates(client, member, community, vehicle):
    client.force_login(member)
    english(member)
    page = client.get(url("vehicle_create", community)).content.decode()
    assert '<input type="hidden" name="latitude"' in page and '<input type="hidden" name="longitude"' in page
    assert 'type="number" name="latitude"' not in page and "e.g. 44.7277" not in page
    assert "Use my position (I am next to the car)" in page and "data-position-use" in page
    assert "No position: members see the description of the place." in page


def test_a_position_given_by_the_phone_is_saved_and_shown_with_its_map_link(client, owner, community, vehicle):
    client.force_login(owner)
    english(owner)
    edit = url("vehicle_edit", community, vehicle.pk)
    client.post(edit, form_data(latitude="44.727712", longitude="5.023045"))
    vehicle.refresh_from_db()
    assert (vehicle.latitude, vehicle.longitude) == (Decimal("44.727712"), Decimal("5.023045"))
    page = client.get(edit).content.decode()
    assert "A position is saved." in page and "mlat=44.727712&amp;mlon=5.023045" in page
    assert "Remove the position" in page
