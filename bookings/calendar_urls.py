"""The shared calendar and "my bookings", included at ``c/<community_id>/calendar/``."""

from django.urls import path

from bookings import calendar_views

urlpatterns = [
    path("", calendar_views.calendar, name="calendar"),
    path("vehicle/<int:vehicle_id>/", calendar_views.calendar, name="calendar_vehicle"),
    path("mine/", calendar_views.my_bookings, name="my_bookings"),
]
