"""The shared calendar: week, day and month views, blocks, free slots that open the booking form."""

import re
from datetime import datetime, timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings.models import Booking
from tests.factories import CommunityFactory, MembershipFactory, UserFactory, VehicleFactory, book
from vehicles.models import AvailabilityWindow, Blackout

PARIS = ZoneInfo("Europe/Paris")
# A fixed "now": Friday 15 January 2027, 09:10 in Paris.
NOW = datetime(2027, 1, 15, 9, 10, tzinfo=PARIS)
PHONE_AGENT = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
)
IPHONE_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"


@pytest.fixture
def frozen_now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, tzinfo=PARIS)


def calendar_url(community, vehicle=None, **params):
    if vehicle is None:
        url = reverse("calendar", kwargs={"community_id": community.pk})
    else:
        url = reverse("calendar_vehicle", kwargs={"community_id": community.pk, "vehicle_id": vehicle.pk})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


def free_slot_links(html: str) -> list[dict[str, str]]:
    """The query strings of every free-slot link of the page."""
    links = []
    for href in re.findall(r'<a class="cal-free[^"]*" href="([^"]+)"', html):
        query = parse_qs(urlsplit(unescape(href)).query)
        links.append({key: values[0] for key, values in query.items()})
    return links


def get(client, user, url):
    # English, so assertions read the source strings and Django's English date and time formats.
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_anonymous_visitor_is_sent_to_login(client, community):
    response = client.get(calendar_url(community))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_outsider_gets_404_on_calendar_and_vehicle_calendar(client, community, vehicle, outsider):
    client.force_login(outsider)
    assert client.get(calendar_url(community)).status_code == 404
    assert client.get(calendar_url(community, vehicle)).status_code == 404
    assert client.get(reverse("my_bookings", kwargs={"community_id": community.pk})).status_code == 404


def test_vehicle_of_another_community_is_not_found(client, community, member, other_community):
    foreign = VehicleFactory(community=other_community)
    client.force_login(member)
    assert client.get(calendar_url(community, foreign)).status_code == 404


def test_week_is_the_default_view_and_starts_on_monday(client, community, vehicle, member, frozen_now):
    html = get(client, member, calendar_url(community, vehicle))
    assert '<a href="?view=week&amp;date=2027-01-11" aria-current="page">' in html
    starts = {link["start"][:10] for link in free_slot_links(html)}
    # Monday 11 to Sunday 17 January; the days before "now" (Friday 15) cannot be booked any more.
    assert starts == {"2027-01-15", "2027-01-16", "2027-01-17"}
    assert "js/calendar.js" in html and "css/calendar.css" in html


def test_chosen_view_is_not_overridden_on_a_phone(client, community, vehicle, member, frozen_now):
    client.defaults["HTTP_USER_AGENT"] = PHONE_AGENT
    html = get(client, member, calendar_url(community, vehicle, view="week"))
    assert '<a href="?view=week&amp;date=2027-01-11" aria-current="page">' in html


def test_booking_block_shows_member_status_and_links_to_its_detail(
    client, community, vehicle, owner, member, frozen_now
):
    booking = book(vehicle, owner, at(16, 10), at(16, 12), status=Booking.Status.REQUESTED)
    html = get(client, member, calendar_url(community, vehicle, view="week", date="2027-01-16"))
    detail = reverse("booking_detail", kwargs={"community_id": community.pk, "pk": booking.pk})
    block = re.search(rf'<a class="cal-block booking status-requested r-(\d+) e-(\d+)" href="{detail}">(.*?)</a>', html)
    assert block, "the requested booking is drawn as a link to its detail"
    assert (block.group(1), block.group(2)) == ("21", "25")  # 10:00 is the 21st half-hour line, 12:00 the 25th
    text = re.sub(r"<[^>]+>", "", block.group(3))
    assert "10:00–12:00" in text and "Oscar Owner" in text and "Requested" in text


def test_my_own_bookings_stand_out_with_words_not_only_colour(client, community, vehicle, owner, member, frozen_now):
    book(vehicle, member, at(16, 14), at(16, 15))
    book(vehicle, owner, at(16, 16), at(16, 17))
    html = get(client, member, calendar_url(community, vehicle, view="day", date="2027-01-16"))
    mine = re.search(r'<a class="cal-block booking status-confirmed mine [^"]+" href="[^"]+">(.*?)</a>', html)
    assert mine and "You" in mine.group(1)
    assert html.count(" mine ") == 1
    assert "Oscar Owner" in html


