"""The shared calendar and "my bookings", included at ``c/<community_id>/calendar/``."""

from django.urls import path

from bookings import agenda_views

urlpatterns = [
    path("", agenda_views.calendar, name="calendar"),
    path("vehicle/<int:vehicle_id>/", agenda_views.calendar, name="calendar_vehicle"),
    path("mine/", agenda_views.my_bookings, name="my_bookings"),
]
