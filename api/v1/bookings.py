"""``/api/v1/communities/{id}/bookings/``: the community's bookings (a calendar clients can poll with
``ETag``/``Last-Modified``), booking, answering, changing, extending and cancelling, and the history.

Each action is the page's: the same form (``api.forms.validate_with``), the same rule before the form (403
as on the page), the same service; its refusals keep their codes (a taken slot: 409 ``booking_conflict``
with the other booking's interval in ``params``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.urls import path, reverse
from django.utils import translation
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, ListApiView, membership_for
from api.forms import form_serializer, validate_with
from api.v1.booking_data import (
    BookingDetailSerializer,
    BookingHistoryLineSerializer,
    BookingSerializer,
    booking_detail,
    history_lines,
)
from api.v1.paths import path_id
from bookings import rules, selectors, series, services
from bookings.forms import BookingForm, ChangeTimesForm, ExtendForm, MessageForm, RequestAnswerForm
from bookings.models import Booking
from colocauto.core.parsers import MAX_ID, validate_year_range

TAG = "Bookings"


# Path parameters are taken as text and parsed (``parse_id``): "abc" or a 30-digit id is a JSON 404,
# never the HTML page of an unmatched URL.
COMMUNITY_ID = OpenApiParameter("community_id", int, OpenApiParameter.PATH, description="The community's id.")
BOOKING_ID = OpenApiParameter("booking_id", int, OpenApiParameter.PATH, description="The booking's id.")
ON_BOOKING = [COMMUNITY_ID, BOOKING_ID]


def detail_url(request: Request, community_id: int, pk: int) -> str:
    return request.build_absolute_uri(reverse("api:booking", kwargs={"community_id": community_id, "booking_id": pk}))


# --- the list and its validators -------------------------------------------------------------------


class BookingFilterSerializer(serializers.Serializer):
    vehicle = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this vehicle's bookings (its id)."
    )
    member = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this person's bookings (their id)."
    )
    status = serializers.MultipleChoiceField(
        choices=Booking.Status.choices, required=False, help_text="Only these statuses (repeat the parameter)."
    )
    start = serializers.DateTimeField(
        required=False,
        help_text="Only bookings ending after this moment (ISO 8601; without an offset: the community's time).",
    )
    end = serializers.DateTimeField(
        required=False,
        help_text="Only bookings starting before this moment (ISO 8601; without an offset: the community's time).",
    )

    def validate_start(self, value):
        return _in_years(value)

    def validate_end(self, value):
        return _in_years(value)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must be after the start.")]})
        return attrs


def _in_years(value):
    try:
        validate_year_range(value)
    except forms.ValidationError as error:
        raise serializers.ValidationError(error.messages) from None
    return value


def _filters(request: Request) -> dict[str, Any]:
    query = BookingFilterSerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    return {
        "vehicle_id": data.get("vehicle"),
        "member_id": data.get("member"),
        "statuses": sorted(data.get("status") or ()),
        "start": data.get("start"),
        "end": data.get("end"),
    }


def _validators(request: Request, bookings) -> dict[str, str]:
    """``ETag`` and ``Last-Modified`` of this list for this person: one aggregate query, no rows read."""
    count, changed = selectors.bookings_version(bookings)
    version = f"{request.user.pk}|{translation.get_language()}|{request.get_full_path()}|{count}|{changed}"
    headers = {
        "ETag": '"' + hashlib.sha256(version.encode()).hexdigest()[:32] + '"',
        # Kept by the client but checked again each time (the pages' "no-store" would forbid revalidating).
        "Cache-Control": "private, no-cache",
    }
    if changed is not None:
        headers["Last-Modified"] = http_date(changed.timestamp())
    return headers


def _not_modified(request: Request, headers: dict[str, str]) -> bool:
    """RFC 9110: ``If-None-Match`` when sent, else ``If-Modified-Since``."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match:
        tags = parse_etags(if_none_match)
        return "*" in tags or headers["ETag"] in tags or headers["ETag"] in {t.removeprefix("W/") for t in tags}
    since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
    last_modified = parse_http_date_safe(headers.get("Last-Modified", ""))
    return since is not None and last_modified is not None and last_modified <= since