def test_cancelled_and_rejected_bookings_are_not_drawn_and_completed_ones_are(
    client, community, vehicle, owner, member, frozen_now
):
    book(vehicle, owner, at(14, 8), at(14, 9), status=Booking.Status.COMPLETED)
    book(vehicle, owner, at(16, 8), at(16, 9), status=Booking.Status.CANCELLED)
    book(vehicle, owner, at(16, 10), at(16, 11), status=Booking.Status.REJECTED)
    html = get(client, member, calendar_url(community, vehicle, view="week", date="2027-01-14"))
    assert html.count('class="cal-block booking') == 1
    assert "status-completed" in html
    # The cancelled and rejected slots are free again.
    starts = {link["start"] for link in free_slot_links(html)}
    assert "2027-01-16T08:00:00+01:00" in starts and "2027-01-16T10:00:00+01:00" in starts


def test_free_slot_opens_the_booking_form_prefilled(client, community, vehicle, member, frozen_now):
    html = get(client, member, calendar_url(community, vehicle, view="day", date="2027-01-16"))
    links = free_slot_links(html)
    assert len(links) == 48  # every half-hour of a 24-hour day is free
    first = links[20]
    assert first == {
        "vehicle": str(vehicle.pk),
        "start": "2027-01-16T10:00:00+01:00",
        "end": "2027-01-16T11:00:00+01:00",
    }
    assert f"Book {vehicle.name} on Saturday 16 January 2027 at 10:00" in html

    href = unescape(re.findall(r'<a class="cal-free[^"]*" href="([^"]+)"', html)[20])
    assert href.startswith(reverse("booking_create", kwargs={"community_id": community.pk}))
    form = client.get(href)
    assert form.status_code == 200
    page = form.content.decode()
    assert 'value="2027-01-16T10:00"' in page and 'value="2027-01-16T11:00"' in page
    assert re.search(rf'<option value="{vehicle.pk}" selected', page)


def test_a_free_slot_just_before_a_booking_proposes_an_end_that_does_not_overlap(
    client, community, vehicle, owner, member, frozen_now
):
    book(vehicle, owner, at(16, 10, 30), at(16, 12))
    html = get(client, member, calendar_url(community, vehicle, view="day", date="2027-01-16"))
    by_start = {link["start"]: link for link in free_slot_links(html)}
    assert by_start["2027-01-16T10:00:00+01:00"]["end"] == "2027-01-16T10:30:00+01:00"
    for taken in ("10:30", "11:00", "11:30"):
        assert f"2027-01-16T{taken}:00+01:00" not in by_start
    assert by_start["2027-01-16T12:00:00+01:00"]["end"] == "2027-01-16T13:00:00+01:00"


def test_unavailable_windows_and_blackouts_are_shaded_and_not_bookable(client, community, vehicle, member, frozen_now):
    # Saturday: available 08:00–18:00 only; Sunday 10:00–14:00 in the garage.
    for weekday in range(7):
        AvailabilityWindow.objects.create(
            vehicle=vehicle, weekday=weekday, start_time=datetime.min.time().replace(hour=8), end_time=at(1, 18).time()
        )
    Blackout.objects.create(vehicle=vehicle, starts_at=at(17, 10), ends_at=at(17, 14), reason="At the garage")
    html = get(client, member, calendar_url(community, vehicle, view="week", date="2027-01-16"))
    starts = {link["start"] for link in free_slot_links(html)}
    assert "2027-01-16T07:30:00+01:00" not in starts
    assert "2027-01-16T08:00:00+01:00" in starts
    assert "2027-01-16T17:30:00+01:00" in starts
    assert "2027-01-16T18:00:00+01:00" not in starts
    assert "2027-01-17T10:00:00+01:00" not in starts and "2027-01-17T14:00:00+01:00" in starts
    assert re.search(r'<div class="cal-block unavailable r-21 e-29"><span class="cal-who">At the garage</span>', html)
    assert '<span class="cal-who">Unavailable</span>' in html


def test_paused_vehicle_offers_no_free_slot(client, community, vehicle, member, frozen_now):
    vehicle.is_active = False
    vehicle.save()
    html = get(client, member, calendar_url(community, vehicle, view="week"))
    assert free_slot_links(html) == []
    assert "This vehicle is paused" in html


