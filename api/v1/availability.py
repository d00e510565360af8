"""``/api/v1/communities/{id}/availability/``: the free and busy time of the community's vehicles (or one)
over a range, as data: what the calendar page draws (``bookings.freebusy``, on the calendar's selectors).

Busy intervals say why: a booking (with whom, as the calendar shows every member), a blackout (with the
reason members see), outside the weekly windows, a paused vehicle. Every answer carries an ``ETag``
computed from a few aggregate queries (``bookings.selectors.calendar_fingerprint``) before the intervals
are: a client polling with ``If-None-Match`` gets ``304 Not Modified`` for the price of those queries.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import path
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView, membership_for
from api.v1.paths import id_parameters, path_id
from bookings.freebusy import BUSY_REASONS, MAX_RANGE, free_busy
from bookings.selectors import calendar_fingerprint
from bookings.timegrid import day_bounds
from colocauto.core.parsers import in_year_range
from communities.models import Membership

# Bump when the shape of the answer changes, so no client keeps a cached answer of the old shape.
FORMAT = "1"


class AvailabilityIntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()


class AvailabilityMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField()


class AvailabilityBookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField(help_text="requested, confirmed, in_progress or completed.")
    member = AvailabilityMemberSerializer(help_text="Who booked, as the calendar shows it to every member.")
    mine = serializers.BooleanField()


class AvailabilityBlackoutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reason = serializers.CharField()


class AvailabilityBusySerializer(AvailabilityIntervalSerializer):
    reason = serializers.ChoiceField(
        choices=BUSY_REASONS,
        help_text="booking; blackout; outside_window (outside the weekly windows); paused (the whole range).",
    )
    booking = AvailabilityBookingSerializer(allow_null=True)
    blackout = AvailabilityBlackoutSerializer(allow_null=True)


class VehicleAvailabilitySerializer(serializers.Serializer):
    vehicle_id = serializers.IntegerField()
    is_active = serializers.BooleanField()
    busy = AvailabilityBusySerializer(
        many=True,
        help_text="What holds the vehicle, sorted by start; entries may overlap. Bookings and blackouts keep "
        "their real start and end, closed time is cut to the range.",
    )
    free = AvailabilityIntervalSerializer(
        many=True,
        help_text="The parts of the range no busy entry covers (before the community's notice and advance rules).",
    )


class AvailabilitySerializer(serializers.Serializer):
    community_id = serializers.IntegerField()
    time_zone = serializers.CharField(help_text="The community's time zone; times are written with its offset.")
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    vehicles = VehicleAvailabilitySerializer(many=True)


def _moment(value: str | None, tz: tzinfo, name: str, *, end: bool) -> datetime:
    """A date (its local midnight; for ``end``, the next one, so the day is included) or an ISO 8601 date-time
    (in the community's time zone when it has no offset)."""
    if not value:
        raise serializers.ValidationError({name: [_("This parameter is required.")]})
    try:
        day = parse_date(value)  # only a date alone: "2030-03-04T10:00" is not one
        moment = parse_datetime(value) if day is None else None
    except ValueError:
        moment, day = None, None
    if day is not None and in_year_range(day):
        return day_bounds(day, tz)[1 if end else 0]
    if moment is None or not in_year_range(moment):
        raise serializers.ValidationError(
            {name: [_("Enter a date (YYYY-MM-DD) or a date and time in ISO 8601, between 1900 and 2999.")]}
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _range(request: Request, membership: Membership) -> tuple[datetime, datetime]:
    tz = ZoneInfo(membership.community.time_zone)
    start = _moment(request.query_params.get("start"), tz, "start", end=False)
    end = _moment(request.query_params.get("end"), tz, "end", end=True)
    if end <= start:
        raise serializers.ValidationError({"end": [_("The end must be after the start.")]})
    if end - start > MAX_RANGE:
        raise serializers.ValidationError(
            {"end": [_("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE.days}]}
        )
    return start, end


def _vehicle_param(request: Request) -> int | None:
    value = request.query_params.get("vehicle")
    if value in (None, ""):
        return None
    if not value.isascii() or not value.isdecimal():
        raise serializers.ValidationError({"vehicle": [_("Give a vehicle's id.")]})
    return path_id(value)


def _etag(request: Request, membership: Membership, vehicle_id: int | None, start: datetime, end: datetime) -> str:
    fingerprint = calendar_fingerprint(membership, vehicle_id=vehicle_id, start=start, end=end)
    key = repr((FORMAT, request.user.pk, membership.community.time_zone, vehicle_id, start, end, fingerprint))
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _matches(request: Request, etag: str) -> bool:
    sent = request.headers.get("If-None-Match", "")
    return sent.strip() == "*" or etag in {tag.strip().removeprefix("W/") for tag in sent.split(",")}


def _data(membership: Membership, vehicle_id: int | None, start: datetime, end: datetime) -> dict[str, Any]:
    user_id = membership.user_id
    vehicles = []
    for row in free_busy(membership, vehicle_id=vehicle_id, start=start, end=end):
        busy = []
        for entry in row.busy:
            booking = entry.booking
            busy.append(
                {
                    "start": entry.starts_at,
                    "end": entry.ends_at,
                    "reason": entry.reason,
                    "booking": {
                        "id": booking.pk,
                        "status": booking.status,
                        "member": {"id": booking.member_id, "display_name": booking.member_name},
                        "mine": booking.member_id == user_id,
                    }
                    if booking
                    else None,
                    "blackout": {"id": entry.blackout.pk, "reason": entry.blackout.reason} if entry.blackout else None,
                }
            )
        vehicles.append(
            {
                "vehicle_id": row.vehicle.pk,
                "is_active": row.vehicle.is_active,
                "busy": busy,
                "free": [{"start": s, "end": e} for s, e in row.free],
            }
        )
    return {
        "community_id": membership.community_id,
        "time_zone": membership.community.time_zone,
        "start": start,
        "end": end,
        "vehicles": vehicles,
    }


_PARAMETERS = [
    OpenApiParameter(
        "start",
        OpenApiTypes.STR,
        required=True,
        description="Start of the range: a date (from its local midnight) or an ISO 8601 date-time "
        "(the community's time zone when it has no offset).",
    ),
    OpenApiParameter(
        "end",
        OpenApiTypes.STR,
        required=True,
        description=f"End of the range: a date (included, up to its local midnight) or an ISO 8601 date-time. "
        f"At most {MAX_RANGE.days} days after the start.",
    ),
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="The ETag of an earlier answer: 304 while nothing it shows has changed.",
    ),
]
_RESPONSES = {
    200: OpenApiResponse(AvailabilitySerializer, description="The free and busy intervals; `ETag` header."),
    304: OpenApiResponse(description="Nothing changed since the answer whose ETag was sent."),
}


class AvailabilityView(ApiView):
    """One view for the community's vehicles and for one vehicle: the same answer, filtered."""

    def get(self, request: Request, community_id: str, vehicle_id: str | None = None) -> Response:
        membership = membership_for(request, community_id)
        start, end = _range(request, membership)
        vehicle = _vehicle_param(request) if vehicle_id is None else path_id(vehicle_id)
        etag = _etag(request, membership, vehicle, start, end)
        headers = {"ETag": etag, "Cache-Control": "private, no-cache", "Vary": "Authorization, Cookie"}
        if _matches(request, etag):
            return Response(status=304, headers=headers)
        data = _data(membership, vehicle, start, end)
        return Response(AvailabilitySerializer(data).data, headers=headers)


class CommunityAvailability(AvailabilityView):
    @extend_schema(
        operation_id="availability_read",
        summary="Free and busy time of the community's vehicles (or one: `vehicle`) over a range",
        parameters=[
            *id_parameters("community_id"),
            *_PARAMETERS,
            OpenApiParameter("vehicle", OpenApiTypes.INT, description="Only this vehicle's availability."),
        ],
        responses=_RESPONSES,
    )
    def get(self, request: Request, community_id: str, vehicle_id: str | None = None) -> Response:
        return super().get(request, community_id)


class VehicleAvailability(AvailabilityView):
    @extend_schema(
        operation_id="vehicles_availability",
        summary="Free and busy time of one vehicle over a range",
        parameters=[*id_parameters("community_id", "vehicle_id"), *_PARAMETERS],
        responses=_RESPONSES,
    )
    def get(self, request: Request, community_id: str, vehicle_id: str | None = None) -> Response:
        return super().get(request, community_id, vehicle_id)


urlpatterns = [
    path("communities/<str:community_id>/availability/", CommunityAvailability.as_view(), name="availability"),
    path(
        "communities/<str:community_id>/vehicles/<str:vehicle_id>/availability/",
        VehicleAvailability.as_view(),
        name="vehicle_availability",
    ),
]
