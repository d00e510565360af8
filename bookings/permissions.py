"""Who may do what with a booking. Services enforce these; views use them to show the allowed actions."""

from django.core.exceptions import ObjectDoesNotExist

from bookings.models import Booking
from communities.models import Membership


def is_booker(membership: Membership, booking: Booking) -> bool:
    return membership.is_active and booking.member_id == membership.user_id


def may_decide(membership: Membership, booking: Booking) -> bool:
    """The vehicle's owner or a community admin (the only deciders for a community-owned vehicle)."""
    if not membership.is_active or booking.community_id != membership.community_id:
        return False
    return membership.is_admin or (
        booking.vehicle.owner_id is not None and booking.vehicle.owner_id == membership.user_id
    )


def may_manage(membership: Membership, booking: Booking) -> bool:
    """Cancel or change times: the booker, the owner or an admin."""
    return is_booker(membership, booking) or may_decide(membership, booking)


def sees_vehicle_record(membership: Membership, booking: Booking) -> bool:
    """Unlogged km and incident photos are for the people answerable for the car and its driver."""
    return may_manage(membership, booking)


def can_confirm(membership: Membership, booking: Booking) -> bool:
    return booking.status == Booking.Status.REQUESTED and may_decide(membership, booking)


def can_cancel(membership: Membership, booking: Booking) -> bool:
    return booking.status in (Booking.Status.REQUESTED, Booking.Status.CONFIRMED) and may_manage(membership, booking)


def can_change(membership: Membership, booking: Booking) -> bool:
    return can_cancel(membership, booking) and not has_trip(booking)


def can_extend(membership: Membership, booking: Booking) -> bool:
    return booking.status == Booking.Status.IN_PROGRESS and may_manage(membership, booking)


def can_start_trip(membership: Membership, booking: Booking) -> bool:
    return booking.status == Booking.Status.CONFIRMED and is_booker(membership, booking) and not has_trip(booking)


def can_complete_trip(membership: Membership, booking: Booking) -> bool:
    trip = booking.trip if has_trip(booking) else None
    return trip is not None and not trip.is_completed and trip.driver_id == membership.user_id and membership.is_active


def has_trip(booking: Booking) -> bool:
    """Whether the booking has a trip (reverse one-to-one access raises when there is none)."""
    try:
        booking.trip  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True
