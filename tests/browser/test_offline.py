"""The installable app offline, on a phone: the pages last opened stay readable, marked as a copy with their
actions disabled; a page never opened shows the offline page; logging out forgets the copies."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import CommunityFactory, VehicleFactory, book, member_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
KEPT_PAGES = "caches.open('colocauto-pages').then((cache) => cache.keys()).then((keys) => keys.length)"


def test_last_seen_bookings_and_parking_place_stay_readable_offline_until_logout(signed_in, live_server, t):
    community = CommunityFactory(name="Les Tilleuls")
    member = member_of(community, email="nina@example.org", display_name="Nina Roux")
    car = VehicleFactory(community=community, owner=member, name="Kangoo verte", parking_location="Cour du n° 4")
    book(car, member, timezone.now() + timedelta(days=1))
    page = signed_in(member, **PHONE)
    base = f"{live_server.url}/c/{community.pk}"
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{base}/calendar/mine/")
    page.goto(f"{base}/vehicles/{car.pk}/")
    page.wait_for_function(f"{KEPT_PAGES}.then((count) => count === 2)")

    page.context.set_offline(True)
    page.goto(f"{base}/calendar/mine/")
    expect(page.get_by_text("Kangoo verte").first).to_be_visible()
    banner = page.get_by_role("status").filter(has_text=t("Offline: this is the copy kept on this device on"))
    expect(banner).to_be_visible()
    # A copy is for reading: nothing on it can be sent.
    expect(page.get_by_role("button", name=t("Log out"))).to_be_disabled()

    page.goto(f"{base}/vehicles/{car.pk}/")
    expect(page.get_by_text("Cour du n° 4")).to_be_visible()

    page.goto(f"{base}/calendar/")  # never opened: the offline page, with the copies it can offer
    expect(page.get_by_role("heading", name=t("You are offline"))).to_be_visible()
    expect(page.locator("[data-offline-pages] a")).to_have_count(2)

    page.context.set_offline(False)
    page.goto(f"{base}/calendar/mine/")
    expect(banner).to_be_hidden()
    page.get_by_role("button", name=t("Log out")).click()
    page.wait_for_function(f"{KEPT_PAGES}.then((count) => count === 0)")
