"""The booking life-cycle: every refusal explains itself, the slot is held, history is kept."""

from datetime import datetime, timedelta

import pytest
from django.db import OperationalError
from django.utils import timezone, translation

from bookings import services
from bookings.errors import BookingConflict, BookingRefused
from bookings.models import Booking, BookingEvent
from colocauto.core.errors import NotAllowed
from tests import factories
from tests.bookings.conftest import local, membership_of
from tests.factories import VehicleFactory, member_of
from vehicles.models import AvailabilityWindow, Blackout

pytestmark = pytest.mark.usefixtures("english")


def book(user, vehicle, start, end, note=""):
    return services.booking_create(
        membership=membership_of(user, vehicle.community), vehicle=vehicle, starts_at=start, ends_at=end, note=note
    )


def test_member_booking_waits_for_owner_approval(member, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12), note="market")
    assert booking.status == Booking.Status.REQUESTED
    assert booking.note == "market"
    assert booking.events.get().kind == BookingEvent.Kind.CREATED


def test_owner_booking_is_confirmed_at_once(owner, vehicle):
    assert book(owner, vehicle, local(2, 10), local(2, 12)).status == Booking.Status.CONFIRMED


def test_booking_is_confirmed_when_the_community_needs_no_approval(member, vehicle, community):
    community.owner_approval_required = False
    community.save()
    assert book(member, vehicle, local(2, 10), local(2, 12)).status == Booking.Status.CONFIRMED


def test_community_vehicle_requests_are_approved_by_admins(member, admin_user, community):
    shared = VehicleFactory(community=community, owner=None)
    assert book(member, shared, local(2, 10), local(2, 12)).status == Booking.Status.REQUESTED
    assert book(admin_user, shared, local(3, 10), local(3, 12)).status == Booking.Status.CONFIRMED


def test_end_before_start_is_refused(member, vehicle):
    with pytest.raises(BookingRefused, match="The end must be after the start."):
        book(member, vehicle, local(2, 12), local(2, 12))


def test_paused_vehicle_is_refused(member, vehicle):
    vehicle.is_active = False
    vehicle.save()
    with pytest.raises(BookingRefused, match="paused"):
        book(member, vehicle, local(2, 10), local(2, 12))


def test_start_in_the_past_is_refused(member, vehicle):
    with pytest.raises(BookingRefused, match="The start is in the past."):
        book(member, vehicle, local(-1, 10), local(2, 12))


def test_minimum_notice_is_enforced(member, vehicle, community):
    community.min_notice = timedelta(hours=48)
    community.save()
    soon = timezone.now() + timedelta(hours=3)
    with pytest.raises(BookingRefused, match="at least 2 days before they start"):
        book(member, vehicle, soon, soon + timedelta(hours=1))


def test_maximum_duration_is_enforced(member, vehicle, community):
    community.max_duration = timedelta(hours=24)
    community.save()
    with pytest.raises(BookingRefused, match="at most 1 day"):
        book(member, vehicle, local(2, 10), local(3, 11))


def test_maximum_advance_is_enforced(member, vehicle, community):
    community.max_advance = timedelta(days=30)
    community.save()
    with pytest.raises(BookingRefused, match="at most 30 days ahead"):
        book(member, vehicle, local(40, 10), local(40, 12))


def test_outside_availability_is_refused(member, vehicle):
    for weekday in range(7):
        AvailabilityWindow.objects.create(vehicle=vehicle, weekday=weekday, start_time="08:00", end_time="18:00")
    with pytest.raises(BookingRefused, match="outside the vehicle's availability"):
        book(member, vehicle, local(2, 17), local(2, 19))


def test_blackout_is_refused_with_its_reason(member, vehicle):
    Blackout.objects.create(vehicle=vehicle, starts_at=local(2, 0), ends_at=local(3, 0), reason="annual service")
    with pytest.raises(BookingRefused, match="annual service"):
        book(member, vehicle, local(2, 10), local(2, 12))