_VALIDATOR_HEADERS = [
    OpenApiParameter(
        "ETag", str, OpenApiParameter.HEADER, response=[200, 304], description="Send it back in If-None-Match."
    ),
    OpenApiParameter(
        "Last-Modified",
        str,
        OpenApiParameter.HEADER,
        response=[200, 304],
        description="The latest change of the listed bookings (absent when none is listed).",
    ),
    OpenApiParameter(
        "If-None-Match",
        str,
        OpenApiParameter.HEADER,
        description="The ETag of the list you have: 304 without a body when nothing changed.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        str,
        OpenApiParameter.HEADER,
        description="HTTP date: 304 when no listed booking changed since (ignored when If-None-Match is sent).",
    ),
]


class BookingInputSerializer(serializers.Serializer):
    """The booking page's form (``BookingForm``), which checks the values."""

    vehicle = serializers.IntegerField(help_text="The vehicle's id (an active vehicle of the community).")
    starts_at = serializers.DateTimeField(help_text="ISO 8601; without an offset: the community's time.")
    ends_at = serializers.DateTimeField(help_text="ISO 8601; without an offset: the community's time.")
    note = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=500, help_text="Where you are going…"
    )


class BookingsView(ListApiView):
    serializer_class = BookingSerializer

    @extend_schema(
        operation_id="bookings_list",
        summary="The community's bookings, soonest first (filter by vehicle, member, status, range)",
        tags=[TAG],
        parameters=[COMMUNITY_ID, BookingFilterSerializer, *_VALIDATOR_HEADERS],
        responses={200: BookingSerializer(many=True), 304: OpenApiResponse(description="Not modified: no body.")},
    )
    def get(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        bookings = selectors.bookings_for(membership, **_filters(request))
        validators = _validators(request, bookings)
        if _not_modified(request, validators):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=validators)
        page = self.paginate_queryset(bookings)
        response = self.get_paginated_response(BookingSerializer(page, many=True).data)
        for name, value in validators.items():
            response[name] = value
        return response

    @extend_schema(
        operation_id="booking_create",
        summary="Book a vehicle: confirmed at once, or requested when the owner must approve",
        tags=[TAG],
        parameters=[COMMUNITY_ID],
        request=BookingInputSerializer,
        responses={201: BookingDetailSerializer},
    )
    def post(self, request: Request, community_id: str) -> Response:
        membership = membership_for(request, community_id)
        vehicles = selectors.bookable_vehicles(membership)
        form = validate_with(BookingForm, request.data, serializer_class=BookingInputSerializer, vehicles=vehicles)
        booking = services.booking_create(membership=membership, **form.cleaned_data)
        url = detail_url(request, membership.community_id, booking.pk)
        return Response(
            booking_detail(membership, booking.pk), status=status.HTTP_201_CREATED, headers={"Location": url}
        )


class BookingView(ApiView):
    @extend_schema(
        operation_id="booking_read",
        summary="A booking as its page shows it, with its trip and what I may do",
        tags=[TAG],
        parameters=ON_BOOKING,
        responses=BookingDetailSerializer,
    )
    def get(self, request: Request, community_id: str, booking_id: str) -> Response:
        membership = membership_for(request, community_id)
        return Response(booking_detail(membership, path_id(booking_id)))


class BookingHistoryView(ListApiView):
    serializer_class = BookingHistoryLineSerializer

    @extend_schema(
        operation_id="booking_history",
        summary="The booking's history, oldest first",
        tags=[TAG],
        parameters=ON_BOOKING,
        responses=BookingHistoryLineSerializer(many=True),
    )
    def get(self, request: Request, community_id: str, booking_id: str) -> Response:
        membership = membership_for(request, community_id)
        booking = selectors.booking_get(membership, path_id(booking_id))
        page = self.paginate_queryset(selectors.booking_history(booking))
        return self.get_paginated_response(history_lines(page))


