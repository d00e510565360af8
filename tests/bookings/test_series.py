"""Recurring bookings (issue 12, item 5): the preview lists each date free or refused with its reason, the
person skips dates, saving makes one ordinary booking per ticked date (all or nothing), and the series is
cancelled or changed from one date onwards."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookings import series as series_services
from bookings import services
from bookings.errors import SeriesOccurrenceRefused
from bookings.models import Booking, BookingEvent, BookingSeries
from bookings.recurrence import MONTHLY, WEEKLY, Recurrence
from colocauto.core.errors import DomainError, NotAllowed
from tests.bookings.conftest import membership_of
from tests.factories import book
from vehicles.models import Blackout

PARIS = ZoneInfo("Europe/Paris")
# Tuesday 1 December 2026, 09:00 in Paris; the series below are on Wednesdays from the 2nd.
NOW = datetime(2026, 12, 1, 9, tzinfo=PARIS)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def wednesdays(weeks: int, *, first=date(2026, 12, 2), start=time(14), end=time(18), frequency=WEEKLY):
    return Recurrence(frequency, 1, first, first + timedelta(weeks=weeks - 1), start, end)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=PARIS)


def preview(user, vehicle, rule, **kwargs):
    return series_services.series_preview(
        membership=membership_of(user, vehicle.community), vehicle=vehicle, rule=rule, **kwargs
    )


def create(user, vehicle, rule, days=None, **kwargs):
    days = days if days is not None else [d.day for d in preview(user, vehicle, rule).dates]
    return series_services.series_create(
        membership=membership_of(user, vehicle.community), vehicle=vehicle, rule=rule, days=days, **kwargs
    )


def test_the_preview_lists_every_date_free_or_with_the_reason_it_would_be_refused(english, vehicle, member, owner):
    book(vehicle, owner, at(date(2026, 12, 9), 15), hours=1)  # a conflict
    Blackout.objects.create(vehicle=vehicle, starts_at=at(date(2026, 12, 16), 0), ends_at=at(date(2026, 12, 17), 0))

    found = preview(member, vehicle, wednesdays(4)).dates

    assert [d.day for d in found] == [date(2026, 12, d) for d in (2, 9, 16, 23)]
    assert [d.code for d in found] == ["", "booking_conflict", "vehicle_unavailable", ""]
    assert "already booked" in found[1].refusal
    assert "unavailable" in found[2].refusal


def test_the_preview_says_when_a_date_is_further_ahead_than_the_community_allows(english, vehicle, member):
    vehicle.community.max_advance = timedelta(days=30)
    vehicle.community.save()

    found = preview(member, vehicle, wednesdays(6)).dates

    assert [d.code for d in found] == ["", "", "", "", "", "max_advance"]
    assert "at most 30 days ahead" in found[-1].refusal


def test_the_preview_says_whether_the_dates_wait_for_the_owners_approval(vehicle, member, owner):
    assert preview(member, vehicle, wednesdays(2)).confirmed_at_once is False
    assert preview(owner, vehicle, wednesdays(2)).confirmed_at_once is True


def test_the_preview_reads_the_same_number_of_queries_for_4_or_40_dates(vehicle, member, owner):
    for weeks in range(0, 40, 3):
        book(vehicle, owner, at(date(2026, 12, 2) + timedelta(weeks=weeks), 15), hours=1)
    Blackout.objects.create(vehicle=vehicle, starts_at=at(date(2027, 1, 6), 0), ends_at=at(date(2027, 1, 7), 0))
    membership = membership_of(member, vehicle.community)

    def count(weeks):
        with CaptureQueriesContext(connection) as queries:
            series_services.series_preview(membership=membership, vehicle=vehicle, rule=wednesdays(weeks))
        return len(queries)

    assert count(4) == count(40)


def test_saving_makes_one_ordinary_booking_per_date_each_following_the_usual_rules(vehicle, member):
    made = create(member, vehicle, wednesdays(3), note="Piscine")

    bookings = list(made.bookings.order_by("starts_at"))
    assert [(b.starts_at, b.ends_at) for b in bookings] == [
        (at(date(2026, 12, d), 14), at(date(2026, 12, d), 18)) for d in (2, 9, 16)
    ]
    # The owner must approve bookings by others: each date is a request, with its own history line and notice.
    assert {b.status for b in bookings} == {Booking.Status.REQUESTED}
    assert {b.note for b in bookings} == {"Piscine"}
    assert BookingEvent.objects.filter(booking__in=bookings, kind=BookingEvent.Kind.CREATED).count() == 3
    assert (made.member, made.vehicle, made.frequency) == (member, vehicle, WEEKLY)


def test_an_owner_books_their_own_car_every_week_confirmed_at_once(vehicle, owner):
    made = create(owner, vehicle, wednesdays(4))

    assert list(made.bookings.values_list("status", flat=True)) == [Booking.Status.CONFIRMED] * 4


def test_unticked_dates_are_skipped(vehicle, member):
    made = create(member, vehicle, wednesdays(4), days=[date(2026, 12, 2), date(2026, 12, 23)])

    assert [b.starts_at.date() for b in made.bookings.order_by("starts_at")] == [date(2026, 12, 2), date(2026, 12, 23)]


def test_a_ticked_day_the_rule_does_not_give_is_ignored_and_nothing_ticked_is_refused(vehicle, member):
    with pytest.raises(DomainError) as refused:
        create(member, vehicle, wednesdays(2), days=[date(2026, 12, 3)])

    assert refused.value.code == "series_no_date"
    assert not BookingSeries.objects.exists()


def test_a_date_taken_between_the_preview_and_saving_refuses_the_whole_series(vehicle, member, owner):
    rule = wednesdays(3)
    days = [d.day for d in preview(member, vehicle, rule).dates]
    book(vehicle, owner, at(date(2026, 12, 9), 13), hours=2)  # someone was quicker

    with pytest.raises(SeriesOccurrenceRefused) as refused:
        create(member, vehicle, rule, days=days)

    assert refused.value.params == {"date": "2026-12-09", "code": "booking_conflict"}
    assert not BookingSeries.objects.exists()
    assert not Booking.objects.filter(member=member).exists()


def test_two_series_can_never_hold_the_same_slot(vehicle, member, owner):
    create(owner, vehicle, wednesdays(3))

    assert {d.code for d in preview(member, vehicle, wednesdays(3)).dates} == {"booking_conflict"}
    with pytest.raises(SeriesOccurrenceRefused):
        create(member, vehicle, wednesdays(3), days=[date(2026, 12, 2)])
    assert Booking.objects.filter(vehicle=vehicle).count() == 3


def test_a_rule_longer_than_a_year_is_refused_with_its_reason(english, vehicle, member):
    rule = Recurrence(WEEKLY, 1, date(2026, 12, 2), date(2028, 1, 5), time(14), time(18))

    with pytest.raises(DomainError) as refused:
        preview(member, vehicle, rule)

    assert refused.value.code == "series_rule_invalid"
    assert "at most a year" in str(refused.value.message)


def test_a_monthly_series(vehicle, owner):
    rule = Recurrence(MONTHLY, 1, date(2026, 12, 9), date(2027, 2, 28), time(9), time(12))

    made = create(owner, vehicle, rule)

    assert [b.starts_at for b in made.bookings.order_by("starts_at")] == [
        at(date(2026, 12, 9), 9),
        at(date(2027, 1, 13), 9),
        at(date(2027, 2, 10), 9),
    ]


def test_only_members_book_a_vehicle_of_their_community(vehicle, outsider, other_community):
    membership = membership_of(outsider, other_community)
    with pytest.raises(NotAllowed):
        series_services.series_preview(membership=membership, vehicle=vehicle, rule=wednesdays(2))


def test_cancelling_from_one_date_onwards_leaves_the_earlier_ones(vehicle, member):
    made = create(member, vehicle, wednesdays(4))
    third = made.bookings.order_by("starts_at")[2]

    cancelled = series_services.series_cancel_following(
        membership=membership_of(member, vehicle.community), booking=third
    )

    assert len(cancelled) == 2
    statuses = list(made.bookings.order_by("starts_at").values_list("status", flat=True))
    assert statuses == [Booking.Status.REQUESTED] * 2 + [Booking.Status.CANCELLED] * 2


def test_the_owner_may_cancel_a_members_series_onwards_a_stranger_may_not(vehicle, member, owner, admin_user):
    made = create(member, vehicle, wednesdays(2))
    first = made.bookings.order_by("starts_at")[0]

    series_services.series_cancel_following(membership=membership_of(owner, vehicle.community), booking=first)

    assert set(made.bookings.values_list("status", flat=True)) == {Booking.Status.CANCELLED}


def test_a_booking_not_in_a_series_cannot_be_cancelled_onwards(vehicle, member):
    booking = book(vehicle, member, at(date(2026, 12, 2), 14))

    with pytest.raises(DomainError) as refused:
        series_services.series_cancel_following(membership=membership_of(member, vehicle.community), booking=booking)

    assert refused.value.code == "not_in_series"


def test_changing_from_one_date_onwards_replaces_the_following_dates(vehicle, owner):
    made = create(owner, vehicle, wednesdays(4))
    third = made.bookings.order_by("starts_at")[2]
    later = Recurrence(WEEKLY, 1, date(2026, 12, 16), date(2026, 12, 30), time(15), time(19))

    # The preview does not count the dates being replaced as taking their own slots.
    assert {d.code for d in preview(owner, vehicle, later, replacing=third).dates} == {""}
    replacement = create(owner, vehicle, later, days=[date(2026, 12, d) for d in (16, 23, 30)], replacing=third)

    held = Booking.objects.filter(vehicle=vehicle, status=Booking.Status.CONFIRMED).order_by("starts_at")
    assert [(b.starts_at, b.series_id) for b in held] == [
        (at(date(2026, 12, 2), 14), made.pk),
        (at(date(2026, 12, 9), 14), made.pk),
        (at(date(2026, 12, 16), 15), replacement.pk),
        (at(date(2026, 12, 23), 15), replacement.pk),
        (at(date(2026, 12, 30), 15), replacement.pk),
    ]
    assert made.bookings.filter(status=Booking.Status.CANCELLED).count() == 2


def test_only_the_booker_replaces_the_following_dates(vehicle, member, owner):
    made = create(member, vehicle, wednesdays(2))
    first = made.bookings.order_by("starts_at")[0]

    with pytest.raises(NotAllowed):
        create(owner, vehicle, wednesdays(2), replacing=first)
    assert set(made.bookings.values_list("status", flat=True)) == {Booking.Status.REQUESTED}


def test_a_refused_replacement_keeps_the_old_dates(vehicle, owner, member):
    made = create(owner, vehicle, wednesdays(3))
    second = made.bookings.order_by("starts_at")[1]
    book(vehicle, member, at(date(2026, 12, 23), 8), hours=2)
    later = Recurrence(WEEKLY, 1, date(2026, 12, 9), date(2026, 12, 23), time(7), time(12))

    with pytest.raises(SeriesOccurrenceRefused):
        create(owner, vehicle, later, days=[date(2026, 12, 9), date(2026, 12, 23)], replacing=second)

    assert set(made.bookings.values_list("status", flat=True)) == {Booking.Status.CONFIRMED}


def test_a_single_booking_is_still_made_by_the_same_service(vehicle, member):
    booking = services.booking_create(
        membership=membership_of(member, vehicle.community),
        vehicle=vehicle,
        starts_at=at(date(2026, 12, 2), 14),
        ends_at=at(date(2026, 12, 2), 18),
    )
    assert booking.series is None
