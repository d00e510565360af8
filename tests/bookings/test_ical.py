"""Secret-token iCal feeds of a user's bookings and of a vehicle's bookings."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bookings import services
from bookings.models import Booking, CalendarFeed
from tests.bookings.conftest import local
from tests.factories import VehicleFactory, book

pytestmark = pytest.mark.usefixtures("english")


def make(member, vehicle, start, end, status=Booking.Status.CONFIRMED):
    return book(vehicle, member, start, end, status=status)


def events_of(client, feed):
    response = client.get(reverse("calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return {str(e["uid"]): e for e in Calendar.from_ical(response.content).walk("VEVENT")}


def test_personal_feed_lists_the_users_upcoming_and_recent_bookings(client, member, owner, vehicle):
    member.language = "en"
    member.save()
    upcoming = make(member, vehicle, local(2, 10), local(2, 12), status=Booking.Status.REQUESTED)
    recent = make(member, vehicle, local(-10, 10), local(-10, 12), status=Booking.Status.COMPLETED)
    make(member, vehicle, local(-120, 10), local(-120, 12), status=Booking.Status.COMPLETED)  # too old
    make(member, vehicle, local(3, 10), local(3, 12), status=Booking.Status.CANCELLED)
    make(owner, vehicle, local(4, 10), local(4, 12))  # someone else's
    feed = services.calendar_feed_regenerate(user=member)
    events = events_of(client, feed)
    assert set(events) == {f"booking-{upcoming.pk}@colocauto", f"booking-{recent.pk}@colocauto"}
    event = events[f"booking-{upcoming.pk}@colocauto"]
    assert str(event["summary"]) == "Clio bleue (Requested)"
    assert event["dtstart"].dt == local(2, 10).astimezone(UTC)
    assert event["dtstart"].dt.utcoffset() == timedelta(0)
    assert event["dtend"].dt == local(2, 12).astimezone(UTC)


def test_uid_is_stable_when_the_booking_changes(client, member, vehicle):
    booking = make(member, vehicle, local(2, 10), local(2, 12))
    feed = services.calendar_feed_regenerate(user=member)
    assert f"booking-{booking.pk}@colocauto" in events_of(client, feed)
    Booking.objects.filter(pk=booking.pk).update(starts_at=local(2, 9))
    assert events_of(client, feed)[f"booking-{booking.pk}@colocauto"]["dtstart"].dt == local(2, 9).astimezone(UTC)


def test_vehicle_feed_lists_everyones_bookings_of_that_vehicle(client, member, owner, vehicle, community):
    mine = make(member, vehicle, local(2, 10), local(2, 12))
    theirs = make(owner, vehicle, local(3, 10), local(3, 12))
    make(owner, VehicleFactory(community=community), local(3, 10), local(3, 12))
    feed = services.calendar_feed_regenerate(user=member, vehicle=vehicle)
    events = events_of(client, feed)
    assert set(events) == {f"booking-{mine.pk}@colocauto", f"booking-{theirs.pk}@colocauto"}
    assert "Oscar Owner" in str(events[f"booking-{theirs.pk}@colocauto"]["summary"])


def test_regenerating_the_token_kills_the_old_address(client, member):
    feed = services.calendar_feed_regenerate(user=member)
    old_token = feed.token
    feed = services.calendar_feed_regenerate(user=member)
    assert feed.token != old_token
    assert CalendarFeed.objects.filter(user=member).count() == 1
    assert client.get(reverse("calendar_feed", args=[old_token])).status_code == 404
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 200


def test_vehicle_feed_stops_when_the_user_leaves_the_community(client, member, vehicle, community):
    feed = services.calendar_feed_regenerate(user=member, vehicle=vehicle)
    member.memberships.filter(community=community).update(status="left", ended_at=timezone.now())
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 404


def test_outsider_cannot_follow_another_communitys_vehicle(client, outsider, vehicle):
    from colocauto.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.calendar_feed_regenerate(user=outsider, vehicle=vehicle)


def test_feed_page_shows_the_address_and_regenerates_it_by_post(client, member, vehicle, community):
    client.force_login(member)
    page = reverse("booking_feeds", args=[community.pk])
    assert client.get(page).status_code == 200
    response = client.post(reverse("booking_feed_regenerate", args=[community.pk]), {"vehicle": vehicle.pk})
    assert response.status_code == 302
    feed = CalendarFeed.objects.get(user=member, vehicle=vehicle)
    assert f"/ical/{feed.token}.ics" in client.get(page).content.decode()
    client.post(reverse("booking_feed_regenerate", args=[community.pk]), {"vehicle": vehicle.pk})
    assert client.get(reverse("calendar_feed", args=[feed.token])).status_code == 404


def test_unknown_token_is_404(client, db):
    assert client.get("/ical/not-a-real-token.ics").status_code == 404


def test_my_bookings_and_the_profile_offer_the_subscription_as_webcal_with_a_copy_button(
    client, member, community, settings
):
    settings.SITE_URL = "https://colocauto.example.org"
    client.force_login(member)
    my_bookings = reverse("my_bookings", args=[community.pk])
    assert "webcal://" not in client.get(my_bookings).content.decode()  # no address until asked for
    client.post(reverse("booking_feed_regenerate", args=[community.pk]))
    feed = CalendarFeed.objects.get(user=member, vehicle=None)
    for page in (my_bookings, reverse("profile"), reverse("booking_feeds", args=[community.pk])):
        html = client.get(page).content.decode()
        assert f'href="webcal://colocauto.example.org/ical/{feed.token}.ics"' in html, page
        assert f'value="https://colocauto.example.org/ical/{feed.token}.ics"' in html, page
        assert "data-copy=" in html and "calendar.google.com/calendar/render?cid=webcal%3A%2F%2F" in html, page
        assert "Outlook" in html, page
