"""The community overview: each person's dashboard (balance, next bookings, what waits for them)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bookings.models import Booking
from communities.models import Membership
from tests.factories import MembershipFactory, UserFactory, VehicleFactory, book, owes
from tests.helpers import booking_ids as detail_ids
from tests.helpers import section

S = Booking.Status


def card(html: str, key: str) -> str:
    return section(html, f"overview-{key}")


@pytest.fixture
def overview(login, community):
    def get(user) -> str:
        response = login(user).get(reverse("community_detail", args=[community.pk]))
        assert response.status_code == 200
        return response.content.decode()

    return get


def test_the_page_is_titled_overview_and_names_the_community_once(overview, member):
    html = overview(member)
    assert "<title>Overview · Les Tilleuls · Colocauto</title>" in html
    assert "<h1>Les Tilleuls</h1>" in html


def test_a_new_member_sees_only_their_square_balance_above_the_rules(overview, community, member):
    html = overview(member)
    balance = card(html, "balance")
    assert "Your balance" in balance and "€0.00" in balance
    assert "You are all square" in balance
    assert reverse("ledger_account", args=[community.pk]) in balance
    assert reverse("ledger_settle", args=[community.pk]) in balance
    for key in ("next", "to-record", "to-decide", "pending"):
        assert not card(html, key), key
    assert html.index('id="overview-balance"') < html.index('id="rules-title"')


def test_balance_says_what_the_member_owes_and_what_they_are_owed(overview, community, owner, member):
    owes(community, owner, member, "1234.50")
    assert "You owe €1,234.50 to the others." in card(overview(member), "balance")
    assert "The others owe you €1,234.50." in card(overview(owner), "balance")


def test_next_bookings_are_the_members_three_soonest_with_links(overview, community, vehicle, owner, member, now):
    mine = [book(vehicle, member, now + timedelta(days=day)) for day in (3, 1, 4, 2)]
    under_way = book(VehicleFactory(community=community), member, now - timedelta(hours=1))
    book(vehicle, owner, now + timedelta(hours=5))
    book(vehicle, member, now + timedelta(days=5), status=S.CANCELLED)
    book(vehicle, member, now - timedelta(days=3), status=S.COMPLETED)

    next_card = card(overview(member), "next")
    assert detail_ids(next_card) == [under_way.pk, mine[1].pk, mine[3].pk]
    assert "Clio bleue" in next_card and "Confirmed" in next_card
    assert f"{reverse('my_bookings', args=[community.pk])}#upcoming" in next_card


def test_trips_to_record_link_to_the_booking(overview, community, vehicle, member, now):
    ended = book(vehicle, member, now - timedelta(days=1))
    to_record = card(overview(member), "to-record")
    assert detail_ids(to_record) == [ended.pk]
    assert "Record the odometer" in to_record


def test_owner_is_asked_about_requests_on_their_car_and_a_member_is_not(
    overview, community, vehicle, pool_car, owner, member, now
):
    request = book(vehicle, member, now + timedelta(days=1), status=S.REQUESTED)
    book(pool_car, owner, now + timedelta(days=1), status=S.REQUESTED)

    to_decide = card(overview(owner), "to-decide")
    assert detail_ids(to_decide) == [request.pk]
    assert "Maya Member" in to_decide and "Confirm or decline" in to_decide
    # The member's own request is for the owner to answer; the owner's pool-car request is the admins'.
    assert not card(overview(member), "to-decide")


def test_admin_is_asked_about_every_request_and_sees_people_waiting_to_join(
    overview, community, vehicle, pool_car, admin_user, owner, member, now
):
    on_owner_car = book(vehicle, member, now + timedelta(days=2), status=S.REQUESTED)
    on_pool_car = book(pool_car, owner, now + timedelta(days=1), status=S.REQUESTED)
    for _ in range(2):
        MembershipFactory(community=community, user=UserFactory(), status=Membership.Status.PENDING)

    html = overview(admin_user)
    assert detail_ids(card(html, "to-decide")) == [on_pool_car.pk, on_owner_car.pk]
    pending = card(html, "pending")
    assert "2 people are asking to join the community." in pending
    assert reverse("member_list", args=[community.pk]) in pending
    assert not card(overview(member), "pending")


def test_a_long_list_shows_three_and_points_to_my_bookings(overview, community, vehicle, owner, member, now):
    for day in range(1, 6):
        book(vehicle, member, now + timedelta(days=day), status=S.REQUESTED)
    to_decide = card(overview(owner), "to-decide")
    assert len(detail_ids(to_decide)) == 3
    assert f"{reverse('my_bookings', args=[community.pk])}#to-decide" in to_decide


def test_other_communities_never_show(overview, community, member, other_community, outsider, now):
    MembershipFactory(community=other_community, user=member)
    elsewhere = VehicleFactory(community=other_community, owner=member)
    book(elsewhere, member, now + timedelta(days=1))
    book(elsewhere, member, now - timedelta(days=1))
    book(elsewhere, outsider, now + timedelta(days=2), status=S.REQUESTED)
    owes(other_community, outsider, member, "50.00")
    html = overview(member)
    assert not detail_ids(html)
    assert "€0.00" in card(html, "balance")


def test_the_overview_takes_the_same_queries_for_2_or_40_rows(login, community, vehicle, pool_car, admin_user, now):
    client = login(admin_user)
    url = reverse("community_detail", args=[community.pk])
    admin_car = VehicleFactory(community=community, owner=admin_user)

    def add(first: int, count: int) -> None:
        for n in range(first, first + count):
            driver = UserFactory(display_name=f"Driver {n}")
            MembershipFactory(community=community, user=driver)
            MembershipFactory(community=community, user=UserFactory(), status=Membership.Status.PENDING)
            book(vehicle, driver, now + timedelta(days=1, hours=3 * n), status=S.REQUESTED)
            book(pool_car, admin_user, now + timedelta(days=1, hours=3 * n))
            book(admin_car, admin_user, now - timedelta(days=1, hours=3 * n))
            owes(community, driver, admin_user, "1.10")

    add(0, 2)
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    assert all(card(html, key) for key in ("balance", "next", "to-record", "to-decide", "pending"))
    add(2, 38)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()

    assert "You owe €44.00 to the others." in card(html, "balance")
    assert "40 people are asking" in card(html, "pending")
    assert len(few.captured_queries) == len(many.captured_queries), [q["sql"] for q in many.captured_queries]
    assert len(many.captured_queries) <= 11


def test_every_page_links_the_favicon(overview, member):
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in overview(member)


def test_the_overview_reads_in_french(client, community, vehicle, admin_user, member, now):
    book(vehicle, member, now + timedelta(days=1), status=S.REQUESTED)
    book(vehicle, admin_user, now + timedelta(days=2))
    MembershipFactory(community=community, user=UserFactory(), status=Membership.Status.PENDING)
    admin_user.language = "fr"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    client.cookies.pop("django_language", None)
    html = client.get(reverse("community_detail", args=[community.pk])).content.decode()
    assert "<title>Vue d’ensemble · Les Tilleuls · Colocauto</title>" in html
    assert "Votre solde" in card(html, "balance") and "Voir mon compte" in card(html, "balance")
    assert "Demandes en attente de votre décision" in card(html, "to-decide")
    assert "Confirmer ou refuser" in card(html, "to-decide")
    assert "1 personne demande à rejoindre la communauté." in card(html, "pending")
    assert "Vos prochaines réservations" in card(html, "next")