# --- actions on one booking ---------------------------------------------------------------------------


class BookingActionView(ApiView):
    """POST the page's form: 403 unless ``rule`` lets the member act (before the form, as the page),
    then ``service`` with the form's fields; the booking as it is now."""

    rule: ClassVar[Callable[..., bool]]
    form_class: ClassVar[type[forms.Form]]
    service: ClassVar[Callable[..., Booking]]

    def post(self, request: Request, community_id: str, booking_id: str) -> Response:
        membership = membership_for(request, community_id)
        booking = selectors.booking_get_allowed(membership, path_id(booking_id), type(self).rule)
        form = validate_with(self.form_class, request.data)
        type(self).service(membership=membership, booking=booking, **form.cleaned_data)
        return Response(booking_detail(membership, booking.pk))


def booking_action(
    name: str, rule, form_class, service, summary: str, description: str, *, tag: str = TAG
) -> type[BookingActionView]:
    """The view of one action (``booking_<name>`` in the schema) on a booking."""
    schema = extend_schema(
        operation_id=f"booking_{name}",
        summary=summary,
        description=description,
        tags=[tag],
        parameters=ON_BOOKING,
        request=form_serializer(form_class),
        responses=BookingDetailSerializer,
    )
    view = type(
        "Booking" + name.title().replace("_", "") + "View",
        (BookingActionView,),
        {"rule": staticmethod(rule), "form_class": form_class, "service": staticmethod(service)},
    )
    return extend_schema_view(post=schema)(view)


BookingApproveView = booking_action(
    "approve",
    rules.may_decide,
    RequestAnswerForm,
    series.confirm_with_following,
    "Approve a request (the vehicle's owner or an admin)",
    "The booking is confirmed; `booking_not_requested` when it was already answered. With `following`, the later "
    "dates of its recurring booking that still wait are confirmed too (all or nothing), and the booker gets one "
    "e-mail listing them.",
)
BookingDeclineView = booking_action(
    "decline",
    rules.may_decide,
    RequestAnswerForm,
    series.reject_with_following,
    "Decline a request (the vehicle's owner or an admin)",
    "The booking is rejected and frees its slot; `booking_not_requested` when it was already answered. With "
    "`following`, the later dates of its recurring booking that still wait are declined too.",
)
BookingCancelView = booking_action(
    "cancel",
    rules.may_manage,
    MessageForm,
    services.booking_cancel,
    "Cancel a requested or confirmed booking (the booker, the owner or an admin)",
    "Within the community's minimum notice the cancellation is marked late (`cancelled_late`).",
)
BookingChangeView = booking_action(
    "change",
    rules.may_manage,
    ChangeTimesForm,
    services.booking_change_times,
    "Change the times of a booking not yet started",
    "Checked like a new booking (409 `booking_conflict` when another booking holds the new times). A confirmed "
    "booking moved beyond its approved times waits for the owner's approval again.",
)
BookingExtendView = booking_action(
    "extend",
    rules.may_manage,
    ExtendForm,
    services.booking_extend,
    "Extend a booking in progress",
    "The new end must be later; the vehicle must be free and available until then.",
)


def _booking(suffix: str) -> str:
    return f"communities/<str:community_id>/bookings/<str:booking_id>/{suffix}"


urlpatterns = [
    path("communities/<str:community_id>/bookings/", BookingsView.as_view(), name="bookings"),
    path(_booking(""), BookingView.as_view(), name="booking"),
    path(_booking("history/"), BookingHistoryView.as_view(), name="booking_history"),
    path(_booking("approve/"), BookingApproveView.as_view(), name="booking_approve"),
    path(_booking("decline/"), BookingDeclineView.as_view(), name="booking_decline"),
    path(_booking("cancel/"), BookingCancelView.as_view(), name="booking_cancel"),
    path(_booking("change/"), BookingChangeView.as_view(), name="booking_change"),
    path(_booking("extend/"), BookingExtendView.as_view(), name="booking_extend"),
]
