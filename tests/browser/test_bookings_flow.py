"""Issue 3's flow in a real browser: a member books a free slot from the calendar, a neighbour who
tries the same slot is told it is taken, the owner confirms the request, the driver records the
start and end odometer, and the trip's charge reaches the driver's account."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from bookings import services
from bookings.models import Booking
from communities.models import Membership
from ledger.emails import money_text
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory
from tests.helpers import wait_for_mail
from vehicles.models import Vehicle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    # A phone's browser says so (Playwright's emulation does not): the server then sends the day view.
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36",
}


@pytest.fixture
def neighbours():
    """Les Tilleuls, where the owner approves other people's bookings: Oscar lends his Clio to Maya and Jules."""
    community = CommunityFactory(name="Les Tilleuls", owner_approval_required=True)
    people = {}
    for key, name in (("owner", "Oscar Renard"), ("maya", "Maya Fabre"), ("jules", "Jules Petit")):
        user = UserFactory(email=f"{key}@example.org", display_name=name)
        MembershipFactory(community=community, user=user)
        people[key] = user
    car = VehicleFactory(
        community=community, owner=people["owner"], name="Clio bleue", odometer_km=42_000, rate_per_km=Decimal("0.300")
    )
    return {"community": community, "car": car, **people}


def membership(user, community) -> Membership:
    return Membership.objects.select_related("community", "user").get(user=user, community=community)


def tomorrow_at(hour: int) -> datetime:
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def in_french(message: str, **params) -> str:
    with translation.override("fr"):
        return translation.gettext(message) % params if params else translation.gettext(message)


def free_slot_name(vehicle: str, moment: datetime) -> str:
    """What a screen reader reads for a free cell of the calendar (``bookings.templatetags.calendar_grid``)."""
    with translation.override("fr"):
        day = f"{formats.date_format(moment.date(), 'l')} {formats.date_format(moment.date(), 'DATE_FORMAT')}"
        clock = formats.time_format(moment.time(), "TIME_FORMAT")
        return translation.gettext("Book %(vehicle)s on %(date)s at %(time)s") % {
            "vehicle": vehicle,
            "date": day,
            "time": clock,
        }


def short_datetime(moment: datetime) -> str:
    with translation.override("fr"):
        return formats.date_format(moment.astimezone(PARIS), "SHORT_DATETIME_FORMAT")


def euros(amount: str) -> str:
    with translation.override("fr"):
        return money_text(Decimal(amount))


def local_input(moment: datetime) -> str:
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M")


