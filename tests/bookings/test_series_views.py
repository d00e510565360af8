"""The recurring booking pages: from the booking form to the preview (no script needed), saving, a date taken
meanwhile (the preview again, nothing typed lost), and an occurrence's "change / cancel this and the following"."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from bookings.models import Booking, BookingSeries
from bookings.recurrence import WEEKLY, Recurrence
from bookings.series import series_create
from tests.bookings.conftest import membership_of
from tests.factories import book

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 12, 1, 9, tzinfo=PARIS)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def at(day: int, hour: int, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=PARIS)


def url(community, name="series_create", *args) -> str:
    return reverse(name, args=[community.pk, *args])


def form(vehicle, **changes) -> dict:
    return {
        "vehicle": vehicle.pk,
        "first_date": "2026-12-02",
        "start_time": "14:00",
        "end_time": "18:00",
        "frequency": "weekly",
        "interval": "1",
        "until": "2026-12-23",
        "note": "Piscine",
        **changes,
    }


@pytest.fixture
def as_member(client, member):
    client.force_login(member)
    return client


def test_repeat_on_the_booking_form_opens_the_recurring_booking_filled_in(as_member, vehicle, community):
    response = as_member.post(
        url(community, "booking_create"),
        {"vehicle": vehicle.pk, "starts_at": "2026-12-02T14:00", "ends_at": "2026-12-02T18:00", "repeat": "1"},
    )
    assert response.status_code == 302
    page = as_member.get(response["Location"])
    form_fields = page.context["form"].initial
    assert form_fields["vehicle"] == vehicle.pk
    assert (form_fields["first_date"], form_fields["start_time"], form_fields["end_time"]) == (
        date(2026, 12, 2),
        time(14),
        time(18),
    )
    assert form_fields["until"] > date(2026, 12, 2)


def test_the_booking_form_offers_to_repeat_it(as_member, community, vehicle):
    assert b'name="repeat"' in as_member.get(url(community, "booking_create")).content


def test_the_preview_ticks_the_free_dates_and_disables_the_refused_ones_with_their_reason(
    as_member, community, vehicle, owner
):
    book(vehicle, owner, at(9, 15), hours=1)

    response = as_member.post(url(community), {**form(vehicle), "preview": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert not BookingSeries.objects.exists()
    assert 'value="2026-12-02" id="day-2026-12-02" checked' in page
    assert 'id="day-2026-12-09" disabled aria-describedby="why-2026-12-09"' in page
    assert "Toutes les semaines le mercredi de 14 h à 18 h jusqu’au 23 décembre 2026" in page
    assert "déjà réservé" in page
    assert response.context["ticked"] == {date(2026, 12, d) for d in (2, 16, 23)}


def test_saving_books_the_ticked_dates_and_shows_the_first(as_member, community, vehicle, member):
    response = as_member.post(url(community), {**form(vehicle), "day": ["2026-12-02", "2026-12-23"], "save": "1"})

    made = BookingSeries.objects.get()
    first = made.bookings.order_by("starts_at").first()
    assert response.status_code == 302
    assert response["Location"] == reverse("booking_detail", args=[community.pk, first.pk])
    assert made.bookings.count() == 2
    assert made.member == member


def test_a_date_taken_meanwhile_shows_the_preview_again_with_the_reason_and_what_was_typed(
    as_member, community, vehicle, owner
):
    book(vehicle, owner, at(16, 13), hours=2)  # taken after the person saw it free

    days = ["2026-12-02", "2026-12-16", "2026-12-23"]
    response = as_member.post(url(community), {**form(vehicle), "day": days, "save": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert not Booking.objects.filter(series__isnull=False).exists()
    assert "ne peut plus être réservé" in page
    assert response.context["form"]["note"].value() == "Piscine"
    # The others stay ticked, the taken one is unticked and says why; 9 December was unticked and stays so.
    assert response.context["ticked"] == {date(2026, 12, 2), date(2026, 12, 23)}
    assert 'id="day-2026-12-16" disabled' in page


def test_a_rule_over_a_year_is_said_on_the_form(as_member, community, vehicle):
    response = as_member.post(url(community), {**form(vehicle, until="2028-01-05"), "preview": "1"})

    assert response.status_code == 200
    assert "au plus un an" in response.content.decode()
    assert response.context["preview"] is None


def _series_of(user, vehicle, weeks=4):
    rule = Recurrence(WEEKLY, 1, date(2026, 12, 2), date(2026, 12, 2 + 7 * (weeks - 1)), time(14), time(18))
    days = [date(2026, 12, 2 + 7 * week) for week in range(weeks)]
    membership = membership_of(user, vehicle.community)
    return series_create(membership=membership, vehicle=vehicle, rule=rule, days=days)


def test_an_occurrence_says_its_rule_and_offers_to_change_or_cancel_the_following(
    as_member, community, vehicle, member
):
    booking = _series_of(member, vehicle).bookings.order_by("starts_at")[1]

    page = as_member.get(url(community, "booking_detail", booking.pk)).content.decode()

    assert "Toutes les semaines le mercredi de 14 h à 18 h" in page
    assert url(community, "booking_series_change", booking.pk) in page
    assert url(community, "booking_series_cancel", booking.pk) in page


def test_cancel_this_and_the_following_from_the_page(as_member, community, vehicle, member):
    made = _series_of(member, vehicle)
    second = made.bookings.order_by("starts_at")[1]

    response = as_member.post(url(community, "booking_series_cancel", second.pk), {"message": ""})

    assert response.status_code == 302
    statuses = list(made.bookings.order_by("starts_at").values_list("status", flat=True))
    assert statuses == [Booking.Status.REQUESTED] + [Booking.Status.CANCELLED] * 3


def test_change_this_and_the_following_from_the_page(as_member, community, vehicle, member):
    made = _series_of(member, vehicle)
    third = made.bookings.order_by("starts_at")[2]
    change = url(community, "booking_series_change", third.pk)

    initial = as_member.get(change).context["form"].initial
    assert (initial["first_date"], initial["start_time"]) == (date(2026, 12, 16), time(14))
    response = as_member.post(
        change, {**form(vehicle, first_date="2026-12-16", start_time="16:00"), "day": ["2026-12-16"], "save": "1"}
    )

    assert response.status_code == 302
    held = Booking.objects.filter(status=Booking.Status.REQUESTED).order_by("starts_at")
    assert [b.starts_at for b in held] == [at(2, 14), at(9, 14), at(16, 16)]


def test_a_booking_outside_a_series_has_no_series_pages(as_member, community, vehicle, member):
    booking = book(vehicle, member, at(2, 14))

    assert as_member.get(url(community, "booking_series_cancel", booking.pk)).status_code == 403
    assert as_member.get(url(community, "booking_series_change", booking.pk)).status_code == 403


def test_the_preview_writes_each_dates_times_as_its_summary_does(as_member, member, vehicle, community):
    member.language = "fr"
    member.save()
    response = as_member.post(url(community), {**form(vehicle), "preview": "1"}, HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert "de 14 h à 18 h" in html  # the summary
    assert "mercredi 2 décembre 2026, 14 h–18 h" in html  # each date, the same way
