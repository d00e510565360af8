"""The booking form's estimate in a real browser, in French at 390 × 844: it follows the vehicle and the times as
they are chosen (booking_estimate.js asks the server), and without JavaScript "Voir le coût estimé" shows it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from tests.browser.test_bookings_flow import PARIS, PHONE
from tests.factories import OSCAR, VehicleFactory, community_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maya():
    community, (owner, user) = community_of(OSCAR, {"email": "maya@example.org", "display_name": "Maya Roux"})
    VehicleFactory(
        community=community, owner=owner, name="Clio bleue", rate_per_km=Decimal("0.32"), rate_per_hour=Decimal("1.50")
    )
    return user, community


def tomorrow(hour: int, minute: int = 0) -> str:
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=1)
    return f"{day:%Y-%m-%d}T{hour:02d}:{minute:02d}"


@pytest.mark.parametrize("javascript", [True, False])
def test_the_estimate_follows_the_times(maya, signed_in, live_server, t, javascript):
    user, community = maya
    page = signed_in(user, java_script_enabled=javascript, **PHONE)
    page.goto(f"{live_server.url}/c/{community.pk}/bookings/new/")
    estimate = page.locator("#estimate")
    expect(estimate).to_contain_text(t("Choose a vehicle and times to see the estimated cost."))
    page.get_by_label(t.label("Vehicle")).select_option(label="Clio bleue")
    page.get_by_label(t.label("Start")).fill(tomorrow(14))
    page.get_by_label(t.label("End")).fill(tomorrow(18, 30))
    preview = page.get_by_role("button", name=t("See the estimated cost"))
    if javascript:
        expect(preview).to_be_hidden()
    else:
        preview.click()
    expect(estimate).to_contain_text(
        "6,75\u00a0€ pour la durée, + 0,32\u00a0€ par\u00a0km, soit 22,75\u00a0€ pour 50\u00a0km."
    )
    page.get_by_label(t.label("End")).fill(tomorrow(15))
    if not javascript:
        preview.click()
    expect(estimate).to_contain_text("1,50\u00a0€ pour la durée")
    assert not Booking.objects.exists()
    page.get_by_role("button", name=t("Book"), exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("Clio bleue")
    assert Booking.objects.get().ends_at.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") == tomorrow(15)