def test_slots_beyond_the_maximum_advance_are_not_offered(client, community, vehicle, member, frozen_now):
    community.max_advance = timedelta(days=2)
    community.save()
    html = get(client, member, calendar_url(community, vehicle, view="week", date="2027-01-15"))
    starts = sorted(link["start"] for link in free_slot_links(html))
    assert starts[0] == "2027-01-15T09:30:00+01:00"  # the first slot after "now" (09:10)
    assert starts[-1] == "2027-01-17T09:00:00+01:00"  # the last one starting within two days


def test_community_week_has_one_section_per_vehicle_with_hour_slots(client, community, vehicle, member, frozen_now):
    van = VehicleFactory(community=community, name="Kangoo")
    html = get(client, member, calendar_url(community, view="week", date="2027-01-16"))
    assert html.count('<section class="cal-grid cal-compact">') == 2
    assert "Clio bleue" in html and "Kangoo" in html
    links = free_slot_links(html)
    van_starts = sorted(link["start"] for link in links if link["vehicle"] == str(van.pk))
    assert van_starts[:3] == ["2027-01-15T10:00:00+01:00", "2027-01-15T11:00:00+01:00", "2027-01-15T12:00:00+01:00"]


def test_community_day_has_one_column_per_vehicle(client, community, vehicle, owner, member, frozen_now):
    VehicleFactory(community=community, name="Kangoo")
    book(vehicle, owner, at(16, 9), at(16, 10))
    html = get(client, member, calendar_url(community, view="day", date="2027-01-16"))
    assert html.count('<div class="cal-col') == 2
    vehicle_day = calendar_url(community, vehicle) + "?view=day&amp;date=2027-01-16"
    assert f'<a href="{vehicle_day}">Clio bleue</a>' in html
    assert len(free_slot_links(html)) == 48 * 2 - 2


def test_previous_next_and_today_navigation(client, community, vehicle, member, frozen_now):
    html = get(client, member, calendar_url(community, vehicle, view="week", date="2027-01-20"))
    assert 'rel="prev" href="?view=week&amp;date=2027-01-11"' in html
    assert 'rel="next" href="?view=week&amp;date=2027-01-25"' in html
    assert 'href="?view=week">Today</a>' in html
    html = get(client, member, calendar_url(community, vehicle, view="day", date="2027-01-01"))
    assert 'rel="prev" href="?view=day&amp;date=2026-12-31"' in html
    html = get(client, member, calendar_url(community, vehicle, view="month", date="2027-03-31"))
    assert 'rel="prev" href="?view=month&amp;date=2027-02-01"' in html
    assert 'rel="next" href="?view=month&amp;date=2027-04-01"' in html


def test_a_bad_date_or_view_falls_back_to_this_week(client, community, vehicle, member, frozen_now):
    html = get(client, member, calendar_url(community, vehicle, view="year", date="2027-13-45"))
    assert '<a href="?view=week&amp;date=2027-01-11" aria-current="page">' in html


def test_month_view_lists_bookings_and_links_each_day_to_its_day_view(
    client, community, vehicle, owner, member, frozen_now
):
    book(vehicle, owner, at(20, 9), at(20, 11))
    book(vehicle, member, at(22, 18), at(24, 10))  # over three days
    for hour in range(8, 13):
        book(vehicle, owner, at(27, hour), at(27, hour, 30))
    html = get(client, member, calendar_url(community, view="month", date="2027-01-05"))
    assert "January 2027" in html
    # The grid runs from Monday 28 December to Sunday 31 January.
    day_link = calendar_url(community) + "?view=day&amp;date="
    assert f'href="{day_link}2026-12-28"' in html and f'href="{day_link}2027-01-31"' in html
    assert f'href="{day_link}2027-02-01"' not in html
    assert "Clio bleue · Oscar Owner" in html
    assert html.count("Clio bleue · You") == 3
    assert "2 more" in html  # five bookings on the 27th, three shown
    assert "5 bookings" in html


def test_calendar_follows_the_community_time_zone(client, member, frozen_now):
    community = CommunityFactory(time_zone="America/Montreal")
    MembershipFactory(community=community, user=member)
    vehicle = VehicleFactory(community=community)
    someone = UserFactory(display_name="Sam")
    MembershipFactory(community=community, user=someone)
    book(vehicle, someone, datetime(2027, 1, 16, 15, 0, tzinfo=ZoneInfo("UTC")), at(16, 17))
    html = get(client, member, calendar_url(community, vehicle, view="day", date="2027-01-16"))
    assert "America/Montreal" in html
    assert re.search(
        r"r-21 e-23[^>]*>(?:<span class=\"visually-hidden\">[^<]*</span>)?<span class=\"cal-when\">10:00–11:00</span>",
        html,
    )  # 15:00 UTC is 10:00 in Montreal
    assert free_slot_links(html)[0]["start"] == "2027-01-16T00:00:00-05:00"


