"""Booking notices reach everyone who would act on them, and are never lost: the event row is the
outbox, the wake-up after commit is only a shortcut, the sweep sends whatever is due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookings import emails, services
from bookings.models import BookingEvent
from bookings.tasks import notices_sweep
from colocauto.core.outbox import MailDeferred
from communities.models import Membership
from tests.bookings.conftest import change_times, local, membership_of
from tests.factories import MembershipFactory, UserFactory, VehicleFactory


@pytest.fixture
def second_admin(community):
    user = UserFactory(email="admin2@example.org", display_name="Adam Admin")
    MembershipFactory(community=community, user=user, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def shared(community):
    return VehicleFactory(community=community, owner=None, name="Kangoo")


def request(member, vehicle, callbacks):
    with callbacks(execute=True):
        return services.booking_create(
            membership=membership_of(member, vehicle.community),
            vehicle=vehicle,
            starts_at=local(2, 10),
            ends_at=local(2, 12),
        )


def test_a_withdrawn_request_for_a_community_vehicle_reaches_the_admins(
    member, admin_user, shared, mails_after, django_capture_on_commit_callbacks
):
    admin_user.language = "en"
    admin_user.save()
    booking = request(member, shared, django_capture_on_commit_callbacks)

    sent = mails_after(services.booking_cancel, membership=membership_of(member, shared.community), booking=booking)

    assert [m.to for m in sent] == [["admin@example.org"]]
    assert sent[0].subject.startswith("[Colocauto] Request withdrawn: Kangoo, ")
    assert "Maya Member withdrew their request for Kangoo (" in sent[0].body


def test_a_changed_request_for_a_community_vehicle_reaches_the_admins(
    member, admin_user, shared, mails_after, django_capture_on_commit_callbacks
):
    booking = request(member, shared, django_capture_on_commit_callbacks)

    sent = mails_after(change_times, member, booking, local(2, 9), local(2, 12))

    assert [m.to for m in sent] == [["admin@example.org"]]


def test_a_request_answered_by_one_admin_is_told_to_the_other_admins_and_the_booker(
    member, admin_user, second_admin, shared, mails_after, django_capture_on_commit_callbacks
):
    second_admin.language = "en"
    second_admin.save()
    booking = request(member, shared, django_capture_on_commit_callbacks)

    sent = mails_after(
        services.booking_confirm, membership=membership_of(admin_user, shared.community), booking=booking
    )

    assert sorted(m.to[0] for m in sent) == ["admin2@example.org", "member@example.org"]
    to_admin = next(m for m in sent if m.to == ["admin2@example.org"])
    assert to_admin.subject.startswith("[Colocauto] Request confirmed: Kangoo, ")
    assert "Alice Admin confirmed the request of Maya Member for Kangoo from " in to_admin.body


def test_the_owner_is_told_when_an_admin_declines_a_request_for_their_car(
    member, owner, admin_user, vehicle, mails_after, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    booking = request(member, vehicle, django_capture_on_commit_callbacks)

    sent = mails_after(
        services.booking_reject, membership=membership_of(admin_user, vehicle.community), booking=booking
    )

    assert sorted(m.to[0] for m in sent) == ["member@example.org", "owner@example.org"]
    to_owner = next(m for m in sent if m.to == ["owner@example.org"])
    assert "Alice Admin declined the request of Maya Member for Clio bleue from " in to_owner.body


def test_cancelling_a_confirmed_booking_of_a_community_vehicle_does_not_mail_the_admins(
    member, admin_user, shared, mails_after, django_capture_on_commit_callbacks
):
    booking = request(member, shared, django_capture_on_commit_callbacks)
    mails_after(services.booking_confirm, membership=membership_of(admin_user, shared.community), booking=booking)

    sent = mails_after(services.booking_cancel, membership=membership_of(member, shared.community), booking=booking)

    assert sent == []  # nothing for anyone to act on: the admins only answer requests


def test_a_notice_whose_wake_up_was_lost_is_sent_by_the_sweep(member, owner, vehicle, mailoutbox):
    # No on-commit callback runs here: as if the broker had been down when the booking was saved.
    booking = services.booking_create(
        membership=membership_of(member, vehicle.community),
        vehicle=vehicle,
        starts_at=local(2, 10),
        ends_at=local(2, 12),
    )
    assert mailoutbox == []

    assert notices_sweep() == 1
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]
    assert booking.events.get().notified_at is not None
    assert notices_sweep() == 0


def test_a_notice_claimed_by_a_worker_that_died_is_sent_after_the_lease_and_not_before(
    member, owner, vehicle, mailoutbox, settings
):
    services.booking_create(
        membership=membership_of(member, vehicle.community),
        vehicle=vehicle,
        starts_at=local(2, 10),
        ends_at=local(2, 12),
    )
    BookingEvent.objects.update(notice_claimed_at=timezone.now())  # the worker that claimed it was killed

    assert notices_sweep() == 0
    BookingEvent.objects.update(
        notice_claimed_at=timezone.now() - timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS + 1)
    )
    assert notices_sweep() == 1
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]


def test_the_sweep_leaves_old_unsent_lines_alone(member, owner, vehicle, mailoutbox):
    services.booking_create(
        membership=membership_of(member, vehicle.community),
        vehicle=vehicle,
        starts_at=local(2, 10),
        ends_at=local(2, 12),
    )
    BookingEvent.objects.update(created_at=timezone.now() - timedelta(days=8))
    assert notices_sweep() == 0
    assert mailoutbox == []


def test_after_a_temporary_failure_only_the_admins_not_yet_told_are_mailed(
    member, admin_user, second_admin, shared, mail_server
):
    services.booking_create(
        membership=membership_of(member, shared.community), vehicle=shared, starts_at=local(2, 10), ends_at=local(2, 12)
    )
    event = BookingEvent.objects.get()
    mail_server.sink.refuse["admin2@example.org"] = "421 4.7.0 Try again later"

    with pytest.raises(MailDeferred):
        emails.booking_event_notify(event_id=event.pk)
    assert mail_server.sink.addresses() == ["admin@example.org"]
    event.refresh_from_db()
    assert (event.notified_at, event.notice_claimed_at, event.notified_to) == (None, None, [admin_user.pk])

    del mail_server.sink.refuse["admin2@example.org"]
    assert notices_sweep() == 1
    assert mail_server.sink.addresses() == ["admin@example.org", "admin2@example.org"]


def test_an_admin_whose_address_is_refused_does_not_keep_the_others_from_the_request(
    member, admin_user, second_admin, shared, mail_server
):
    mail_server.sink.refuse["admin@example.org"] = "550 5.1.1 User unknown"
    services.booking_create(
        membership=membership_of(member, shared.community), vehicle=shared, starts_at=local(2, 10), ends_at=local(2, 12)
    )

    assert notices_sweep() == 1
    assert mail_server.sink.addresses() == ["admin2@example.org"]
    assert BookingEvent.objects.get().notified_at is not None