def test_overlapping_booking_is_refused(member, owner, vehicle):
    book(owner, vehicle, local(2, 10), local(2, 12))
    with pytest.raises(BookingConflict, match="already booked from"):
        book(member, vehicle, local(2, 11), local(2, 13))


def test_requested_booking_holds_the_slot(member, admin_user, vehicle):
    book(member, vehicle, local(2, 10), local(2, 12))
    with pytest.raises(BookingConflict):
        book(admin_user, vehicle, local(2, 9), local(2, 11))


def test_back_to_back_bookings_are_allowed(member, owner, vehicle):
    book(owner, vehicle, local(2, 10), local(2, 12))
    assert book(member, vehicle, local(2, 12), local(2, 14)).pk
    assert book(member, vehicle, local(2, 8), local(2, 10)).pk


def test_cancelled_and_rejected_bookings_free_the_slot(member, owner, vehicle):
    first = book(member, vehicle, local(2, 10), local(2, 12))
    services.booking_reject(membership=membership_of(owner, vehicle.community), booking=first)
    second = book(member, vehicle, local(2, 10), local(2, 12))
    services.booking_cancel(membership=membership_of(member, vehicle.community), booking=second)
    assert book(owner, vehicle, local(2, 10), local(2, 12)).status == Booking.Status.CONFIRMED


def test_outsider_cannot_book_another_communitys_vehicle(outsider, vehicle, other_community):
    with pytest.raises(NotAllowed):
        services.booking_create(
            membership=membership_of(outsider, other_community),
            vehicle=vehicle,
            starts_at=local(2, 10),
            ends_at=local(2, 12),
        )


