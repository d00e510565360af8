"""An empty list says why it is empty and offers the next action (templates/_empty_state.html)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities import services
from tests.factories import ExpenseFactory, UserFactory, VehicleFactory


def empty_state(html: str) -> str:
    """The page's empty-state card, or "" when the page has none."""
    match = re.search(r'<div class="card empty-state">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


def action(html: str) -> str | None:
    """Where the empty state's button leads."""
    match = re.search(r'<a class="button" href="([^"]+)">', empty_state(html))
    return match.group(1) if match else None


@pytest.fixture
def get(login):
    def page(user, name: str, community, query: str = "") -> str:
        response = login(user).get(reverse(name, args=[community.pk]) + query)
        assert response.status_code == 200
        return response.content.decode()

    return page


@pytest.fixture
def founder(db):
    return UserFactory(email="founder@example.org", display_name="Fanny Founder")


@pytest.fixture
def alone(founder):
    """A new community whose founder is its only member."""
    return services.community_create(
        user=founder, data={"name": "Les Érables", "municipality": "Crest", "postal_code": "26400"}
    )


@pytest.mark.parametrize("name", ["vehicle_list", "calendar"])
def test_without_a_vehicle_an_admin_is_asked_to_add_the_first_one(get, community, admin_user, name):
    html = get(admin_user, name, community)
    assert "No vehicle yet. Add one the community owns, or a car a member lends to the others." in empty_state(html)
    assert "Add the first vehicle" in empty_state(html)
    assert action(html) == reverse("vehicle_create", args=[community.pk])


@pytest.mark.parametrize("name", ["vehicle_list", "calendar"])
def test_without_a_vehicle_a_member_is_asked_to_lend_theirs(get, community, member, name):
    html = get(member, name, community)
    assert "Lend yours to your neighbours, or ask an admin to add one the community owns." in empty_state(html)
    assert action(html) == reverse("vehicle_create", args=[community.pk])


def test_a_community_with_a_vehicle_shows_no_empty_state_on_the_vehicle_list(get, community, member, vehicle):
    html = get(member, "vehicle_list", community)
    assert not empty_state(html)
    assert "Clio bleue" in html


def test_no_upcoming_booking_leads_to_finding_a_free_vehicle(get, community, member, vehicle):
    html = get(member, "my_bookings", community)
    assert "No upcoming booking." in empty_state(html)
    assert action(html) == reverse("booking_find", args=[community.pk])


def test_no_expense_leads_to_recording_the_first_and_an_empty_filter_does_not(get, community, member, vehicle):
    html = get(member, "ledger_expenses", community)
    assert "No expense yet." in empty_state(html)
    assert action(html) == reverse("ledger_expense_create", args=[community.pk])

    ExpenseFactory(vehicle=vehicle, paid_by=member)
    assert not empty_state(get(member, "ledger_expenses", community))
    filtered = get(member, "ledger_expenses", community, "?missing_receipts=on")
    assert not empty_state(filtered)
    assert "No expense recorded here yet." in filtered


def test_no_expense_and_no_vehicle_leads_to_adding_a_vehicle_first(get, community, member):
    html = get(member, "ledger_expenses", community)
    assert "No vehicle yet." in empty_state(html)
    assert action(html) == reverse("vehicle_create", args=[community.pk])


def test_an_admin_alone_is_asked_to_invite_neighbours(get, founder, alone):
    html = get(founder, "member_list", alone)
    assert "You are the only member so far." in empty_state(html)
    assert action(html) == reverse("invitation_list", args=[alone.pk])


def test_members_with_neighbours_show_the_usual_invite_button(get, community, admin_user, member):
    html = get(admin_user, "member_list", community)
    assert not empty_state(html)
    assert f'href="{reverse("invitation_list", args=[community.pk])}"' in html


def test_no_invitation_points_to_the_form_that_creates_a_link(get, founder, alone):
    html = get(founder, "invitation_list", alone)
    assert "No invitation yet." in empty_state(html)
    assert action(html) == "#new-link"
    assert 'id="new-link"' in html


def test_the_empty_state_reads_in_french(client, founder, alone):
    client.force_login(founder)
    html = client.get(reverse("vehicle_list", args=[alone.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Ajouter le premier véhicule" in empty_state(html)


def test_a_vehicle_of_another_community_does_not_count(get, community, member, other_community):
    VehicleFactory(community=other_community)
    assert empty_state(get(member, "vehicle_list", community))


def in_two_days() -> str:
    """A slot two days ahead, 10:00 to 12:00 (within every rule of the fixtures' community)."""
    day = timezone.localdate() + timedelta(days=2)
    return f"?starts_at={day:%Y-%m-%d}T10:00&ends_at={day:%Y-%m-%d}T12:00"


def test_finding_a_free_vehicle_in_a_community_without_any_leads_to_adding_one(get, community, member):
    html = get(member, "booking_find", community, in_two_days())
    assert "No vehicle yet." in empty_state(html)
    assert action(html) == reverse("vehicle_create", args=[community.pk])
    assert "No vehicle is free for these times." not in html


def test_finding_a_free_vehicle_where_there_is_one_shows_no_empty_state(get, community, member, vehicle):
    html = get(member, "booking_find", community, in_two_days())
    assert not empty_state(html)
    assert "Clio bleue" in html
