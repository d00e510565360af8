from django.urls import path

from bookings import estimate_views, find_views, series_views, views

urlpatterns = [
    path("new/", views.booking_create, name="booking_create"),
    path("estimate/", estimate_views.booking_estimate_fragment, name="booking_estimate"),
    path("find/", find_views.booking_find, name="booking_find"),
    path("repeat/", series_views.series_create, name="series_create"),
    path("<int:pk>/", views.booking_detail, name="booking_detail"),
    path("<int:pk>/confirm/", views.booking_confirm, name="booking_confirm"),
    path("<int:pk>/reject/", views.booking_reject, name="booking_reject"),
    path("<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("<int:pk>/change/", views.booking_change, name="booking_change"),
    path("<int:pk>/extend/", views.booking_extend, name="booking_extend"),
    path("<int:pk>/following/change/", series_views.booking_series_change, name="booking_series_change"),
    path("<int:pk>/following/cancel/", series_views.booking_series_cancel, name="booking_series_cancel"),
    path("<int:pk>/trip/start/", views.trip_start, name="trip_start"),
    path("<int:pk>/trip/end/", views.trip_end, name="trip_end"),
    path("incident-photos/<int:pk>/", views.incident_photo, name="incident_photo"),
    path("feeds/", views.calendar_feeds, name="booking_feeds"),
    path("feeds/regenerate/", views.calendar_feed_regenerate, name="booking_feed_regenerate"),
]
