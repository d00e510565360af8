"""iCal feeds: a secret address listing a user's own bookings, or one vehicle's, for phone calendars."""

from datetime import UTC

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET
from icalendar import Calendar, Event

from bookings.models import Booking, CalendarFeed
from bookings.selectors import calendar_feed_by_token, feed_bookings

UID_DOMAIN = "colocauto"


@require_GET
def calendar_feed(request, token):
    """No login: the secret token is the credential; an unknown or regenerated token is a 404."""
    feed = calendar_feed_by_token(token)
    response = HttpResponse(feed_calendar(feed), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="colocauto.ics"'
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_calendar(feed: CalendarFeed) -> bytes:
    """The feed as an iCalendar document, in the feed owner's language, times in UTC."""
    with translation.override(feed.user.language):
        calendar = Calendar()
        calendar.add("prodid", "-//Colocauto//Bookings//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        if feed.vehicle_id is None:
            calendar.add("x-wr-calname", translation.gettext("My Colocauto bookings"))
        else:
            calendar.add("x-wr-calname", feed.vehicle.name)
        calendar.add("x-published-ttl", "PT1H")
        stamp = timezone.now().astimezone(UTC)
        for booking in feed_bookings(feed):
            calendar.add_component(_event(booking, stamp, personal=feed.vehicle_id is None))
        return calendar.to_ical()


def _event(booking: Booking, stamp, *, personal: bool) -> Event:
    event = Event()
    event.add("uid", f"booking-{booking.pk}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("last-modified", booking.updated_at.astimezone(UTC))
    event.add("dtstart", booking.starts_at.astimezone(UTC))
    event.add("dtend", booking.ends_at.astimezone(UTC))
    status = booking.get_status_display()
    if personal:
        summary = f"{booking.vehicle.name} ({status})"
    else:
        summary = f"{booking.vehicle.name}: {booking.member.name} ({status})"
    event.add("summary", summary)
    event.add("status", "TENTATIVE" if booking.status == Booking.Status.REQUESTED else "CONFIRMED")
    url = settings.SITE_URL.rstrip("/") + reverse(
        "booking_detail", kwargs={"community_id": booking.community_id, "pk": booking.pk}
    )
    event.add("url", url)
    description = [booking.community.name]
    if booking.note:
        description.append(booking.note)
    description.append(url)
    event.add("description", "\n".join(description))
    if booking.vehicle.parking_location:
        event.add("location", booking.vehicle.parking_location)
    return event
