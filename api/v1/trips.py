"""``/api/v1/communities/{id}/bookings/{id}/trip/start|end/``: the driver takes the car, then brings it back.

The pages' forms and services. A distance over 1,500 km a booked day is refused with 400
``implausible_distance_unconfirmed`` (``params.distance_km``, under ``fields.confirm_implausible``) until
the driver sends the end again with ``confirm_implausible: true``, as the page's box does. A start odometer
above the last known value is accepted, as on the page: the gap is the trip's ``unlogged_km``.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, membership_for
from api.forms import validate_with
from api.v1.booking_data import BookingDetailSerializer, booking_detail
from api.v1.bookings import ON_BOOKING, booking_action
from api.v1.paths import path_id
from bookings import rules, selectors, trips
from bookings.forms import MAX_INCIDENT_PHOTOS, TripEndForm, TripStartForm
from bookings.models import Trip

TAG = "Trips"

TripStartView = booking_action(
    "trip_start",
    rules.is_booker,
    TripStartForm,
    trips.trip_start,
    "Start the trip: the odometer when taking the car (the booker)",
    "From 30 minutes before a confirmed booking (`trip_too_early`). The odometer may not be below the vehicle's "
    "last known value (`odometer_below_last_known`, `params.odometer_km`); above it, the gap is kept as the "
    "trip's `unlogged_km` for the owner and the admins.",
    tag=TAG,
)


class TripEndInputSerializer(serializers.Serializer):
    """The trip end page's form (``TripEndForm``), which checks the values. JSON, or multipart with photos."""

    end_odometer = serializers.IntegerField(min_value=0, max_value=9_999_999)
    fuel_level = serializers.ChoiceField(choices=Trip.FuelLevel.choices, required=False, allow_blank=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    incident_description = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Damage, warning light, breakdown…"
    )
    incident_photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        max_length=MAX_INCIDENT_PHOTOS,
        help_text="Multipart only: up to 5 photos (JPEG, PNG or WebP) of the incident described.",
    )
    confirm_implausible = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Send true to confirm a distance refused with `implausible_distance_unconfirmed`.",
    )


class TripEndView(ApiView):
    @extend_schema(
        operation_id="booking_trip_end",
        summary="End the trip: the odometer when bringing the car back (the driver)",
        description="The booking is completed and the trip charged (`trip.charge`) in the same transaction. "
        "An unlikely distance is refused with `implausible_distance_unconfirmed` until sent again with "
        "`confirm_implausible: true`.",
        tags=[TAG],
        parameters=ON_BOOKING,
        request={"application/json": TripEndInputSerializer, "multipart/form-data": TripEndInputSerializer},
        responses=BookingDetailSerializer,
    )
    def post(self, request: Request, community_id: str, booking_id: str) -> Response:
        membership = membership_for(request, community_id)
        trip = selectors.trip_to_end(membership, path_id(booking_id))
        form = validate_with(TripEndForm, request.data, serializer_class=TripEndInputSerializer)
        trips.trip_complete(membership=membership, trip=trip, **form.cleaned_data)
        return Response(booking_detail(membership, trip.booking_id))


def _trip(suffix: str) -> str:
    return f"communities/<str:community_id>/bookings/<str:booking_id>/trip/{suffix}"


urlpatterns = [
    path(_trip("start/"), TripStartView.as_view(), name="booking_trip_start"),
    path(_trip("end/"), TripEndView.as_view(), name="booking_trip_end"),
]
