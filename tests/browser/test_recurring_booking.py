"""Issue 12, item 5 in a real phone-sized browser, in French: an owner books their own car every Wednesday from
the booking form ("repeat it"), sees each date free or not and why, skips a taken one and another of their
choice, and books the rest; the booking then says its rule and offers to cancel the following dates. axe finds
no violation on the preview nor on the booking, in both themes."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking, BookingSeries
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory, book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
PARIS = ZoneInfo("Europe/Paris")
WEDNESDAY = 2


@pytest.fixture
def village():
    """Oscar owns the Clio; Maya has booked it on the second Wednesday afternoon."""
    community = CommunityFactory(name="Les Tilleuls")
    oscar = UserFactory(email="oscar@example.org", display_name="Oscar Renard")
    maya = UserFactory(email="maya@example.org", display_name="Maya Fabre")
    for user in (oscar, maya):
        MembershipFactory(community=community, user=user)
    clio = VehicleFactory(community=community, owner=oscar, name="Clio bleue")
    today = timezone.now().astimezone(PARIS).date()
    first = today + timedelta(days=(WEDNESDAY - today.weekday() - 1) % 7 + 1)
    book(clio, maya, datetime.combine(first + timedelta(weeks=1), time(15), tzinfo=PARIS), hours=2)
    return {"community": community, "oscar": oscar, "clio": clio, "first": first}


def test_an_owner_books_their_car_every_wednesday_skipping_a_taken_date_on_a_phone(village, signed_in, live_server, t):
    community, clio, first = village["community"], village["clio"], village["first"]
    page = signed_in(village["oscar"], **PHONE)
    start = f"{first:%Y-%m-%d}T14:00"
    page.goto(
        f"{live_server.url}/c/{community.pk}/bookings/new/?vehicle={clio.pk}&start={start}&end={first:%Y-%m-%d}T18:00"
    )

    page.get_by_role("button", name=t("Repeat it every week or month…")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Repeat a booking"))
    page.get_by_label(t.label("Last date")).fill(f"{first + timedelta(weeks=3):%Y-%m-%d}")
    page.get_by_role("button", name=t("See the dates")).click()

    dates = page.locator(".series-dates li")
    expect(dates).to_have_count(4)
    taken = dates.nth(1)
    expect(taken).to_contain_text(t("cannot be booked"))
    expect(taken.get_by_role("checkbox")).to_be_disabled()
    expect(taken.get_by_role("checkbox")).not_to_be_checked()
    expect(dates.nth(0).get_by_role("checkbox")).to_be_checked()
    expect(page.get_by_role("main")).to_contain_text("Toutes les semaines le mercredi de 14 h à 18 h jusqu’au")
    dates.nth(3).get_by_role("checkbox").uncheck()  # not that one either
    page.get_by_role("button", name=t("Book the ticked dates")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(t.text("Booking of %(name)s", name="Clio bleue"))
    expect(page.get_by_role("main")).to_contain_text("2 réservations confirmées.")
    expect(page.get_by_role("main")).to_contain_text(t("Recurring booking:"))
    expect(page.get_by_role("link", name=t("Cancel this and the following dates"))).to_be_visible()
    series = BookingSeries.objects.get()
    starts = [b.starts_at.astimezone(PARIS) for b in series.bookings.order_by("starts_at")]
    assert [s.date() for s in starts] == [first, first + timedelta(weeks=2)]
    assert {(s.hour, s.minute) for s in starts} == {(14, 0)}
    assert {b.status for b in series.bookings.all()} == {Booking.Status.CONFIRMED}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_the_dates_of_a_recurring_booking(village, signed_in, live_server, scheme, t):
    community, clio, first = village["community"], village["clio"], village["first"]
    page = signed_in(village["oscar"], **PHONE, color_scheme=scheme)
    page.goto(f"{live_server.url}/c/{community.pk}/bookings/repeat/?vehicle={clio.pk}&start={first:%Y-%m-%d}T14:00")
    page.get_by_label(t.label("To")).first.fill("18:00")
    page.get_by_role("button", name=t("See the dates")).click()
    expect(page.locator(".series-dates li").first).to_be_visible()
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()

    page.get_by_role("button", name=t("Book the ticked dates")).click()
    expect(page.get_by_role("link", name=t("Change this and the following dates"))).to_be_visible()
    result = Axe().run(page)
    assert result.violations_count == 0, result.generate_report()
