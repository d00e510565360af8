"""Booking e-mails: the right people, once, in their own language; reminders claimed once."""

from datetime import timedelta

import pytest
from django.core.mail import EmailMessage
from django.utils import formats, timezone, translation

from bookings import emails, services, trips
from bookings.models import Booking, BookingEvent
from bookings.tasks import notify_booking_event, send_start_reminders, send_trip_reminders
from colocauto.core.outbox import MailDeferred
from colocauto.text import subject_line
from tests import factories
from tests.bookings.conftest import change_times, local, membership_of
from tests.factories import VehicleFactory


def book(user, vehicle, start, end, callbacks):
    with callbacks(execute=True):
        return services.booking_create(
            membership=membership_of(user, vehicle.community), vehicle=vehicle, starts_at=start, ends_at=end
        )


def test_request_is_emailed_to_the_owner_in_their_language(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    book(member, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["owner@example.org"]
    assert "Booking request: Clio bleue" in email.subject
    assert "Maya Member asks to book Clio bleue" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f"/c/{vehicle.community_id}/bookings/" in html


def test_request_for_a_community_vehicle_goes_to_the_admins(
    member, admin_user, community, mailoutbox, django_capture_on_commit_callbacks
):
    shared = VehicleFactory(community=community, owner=None)
    book(member, shared, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    assert [m.to for m in mailoutbox] == [["admin@example.org"]]


def test_confirmation_is_emailed_to_the_booker_in_french(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    booking = book(member, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(membership=membership_of(owner, vehicle.community), booking=booking, message="OK!")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["member@example.org"]
    # The member's language is French: dates are written the French way (Django's own catalogue).
    with translation.override("fr"):
        french_date = formats.date_format(local(2, 10), "DATETIME_FORMAT")
    assert french_date in mailoutbox[0].body
    assert "OK!" in mailoutbox[0].body


def test_event_email_is_sent_only_once(member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks):
    booking = book(member, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    event = booking.events.get()
    assert notify_booking_event(event.pk) == 0
    assert len(mailoutbox) == 1


def test_people_who_turned_booking_emails_off_get_none(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    owner.notify_bookings = False
    owner.save()
    book(member, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_nobody_is_told_about_what_they_did_themselves(owner, vehicle, mailoutbox, django_capture_on_commit_callbacks):
    book(owner, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    assert mailoutbox == []


def test_rejection_change_and_cancellation_reach_the_booker(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    owner_membership = membership_of(owner, vehicle.community)
    first = book(member, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    second = book(member, vehicle, local(3, 10), local(3, 12), django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_reject(membership=owner_membership, booking=first, message="Sorry")
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(membership=owner_membership, booking=second)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_change_times(
            membership=owner_membership, booking=second, starts_at=local(3, 9), ends_at=local(3, 12)
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(membership=owner_membership, booking=second, message="Car broke down")
    assert [m.to for m in mailoutbox] == [["member@example.org"]] * 4
    assert "Sorry" in mailoutbox[0].body
    assert "Car broke down" in mailoutbox[3].body


def test_booker_cancelling_tells_the_owner(member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks):
    booking = book(member, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(membership=membership_of(member, vehicle.community), booking=booking)
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]


def confirmed(member, vehicle, start, end):
    return factories.book(vehicle, member, start, end)


def test_start_reminder_is_sent_once_even_if_the_job_runs_twice(member, vehicle, mailoutbox):
    member.language = "en"
    member.save()
    now = timezone.now()
    soon = confirmed(member, vehicle, now + timedelta(hours=1), now + timedelta(hours=3))
    confirmed(member, vehicle, now + timedelta(hours=5), now + timedelta(hours=6))  # too far ahead
    assert send_start_reminders() == 1
    assert send_start_reminders() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("[Colocauto] Reminder: Clio bleue")
    soon.refresh_from_db()
    assert soon.start_reminder_sent_at is not None


def test_trip_reminder_after_a_day_without_trip_is_sent_once(member, vehicle, mailoutbox):
    member.language = "en"
    member.save()
    now = timezone.now()
    forgotten = confirmed(member, vehicle, now - timedelta(hours=30), now - timedelta(hours=25))
    recorded = confirmed(member, vehicle, now - timedelta(hours=40), now - timedelta(hours=35))
    factories.TripFactory(booking=recorded, start_odometer=1, km=1)
    confirmed(member, vehicle, now - timedelta(hours=5), now - timedelta(hours=2))  # ended too recently
    assert send_trip_reminders() == 1
    assert send_trip_reminders() == 0
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "[Colocauto] Record your trip with Clio bleue"
    assert f"/bookings/{forgotten.pk}/" in mailoutbox[0].body


def test_failed_sending_releases_the_claim_for_a_retry(member, owner, vehicle, monkeypatch, mailoutbox):
    booking = factories.book(vehicle, member, local(2, 10), local(2, 12), status=Booking.Status.REQUESTED)
    event = BookingEvent.objects.create(booking=booking, actor=member, kind=BookingEvent.Kind.CREATED)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailMessage, "send", broken)
    with pytest.raises(MailDeferred):
        emails.booking_event_notify(event_id=event.pk)
    monkeypatch.undo()
    assert emails.booking_event_notify(event_id=event.pk) == 1
    assert len(mailoutbox) == 1


def started_booking(member, vehicle):
    now = timezone.now()
    return factories.book(vehicle, member, now - timedelta(minutes=10), now + timedelta(hours=3))


def test_trip_starting_with_unlogged_km_is_emailed_to_the_owner(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    booking = started_booking(member, vehicle)
    with django_capture_on_commit_callbacks(execute=True):
        trips.trip_start(membership=membership_of(member, vehicle.community), booking=booking, start_odometer=43_250)
    assert [m.to for m in mailoutbox] == [["owner@example.org"]]
    assert mailoutbox[0].subject == "[Colocauto] Unlogged km on Clio bleue: 1,250 km"
    assert "Maya Member started a trip with Clio bleue at 43,250 km." in mailoutbox[0].body
    assert "1,250 km more than the last recorded trip" in mailoutbox[0].body
    event = booking.events.get(kind=BookingEvent.Kind.TRIP_STARTED)
    assert notify_booking_event(event.pk) == 0  # claimed once
    assert len(mailoutbox) == 1


def test_trip_starting_at_the_known_odometer_emails_nobody(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    booking = started_booking(member, vehicle)
    with django_capture_on_commit_callbacks(execute=True):
        trips.trip_start(
            membership=membership_of(member, vehicle.community), booking=booking, start_odometer=vehicle.odometer_km
        )
    assert mailoutbox == []


def test_incident_on_a_community_vehicle_is_emailed_to_the_admins_in_their_language(
    member, admin_user, community, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user.language = "en"
    admin_user.save()
    shared = VehicleFactory(community=community, owner=None, name="Kangoo")
    booking = started_booking(member, shared)
    membership = membership_of(member, community)
    trip = trips.trip_start(membership=membership, booking=booking, start_odometer=shared.odometer_km)
    with django_capture_on_commit_callbacks(execute=True):
        trips.trip_complete(
            membership=membership,
            trip=trip,
            end_odometer=shared.odometer_km + 30,
            incident_description="Scratch on the rear bumper",
        )
    assert [m.to for m in mailoutbox] == [["admin@example.org"]]
    assert mailoutbox[0].subject == "[Colocauto] Incident reported: Kangoo"
    assert "Maya Member reported an incident with Kangoo" in mailoutbox[0].body
    assert "Scratch on the rear bumper" in mailoutbox[0].body


def test_trip_without_incident_emails_nobody(member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks):
    booking = started_booking(member, vehicle)
    membership = membership_of(member, vehicle.community)
    trip = trips.trip_start(membership=membership, booking=booking, start_odometer=vehicle.odometer_km)
    with django_capture_on_commit_callbacks(execute=True):
        trips.trip_complete(membership=membership, trip=trip, end_odometer=vehicle.odometer_km + 30)
    assert mailoutbox == []


def test_english_cancellation_email_reads_naturally(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    booking = book(member, vehicle, local(2, 10), local(2, 16), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_confirm(membership=membership_of(owner, vehicle.community), booking=booking)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(membership=membership_of(member, vehicle.community), booking=booking)
    body = mailoutbox[0].body
    assert "Maya Member cancelled their booking of Clio bleue (" in body
    assert ".." not in body.replace("...", "")


def test_reminder_is_sent_even_when_a_stored_vehicle_name_holds_a_line_break(member, vehicle, mailoutbox):
    member.language = "en"
    member.save()
    type(vehicle).objects.filter(pk=vehicle.pk).update(name="Clio\r\nbleue")  # saved before names were cleaned
    now = timezone.now()
    confirmed(member, vehicle, now + timedelta(hours=1), now + timedelta(hours=3))
    assert send_start_reminders() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("[Colocauto] Reminder: Clio bleue, ")


def test_subject_keeps_no_break_spaces_but_not_line_breaks():
    assert subject_line("[Colocauto]  Rappel\u00a0: Clio\r\n\tbleue\u2028, 14\u202fh ") == (
        "[Colocauto] Rappel\u00a0: Clio bleue , 14\u202fh"
    )


def test_change_email_says_whose_booking_changed(
    member, owner, vehicle, mails_after, django_capture_on_commit_callbacks
):
    member.language = owner.language = "en"
    member.save()
    owner.save()
    booking = book(member, vehicle, local(2, 10), local(2, 16), django_capture_on_commit_callbacks)
    mails_after(services.booking_confirm, membership=membership_of(owner, vehicle.community), booking=booking)

    by_member = mails_after(change_times, member, booking, local(2, 11), local(2, 15))
    by_owner = mails_after(change_times, owner, booking, local(2, 12), local(2, 14))

    assert "Maya Member changed their booking of Clio bleue: now from" in by_member[0].body
    assert "Oscar Owner changed your booking of Clio bleue: now from" in by_owner[0].body


def test_a_booking_cancelled_because_its_member_left_is_explained_in_each_readers_language(
    member, owner, vehicle, mailoutbox, django_capture_on_commit_callbacks
):
    from communities.services import membership_leave

    booking = book(member, vehicle, local(2, 10), local(2, 12), django_capture_on_commit_callbacks)
    mailoutbox.clear()
    owner.language = "fr"  # the owner reads French; the member leaves from an English page
    owner.save()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        membership_leave(membership=membership_of(member, vehicle.community))

    assert [email.to for email in mailoutbox] == [["owner@example.org"]]
    assert "Ce membre a quitté la communauté." in mailoutbox[0].body
    assert "left the community" not in mailoutbox[0].body
    booking.refresh_from_db()
    assert booking.decision_message == "" and booking.decision_reason == Booking.Reason.MEMBER_LEFT
    event = booking.events.get(kind=BookingEvent.Kind.CANCELLED)
    assert event.details["reason"] == "member_left" and not event.details["message"]
