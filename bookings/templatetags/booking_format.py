from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import reverse

from bookings.formatting import duration_text
from bookings.recurrence import clock_text

register = template.Library()


@register.filter
def duration_words(value) -> str:
    return duration_text(value)


@register.filter(expects_localtime=True)
def clock(value) -> str:
    """A moment's time of day as the recurring-booking summary writes it: "14:00", « 14 h » in French."""
    return clock_text(value.time())


@register.simple_tag
def feed_links(feed) -> dict[str, str]:
    """The addresses of a calendar feed: plain (to copy), ``webcal://`` (opens the phone's or computer's
    calendar app, which subscribes), and Google Calendar's "add by URL" page."""
    address = settings.SITE_URL.rstrip("/") + reverse("calendar_feed", args=[feed.token])
    webcal = "webcal://" + address.split("://", 1)[1]
    return {
        "address": address,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe=""),
    }