def test_whole_day_unavailability_says_all_day_and_a_long_blackout_its_dates(
    client, community, vehicle, member, frozen_now
):
    # Only weekdays are open: Saturday 16 is unavailable all day.
    for weekday in range(5):
        AvailabilityWindow.objects.create(
            vehicle=vehicle, weekday=weekday, start_time=at(1, 8).time(), end_time=at(1, 18).time()
        )
    html = get(client, member, calendar_url(community, vehicle, view="day", date="2027-01-16"))
    assert '<span class="cal-who">Unavailable</span> <span class="cal-when">all day</span>' in html
    assert "12 a.m.–12 a.m." not in html and "midnight–midnight" not in html
    other = VehicleFactory(community=community, name="Van")
    Blackout.objects.create(vehicle=other, starts_at=at(20, 0), ends_at=at(23, 0), reason="Holidays")
    html = get(client, member, calendar_url(community, other, view="day", date="2027-01-21"))
    assert '<span class="cal-who">Holidays</span> <span class="cal-when">Wed 20 – Fri 22</span>' in html


def test_today_past_hours_are_shaded_and_offer_no_link(client, community, vehicle, member, frozen_now):
    # Now is 09:10: the slots from midnight to 09:00 are gone; 09:00–09:30 holds "now".
    html = get(client, member, calendar_url(community, view="day", date="2027-01-15"))
    assert '<span class="cal-past r-1 e-19"></span>' in html
    starts = sorted(link["start"] for link in free_slot_links(html))
    assert starts[0] >= "2027-01-15T09:00:00+01:00"
    tomorrow = get(client, member, calendar_url(community, view="day", date="2027-01-16"))
    assert "cal-past" not in tomorrow


def test_date_picker_jumps_to_a_day(client, community, vehicle, member, frozen_now):
    html = get(client, member, calendar_url(community, view="day", date="2027-01-16"))
    form = re.search(r'<form method="get" class="cal-jump" novalidate>(.*?)</form>', html, re.S).group(1)
    assert '<input type="hidden" name="view" value="day">' in form
    assert '<label for="cal-jump-date">Go to the date</label>' in form
    assert '<input type="date" id="cal-jump-date" name="date" value="2027-01-16"' in form
    assert '<button type="submit" class="small secondary">Go</button>' in form
    # What the form sends: the chosen day in the same view.
    html = get(client, member, calendar_url(community, view="day", date="2027-03-02"))
    assert "Tuesday March 2, 2027" in html or "Tuesday 2 March 2027" in html


def test_each_vehicle_grid_can_be_skipped_by_keyboard(client, community, vehicle, member, frozen_now):
    VehicleFactory(community=community, name="Kangoo")
    html = get(client, member, calendar_url(community, view="week", date="2027-01-16"))
    skips = re.findall(r'<a class="skip-link" href="#(after-grid-\d+)">([^<]+)</a>', html)
    assert [text for _target, text in skips] == ["Skip Clio bleue's calendar", "Skip Kangoo's calendar"]
    for target, _text in skips:
        assert f'<span id="{target}" class="cal-after" tabindex="-1"></span>' in html
    day = get(client, member, calendar_url(community, view="day", date="2027-01-16"))
    assert ">Skip the calendar grid</a>" in day


def test_month_badge_shows_the_count_and_says_it_in_words(client, community, vehicle, owner, member, frozen_now):
    book(vehicle, owner, at(20, 9), at(20, 11))
    book(vehicle, owner, at(20, 14), at(20, 15))
    html = get(client, member, calendar_url(community, view="month", date="2027-01-05"))
    assert (
        '<span class="cal-count badge"><span aria-hidden="true">2</span>'
        '<span class="visually-hidden">2 bookings</span></span>'
    ) in html


def test_unavailability_until_the_end_of_the_day_ends_at_24_00(client, community, vehicle, member, frozen_now):
    # Friday 15 January 2027 is open 08:00–18:00 only: the evening is unavailable until midnight.
    AvailabilityWindow.objects.create(vehicle=vehicle, weekday=4, start_time=at(1, 8).time(), end_time=at(1, 18).time())
    html = get(client, member, calendar_url(community, vehicle, view="day", date="2027-01-15"))
    assert '<span class="cal-when">18:00–24:00</span>' in html
    assert "18:00–00:00" not in html
