"""Who may do what with a booking or a trip: one predicate per rule, and nothing else.

Services enforce them (raising ``NotAllowed``), views use the same functions to answer 403 before showing
a form and to offer only the allowed actions (templates get their answers in the context), and the API
will call them too. The rules of the lower layers are used, never copied: an active member and an admin
come from ``communities.rules``, a vehicle's managers (its owner or an admin) from vehicles.
"""

from django.core.exceptions import ObjectDoesNotExist

from bookings.models import Booking, Trip
from communities.models import Membership, User
from communities.rules import is_active_member, is_admin
from vehicles.models import Vehicle
from vehicles.rules import can_manage

# Statuses in which the booker can still cancel or change a booking (before the trip is under way).
OPEN_STATUSES = (Booking.Status.REQUESTED, Booking.Status.CONFIRMED)


def may_book(membership: Membership, vehicle: Vehicle) -> bool:
    """Only an active member books, and only the vehicles of their own community."""
    return is_active_member(membership) and vehicle.community_id == membership.community_id


def may_follow(user: User, vehicle: Vehicle) -> bool:
    """A vehicle's calendar feed is for the active members of its community: it stops when they leave."""
    return Membership.objects.filter(
        user=user, community_id=vehicle.community_id, status=Membership.Status.ACTIVE
    ).exists()


def books_without_approval(membership: Membership, vehicle: Vehicle) -> bool:
    """A booking is confirmed at once unless the community wants the keeper's approval and the member is
    not the keeper: the owner, or for a community-owned vehicle an admin."""
    if not membership.community.owner_approval_required:
        return True
    if vehicle.owner_id is None:
        return is_admin(membership)
    return vehicle.owner_id == membership.user_id


def is_booker(membership: Membership, booking: Booking) -> bool:
    return is_active_member(membership) and booking.member_id == membership.user_id


def is_driver(membership: Membership, trip: Trip) -> bool:
    """Only the driver records the end of their trip."""
    return is_active_member(membership) and trip.driver_id == membership.user_id


def may_decide(membership: Membership, booking: Booking) -> bool:
    """Answer a request: the people who manage the vehicle (``vehicles.rules.can_manage``)."""
    return booking.community_id == membership.community_id and can_manage(membership, booking.vehicle)


def may_manage(membership: Membership, booking: Booking) -> bool:
    """Cancel, change the times or extend: the booker, or whoever may decide on the booking."""
    return is_booker(membership, booking) or may_decide(membership, booking)


def sees_vehicle_record(membership: Membership, booking: Booking) -> bool:
    """Unlogged km and incident photos are for the people answerable for the car and its driver."""
    return may_manage(membership, booking)


def can_confirm(membership: Membership, booking: Booking) -> bool:
    return booking.status == Booking.Status.REQUESTED and may_decide(membership, booking)


def can_cancel(membership: Membership, booking: Booking) -> bool:
    return booking.status in OPEN_STATUSES and may_manage(membership, booking)


def can_change(membership: Membership, booking: Booking) -> bool:
    return can_cancel(membership, booking) and not has_trip(booking)


def can_extend(membership: Membership, booking: Booking) -> bool:
    return booking.status == Booking.Status.IN_PROGRESS and may_manage(membership, booking)


def can_start_trip(membership: Membership, booking: Booking) -> bool:
    return booking.status == Booking.Status.CONFIRMED and is_booker(membership, booking) and not has_trip(booking)


def can_complete_trip(membership: Membership, booking: Booking) -> bool:
    trip = booking.trip if has_trip(booking) else None
    return trip is not None and not trip.is_completed and is_driver(membership, trip)


def has_trip(booking: Booking) -> bool:
    """Whether the booking has a trip (reverse one-to-one access raises when there is none)."""
    try:
        booking.trip  # noqa: B018
    except ObjectDoesNotExist:
        return False
    return True


def can_cancel_series(membership: Membership, booking: Booking) -> bool:
    """Cancel an occurrence of a recurring booking and the following ones: whoever may cancel each."""
    return booking.series_id is not None and can_cancel(membership, booking)


def can_change_series(membership: Membership, booking: Booking) -> bool:
    """Replace an occurrence and the following ones by new dates: only the booker, whose bookings they become."""
    return booking.series_id is not None and is_booker(membership, booking) and can_change(membership, booking)
