"""My bookings: in progress, upcoming, trips to record, and the past, paginated."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bookings.models import Booking, Trip
from tests import helpers
from tests.factories import TripFactory, VehicleFactory, book
from tests.helpers import booking_ids, section

S = Booking.Status


def trip(booking, *, ended: bool):
    return TripFactory(booking=booking, start_odometer=1000, ended=ended)


def page(client, user, community, **params):
    return helpers.page(client, user, reverse("my_bookings", kwargs={"community_id": community.pk}), params)


def detail_ids(html: str) -> set[int]:
    return set(booking_ids(html))


def test_outsider_and_anonymous_cannot_see_my_bookings(client, community, outsider):
    url = reverse("my_bookings", kwargs={"community_id": community.pk})
    assert client.get(url).status_code == 302
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_bookings_are_sorted_into_what_they_call_for(client, community, vehicle, owner, member, now):
    ongoing = book(vehicle, member, now - timedelta(hours=1), status=S.IN_PROGRESS)
    trip(ongoing, ended=False)
    coming = book(vehicle, member, now + timedelta(days=1))
    requested = book(vehicle, member, now + timedelta(days=2), status=S.REQUESTED)
    not_started = book(vehicle, member, now - timedelta(days=2))  # confirmed, ended, no trip
    not_finished = book(vehicle, member, now - timedelta(days=3), status=S.IN_PROGRESS)
    trip(not_finished, ended=False)
    done = book(vehicle, member, now - timedelta(days=4), status=S.COMPLETED)
    trip(done, ended=True)
    cancelled_future = book(vehicle, member, now + timedelta(days=3), status=S.CANCELLED)
    rejected = book(vehicle, member, now + timedelta(days=4), status=S.REJECTED)
    unanswered = book(vehicle, member, now - timedelta(days=5), status=S.REQUESTED)
    someone_elses = book(vehicle, owner, now + timedelta(days=5))

    html = page(client, member, community)
    assert detail_ids(section(html, "in-progress")) == {ongoing.pk}
    assert detail_ids(section(html, "upcoming")) == {coming.pk, requested.pk}
    assert detail_ids(section(html, "to-record")) == {not_started.pk, not_finished.pk}
    assert detail_ids(section(html, "past")) == {done.pk, cancelled_future.pk, rejected.pk, unanswered.pk}
    assert someone_elses.pk not in detail_ids(html)
    assert "Record the odometer" in section(html, "to-record")
    assert "Requested" in section(html, "upcoming") and "Cancelled" in section(html, "past")


def test_nothing_to_record_hides_the_section_and_empty_sections_say_so(client, community, member):
    html = page(client, member, community)
    assert 'aria-labelledby="to-record"' not in html
    assert "No booking in progress." in html and "No upcoming booking." in html and "No past booking yet." in html


def test_bookings_in_another_community_are_not_listed(client, community, member, other_community, now):
    from tests.factories import MembershipFactory

    MembershipFactory(community=other_community, user=member)
    elsewhere = book(VehicleFactory(community=other_community), member, now + timedelta(days=1))
    html = page(client, member, community)
    assert elsewhere.pk not in detail_ids(html)


def test_times_are_shown_in_the_community_time_zone(client, community, vehicle, member):
    community.time_zone = "America/Montreal"
    community.save()
    start = timezone.make_aware(timezone.datetime(2031, 6, 1, 14, 0), timezone.get_fixed_timezone(0))
    book(vehicle, member, start)
    html = section(page(client, member, community), "upcoming")
    assert "10:00" in html and "12:00" in html  # 14:00 UTC is 10:00 in Montreal (summer time)


def test_past_bookings_are_paginated_newest_first(client, community, vehicle, member, now):
    past = [book(vehicle, member, now - timedelta(days=day + 1), status=S.COMPLETED) for day in range(25)]
    first = section(page(client, member, community), "past")
    assert detail_ids(first) == {b.pk for b in past[:20]}
    assert "Page 1 of 2" in first and 'href="?past=2#past"' in first
    second = section(page(client, member, community, past=2), "past")
    assert detail_ids(second) == {b.pk for b in past[20:]}
    assert 'href="?past=1#past"' in second
    # A page number out of range shows the last page rather than an error.
    assert detail_ids(section(page(client, member, community, past=99), "past")) == {b.pk for b in past[20:]}


def test_upcoming_bookings_are_paginated_soonest_first_keeping_the_past_page(client, community, vehicle, member, now):
    upcoming = [book(vehicle, member, now + timedelta(days=day + 1)) for day in range(22)]
    for day in range(21):
        book(vehicle, member, now - timedelta(days=day + 1), status=S.CANCELLED)
    html = page(client, member, community, past=2)
    assert detail_ids(section(html, "upcoming")) == {b.pk for b in upcoming[:20]}
    assert 'href="?past=2&amp;upcoming=2#upcoming"' in section(html, "upcoming")
    html = page(client, member, community, past=2, upcoming=2)
    assert detail_ids(section(html, "upcoming")) == {b.pk for b in upcoming[20:]}
    assert "Page 2 of 2" in section(html, "past")


def add_bookings(vehicles, member, count, now, first=0):
    """Bookings number ``first`` to ``first + count`` of the member, in every section, with trips for the driven ones."""
    kinds = [
        (S.COMPLETED, -1),  # past
        (S.CONFIRMED, 1),  # upcoming
        (S.REQUESTED, 1),  # upcoming
        (S.CONFIRMED, -1),  # ended: to record
        (S.CANCELLED, -1),  # past
        (S.IN_PROGRESS, 0),  # in progress: only one, more would overlap
    ]
    bookings = []
    for n in range(first, first + count):
        status, direction = kinds[n % len(kinds)]
        if direction == 0 and n != len(kinds) - 1:
            status, direction = S.COMPLETED, -1
        start = now + direction * timedelta(days=1 + n // len(kinds)) - timedelta(hours=1 if direction == 0 else 0)
        bookings.append(
            Booking(
                community=vehicles[0].community,
                vehicle=vehicles[n % len(vehicles)],
                member=member,
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                status=status,
            )
        )
    created = Booking.objects.bulk_create(bookings)
    Trip.objects.bulk_create(
        Trip(
            booking=b,
            vehicle=b.vehicle,
            driver=member,
            start_odometer=1000,
            end_odometer=1010 if b.status == S.COMPLETED else None,
            started_at=b.starts_at,
            ended_at=b.ends_at if b.status == S.COMPLETED else None,
        )
        for b in created
        if b.status in (S.COMPLETED, S.IN_PROGRESS)
    )


def test_my_bookings_query_count_does_not_grow_with_bookings(client, community, vehicle, member, now):
    vehicles = [vehicle, VehicleFactory(community=community)]
    member.language = "en"
    member.save(update_fields=["language"])
    client.force_login(member)
    url = reverse("my_bookings", kwargs={"community_id": community.pk})

    add_bookings(vehicles, member, 2, now)  # one past, one upcoming
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_bookings(vehicles, member, 498, now, first=2)
    assert Booking.objects.filter(member=member).count() == 500
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    html = response.content.decode()
    assert "Page 1 of" in section(html, "upcoming") and "Page 1 of" in section(html, "past")
    assert section(html, "in-progress") and section(html, "to-record")
    assert len(few.captured_queries) == len(many.captured_queries), [q["sql"] for q in many.captured_queries]
    assert len(many.captured_queries) <= 11