def test_owner_confirms_a_request_with_a_message(member, owner, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    services.booking_confirm(membership=membership_of(owner, vehicle.community), booking=booking, message="Keys in box")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    assert booking.decision_message == "Keys in box"
    event = booking.events.get(kind=BookingEvent.Kind.CONFIRMED)
    assert event.actor == owner and event.details["message"] == "Keys in box"


def test_admin_may_reject_a_request(member, admin_user, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    services.booking_reject(membership=membership_of(admin_user, vehicle.community), booking=booking, message="No")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REJECTED


def test_member_cannot_confirm_someone_elses_request(member, vehicle, community):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    neighbour = member_of(community)
    with pytest.raises(NotAllowed):
        services.booking_confirm(membership=membership_of(neighbour, community), booking=booking)
    with pytest.raises(NotAllowed):
        services.booking_confirm(membership=membership_of(member, community), booking=booking)


def test_confirming_twice_is_refused(member, owner, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    services.booking_confirm(membership=membership_of(owner, vehicle.community), booking=booking)
    with pytest.raises(BookingRefused, match="no longer waiting"):
        services.booking_confirm(membership=membership_of(owner, vehicle.community), booking=booking)


def test_changing_times_is_revalidated_and_kept_in_history(member, owner, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    services.booking_confirm(membership=membership_of(owner, vehicle.community), booking=booking)
    book(owner, vehicle, local(2, 14), local(2, 16))
    membership = membership_of(member, vehicle.community)
    with pytest.raises(BookingConflict):
        services.booking_change_times(
            membership=membership, booking=booking, starts_at=local(2, 11), ends_at=local(2, 15)
        )
    # Overlapping its own old times is fine.
    services.booking_change_times(membership=membership, booking=booking, starts_at=local(2, 11), ends_at=local(2, 14))
    booking.refresh_from_db()
    assert (booking.starts_at, booking.ends_at) == (local(2, 11), local(2, 14))
    assert booking.status == Booking.Status.REQUESTED  # new times need the owner's approval again
    event = booking.events.get(kind=BookingEvent.Kind.CHANGED)
    assert event.actor == member
    assert datetime.fromisoformat(event.details["old_starts_at"]) == local(2, 10)
    assert datetime.fromisoformat(event.details["starts_at"]) == local(2, 11)


def test_owner_changing_a_booking_keeps_it_confirmed(member, owner, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    owner_membership = membership_of(owner, vehicle.community)
    services.booking_confirm(membership=owner_membership, booking=booking)
    services.booking_change_times(
        membership=owner_membership, booking=booking, starts_at=local(2, 9), ends_at=local(2, 12)
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_other_member_cannot_change_or_cancel(member, vehicle, community):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    neighbour = member_of(community)
    with pytest.raises(NotAllowed):
        services.booking_change_times(
            membership=membership_of(neighbour, community), booking=booking, starts_at=local(2, 9), ends_at=local(2, 12)
        )
    with pytest.raises(NotAllowed):
        services.booking_cancel(membership=membership_of(neighbour, community), booking=booking)


def test_cancellation_within_minimum_notice_is_marked_late(member, vehicle, community):
    community.min_notice = timedelta(hours=24)
    community.save()
    early = book(member, vehicle, local(5, 10), local(5, 12))
    late = factories.book(vehicle, member, timezone.now() + timedelta(hours=3), timezone.now() + timedelta(hours=5))
    membership = membership_of(member, community)
    services.booking_cancel(membership=membership, booking=early)
    services.booking_cancel(membership=membership, booking=late, message="ill")
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.status == late.status == Booking.Status.CANCELLED
    assert not early.cancelled_late
    assert late.cancelled_late
    assert late.events.get(kind=BookingEvent.Kind.CANCELLED).details == {
        "message": "ill",
        "late": True,
        "was": "confirmed",
    }


def test_cancelling_a_cancelled_booking_is_refused(member, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    membership = membership_of(member, vehicle.community)
    services.booking_cancel(membership=membership, booking=booking)
    with pytest.raises(BookingRefused):
        services.booking_cancel(membership=membership, booking=booking)


def in_progress(member, vehicle, hours_left=2):
    now = timezone.now()
    return factories.book(
        vehicle, member, now - timedelta(hours=1), now + timedelta(hours=hours_left), status=Booking.Status.IN_PROGRESS
    )


def test_extending_a_booking_in_progress(member, vehicle):
    booking = in_progress(member, vehicle)
    new_end = booking.ends_at + timedelta(hours=2)
    services.booking_extend(membership=membership_of(member, vehicle.community), booking=booking, ends_at=new_end)
    booking.refresh_from_db()
    assert booking.ends_at == new_end
    assert booking.events.get(kind=BookingEvent.Kind.EXTENDED).details["old_ends_at"]


def test_extension_needs_a_free_slot(member, owner, vehicle):
    booking = in_progress(member, vehicle)
    book(owner, vehicle, booking.ends_at + timedelta(hours=1), booking.ends_at + timedelta(hours=3))
    with pytest.raises(BookingConflict):
        services.booking_extend(
            membership=membership_of(member, vehicle.community),
            booking=booking,
            ends_at=booking.ends_at + timedelta(hours=2),
        )


def test_only_a_booking_in_progress_can_be_extended(member, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 12))
    with pytest.raises(BookingRefused, match="in progress"):
        services.booking_extend(
            membership=membership_of(member, vehicle.community), booking=booking, ends_at=local(2, 14)
        )


def test_leaving_member_future_bookings_are_cancelled(member, admin_user, vehicle, community):
    future = book(member, vehicle, local(2, 10), local(2, 12))
    current = in_progress(member, vehicle)
    count = services.bookings_cancel_future_for_member(membership=membership_of(member, community), actor=admin_user)
    future.refresh_from_db()
    current.refresh_from_db()
    assert count == 1
    assert future.status == Booking.Status.CANCELLED and not future.cancelled_late
    assert current.status == Booking.Status.IN_PROGRESS
    assert future.events.get(kind=BookingEvent.Kind.CANCELLED).actor == admin_user


def test_shortening_a_confirmed_booking_inside_its_approved_times_keeps_it_confirmed(member, owner, vehicle):
    booking = book(member, vehicle, local(2, 10), local(2, 14))
    services.booking_confirm(membership=membership_of(owner, vehicle.community), booking=booking)
    membership = membership_of(member, vehicle.community)
    services.booking_change_times(membership=membership, booking=booking, starts_at=local(2, 11), ends_at=local(2, 13))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    # Going beyond the approved times needs the owner again.
    services.booking_change_times(membership=membership, booking=booking, starts_at=local(2, 11), ends_at=local(2, 15))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


class _DeadlockDetected(Exception):
    """Stands for psycopg's DeadlockDetected: what Django wraps in an OperationalError."""

    sqlstate = "40P01"


def _deadlock() -> OperationalError:
    error = OperationalError(
        'deadlock detected\nCONTEXT:  while checking exclusion constraint on tuple (0,1) in relation "bookings_booking"'
    )
    error.__cause__ = _DeadlockDetected()
    return error


def test_a_booking_broken_by_a_deadlock_on_the_overlap_guard_is_tried_again(member, vehicle, monkeypatch):
    save = Booking.save
    failures = iter([_deadlock()])

    def save_after_one_deadlock(self, *args, **kwargs):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return save(self, *args, **kwargs)

    monkeypatch.setattr(Booking, "save", save_after_one_deadlock)
    booking = services.booking_create(
        membership=membership_of(member, vehicle.community),
        vehicle=vehicle,
        starts_at=local(2, 10),
        ends_at=local(2, 12),
    )
    assert Booking.objects.filter(pk=booking.pk).exists()


def test_repeated_deadlocks_on_the_overlap_guard_end_in_a_clean_conflict(member, vehicle, monkeypatch):
    def always_deadlocked(self, *args, **kwargs):
        raise _deadlock()

    monkeypatch.setattr(Booking, "save", always_deadlocked)
    with translation.override("en"), pytest.raises(BookingConflict, match="Someone has just booked this vehicle"):
        services.booking_create(
            membership=membership_of(member, vehicle.community),
            vehicle=vehicle,
            starts_at=local(2, 10),
            ends_at=local(2, 12),
        )


def test_other_database_errors_are_not_mistaken_for_a_conflict(member, vehicle, monkeypatch):
    def disk_full(self, *args, **kwargs):
        raise OperationalError("could not extend file: No space left on device")

    monkeypatch.setattr(Booking, "save", disk_full)
    with pytest.raises(OperationalError):
        services.booking_create(
            membership=membership_of(member, vehicle.community),
            vehicle=vehicle,
            starts_at=local(2, 10),
            ends_at=local(2, 12),
        )


def test_the_history_of_a_booking_cancelled_for_a_removed_member_reads_in_the_viewers_language(
    member, admin_user, vehicle, community
):
    from bookings.formatting import history_rows

    booking = book(member, vehicle, local(2, 10), local(2, 12))
    services.bookings_cancel_future_for_member(membership=membership_of(member, community), actor=admin_user)

    events = booking.events.order_by("pk")
    with translation.override("en"):
        assert "The member was removed from the community." in history_rows(events)[-1].lines
    with translation.override("fr"):
        assert "Ce membre a été retiré de la communauté." in history_rows(events)[-1].lines


def test_legacy_cancellations_stored_as_translated_text_become_codes(member, owner, vehicle):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("bookings.migrations.0005_booking_decision_reason")
    left = book(member, vehicle, local(2, 10), local(2, 12))
    typed = book(member, vehicle, local(3, 10), local(3, 12))
    for booking, text in ((left, "Ce membre a quitté la communauté."), (typed, "Garage closed")):
        Booking.objects.filter(pk=booking.pk).update(status=Booking.Status.CANCELLED, decision_message=text)
        BookingEvent.objects.create(
            booking=booking, kind=BookingEvent.Kind.CANCELLED, details={"message": text, "late": False}
        )

    migration.to_codes(apps, None)

    left.refresh_from_db()
    typed.refresh_from_db()
    assert (left.decision_message, left.decision_reason) == ("", "member_left")
    assert (typed.decision_message, typed.decision_reason) == ("Garage closed", "")
    assert left.events.get(kind="cancelled").details == {"message": "", "reason": "member_left", "late": False}
    assert typed.events.get(kind="cancelled").details["message"] == "Garage closed"
