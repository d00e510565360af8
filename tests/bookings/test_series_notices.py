"""A recurring booking is one e-mail, not one per date: the keeper hears once about the dates booked (or
asked for) together, and once about the dates cancelled together, each e-mail listing them; every date
still has its own history line."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings import series as series_services
from bookings import services
from bookings.emails import booking_notices_sweep
from bookings.models import Booking, BookingEvent
from bookings.recurrence import WEEKLY, Recurrence
from tests.bookings.conftest import membership_of

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 9, tzinfo=PARIS)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def book_wednesdays(user, vehicle, weeks: int, first=date(2026, 12, 2)):
    rule = Recurrence(WEEKLY, 1, first, first + timedelta(weeks=weeks - 1), time(14), time(18))
    membership = membership_of(user, vehicle.community)
    dates = [d.day for d in series_services.series_preview(membership=membership, vehicle=vehicle, rule=rule).dates]
    return series_services.series_create(membership=membership, vehicle=vehicle, rule=rule, days=dates)


@pytest.fixture(autouse=True)
def english_owner(owner):
    owner.language = "en"
    owner.save()


def booked_and_told(member, vehicle, weeks, mailoutbox, capture):
    """A series booked and its e-mail sent (then forgotten): its dates, first to last."""
    with capture(execute=True):
        series = book_wednesdays(member, vehicle, weeks)
    mailoutbox.clear()
    return list(Booking.objects.filter(series=series).order_by("starts_at"))


def to(mailoutbox, person):
    return [message for message in mailoutbox if message.to == [person.email]]


def test_the_owner_gets_one_request_listing_every_date_asked_for(
    english, vehicle, member, owner, mailoutbox, django_capture_on_commit_callbacks
):
    assert vehicle.community.owner_approval_required
    with django_capture_on_commit_callbacks(execute=True):
        series = book_wednesdays(member, vehicle, 5)

    assert Booking.objects.filter(series=series, status=Booking.Status.REQUESTED).count() == 5
    [request] = to(mailoutbox, owner)
    assert request.subject == "[Colocauto] Booking request: Clio bleue, 5 dates from 2 December 2026, 14:00"
    for day in (2, 9, 16, 23, 30):
        assert f"Wednesday {day} December 2026, 14:00 to 18:00" in request.body
    assert "Each date is held until you confirm or decline it" in request.body
    # Every date has its history line; none is left due for the sweep to send again.
    assert BookingEvent.objects.filter(booking__series=series, kind=BookingEvent.Kind.CREATED).count() == 5
    assert booking_notices_sweep() == 0
    assert len(to(mailoutbox, owner)) == 1


def test_a_confirmed_recurring_booking_tells_the_owner_once_in_their_language(
    vehicle, member, owner, mailoutbox, django_capture_on_commit_callbacks
):
    owner.language = "fr"
    owner.save()
    vehicle.community.owner_approval_required = False
    vehicle.community.save()
    with django_capture_on_commit_callbacks(execute=True):
        book_wednesdays(member, vehicle, 3)

    [notice] = to(mailoutbox, owner)
    assert "3 dates à partir du 2 décembre 2026 14:00" in notice.subject
    assert "mercredi 16 décembre 2026, de 14:00 à 18:00" in notice.body


def test_cancelling_the_following_dates_is_one_e_mail_listing_them(
    english, vehicle, member, owner, mailoutbox, django_capture_on_commit_callbacks
):
    dates = booked_and_told(member, vehicle, 4, mailoutbox, django_capture_on_commit_callbacks)
    series, second = dates[0].series, dates[1]

    with django_capture_on_commit_callbacks(execute=True):
        cancelled = series_services.series_cancel_following(
            membership=membership_of(member, vehicle.community), booking=second
        )

    assert len(cancelled) == 3
    [notice] = to(mailoutbox, owner)
    assert notice.subject == "[Colocauto] Recurring booking cancelled: Clio bleue, 3 dates from 9 December 2026, 14:00"
    assert "Maya Member cancelled these 3 dates of their recurring booking of Clio bleue:" in notice.body
    assert "2 December" not in notice.body
    for day in (9, 16, 23):
        assert f"Wednesday {day} December 2026, 14:00 to 18:00" in notice.body
    assert BookingEvent.objects.filter(booking__series=series, kind=BookingEvent.Kind.CANCELLED).count() == 3
    assert booking_notices_sweep() == 0


def test_one_date_of_a_series_cancelled_on_its_own_is_told_on_its_own(
    english, vehicle, member, owner, mailoutbox, django_capture_on_commit_callbacks
):
    second = booked_and_told(member, vehicle, 3, mailoutbox, django_capture_on_commit_callbacks)[1]

    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(membership=membership_of(member, vehicle.community), booking=second)

    [notice] = to(mailoutbox, owner)
    # A request withdrawn: the owner had not answered yet.
    assert notice.subject.startswith("[Colocauto] Request withdrawn: Clio bleue, 9 December 2026")
    assert "2 December" not in notice.body


def test_the_owner_confirms_a_date_and_the_following_ones_at_once_and_the_booker_gets_one_e_mail(
    client, vehicle, member, owner, mailoutbox, django_capture_on_commit_callbacks
):
    member.language = "en"
    member.save()
    dates = booked_and_told(member, vehicle, 4, mailoutbox, django_capture_on_commit_callbacks)
    series = dates[0].series
    client.force_login(owner)

    page = client.get(reverse("booking_detail", args=[vehicle.community.pk, dates[1].pk])).content.decode()
    assert "The same answer for the 2 following dates of this recurring booking that wait" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("booking_confirm", args=[vehicle.community.pk, dates[1].pk]), {"message": "", "following": "on"}
        )

    assert response.status_code == 302
    statuses = list(Booking.objects.filter(series=series).order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["requested", "confirmed", "confirmed", "confirmed"]
    [notice] = to(mailoutbox, member)
    assert notice.subject == (
        "[Colocauto] Your recurring booking of Clio bleue is confirmed: 3 dates from 9 December 2026, 14:00"
    )
    for day in (9, 16, 23):
        assert f"Wednesday {day} December 2026, 14:00 to 18:00" in notice.body
    assert booking_notices_sweep() == 0


def test_without_the_box_only_the_date_answered_is_declined(
    client, vehicle, member, owner, mailoutbox, django_capture_on_commit_callbacks
):
    series = book_wednesdays(member, vehicle, 3)
    first = Booking.objects.filter(series=series).order_by("starts_at").first()
    client.force_login(owner)

    client.post(reverse("booking_reject", args=[vehicle.community.pk, first.pk]), {"message": "Non"})

    statuses = list(Booking.objects.filter(series=series).order_by("starts_at").values_list("status", flat=True))
    assert statuses == ["rejected", "requested", "requested"]


def test_the_box_is_not_offered_for_a_booking_alone_nor_for_the_last_waiting_date(client, vehicle, member, owner):
    series = book_wednesdays(member, vehicle, 2)
    last = Booking.objects.filter(series=series).order_by("starts_at").last()
    single = services.booking_create(
        membership=membership_of(member, vehicle.community),
        vehicle=vehicle,
        starts_at=datetime(2027, 1, 5, 9, tzinfo=PARIS),
        ends_at=datetime(2027, 1, 5, 10, tzinfo=PARIS),
    )
    client.force_login(owner)
    for booking in (last, single):
        page = client.get(reverse("booking_detail", args=[vehicle.community.pk, booking.pk])).content.decode()
        assert 'name="following"' not in page
        assert 'name="message"' in page


def test_a_date_cancelled_before_the_e_mail_goes_out_is_not_listed_as_booked(
    english, vehicle, member, owner, mailoutbox
):
    series = book_wednesdays(member, vehicle, 3)  # its e-mail waits (no worker ran yet)
    second = Booking.objects.filter(series=series).order_by("starts_at")[1]
    services.booking_cancel(membership=membership_of(member, vehicle.community), booking=second)

    assert booking_notices_sweep() == 2  # the series' e-mail, then the cancelled date's
    request = next(
        message for message in to(mailoutbox, owner) if message.subject.startswith("[Colocauto] Booking request")
    )
    assert request.subject == "[Colocauto] Booking request: Clio bleue, 2 dates from 2 December 2026, 14:00"
    assert "Wednesday 9 December" not in request.body
    assert "Wednesday 16 December 2026, 14:00 to 18:00" in request.body
