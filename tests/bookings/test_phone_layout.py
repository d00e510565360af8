"""On a 390 px phone, the booking detail and the day view fit the screen (Debian's Chromium, live server)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from bookings.models import Booking, Trip
from tests.factories import TripFactory, VehicleFactory, book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "locale": "fr-FR"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM.exists():
        pytest.skip(f"Browser tests need Debian's Chromium at {CHROMIUM}.")
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": ["--no-sandbox"], "headless": True}


@pytest.fixture
def phone(new_context, live_server, member, client):
    """A phone logged in as the member, who reads French (the longest labels)."""
    member.language = "fr"
    member.save(update_fields=["language"])
    client.force_login(member)
    context = new_context(**PHONE)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_booking_detail_trip_section_fits_a_phone(phone, live_server, member, vehicle):
    now = timezone.now()
    booking = book(vehicle, member, now - timedelta(hours=3), now - timedelta(hours=1), status=Booking.Status.COMPLETED)
    TripFactory(
        booking=booking,
        start_odometer=42_000,
        km=45,
        unlogged_km=50,
        duration=timedelta(hours=2),
        fuel_level=Trip.FuelLevel.HALF,
        notes="RAS, la voiture est propre",
    )
    phone.goto(f"{live_server.url}/c/{vehicle.community_id}/bookings/{booking.pk}/")
    assert phone.get_by_text("Niveau de carburant ou de charge").is_visible()
    assert overflow(phone) == 0


def test_day_view_of_three_vehicles_fits_a_phone_with_whole_names(phone, live_server, community, vehicle):
    VehicleFactory(community=community, name="Le Kangoo vert utilitaire")
    VehicleFactory(community=community, name="La Yaris hybride")
    phone.goto(f"{live_server.url}/c/{community.pk}/calendar/?view=day")
    assert overflow(phone) == 0
    body = phone.locator(".cal-body")
    assert body.evaluate("e => e.scrollWidth - e.clientWidth") == 0
    heading = phone.locator(".cal-head a", has_text="Le Kangoo vert utilitaire")
    assert heading.evaluate("e => e.scrollWidth <= e.clientWidth")  # wrapped, not cut