def open_week_with(page, t, *, community_name: str, day: date):
    """From anywhere in the community: the Calendar link, then forward to the week holding ``day``."""
    page.get_by_role("navigation", name=t.text("Community %(name)s", name=community_name)).get_by_role(
        "link", name=t("Calendar")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Calendar"))
    toolbar = page.get_by_role("navigation", name=t("Calendar navigation"))
    expect(toolbar.get_by_role("link", name=t("Week"), exact=True)).to_have_attribute("aria-current", "page")
    if day.isocalendar()[:2] != timezone.now().astimezone(PARIS).date().isocalendar()[:2]:
        toolbar.get_by_role("link", name=t("Next week")).click()


def enter_community(page, name: str):
    page.get_by_role("link", name=name).first.click()


def test_two_neighbours_race_for_a_slot_the_owner_confirms_and_the_driver_logs_the_trip(
    neighbours, signed_in, live_server, settings, t
):
    settings.SITE_URL = live_server.url  # links in e-mails lead to this live server
    community, car = neighbours["community"], neighbours["car"]
    start = tomorrow_at(10)
    slot = free_slot_name("Clio bleue", start)

    # Maya and Jules both open the calendar and pick the same free hour tomorrow morning.
    maya = signed_in(neighbours["maya"])
    jules = signed_in(neighbours["jules"])
    for page in (maya, jules):
        enter_community(page, "Les Tilleuls")
        open_week_with(page, t, community_name="Les Tilleuls", day=start.date())
        page.get_by_role("link", name=slot, exact=True).click()  # chooses the hour; the bar below books it
        page.get_by_role("link", name=t("Book these times")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
        expect(page.get_by_label(t.label("Vehicle"))).to_have_value(str(car.pk))
        expect(page.get_by_label(t.label("Start"))).to_have_value(local_input(start))
        expect(page.get_by_label(t.label("End"))).to_have_value(local_input(start + timedelta(hours=1)))

    # Maya sends her request first: it holds the slot until Oscar answers.
    maya.get_by_label(t.label("Note")).fill("Courses à Valence")
    maya.get_by_role("button", name=t("Book"), exact=True).click()
    expect(maya.get_by_role("heading", level=1)).to_have_text(t.text("Booking of %(name)s", name="Clio bleue"))
    expect(maya.get_by_role("main")).to_contain_text(
        t("Your request has been sent; the slot is held until it is answered.")
    )
    expect(maya.get_by_role("main")).to_contain_text(t("Requested"))
    booking = Booking.objects.get(member=neighbours["maya"])
    assert booking.status == Booking.Status.REQUESTED

    # Jules, a few seconds later, is told plainly that the slot is taken; what he chose stays on the form.
    jules.get_by_label(t.label("Note")).fill("Rendez-vous chez le dentiste")
    jules.get_by_role("button", name=t("Book"), exact=True).click()
    refusal = in_french(
        "The vehicle is already booked from %(start)s to %(end)s. Choose other times.",
        start=short_datetime(booking.starts_at),
        end=short_datetime(booking.ends_at),
    )
    expect(jules.get_by_role("alert")).to_have_text(refusal)
    expect(jules.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(jules.get_by_label(t.label("Start"))).to_have_value(local_input(start))
    expect(jules.get_by_label(t.label("Note"))).to_have_value("Rendez-vous chez le dentiste")
    assert Booking.objects.filter(member=neighbours["jules"]).count() == 0
    jules.screenshot(path="/tmp/colocauto-booking-taken.png", full_page=True)

    # Oscar follows the link of the request e-mail and confirms, with a word about the keys.
    request_mail = wait_for_mail("owner@example.org")
    link = re.search(rf"{re.escape(live_server.url)}/c/\d+/bookings/\d+/", request_mail.body)
    assert link, request_mail.body
    oscar = signed_in(neighbours["owner"])
    oscar.goto(link.group(0))
    expect(oscar.get_by_role("main")).to_contain_text("Maya Fabre")
    expect(oscar.get_by_role("main")).to_contain_text("Courses à Valence")
    oscar.get_by_label(t.label("Message (optional)")).fill("Les clés sont dans la boîte aux lettres.")
    oscar.get_by_role("button", name=t("Confirm"), exact=True).click()
    expect(oscar.get_by_role("main")).to_contain_text(t("Confirmed"))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    wait_for_mail("maya@example.org")

    # Maya's calendar now shows her confirmed booking as hers.
    maya.reload()
    open_week_with(maya, t, community_name="Les Tilleuls", day=start.date())
    mine = maya.locator("a.cal-block.mine")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text(t("You"))
    expect(mine).to_contain_text(t("Confirmed"))

    # The day comes (the owner moves the booking to now rather than the test waiting until tomorrow).
    now = timezone.now().replace(second=0, microsecond=0)
    services.booking_change_times(
        membership=membership(neighbours["owner"], community),
        booking=booking,
        starts_at=now,
        ends_at=now + timedelta(hours=3),
    )

    # Maya takes the car: the start odometer is pre-filled with the last known value.
    maya.get_by_role("navigation", name=t.text("Community %(name)s", name="Les Tilleuls")).get_by_role(
        "link", name=t("My bookings")
    ).click()
    ongoing = maya.get_by_role("region", name=t("In progress"))
    ongoing.get_by_role("link", name=re.compile(rf"^{re.escape(t('Details'))}")).click()
    start_field = maya.get_by_label(t.label("Odometer at the start (km)"))
    expect(start_field).to_have_value("42000")
    maya.get_by_role("button", name=t("Start the trip")).click()
    expect(maya.get_by_role("main")).to_contain_text(t("In progress"))

    # She brings it back 87 km later.
    maya.get_by_label(t.label("Odometer at the end (km)")).fill("42087")
    maya.get_by_label(t.label("Fuel or charge level")).select_option("three_quarters")
    maya.get_by_label(t.label("Notes")).fill("RAS")
    maya.get_by_role("button", name=t("End the trip")).click()
    expect(maya.get_by_role("main")).to_contain_text(t("Completed"))
    trip_facts = maya.get_by_role("region", name=t("Trip"))
    expect(trip_facts).to_contain_text(t("Distance"))
    expect(trip_facts).to_contain_text(re.compile(r"(?<![\d\s.,])87 km"))
    expect(trip_facts).to_contain_text(re.compile(r"42[\s.,]?087 km"))  # the end odometer, grouped or not
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert Vehicle.objects.get(pk=car.pk).odometer_km == 42_087
    maya.screenshot(path="/tmp/colocauto-trip-completed.png", full_page=True)

    # Her account shows the trip's charge: 87 km × €0.30.
    maya.get_by_role("navigation", name=t.text("Community %(name)s", name="Les Tilleuls")).get_by_role(
        "link", name=t("My account")
    ).click()
    expect(maya.get_by_role("heading", level=1)).to_have_text(t("My account"))
    balance = maya.get_by_role("region", name=t("Current balance"))
    expect(balance).to_contain_text(euros("-26.10"))
    statement_row = maya.get_by_role("row").filter(has_text="Clio bleue")
    expect(statement_row).to_have_count(1)
    expect(statement_row).to_contain_text(euros("-26.10"))
    maya.screenshot(path="/tmp/colocauto-account-after-trip.png", full_page=True)


def test_a_keyboard_user_reaches_a_free_slot_with_tab_and_opens_the_form_with_enter(
    neighbours, signed_in, live_server, t
):
    start = tomorrow_at(14)
    page = signed_in(neighbours["jules"])
    page.goto(f"{live_server.url}/c/{neighbours['community'].pk}/calendar/?view=day&date={start.date():%Y-%m-%d}")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Calendar"))

    # The grid is one Tab stop: Tab from the vehicle's name, the last link before its grid, enters it on
    # the first free cell; the down arrow then walks the column to 14:00.
    page.get_by_role("link", name="Clio bleue", exact=True).focus()
    target = free_slot_name("Clio bleue", start)
    page.keyboard.press("Tab")
    names = [page.evaluate("document.activeElement.textContent.trim()")]
    for _press in range(40):
        if names[-1] == target:
            break
        page.keyboard.press("ArrowDown")
        names.append(page.evaluate("document.activeElement.textContent.trim()"))
    assert names[-1] == target, names
    # Within the grid only the focused cell is in the Tab order, so Tab leaves the grid at once.
    assert page.evaluate("document.querySelectorAll('.cal-body a[tabindex=\"0\"]').length") == 1
    focused = page.locator(":focus")
    expect(focused).to_be_visible()
    outline = focused.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none", "the focused slot shows no focus outline"
    page.screenshot(path="/tmp/colocauto-calendar-keyboard-focus.png")

    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(page.get_by_label(t.label("Vehicle"))).to_have_value(str(neighbours["car"].pk))
    expect(page.get_by_label(t.label("Start"))).to_have_value(local_input(start))
    expect(page.get_by_label(t.label("End"))).to_have_value(local_input(start + timedelta(hours=1)))


def test_on_a_phone_the_calendar_opens_on_one_day_and_a_tap_on_a_free_slot_books_it(
    neighbours, signed_in, live_server, t
):
    community, car = neighbours["community"], neighbours["car"]
    # Oscar, who needs no approval for his own car, has blocked tomorrow morning for himself.
    services.booking_create(
        membership=membership(neighbours["owner"], community),
        vehicle=car,
        starts_at=tomorrow_at(8),
        ends_at=tomorrow_at(12),
    )
    start = tomorrow_at(16)
    phone = signed_in(neighbours["maya"], **PHONE)
    phone.goto(f"{live_server.url}/c/{community.pk}/calendar/")

    # No view chosen on a phone: the day view from the server (no redirect), one column, not a squeezed week.
    expect(phone).to_have_url(f"{live_server.url}/c/{community.pk}/calendar/")
    toolbar = phone.get_by_role("navigation", name=t("Calendar navigation"))
    expect(toolbar.get_by_role("link", name=t("Day"), exact=True)).to_have_attribute("aria-current", "page")
    if timezone.now().astimezone(PARIS).date() != start.date():
        toolbar.get_by_role("link", name=t("Next day")).click()
    expect(phone.locator(".cal-col")).to_have_count(1)
    theirs = phone.locator("a.cal-block.booking")
    expect(theirs).to_contain_text("Oscar Renard")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the day view is {width}px wide on a 390px screen: it scrolls sideways"
    phone.screenshot(path="/tmp/colocauto-calendar-phone.png", full_page=True)

    # A taken hour offers no link; a free one does: a tap chooses it, a second tap opens the filled-in form.
    expect(phone.get_by_role("link", name=free_slot_name("Clio bleue", tomorrow_at(9)), exact=True)).to_have_count(0)
    phone.get_by_role("link", name=free_slot_name("Clio bleue", start), exact=True).tap()
    phone.get_by_role("link", name=free_slot_name("Clio bleue", start), exact=True).tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text(t("Book a vehicle"))
    expect(phone.get_by_label(t.label("Start"))).to_have_value(local_input(start))
    phone.get_by_role("button", name=t("Book"), exact=True).click()
    expect(phone.get_by_role("main")).to_contain_text(t("Requested"))
    assert Booking.objects.get(member=neighbours["maya"]).starts_at == start
