"""``/api/v1/communities/{id}/booking-series/``: recurring bookings, as on the page. Preview a rule's dates (each
free, or with the code and reason ``booking_create`` would refuse it with), book the chosen ones (one ordinary
booking per date, all or nothing: 409 ``series_occurrence_refused`` when one was taken meanwhile), and cancel a
booking with the following dates of its recurring booking.

The input is the page's form (``SeriesForm``) through ``validate_with``; the services are ``bookings.series``.
"""

from __future__ import annotations

from typing import cast

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, membership_for
from api.forms import validate_with
from api.v1.bookings import COMMUNITY_ID, TAG, booking_action
from bookings import rules, selectors
from bookings import series as series_services
from bookings.formatting import series_summary
from bookings.forms import MessageForm
from bookings.models import BookingSeries
from bookings.recurrence import MAX_INTERVAL
from bookings.series_forms import SeriesForm

TIMES = "In the community's time zone: each date is computed on its clock (14:00 stays 14:00 across a change of clock)."


class BookingSeriesInputSerializer(serializers.Serializer):
    """The recurring booking page's form (``SeriesForm``), which checks the values."""

    vehicle = serializers.IntegerField(help_text="The vehicle's id (an active vehicle of the community).")
    first_date = serializers.DateField(
        help_text="The first date; the series repeats on its weekday (monthly: the same one of the month, "
        "e.g. the 2nd Wednesday; a 5th one repeats as the last)."
    )
    start_time = serializers.TimeField(help_text=TIMES)
    end_time = serializers.TimeField(help_text="At or before the start: the next day. " + TIMES)
    frequency = serializers.ChoiceField(choices=BookingSeries.Frequency.choices, help_text="Every week or every month.")
    interval = serializers.IntegerField(
        min_value=1, max_value=MAX_INTERVAL, help_text="Every how many weeks (or months)."
    )
    until = serializers.DateField(help_text="The last date (at most a year after the first).")
    note = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=500, help_text="The note of each booking."
    )


class BookingSeriesSaveSerializer(BookingSeriesInputSerializer):
    days = serializers.ListField(
        child=serializers.DateField(),
        allow_empty=False,
        help_text="The dates to book (from the preview); dates the rule does not give are ignored.",
    )


class BookingSeriesDateSerializer(serializers.Serializer):
    day = serializers.DateField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    free = serializers.BooleanField(help_text="Whether booking_create would book it now.")
    code = serializers.CharField(help_text="The refusal's code (docs/error-codes.md); empty when free.")
    reason = serializers.CharField(help_text="The refusal in the person's language; empty when free.")


class BookingSeriesPreviewSerializer(serializers.Serializer):
    summary = serializers.CharField(help_text="The rule in words, in the person's language.")
    confirmed_at_once = serializers.BooleanField(help_text="False: each date waits for the owner's approval.")
    dates = BookingSeriesDateSerializer(many=True)


class BookingSeriesCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    summary = serializers.CharField()
    bookings = serializers.ListField(child=serializers.IntegerField(), help_text="The ids of its bookings.")


def _form(request: Request, membership, serializer_class) -> SeriesForm:
    vehicles = selectors.bookable_vehicles(membership)
    return cast(
        SeriesForm, validate_with(SeriesForm, request.data, serializer_class=serializer_class, vehicles=vehicles)
    )


class BookingSeriesPreviewView(ApiView):
    @extend_schema(
        operation_id="booking_series_preview",
        summary="The dates of a recurring booking, each free or with why it would be refused; nothing is booked",
        tags=[TAG],
        parameters=[COMMUNITY_ID],
        request=BookingSeriesInputSerializer,
        responses=BookingSeriesPreviewSerializer,
    )
    def post(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        form = _form(request, membership, BookingSeriesInputSerializer)
        preview = series_services.series_preview(
            membership=membership, vehicle=form.cleaned_data["vehicle"], rule=form.recurrence()
        )
        dates = [
            {
                "day": planned.day,
                "starts_at": planned.starts_at,
                "ends_at": planned.ends_at,
                "free": planned.free,
                "code": planned.code,
                "reason": planned.refusal,
            }
            for planned in preview.dates
        ]
        body = {"summary": preview.summary, "confirmed_at_once": preview.confirmed_at_once, "dates": dates}
        return Response(BookingSeriesPreviewSerializer(body).data)


class BookingSeriesView(ApiView):
    @extend_schema(
        operation_id="booking_series_create",
        summary="Book the chosen dates of a recurring booking: one ordinary booking per date, all or nothing",
        description="Each date follows the usual rules (requested when the owner must approve). A date refused "
        "since the preview refuses the whole series: 409 `series_occurrence_refused` with `params.date` and "
        "`params.code`; nothing is booked.",
        tags=[TAG],
        parameters=[COMMUNITY_ID],
        request=BookingSeriesSaveSerializer,
        responses={201: BookingSeriesCreatedSerializer},
    )
    def post(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        form = _form(request, membership, BookingSeriesSaveSerializer)
        days = BookingSeriesSaveSerializer(data=request.data)
        days.is_valid(raise_exception=True)
        made = series_services.series_create(
            membership=membership,
            vehicle=form.cleaned_data["vehicle"],
            rule=form.recurrence(),
            days=days.validated_data["days"],
            note=form.cleaned_data["note"],
        )
        body = {
            "id": made.pk,
            "summary": series_summary(made),
            "bookings": list(made.bookings.order_by("starts_at").values_list("pk", flat=True)),
        }
        return Response(BookingSeriesCreatedSerializer(body).data, status=status.HTTP_201_CREATED)


BookingCancelFollowingView = booking_action(
    "cancel_following",
    rules.can_cancel_series,
    MessageForm,
    series_services.series_cancel_following,
    "Cancel a date of a recurring booking and the following ones (the booker, the owner or an admin)",
    "Earlier dates stay; each date is cancelled as on its own (late within the minimum notice).",
)

urlpatterns = [
    path(
        "communities/<str:community_id>/booking-series/preview/",
        BookingSeriesPreviewView.as_view(),
        name="booking_series_preview",
    ),
    path("communities/<str:community_id>/booking-series/", BookingSeriesView.as_view(), name="booking_series"),
    path(
        "communities/<str:community_id>/bookings/<str:booking_id>/cancel-following/",
        BookingCancelFollowingView.as_view(),
        name="booking_cancel_following",
    ),
]
