"""What a resident reads or hears: calendar blocks that name the vehicle and day, odometers grouped by thousands."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, BookingEvent
from tests.factories import TripFactory, VehicleFactory, book
from tests.helpers import page

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 1, 15, 9, 10, tzinfo=PARIS)  # Friday 15 January 2027


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def blocks(html: str) -> list[str]:
    return re.findall(r'<a class="cal-block booking[^"]*" href="[^"]+">(.*?)</a>', html)


def hidden_prefix(block: str) -> str:
    match = re.match(r'<span class="visually-hidden">(.*?)</span>', block)
    return match.group(1) if match else ""


def test_calendar_block_names_the_vehicle_and_day_before_the_visible_text(
    client, community, vehicle, owner, member, frozen_now
):
    book(vehicle, owner, datetime(2027, 1, 16, 10, tzinfo=PARIS), status=Booking.Status.REQUESTED)
    url = reverse("calendar", kwargs={"community_id": community.pk}) + "?view=week&date=2027-01-16"
    [block] = blocks(page(client, member, url))
    assert hidden_prefix(block) == "Clio bleue, Saturday 16 January 2027, "
    text = re.sub(r"<[^>]+>", "", block)
    assert text.startswith("Clio bleue, Saturday 16 January 2027, 10:00–12:00 Oscar Owner Requested")


def test_calendar_block_label_is_in_the_readers_language(client, community, vehicle, owner, member, frozen_now):
    book(vehicle, owner, datetime(2027, 1, 16, 10, tzinfo=PARIS))
    url = reverse("calendar", kwargs={"community_id": community.pk}) + "?view=day&date=2027-01-16"
    [block] = blocks(page(client, member, url, language="fr"))
    assert hidden_prefix(block) == "Clio bleue, samedi 16 janvier 2027, "


def test_a_booking_over_two_days_names_each_day_in_its_block(client, community, vehicle, owner, member, frozen_now):
    book(vehicle, owner, datetime(2027, 1, 16, 20, tzinfo=PARIS), hours=16)
    url = reverse("calendar_vehicle", kwargs={"community_id": community.pk, "vehicle_id": vehicle.pk})
    found = [hidden_prefix(b) for b in blocks(page(client, member, url + "?view=week&date=2027-01-16"))]
    assert found == ["Clio bleue, Saturday 16 January 2027, ", "Clio bleue, Sunday 17 January 2027, "]


def test_calendar_block_label_escapes_the_vehicle_name(client, community, owner, member, frozen_now):
    car = VehicleFactory(community=community, owner=owner, name="<b>Zoé</b> & co")
    book(car, owner, datetime(2027, 1, 16, 10, tzinfo=PARIS))
    url = reverse("calendar", kwargs={"community_id": community.pk}) + "?view=day&date=2027-01-16"
    html = page(client, member, url)
    [block] = blocks(html)
    assert hidden_prefix(block).startswith("&lt;b&gt;Zoé&lt;/b&gt; &amp; co, ")
    assert "<b>Zoé</b>" not in html


@pytest.fixture
def driven(vehicle, member):
    """A completed trip of the member: 42,000 to 43,250 km."""
    now = timezone.now()
    booking = book(vehicle, member, now - timedelta(hours=3), status=Booking.Status.COMPLETED)
    TripFactory(booking=booking, start_odometer=42000, km=1250, unlogged_km=1500)
    return booking


def detail_url(booking):
    return reverse("booking_detail", kwargs={"community_id": booking.community_id, "pk": booking.pk})


def test_booking_detail_groups_odometer_thousands_in_english(client, owner, driven):
    html = page(client, owner, detail_url(driven))
    for text in ("42,000 km", "43,250 km", "1,250 km", "1,500 km were driven"):
        assert text in html, text
    assert "42000" not in html


def test_booking_detail_groups_odometer_thousands_in_french(client, owner, driven):
    html = page(client, owner, detail_url(driven), language="fr")
    for text in ("42\xa0000 km", "43\xa0250 km", "1\xa0250 km"):
        assert text in html, text


def test_trip_forms_show_the_odometer_grouped(client, vehicle, member):
    vehicle.odometer_km = 123456
    vehicle.save(update_fields=["odometer_km"])
    booking = book(vehicle, member, timezone.now() - timedelta(minutes=10))
    assert "Last known odometer: 123,456 km." in page(client, member, detail_url(booking))
    TripFactory(booking=booking, start_odometer=123456, ended=False)
    booking.status = Booking.Status.IN_PROGRESS
    booking.save(update_fields=["status"])
    assert "Odometer at the start: 123,456 km." in page(client, member, detail_url(booking))


def test_booking_history_groups_odometer_thousands_by_language(client, member, driven):
    BookingEvent.objects.create(
        booking=driven, actor=member, kind=BookingEvent.Kind.TRIP_STARTED, details={"start_odometer": 15350}
    )
    BookingEvent.objects.create(
        booking=driven,
        actor=member,
        kind=BookingEvent.Kind.TRIP_COMPLETED,
        details={"end_odometer": 16600, "distance_km": 1250},
    )
    html = page(client, member, detail_url(driven))
    assert "Odometer: 15,350 km" in html and "Odometer: 16,600 km (1,250 km driven)" in html
    french = page(client, member, detail_url(driven), language="fr")
    assert "15\xa0350 km" in french and "16\xa0600 km" in french
