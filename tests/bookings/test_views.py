"""Booking pages: forms keep the input and explain refusals; every URL is scoped and permission-checked."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image, PngImagePlugin

from bookings import services, trips
from bookings.models import Booking, Trip
from tests.bookings.conftest import local, membership_of
from tests.factories import MembershipFactory, UserFactory, book
from tests.files import one_colour_png


@pytest.fixture
def neighbour(community):
    user = UserFactory(email="neighbour@example.org", display_name="Nina Neighbour", language="en")
    MembershipFactory(community=community, user=user)
    return user


def login(client, user):
    user.language = "en"
    user.save()
    client.force_login(user)


@pytest.fixture
def requested(member, vehicle):
    return services.booking_create(
        membership=membership_of(member, vehicle.community),
        vehicle=vehicle,
        starts_at=local(2, 10),
        ends_at=local(2, 12),
    )


def booking_under_way(member, vehicle, community) -> Booking:
    """A confirmed booking of ``member`` that starts now and lasts three hours: its trip can start."""
    now = timezone.now()
    return book(vehicle, member, now, hours=3)


def form_data(vehicle, start="", end="", note=""):
    return {"vehicle": vehicle.pk, "starts_at": start, "ends_at": end, "note": note}


def test_booking_form_is_prefilled_from_the_calendar_link(client, member, vehicle, community):
    login(client, member)
    start = local(2, 10)
    url = reverse("booking_create", args=[community.pk])
    response = client.get(url, {"vehicle": vehicle.pk, "start": start.isoformat(), "end": "2030-01-07T12:30"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{start:%Y-%m-%dT%H:%M}"' in html
    assert 'value="2030-01-07T12:30"' in html
    assert f'<option value="{vehicle.pk}" selected>' in html


def test_booking_from_the_form_uses_the_community_time_zone(client, member, vehicle, community):
    login(client, member)
    start = local(2, 10)
    response = client.post(
        reverse("booking_create", args=[community.pk]),
        form_data(vehicle, f"{start:%Y-%m-%dT%H:%M}", f"{start:%Y-%m-%d}T12:00", "school run"),
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("booking_detail", args=[community.pk, booking.pk])
    assert booking.starts_at == start
    assert booking.ends_at == local(2, 12)
    assert booking.note == "school run"


def test_taken_slot_is_explained_on_the_form_with_the_input_kept(
    client, member, neighbour, vehicle, community, requested
):
    login(client, neighbour)
    response = client.post(
        reverse("booking_create", args=[community.pk]),
        form_data(vehicle, f"{local(2, 11):%Y-%m-%dT%H:%M}", f"{local(2, 13):%Y-%m-%dT%H:%M}", "my note"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The vehicle is already booked from" in html
    assert "my note" in html
    assert f'value="{local(2, 11):%Y-%m-%dT%H:%M}"' in html
    assert Booking.objects.count() == 1


def test_end_before_start_is_explained_on_the_form(client, member, vehicle, community):
    login(client, member)
    response = client.post(
        reverse("booking_create", args=[community.pk]),
        form_data(vehicle, f"{local(2, 11):%Y-%m-%dT%H:%M}", f"{local(2, 10):%Y-%m-%dT%H:%M}"),
    )
    assert response.status_code == 200
    assert "The end must be after the start." in response.content.decode()


@pytest.mark.parametrize("start", ["0001-01-01T00:00+14:00", "9999-12-31T23:59-14:00", "1899-12-31T10:00"])
def test_booking_link_with_a_date_out_of_range_opens_an_empty_form(client, member, vehicle, community, start):
    login(client, member)
    response = client.get(reverse("booking_create", args=[community.pk]), {"vehicle": vehicle.pk, "start": start})
    assert response.status_code == 200
    assert f'value="{start[:4]}-' not in response.content.decode()


@pytest.mark.parametrize("value", ["²", "99999999999999999999", "-3"])
def test_booking_link_with_a_vehicle_that_is_not_an_id_opens_the_form(client, member, community, value):
    login(client, member)
    response = client.get(reverse("booking_create", args=[community.pk]), {"vehicle": value})
    assert response.status_code == 200
    assert '<option value="" selected>' in response.content.decode()


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_regenerating_the_feed_of_a_vehicle_that_is_not_an_id_is_not_found(client, member, community, value):
    login(client, member)
    response = client.post(reverse("booking_feed_regenerate", args=[community.pk]), {"vehicle": value})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("start", "end"), [("0001-01-01T00:00", "0001-01-02T00:00"), ("9999-12-30T10:00", "9999-12-31T23:59")]
)
def test_booking_with_a_year_out_of_range_is_refused_with_the_input_kept(
    client, member, vehicle, community, start, end
):
    login(client, member)
    response = client.post(reverse("booking_create", args=[community.pk]), form_data(vehicle, start, end))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a date between the years 1900 and 2999." in html
    assert f'value="{start}"' in html
    assert not Booking.objects.exists()


def test_owner_confirms_from_the_detail_page(client, owner, community, requested):
    login(client, owner)
    detail = client.get(reverse("booking_detail", args=[community.pk, requested.pk])).content.decode()
    assert reverse("booking_confirm", args=[community.pk, requested.pk]) in detail
    response = client.post(reverse("booking_confirm", args=[community.pk, requested.pk]), {"message": "Enjoy"})
    assert response.status_code == 302
    requested.refresh_from_db()
    assert requested.status == Booking.Status.CONFIRMED
    detail = client.get(reverse("booking_detail", args=[community.pk, requested.pk])).content.decode()
    assert "Enjoy" in detail
    assert "Confirmed" in detail


def test_member_cannot_confirm_a_request_even_by_post(client, member, neighbour, community, requested):
    for person in (member, neighbour):
        login(client, person)
        response = client.post(reverse("booking_confirm", args=[community.pk, requested.pk]))
        assert response.status_code == 403
        detail = client.get(reverse("booking_detail", args=[community.pk, requested.pk])).content.decode()
        assert reverse("booking_confirm", args=[community.pk, requested.pk]) not in detail
    requested.refresh_from_db()
    assert requested.status == Booking.Status.REQUESTED


def test_refused_change_keeps_the_input(client, member, owner, vehicle, community, requested):
    services.booking_create(
        membership=membership_of(owner, community), vehicle=vehicle, starts_at=local(2, 13), ends_at=local(2, 15)
    )
    login(client, member)
    new_end = f"{local(2, 14):%Y-%m-%dT%H:%M}"
    response = client.post(
        reverse("booking_change", args=[community.pk, requested.pk]),
        {"starts_at": f"{local(2, 10):%Y-%m-%dT%H:%M}", "ends_at": new_end},
    )
    assert response.status_code == 200
    assert "already booked" in response.content.decode()
    assert f'value="{new_end}"' in response.content.decode()


def test_cancel_flow_marks_late_and_shows_history(client, member, community, requested):
    community.min_notice = timedelta(days=5)
    community.save()
    login(client, member)
    response = client.post(reverse("booking_cancel", args=[community.pk, requested.pk]), {"message": "plans changed"})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "late cancellation" in page
    assert "plans changed" in page
    assert "Booked" in page and "Cancelled" in page


def test_trip_forms_record_odometers(client, member, owner, vehicle, community):
    now = timezone.now()
    booking = book(vehicle, member, now - timedelta(minutes=5), now + timedelta(hours=3))
    login(client, member)
    detail = reverse("booking_detail", args=[community.pk, booking.pk])
    assert 'value="42000"' in client.get(detail).content.decode()  # pre-filled with the last known odometer
    start_url = reverse("trip_start", args=[community.pk, booking.pk])
    response = client.post(start_url, {"start_odometer": "41000"})
    assert "cannot be below the last known value" in response.content.decode()
    assert client.post(start_url, {"start_odometer": "42050"}).status_code == 302

    end_url = reverse("trip_end", args=[community.pk, booking.pk])
    response = client.post(end_url, {"end_odometer": "49000", "fuel_level": "full"})
    html = response.content.decode()
    assert "tick the box" in html
    assert 'name="confirm_implausible"' in html
    assert 'value="49000"' in html
    response = client.post(end_url, {"end_odometer": "42150", "fuel_level": "full"})
    assert response.status_code == 302
    trip = Trip.objects.get()
    assert trip.distance_km == 100

    login(client, owner)
    page = client.get(detail).content.decode()
    assert "50 km were driven since the last recorded trip" in page


def test_unlogged_km_are_not_shown_to_other_members(client, member, neighbour, vehicle, community):
    booking = booking_under_way(member, vehicle, community)
    trips.trip_start(membership=membership_of(member, community), booking=booking, start_odometer=42_500)
    login(client, neighbour)
    page = client.get(reverse("booking_detail", args=[community.pk, booking.pk])).content.decode()
    assert "since the last recorded trip" not in page


def png():
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    return SimpleUploadedFile("scratch.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def incident_photo(member, vehicle, community):
    booking = booking_under_way(member, vehicle, community)
    membership = membership_of(member, community)
    trip = trips.trip_start(membership=membership, booking=booking, start_odometer=42_000)
    trips.trip_complete(
        membership=membership, trip=trip, end_odometer=42_010, incident_description="Scratch", incident_photos=[png()]
    )
    return trip.incidents.get().photos.get()


def test_incident_photo_upload_through_the_form(client, member, vehicle, community):
    booking = booking_under_way(member, vehicle, community)
    trips.trip_start(membership=membership_of(member, community), booking=booking, start_odometer=42_000)
    login(client, member)
    response = client.post(
        reverse("trip_end", args=[community.pk, booking.pk]),
        {"end_odometer": "42010", "incident_description": "Mirror broken", "incident_photos": [png(), png()]},
    )
    assert response.status_code == 302
    incident = booking.trip.incidents.get()
    assert incident.photos.count() == 2
    page = client.get(reverse("booking_detail", args=[community.pk, booking.pk])).content.decode()
    assert "Mirror broken" in page
    photo = incident.photos.first()
    assert reverse("incident_photo", args=[community.pk, photo.pk]) in page


def test_a_file_that_is_not_a_photo_is_refused_with_input_kept(client, member, vehicle, community):
    booking = booking_under_way(member, vehicle, community)
    trips.trip_start(membership=membership_of(member, community), booking=booking, start_odometer=42_000)
    login(client, member)
    fake = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    response = client.post(
        reverse("trip_end", args=[community.pk, booking.pk]),
        {"end_odometer": "42010", "incident_description": "Dent", "incident_photos": [fake]},
    )
    assert response.status_code == 200
    assert "not a picture we can read" in response.content.decode()
    assert 'value="42010"' in response.content.decode()


def test_an_incident_photo_too_big_to_decode_is_refused_with_input_kept(client, member, vehicle, community):
    booking = booking_under_way(member, vehicle, community)
    trips.trip_start(membership=membership_of(member, community), booking=booking, start_odometer=42_000)
    login(client, member)
    flat = SimpleUploadedFile("flat.png", one_colour_png(7700, 7700), content_type="image/png")

    response = client.post(
        reverse("trip_end", args=[community.pk, booking.pk]),
        {"end_odometer": "42010", "incident_description": "Dent", "incident_photos": [png(), flat]},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This picture is too big (60 megapixels); the limit for a PNG picture like this one is" in page
    assert 'value="42010"' in page
    assert not booking.trip.incidents.exists()


def png_with_script(name):
    """A valid PNG whose text chunk holds a script: served as a page, it would run in the viewer's session."""
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<html><script>alert(document.cookie)</script></html>")
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG", pnginfo=info)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="text/html")


