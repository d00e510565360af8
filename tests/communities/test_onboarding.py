"""A new community's setup checklist on the overview, and the empty lists that lead to the next action."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities import onboarding, services
from communities.models import Membership
from tests.communities.test_views import _settings_data
from tests.factories import InvitationFactory, MembershipFactory, UserFactory, VehicleFactory, member_of
from tests.helpers import section
from tests.vehicles.test_views import form_data as vehicle_data

IBAN = "FR7630006000011234567890189"


@pytest.fixture
def founder(db):
    return UserFactory(email="founder@example.org", display_name="Fanny Founder")


@pytest.fixture
def new_community(founder):
    """A community just created through its form's service: its founder is its only member, its only admin."""
    return services.community_create(
        user=founder, data={"name": "Les Érables", "municipality": "Crest", "postal_code": "26400"}
    )


@pytest.fixture
def overview(login):
    def get(user, community) -> str:
        response = login(user).get(reverse("community_detail", args=[community.pk]))
        assert response.status_code == 200
        return response.content.decode()

    return get


def checklist(html: str) -> str:
    return section(html, "overview-setup")


def steps(html: str) -> dict[str, str]:
    """Each step's title → "Done" or "To do", as the card says in words."""
    found = re.findall(r'<span class="badge[^"]*">(Done|To do)</span>\s*(?:<a [^>]*>)?<strong>([^<]+)</strong>', html)
    return {title: status for status, title in found}


def membership(user, community) -> Membership:
    return Membership.objects.get(user=user, community=community, status=Membership.Status.ACTIVE)


# --- The checklist -----------------------------------------------------------------------------


def test_a_new_communitys_admin_sees_four_steps_to_do_each_linking_to_its_page(overview, founder, new_community):
    card = checklist(overview(founder, new_community))
    assert "Set up your community" in card
    assert "0 of 4 done" in card
    assert steps(card) == {
        "Add a vehicle": "To do",
        "Set the rules": "To do",
        "Invite your neighbours": "To do",
        "Add your IBAN": "To do",
    }
    c = new_community.pk
    for target in (
        reverse("vehicle_create", args=[c]),
        reverse("community_edit", args=[c]),
        reverse("invitation_list", args=[c]),
        reverse("profile") + "#id_iban",
    ):
        assert f'href="{target}"' in card


def test_adding_a_vehicle_ticks_its_step_and_a_paused_one_does_not(login, overview, founder, new_community):
    login(founder).post(reverse("vehicle_create", args=[new_community.pk]), vehicle_data(is_active=""))
    assert steps(checklist(overview(founder, new_community)))["Add a vehicle"] == "To do"

    login(founder).post(reverse("vehicle_create", args=[new_community.pk]), vehicle_data(name="Clio"))
    card = checklist(overview(founder, new_community))
    assert steps(card)["Add a vehicle"] == "Done"
    assert "1 of 4 done" in card
    assert f'href="{reverse("vehicle_create", args=[new_community.pk])}"' not in card


def test_saving_the_settings_page_ticks_the_rules_step(login, overview, founder, new_community):
    response = login(founder).post(reverse("community_edit", args=[new_community.pk]), _settings_data())
    assert response.status_code == 302
    new_community.refresh_from_db()
    assert new_community.rules_reviewed_at is not None
    assert steps(checklist(overview(founder, new_community)))["Set the rules"] == "Done"


def test_a_usable_invitation_link_ticks_the_neighbours_step_and_a_revoked_one_does_not(
    login, overview, founder, new_community
):
    InvitationFactory(community=new_community, revoked_at=timezone.now())
    InvitationFactory(community=new_community, expires_at=timezone.now() - timedelta(days=1))
    InvitationFactory(community=new_community, max_uses=1, use_count=1)
    assert steps(checklist(overview(founder, new_community)))["Invite your neighbours"] == "To do"

    login(founder).post(reverse("invitation_list", args=[new_community.pk]), {"expires_in_days": "7"})
    assert steps(checklist(overview(founder, new_community)))["Invite your neighbours"] == "Done"


