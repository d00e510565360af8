"""Issue 12, item 2 in a real phone-sized browser, in French: from the community overview, a free car for tonight
is booked in three taps (Réserver → Ce soir → Réserver on the car); axe finds no violation on the overview and on
"find a free car", on a phone and a computer, in both themes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from tests.factories import OSCAR, VehicleFactory, book, community_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


@pytest.fixture
def village():
    """Les Tilleuls: Oscar's Clio is free tonight, his Zoé is already taken for the whole evening."""
    community, (owner, maya) = community_of(
        OSCAR, {"email": "maya@example.org", "display_name": "Maya Fabre"}, owner_approval_required=False
    )
    clio = VehicleFactory(
        community=community, owner=owner, name="Clio bleue", rate_per_km=Decimal("0.250"), rate_per_hour=Decimal("0.5")
    )
    zoe = VehicleFactory(community=community, owner=owner, name="Zoé")
    return {"community": community, "owner": owner, "maya": maya, "clio": clio, "zoe": zoe}


def taken_all_evening(village):
    """The Zoé booked from now until the day after tomorrow: whatever tonight means, it is not free."""
    now = timezone.now()
    book(village["zoe"], village["owner"], now, now + timedelta(days=2))


def test_a_free_car_for_tonight_in_three_taps_on_a_phone(village, signed_in, live_server, t):
    taken_all_evening(village)
    community = village["community"]
    page = signed_in(village["maya"], **PHONE)
    page.goto(f"{live_server.url}/c/{community.pk}/")

    page.get_by_role("main").get_by_role("link", name=t("Book"), exact=True).click()  # 1 (the tab bar has one too)
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Find a free vehicle"))
    page.get_by_role("link", name=t("Tonight"), exact=True).click()  # 2
    expect(page.get_by_role("link", name=t("Tonight"), exact=True)).to_have_attribute("aria-current", "true")
    offers = page.locator(".free-vehicle")
    expect(offers).to_have_count(1)
    expect(offers).to_contain_text("Clio bleue")
    expect(offers).to_contain_text("50 km")
    offers.get_by_role("button", name=f"{t('Book')} Clio bleue").click()  # 3

    expect(page.get_by_role("heading", level=1)).to_have_text(t.text("Booking of %(name)s", name="Clio bleue"))
    expect(page.get_by_role("main")).to_contain_text(t("Your booking is confirmed."))
    booking = Booking.objects.get(member=village["maya"])
    assert booking.vehicle == village["clio"]
    assert booking.status == Booking.Status.CONFIRMED


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_finds_no_violation_on_the_overview_nor_on_find_a_free_car(village, signed_in, live_server, scheme, size):
    taken_all_evening(village)
    community = village["community"]
    page = signed_in(village["maya"], **size, color_scheme=scheme)
    for path in (f"/c/{community.pk}/", f"/c/{community.pk}/bookings/find/?when=tonight"):
        page.goto(f"{live_server.url}{path}")
        result = Axe().run(page)
        assert result.violations_count == 0, f"{path}: {result.generate_report()}"
