"""Requests waiting for a decision: who is asked to answer which request, and where they see them."""

from datetime import timedelta
from functools import partial

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking
from bookings.selectors import requests_awaiting_decision
from communities.models import Membership
from tests import factories
from tests.bookings.conftest import membership_of
from tests.factories import MembershipFactory, UserFactory, VehicleFactory
from tests.helpers import booking_ids as detail_ids
from tests.helpers import page, section

S = Booking.Status


book = partial(factories.book, status=S.REQUESTED)  # requests, unless told otherwise


def my_bookings_html(client, user, community) -> str:
    return page(client, user, reverse("my_bookings", kwargs={"community_id": community.pk}))


def to_decide_section(html: str) -> str:
    return section(html, "to-decide")


def test_owner_is_asked_about_requests_on_their_vehicles_only(community, vehicle, pool_car, owner, member, now):
    on_my_car = book(vehicle, member, now + timedelta(days=1))
    book(pool_car, member, now + timedelta(days=1))
    assert list(requests_awaiting_decision(membership_of(owner, community))) == [on_my_car]


def test_admin_is_asked_about_every_request_soonest_first(community, vehicle, pool_car, admin_user, owner, member, now):
    later = book(vehicle, member, now + timedelta(days=3))
    sooner = book(pool_car, owner, now + timedelta(days=1))
    own = book(pool_car, admin_user, now + timedelta(days=2))
    assert list(requests_awaiting_decision(membership_of(admin_user, community))) == [sooner, own, later]


def test_member_without_a_vehicle_decides_nothing(community, vehicle, admin_user, member, now):
    book(vehicle, admin_user, now + timedelta(days=1))
    book(vehicle, member, now + timedelta(days=2))
    assert list(requests_awaiting_decision(membership_of(member, community))) == []


def test_answered_and_past_requests_are_not_waiting_but_one_under_way_is(community, vehicle, owner, member, now):
    book(vehicle, member, now + timedelta(days=1), status=S.CONFIRMED)
    book(vehicle, member, now + timedelta(days=2), status=S.REJECTED)
    book(vehicle, member, now + timedelta(days=3), status=S.CANCELLED)
    book(vehicle, member, now - timedelta(days=1))  # its time passed unanswered
    under_way = book(vehicle, member, now - timedelta(minutes=30))  # the driver is waiting right now
    assert list(requests_awaiting_decision(membership_of(owner, community))) == [under_way]


def test_requests_of_another_community_are_never_shown(community, vehicle, outsider, other_community, now):
    book(vehicle, vehicle.owner, now + timedelta(days=1))
    theirs = book(VehicleFactory(community=other_community, owner=outsider), outsider, now + timedelta(days=1))
    assert list(requests_awaiting_decision(membership_of(outsider, other_community))) == [theirs]


def test_former_admin_decides_nothing(community, vehicle, admin_user, member, now):
    book(vehicle, member, now + timedelta(days=1))
    membership = membership_of(admin_user, community)
    membership.status = Membership.Status.LEFT
    assert list(requests_awaiting_decision(membership)) == []


def test_my_bookings_opens_with_the_requests_to_answer(client, community, vehicle, owner, member, now):
    request = book(vehicle, member, now + timedelta(days=1))
    html = my_bookings_html(client, owner, community)
    section = to_decide_section(html)
    assert "Requests waiting for your decision" in section
    assert detail_ids(section) == [request.pk]
    assert "Maya Member" in section and "Clio bleue" in section and "Confirm or decline" in section
    # It comes before the owner's own bookings.
    assert html.index('aria-labelledby="to-decide"') < html.index('aria-labelledby="in-progress"')


def test_my_bookings_of_the_person_who_asked_has_no_requests_section(client, community, vehicle, member, now):
    book(vehicle, member, now + timedelta(days=1))
    html = my_bookings_html(client, member, community)
    assert 'aria-labelledby="to-decide"' not in html
    assert "Requests waiting for your decision" not in html


def test_requests_to_answer_take_the_same_queries_for_2_or_40(client, community, vehicle, owner, now):
    drivers = []
    for index in range(40):
        user = UserFactory(display_name=f"Driver {index}")
        MembershipFactory(community=community, user=user)
        drivers.append(user)
    owner.language = "en"
    owner.save(update_fields=["language"])
    client.force_login(owner)
    url = reverse("my_bookings", kwargs={"community_id": community.pk})

    for index in range(2):
        book(vehicle, drivers[index], now + timedelta(days=1, hours=3 * index))
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for index in range(2, 40):
        book(vehicle, drivers[index], now + timedelta(days=1, hours=3 * index))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(detail_ids(to_decide_section(response.content.decode()))) == 40
    assert len(few.captured_queries) == len(many.captured_queries), [q["sql"] for q in many.captured_queries]