def test_a_neighbour_asking_to_join_ticks_the_neighbours_step(overview, founder, new_community):
    MembershipFactory(community=new_community, pending=True)
    assert steps(checklist(overview(founder, new_community)))["Invite your neighbours"] == "Done"


def test_saving_an_iban_on_the_profile_ticks_its_step(login, overview, founder, new_community):
    login(founder).post(reverse("profile"), {"display_name": founder.display_name, "language": "en", "iban": IBAN})
    founder.refresh_from_db()
    assert founder.iban == IBAN
    assert steps(checklist(overview(founder, new_community)))["Add your IBAN"] == "Done"


def test_the_checklist_goes_away_once_every_step_is_done(login, overview, founder, new_community):
    VehicleFactory(community=new_community, owner=founder)
    MembershipFactory(community=new_community)
    services.community_update(actor=membership(founder, new_community), data={})
    assert "3 of 4 done" in checklist(overview(founder, new_community))

    founder.iban = IBAN
    founder.save(update_fields=["iban"])
    html = overview(founder, new_community)
    assert not checklist(html)
    assert 'id="overview-balance"' in html


def test_hiding_the_list_hides_it_for_this_admin_only(login, overview, founder, new_community):
    other_admin = member_of(new_community, Membership.Role.ADMIN)
    response = login(founder).post(reverse("checklist_hide", args=[new_community.pk]), follow=True)
    assert "The setup list is hidden." in response.content.decode()
    assert not checklist(response.content.decode())
    assert membership(founder, new_community).checklist_hidden_at is not None
    assert not checklist(overview(founder, new_community))
    assert checklist(overview(other_admin, new_community))


def test_a_member_is_asked_only_for_their_iban(overview, new_community):
    neighbour = member_of(new_community)
    card = checklist(overview(neighbour, new_community))
    assert "Getting started" in card
    assert "0 of 1 done" in card
    assert steps(card) == {"Add your IBAN": "To do"}
    for admin_page in ("community_edit", "invitation_list"):
        assert reverse(admin_page, args=[new_community.pk]) not in card

    neighbour.iban = IBAN
    neighbour.save(update_fields=["iban"])
    assert not checklist(overview(neighbour, new_community))


def test_a_member_can_hide_their_list(login, overview, new_community):
    neighbour = member_of(new_community)
    assert login(neighbour).post(reverse("checklist_hide", args=[new_community.pk])).status_code == 302
    assert not checklist(overview(neighbour, new_community))


def test_the_checklist_is_read_in_one_query_for_an_admin_and_none_for_a_member(
    django_assert_num_queries, founder, new_community
):
    def read(user):  # as the page reads it, with its user and community
        return Membership.objects.select_related("user", "community").get(user=user, community=new_community)

    admin, neighbour = read(founder), read(member_of(new_community))
    with django_assert_num_queries(1):
        assert onboarding.checklist_of(admin).done_count == 1  # the neighbour
    for n in range(20):
        VehicleFactory(community=new_community, is_active=bool(n % 2))
        InvitationFactory(community=new_community)
        MembershipFactory(community=new_community)
    with django_assert_num_queries(1):
        assert onboarding.checklist_of(admin).done_count == 2
    with django_assert_num_queries(0):
        assert onboarding.checklist_of(neighbour).total == 1
    services.checklist_hide(membership=admin)
    with django_assert_num_queries(0):
        assert onboarding.checklist_shown(admin) is None


def test_the_overview_takes_one_query_more_for_an_admins_checklist(login, founder, new_community):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(founder)
    url = reverse("community_detail", args=[new_community.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as shown:
        assert checklist(client.get(url).content.decode())
    services.checklist_hide(membership=membership(founder, new_community))
    with CaptureQueriesContext(connection) as hidden:
        assert not checklist(client.get(url).content.decode())
    assert len(shown) == len(hidden) + 1
