"""What the API says about a booking, its trip and its history: the serializers and the one function that
builds a booking's representation for a viewer, showing what the detail page shows to that person."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from bookings import rules, selectors, trips
from bookings.formatting import history_rows
from bookings.models import Booking, BookingEvent, Trip
from communities.models import Membership, User
from ledger.selectors import trip_charged


class BookingVehicleSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class BookingPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    display_name = serializers.CharField(source="name", help_text="The name members see (never an e-mail address).")


class BookingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    vehicle = BookingVehicleSerializer()
    member = BookingPersonSerializer(help_text="Who booked.")
    starts_at = serializers.DateTimeField(help_text="ISO 8601, with the community's offset.")
    ends_at = serializers.DateTimeField(help_text="ISO 8601, with the community's offset (excluded).")
    status = serializers.ChoiceField(choices=Booking.Status.choices)
    cancelled_late = serializers.BooleanField(help_text="Cancelled within the community's minimum notice.")
    updated_at = serializers.DateTimeField()


class BookingIncidentSerializer(serializers.Serializer):
    description = serializers.CharField()
    reported_by = BookingPersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    photos = serializers.IntegerField(help_text="How many photos were attached (shown on the web page).")


class BookingTripSerializer(serializers.Serializer):
    driver = BookingPersonSerializer()
    start_odometer = serializers.IntegerField()
    end_odometer = serializers.IntegerField(allow_null=True)
    distance_km = serializers.IntegerField(allow_null=True)
    duration_minutes = serializers.IntegerField(allow_null=True, help_text="How long the car was held.")
    fuel_level = serializers.ChoiceField(choices=Trip.FuelLevel.choices, allow_blank=True)
    notes = serializers.CharField(allow_blank=True)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    unlogged_km = serializers.IntegerField(
        allow_null=True,
        help_text="Km driven since the last recorded trip without being logged (booker, owner and admins only).",
    )
    charge = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="What the driver was charged for the trip, net of any reversal; null when nothing was posted "
        "(booker, owner and admins only).",
    )
    incidents = BookingIncidentSerializer(many=True, help_text="Booker, owner and admins only.")


class BookingActionsSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    decline = serializers.BooleanField()
    cancel = serializers.BooleanField()
    change = serializers.BooleanField()
    extend = serializers.BooleanField()
    start_trip = serializers.BooleanField()
    end_trip = serializers.BooleanField()


class BookingDetailSerializer(BookingSerializer):
    time_zone = serializers.CharField(help_text="IANA time zone of the community.")
    note = serializers.CharField(allow_blank=True)
    decision_message = serializers.CharField(allow_blank=True, help_text="The message of the last answer.")
    decision_reason = serializers.ChoiceField(
        choices=Booking.Reason.choices, allow_blank=True, help_text="Why the application cancelled it, if it did."
    )
    created_at = serializers.DateTimeField()
    parking_location = serializers.CharField(allow_blank=True, help_text="For the booker while the booking holds.")
    instructions = serializers.CharField(allow_blank=True, help_text="For the booker while the booking holds.")
    trip_opens_at = serializers.DateTimeField(help_text="The earliest moment the trip may start.")
    trip = BookingTripSerializer(allow_null=True)
    actions = BookingActionsSerializer(help_text="What this person may do now, as the page offers it.")


class BookingHistoryLineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=BookingEvent.Kind.choices)
    label = serializers.CharField(help_text="What happened, in the person's language.")
    actor = BookingPersonSerializer(allow_null=True)
    at = serializers.DateTimeField()
    lines = serializers.ListField(
        child=serializers.CharField(), help_text="The page's lines, in the person's language."
    )
    details = serializers.DictField(help_text="The same facts as data: times, odometers, status, message, reason code.")


def _trip(membership: Membership, booking: Booking, trip: Trip) -> dict[str, Any]:
    sees_record = rules.sees_vehicle_record(membership, booking)
    incidents = selectors.trip_incidents(trip) if sees_record else []
    return {
        "driver": trip.driver,
        "start_odometer": trip.start_odometer,
        "end_odometer": trip.end_odometer,
        "distance_km": trip.distance_km,
        "duration_minutes": int(trip.duration.total_seconds() // 60) if trip.duration is not None else None,
        "fuel_level": trip.fuel_level,
        "notes": trip.notes,
        "started_at": trip.started_at,
        "ended_at": trip.ended_at,
        "unlogged_km": trip.unlogged_km if sees_record else None,
        "charge": trip_charged(trip) if sees_record and trip.is_completed else None,
        "incidents": [
            {
                "description": incident.description,
                "reported_by": incident.reported_by,
                "created_at": incident.created_at,
                "photos": len(incident.photos.all()),
            }
            for incident in incidents
        ],
    }


def booking_detail(membership: Membership, pk: int) -> dict[str, Any]:
    """The booking as its page shows it to this member (read afresh, with its trip)."""
    booking = selectors.booking_get(membership, pk)
    trip = booking.trip if rules.has_trip(booking) else None
    directions = rules.is_booker(membership, booking) and booking.holds_slot
    data = {name: getattr(booking, name) for name in BookingSerializer().fields}
    data.update(
        time_zone=booking.community.time_zone,
        note=booking.note,
        decision_message=booking.decision_message,
        decision_reason=booking.decision_reason,
        created_at=booking.created_at,
        parking_location=booking.vehicle.parking_location if directions else "",
        instructions=booking.vehicle.instructions if directions else "",
        trip_opens_at=trips.trip_opens_at(booking),
        trip=_trip(membership, booking, trip) if trip else None,
        actions={
            "approve": rules.can_confirm(membership, booking),
            "decline": rules.can_confirm(membership, booking),
            "cancel": rules.can_cancel(membership, booking),
            "change": rules.can_change(membership, booking),
            "extend": rules.can_extend(membership, booking),
            "start_trip": rules.can_start_trip(membership, booking) and timezone.now() >= trips.trip_opens_at(booking),
            "end_trip": rules.can_complete_trip(membership, booking),
        },
    )
    return BookingDetailSerializer(data).data


def history_lines(events: list[BookingEvent]) -> list[dict[str, Any]]:
    """The history page's rows (in the person's language) with the facts they come from."""
    lines = []
    for event, row in zip(events, history_rows(events), strict=True):
        actor: User | None = event.actor
        lines.append(
            {
                "kind": event.kind,
                "label": row.label,
                "actor": actor,
                "at": event.created_at,
                "lines": row.lines,
                "details": event.details or {},
            }
        )
    return BookingHistoryLineSerializer(lines, many=True).data
