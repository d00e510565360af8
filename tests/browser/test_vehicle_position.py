"""'Use my position' in a real browser: standing next to the car, the owner's phone gives its position."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_flow import log_in
from tests.factories import PASSWORD, CommunityFactory, VehicleFactory, member_of
from vehicles.models import Vehicle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_gives_the_cars_position_with_one_tap(page, live_server, t):
    community = CommunityFactory(name="Les Tilleuls")
    owner = member_of(community, email="oscar@example.org", display_name="Oscar Renard")
    car = VehicleFactory(community=community, owner=owner, name="Clio bleue", latitude=None, longitude=None)
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 44.727712, "longitude": 5.023045})
    log_in(page, t, base_url=live_server.url, email="oscar@example.org", password=PASSWORD)

    page.goto(f"{live_server.url}/c/{community.pk}/vehicles/{car.pk}/edit/")
    page.locator("summary", has_text=t("Position on the map")).click()  # the optional group is folded
    page.get_by_role("button", name=t("Use my position (I am next to the car)")).click()
    expect(
        page.get_by_role("status").filter(has_text=t("Position found: it will be saved with the vehicle."))
    ).to_be_visible()
    page.get_by_role("button", name=t("Save")).click()

    expect(page.get_by_role("link", name=t("See it on OpenStreetMap"))).to_be_visible()
    car.refresh_from_db()
    assert (str(car.latitude), str(car.longitude)) == ("44.727712", "5.023045")
    assert Vehicle.objects.count() == 1