@pytest.mark.parametrize("name", ["x.html", "y.svg", "z.js"])
def test_incident_photo_with_a_page_extension_is_stored_and_served_as_a_picture(
    client, member, owner, vehicle, community, name
):
    booking = booking_under_way(member, vehicle, community)
    trips.trip_start(membership=membership_of(member, community), booking=booking, start_odometer=42_000)
    login(client, member)
    client.post(
        reverse("trip_end", args=[community.pk, booking.pk]),
        {"end_odometer": "42010", "incident_description": "Dent", "incident_photos": [png_with_script(name)]},
    )
    photo = booking.trip.incidents.get().photos.get()
    assert photo.photo.name.endswith(".png")
    with photo.photo.open("rb") as stored:
        assert b"<script>" not in stored.read()
    login(client, owner)
    response = client.get(reverse("incident_photo", args=[community.pk, photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_incident_photo_loses_its_exif_and_is_shrunk(member, vehicle, community):
    booking = booking_under_way(member, vehicle, community)
    membership = membership_of(member, community)
    trip = trips.trip_start(membership=membership, booking=booking, start_odometer=42_000)
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"  # camera make; a phone adds GPS coordinates the same way
    buffer = BytesIO()
    Image.new("RGB", (3000, 2000), "red").save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("IMG_0001.JPG", buffer.getvalue(), content_type="image/jpeg")
    trips.trip_complete(
        membership=membership, trip=trip, end_odometer=42_010, incident_description="Dent", incident_photos=[upload]
    )
    photo = trip.incidents.get().photos.get()
    with photo.photo.open("rb") as stored, Image.open(BytesIO(stored.read())) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1280
        assert dict(image.getexif()) == {}
    assert photo.photo.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("name", "content"),
    [("incidents/1/old.html", b"<html><script>alert(1)</script></html>"), ("incidents/1/old.svg", b"<svg/>")],
)
def test_stored_file_that_is_not_a_picture_is_never_served(client, owner, incident_photo, community, name, content):
    incident_photo.photo.name = incident_photo.photo.storage.save(name, ContentFile(content))
    incident_photo.save()
    login(client, owner)
    response = client.get(reverse("incident_photo", args=[community.pk, incident_photo.pk]))
    assert response.status_code == 404
    assert "alert(" not in response.content.decode()


def test_stored_picture_with_a_page_extension_is_served_as_a_picture(client, owner, incident_photo, community):
    incident_photo.photo.name = incident_photo.photo.storage.save("incidents/1/old.html", png_with_script("old.html"))
    incident_photo.save()
    login(client, owner)
    response = client.get(reverse("incident_photo", args=[community.pk, incident_photo.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_incident_photo_is_offered_under_a_neutral_name_and_cached_only_by_the_viewer(
    client, owner, incident_photo, community
):
    login(client, owner)
    response = client.get(reverse("incident_photo", args=[community.pk, incident_photo.pk]))
    assert response.status_code == 200
    assert f'filename="incident-photo-{incident_photo.pk}.png"' in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, max-age=3600"


PEOPLE = ["admin", "owner", "member", "neighbour", "outsider", "anonymous"]


@pytest.fixture
def everyone(people, neighbour):
    return {**people, "neighbour": neighbour}


# URL name → expected status per person; "member" booked the vehicle that "owner" owns.
MATRIX = {
    "booking_create": {"admin": 200, "owner": 200, "member": 200, "neighbour": 200, "outsider": 404},
    "booking_detail": {"admin": 200, "owner": 200, "member": 200, "neighbour": 200, "outsider": 404},
    "booking_confirm": {"admin": 200, "owner": 200, "member": 403, "neighbour": 403, "outsider": 404},
    "booking_reject": {"admin": 200, "owner": 200, "member": 403, "neighbour": 403, "outsider": 404},
    "booking_cancel": {"admin": 200, "owner": 200, "member": 200, "neighbour": 403, "outsider": 404},
    "booking_change": {"admin": 200, "owner": 200, "member": 200, "neighbour": 403, "outsider": 404},
    "booking_extend": {"admin": 200, "owner": 200, "member": 200, "neighbour": 403, "outsider": 404},
    "trip_start": {"admin": 403, "owner": 403, "member": 200, "neighbour": 403, "outsider": 404},
    "trip_end": {"admin": 404, "owner": 404, "member": 404, "neighbour": 404, "outsider": 404},
    "booking_feeds": {"admin": 200, "owner": 200, "member": 200, "neighbour": 200, "outsider": 404},
    "incident_photo": {"admin": 200, "owner": 200, "member": 200, "neighbour": 403, "outsider": 404},
}


@pytest.mark.parametrize("person", PEOPLE)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(client, everyone, community, requested, incident_photo, name, person):
    if name in ("booking_create", "booking_feeds"):
        url = reverse(name, args=[community.pk])
    elif name == "incident_photo":
        url = reverse(name, args=[community.pk, incident_photo.pk])
    else:
        url = reverse(name, args=[community.pk, requested.pk])
    user = everyone[person]
    if user is None:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
        return
    login(client, user)
    assert client.get(url).status_code == MATRIX[name][person]


@pytest.mark.parametrize("name", ["booking_confirm", "booking_reject", "booking_cancel", "booking_change"])
def test_outsider_posts_are_404(client, outsider, community, requested, name):
    login(client, outsider)
    assert client.post(reverse(name, args=[community.pk, requested.pk])).status_code == 404
    requested.refresh_from_db()
    assert requested.status == Booking.Status.REQUESTED


def test_feed_regeneration_is_post_only(client, member, community):
    login(client, member)
    assert client.get(reverse("booking_feed_regenerate", args=[community.pk])).status_code == 405


def test_change_message_says_whether_the_booking_stays_confirmed(client, member, owner, community, requested):
    services.booking_confirm(membership=membership_of(owner, community), booking=requested)
    login(client, member)
    url = reverse("booking_change", args=[community.pk, requested.pk])
    response = client.post(
        url, {"starts_at": f"{local(2, 10):%Y-%m-%dT%H:%M}", "ends_at": f"{local(2, 11):%Y-%m-%dT%H:%M}"}, follow=True
    )
    assert "it stays confirmed" in response.content.decode()
    response = client.post(
        url, {"starts_at": f"{local(2, 10):%Y-%m-%dT%H:%M}", "ends_at": f"{local(2, 13):%Y-%m-%dT%H:%M}"}, follow=True
    )
    assert "waits for the owner&#x27;s approval again" in response.content.decode()


def test_implausible_distance_names_the_booking_duration_once_with_the_checkbox_after_it(
    client, member, vehicle, community
):
    now = timezone.now()
    booking = book(vehicle, member, now - timedelta(minutes=20), now + timedelta(hours=2))
    trips.trip_start(membership=membership_of(member, community), booking=booking, start_odometer=42_000)
    login(client, member)
    response = client.post(reverse("trip_end", args=[community.pk, booking.pk]), {"end_odometer": "44550"})
    html = response.content.decode()
    message = "2,550 km for a booking of 2 hours 20 minutes is a lot"
    assert html.count(message) == 1
    assert "day(s)" not in html
    assert html.index(message) < html.index('name="confirm_implausible"') < html.index("Yes, this distance is right")
    assert 'aria-describedby="implausible-warning"' in html


@pytest.mark.parametrize("status", [Booking.Status.CANCELLED, Booking.Status.REJECTED, Booking.Status.COMPLETED])
def test_a_finished_booking_hides_the_key_and_instructions(client, member, vehicle, community, status):
    vehicle.parking_location = "Rue des Lilas, space 12"
    vehicle.instructions = "Key box code 4321"
    vehicle.save()
    booking = book(vehicle, member, local(2, 10), local(2, 12), status=status)
    login(client, member)
    detail = reverse("booking_detail", args=[community.pk, booking.pk])
    html = client.get(detail).content.decode()
    assert "Key box code 4321" not in html and "Rue des Lilas" not in html
    booking.status = Booking.Status.CONFIRMED
    booking.save()
    html = client.get(detail).content.decode()
    assert "Key box code 4321" in html and "Rue des Lilas" in html


def test_a_future_booking_says_when_the_trip_can_start_instead_of_offering_the_form(client, member, vehicle, community):
    start = timezone.now() + timedelta(days=1)
    booking = book(vehicle, member, start, hours=2)
    login(client, member)

    page = client.get(reverse("booking_detail", args=[community.pk, booking.pk])).content.decode()

    assert "You can record the start of the trip from" in page
    assert 'name="start_odometer"' not in page


def test_booking_labels_put_the_colon_inside_the_translation(client, member, community, requested):
    Booking.objects.filter(pk=requested.pk).update(note="Marché de Crest")
    client.force_login(member)  # the fixture people speak French

    page = client.get(reverse("booking_detail", args=[community.pk, requested.pk])).content.decode()

    assert "Note :</strong> Marché de Crest" in page


def test_the_owner_declines_a_request_rather_than_cancelling_it(client, owner, member, community, requested):
    login(client, owner)
    page = client.get(reverse("booking_detail", args=[community.pk, requested.pk])).content.decode()
    assert reverse("booking_reject", args=[community.pk, requested.pk]) in page
    assert reverse("booking_cancel", args=[community.pk, requested.pk]) not in page

    login(client, member)
    page = client.get(reverse("booking_detail", args=[community.pk, requested.pk])).content.decode()
    assert reverse("booking_cancel", args=[community.pk, requested.pk]) in page


def test_the_booking_page_gives_the_reason_of_a_cancellation_for_a_leaving_member_in_the_readers_language(
    client, community, requested, member, owner
):
    from django.utils import translation

    with translation.override("en"):
        services.bookings_cancel_future_for_member(membership=membership_of(member, community), actor=member)
    owner.language = "fr"
    owner.save()
    client.force_login(owner)

    page = client.get(reverse("booking_detail", args=[community.pk, requested.pk])).content.decode()

    assert page.count("Ce membre a quitté la communauté.") == 2  # the booking's status and its history line
    assert "left the community" not in page
