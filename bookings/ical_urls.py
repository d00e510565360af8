"""Secret-address calendar feeds, included at ``ical/``. No login: the token is the credential."""

from django.urls import path

from bookings import ical

urlpatterns = [
    path("<slug:token>.ics", ical.calendar_feed, name="calendar_feed"),
]
