"""``/api/``: version 1 of the API, its OpenAPI schema and its interactive documentation.

Each area of version 1 lists its routes in its own module of ``api/v1/``; this file only gathers them.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.v1 import (
    availability,
    booking_series,
    bookings,
    communities,
    expenses,
    invitations,
    ledger,
    me,
    territories,
    trips,
    vehicles,
)
from api.views import api_root

app_name = "api"

v1 = [
    path("me/", me.MeView.as_view(), name="me"),
    *communities.urlpatterns,
    *invitations.urlpatterns,
    *vehicles.urlpatterns,
    *availability.urlpatterns,
    *expenses.urlpatterns,
    *ledger.urlpatterns,
    *territories.urlpatterns,
    *bookings.urlpatterns,
    *booking_series.urlpatterns,
    *trips.urlpatterns,
]

urlpatterns = [
    path("", api_root, name="root"),
    path("v1/", include(v1)),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
