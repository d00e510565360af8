"""Community pages: what people see, forms that keep their input, messages, and 404/403 for the wrong people."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from communities.models import Community, Membership
from tests.factories import MembershipFactory, UserFactory, VehicleFactory


def _messages(response):
    return [str(message) for message in response.context["messages"]]


# --- Home -------------------------------------------------------------------------------------


def test_home_lists_my_communities_with_counts_and_role(login, community, admin_user, member, vehicle):
    response = login(member).get(reverse("home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Les Tilleuls" in content
    membership = response.context["memberships"][0]
    assert (membership.member_count, membership.vehicle_count) == (3, 1)
    assert "Member" in content
    assert reverse("community_create") in content


def test_home_shows_my_pending_requests(login, community):
    person = UserFactory()
    MembershipFactory(community=community, user=person, status=Membership.Status.PENDING, joined_at=None)
    response = login(person).get(reverse("home"))
    assert "Waiting for approval" in response.content.decode()
    assert list(response.context["memberships"]) == []


def test_home_query_count_does_not_grow_with_communities(db, login, django_assert_max_num_queries):
    person = UserFactory()
    client = login(person)
    for _ in range(2):
        MembershipFactory(user=person)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("home"))
    for _ in range(20):
        membership = MembershipFactory(user=person)
        VehicleFactory(community=membership.community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


# --- Create / detail / edit -----------------------------------------------------------------------


def test_creating_a_community_makes_me_its_admin(db, login):
    person = UserFactory()
    response = login(person).post(
        reverse("community_create"),
        {
            "name": "Hameau des Pins",
            "description": "Trois familles",
            "charter": "Rendre le plein.",
            "municipality": "Saillans",
            "postal_code": "26340",
            "time_zone": "Europe/Paris",
            "currency": "EUR",
        },
        follow=True,
    )
    community = Community.objects.get(name="Hameau des Pins")
    assert response.redirect_chain[-1][0] == reverse("community_detail", args=[community.pk])
    assert Membership.objects.get(community=community, user=person).is_admin
    assert "Your community has been created" in " ".join(_messages(response))


@pytest.mark.parametrize("postal_code", ["2640", "ABCDE", "00100", "99000", "264000"])
def test_bad_postal_code_is_refused_and_input_is_kept(db, login, postal_code):
    response = login(UserFactory()).post(
        reverse("community_create"),
        {"name": "Hameau", "municipality": "Saillans", "postal_code": postal_code, "time_zone": "Europe/Paris"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Enter a French postal code" in content
    assert 'value="Hameau"' in content
    assert f'value="{postal_code}"' in content
    assert not Community.objects.filter(name="Hameau").exists()


def test_detail_explains_the_booking_rules(login, community, member):
    community.min_notice = timedelta(hours=2)
    community.max_duration = timedelta(days=3)
    community.save()
    response = login(member).get(reverse("community_detail", args=[community.pk]))
    content = response.content.decode()
    assert "Book at least 2 hours before you leave." in content
    assert "A booking lasts at most 3 days." in content
    assert "You can book up to 90 days ahead." in content
    assert reverse("community_leave", args=[community.pk]) in content
    assert "Les Tilleuls" in content


def test_detail_of_another_community_is_404(login, community, outsider):
    assert login(outsider).get(reverse("community_detail", args=[community.pk])).status_code == 404


def test_detail_asks_anonymous_visitors_to_log_in(client, community):
    response = client.get(reverse("community_detail", args=[community.pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_member_cannot_open_settings(login, community, member):
    assert login(member).get(reverse("community_edit", args=[community.pk])).status_code == 403


def _settings_data(**overrides):
    data = {
        "name": "Les Tilleuls",
        "municipality": "Crest",
        "postal_code": "26400",
        "time_zone": "Europe/Paris",
        "currency": "EUR",
        "owner_approval_required": "on",
        "min_notice_0": "2",
        "min_notice_1": "hours",
        "max_duration_0": "3",
        "max_duration_1": "days",
        "max_advance_0": "60",
        "max_advance_1": "days",
        "idle_shared_costs": "members",
        "inactivity_months": "6",
    }
    data.update(overrides)
    return data


def test_admin_saves_booking_rules_in_hours_and_days(login, community, admin_user):
    response = login(admin_user).post(reverse("community_edit", args=[community.pk]), _settings_data(), follow=True)
    community.refresh_from_db()
    assert (community.min_notice, community.max_duration, community.max_advance) == (
        timedelta(hours=2),
        timedelta(days=3),
        timedelta(days=60),
    )
    assert community.auto_approve_invitees is False
    assert community.idle_shared_costs == "members"
    assert "settings have been saved" in " ".join(_messages(response))


def test_admin_sets_the_months_without_activity_before_a_member_is_listed(login, community, admin_user):
    assert community.inactivity_months == 6
    login(admin_user).post(reverse("community_edit", args=[community.pk]), _settings_data(inactivity_months="9"))
    community.refresh_from_db()
    assert community.inactivity_months == 9


def test_the_months_without_activity_are_refused_in_french_out_of_bounds(client, community, admin_user):
    admin_user.language = "fr"
    admin_user.save(update_fields=["language"])
    client.force_login(admin_user)
    url = reverse("community_edit", args=[community.pk])
    with translation.override("fr"):
        assert "Saisissez au plus 36 mois." in client.post(url, _settings_data(inactivity_months="40")).content.decode()


def test_settings_show_current_rules_in_friendly_units(login, community, admin_user):
    community.max_duration = timedelta(hours=36)
    community.save()
    content = login(admin_user).get(reverse("community_edit", args=[community.pk])).content.decode()
    assert 'name="max_duration_0" value="36"' in content
    assert '<option value="hours" selected>' in content


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"max_duration_0": "0"}, "Enter at least 1 hour."),
        ({"max_duration_0": "abc"}, "Enter a whole number."),
        ({"min_notice_0": "-3"}, "Enter a number that is zero or more."),
        ({"max_advance_0": "5000"}, "Enter at most 730 days."),
        ({"max_advance_0": "99999999999999999999"}, "Enter at most 730 days."),
        ({"min_notice_0": "99999999999999999999", "min_notice_1": "hours"}, "Enter at most 30 days."),
        ({"postal_code": "123"}, "Enter a French postal code"),
        ({"inactivity_months": "0"}, "Enter at least 1 month."),
        ({"inactivity_months": "37"}, "Enter at most 36 months."),
    ],
)
def test_bad_rules_are_refused_and_input_is_kept(login, community, admin_user, overrides, error):
    response = login(admin_user).post(
        reverse("community_edit", args=[community.pk]), _settings_data(name="Renamed", **overrides)
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert error in content
    assert 'value="Renamed"' in content
    for key, value in overrides.items():
        assert f'value="{value}"' in content, key
    community.refresh_from_db()
    assert community.name == "Les Tilleuls"


# --- Members ----------------------------------------------------------------------------------


def test_members_see_each_other_with_phone_but_not_pending_requests(login, community, admin_user, member):
    admin_user.phone = "06 12 34 56 78"
    admin_user.save()
    pending = UserFactory(display_name="Paul Pending")
    MembershipFactory(community=community, user=pending, status=Membership.Status.PENDING, joined_at=None)
    content = login(member).get(reverse("member_list", args=[community.pk])).content.decode()
    assert "Alice Admin" in content
    assert "06 12 34 56 78" in content
    assert "Paul Pending" not in content
    assert "member_promote" not in content and "/promote/" not in content


def test_admin_sees_and_approves_pending_request(login, community, admin_user):
    pending_user = UserFactory(display_name="Paul Pending")
    pending = MembershipFactory(community=community, user=pending_user, status="pending", joined_at=None)
    client = login(admin_user)
    assert "Paul Pending" in client.get(reverse("member_list", args=[community.pk])).content.decode()
    response = client.post(reverse("member_approve", args=[community.pk, pending.pk]), follow=True)
    assert "Paul Pending is now a member." in _messages(response)
    pending.refresh_from_db()
    assert pending.is_active


def test_member_list_query_count_does_not_grow(login, community, admin_user, django_assert_max_num_queries):
    client = login(admin_user)
    MembershipFactory(community=community)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("member_list", args=[community.pk]))
    for _ in range(30):
        MembershipFactory(community=community)
        MembershipFactory(community=community, status="pending", joined_at=None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("member_list", args=[community.pk]))


def test_last_admin_demoting_themselves_gets_a_clear_message(login, community, admin_user, member):
    admin_membership = Membership.objects.get(community=community, user=admin_user)
    response = login(admin_user).post(reverse("member_demote", args=[community.pk, admin_membership.pk]), follow=True)
    assert response.status_code == 200
    assert any("at least one admin" in message for message in _messages(response))
    admin_membership.refresh_from_db()
    assert admin_membership.is_admin


def test_member_actions_are_forbidden_to_members(login, community, admin_user, member):
    target = Membership.objects.get(community=community, user=admin_user)
    client = login(member)
    for action in ("member_approve", "member_reject", "member_promote", "member_demote", "member_remove"):
        assert client.post(reverse(action, args=[community.pk, target.pk])).status_code == 403, action


def test_member_actions_need_post(login, community, admin_user, member):
    target = Membership.objects.get(community=community, user=member)
    assert login(admin_user).get(reverse("member_promote", args=[community.pk, target.pk])).status_code == 405


def test_member_action_on_another_communitys_member_is_404(login, community, admin_user, outsider, other_community):
    foreign = Membership.objects.get(community=other_community, user=outsider)
    response = login(admin_user).post(reverse("member_remove", args=[community.pk, foreign.pk]))
    assert response.status_code == 404


def test_admin_removes_a_member(login, community, admin_user, member):
    target = Membership.objects.get(community=community, user=member)
    response = login(admin_user).post(reverse("member_remove", args=[community.pk, target.pk]), follow=True)
    assert "Maya Member has been removed from the community." in _messages(response)
    target.refresh_from_db()
    assert target.status == Membership.Status.REMOVED


# --- Leave ------------------------------------------------------------------------------------


def test_member_leaves_after_confirmation(login, community, admin_user, member):
    client = login(member)
    page = client.get(reverse("community_leave", args=[community.pk]))
    assert "future bookings in this community are cancelled" in page.content.decode()
    response = client.post(reverse("community_leave", args=[community.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "You have left Les Tilleuls." in _messages(response)
    assert client.get(reverse("community_detail", args=[community.pk])).status_code == 404


def test_last_admin_is_told_to_name_another_admin_before_leaving(login, community, admin_user, member):
    client = login(admin_user)
    page = client.get(reverse("community_leave", args=[community.pk])).content.decode()
    assert "You are the only admin" in page
    response = client.post(reverse("community_leave", args=[community.pk]), follow=True)
    assert any("only admin" in message for message in _messages(response))
    assert Membership.objects.get(community=community, user=admin_user).is_active


def test_pending_applicant_is_told_their_request_waits_for_approval(login, community):
    person = UserFactory()
    MembershipFactory(community=community, user=person, status=Membership.Status.PENDING, joined_at=None)
    response = login(person).get(reverse("community_detail", args=[community.pk]))
    assert response.status_code == 403
    content = response.content.decode()
    assert "Your request is waiting for approval" in content
    assert "Les Tilleuls" in content


def test_rejected_applicant_still_gets_404(login, community):
    person = UserFactory()
    MembershipFactory(community=community, user=person, status=Membership.Status.REJECTED, joined_at=None)
    assert login(person).get(reverse("community_detail", args=[community.pk])).status_code == 404


def test_only_admin_is_not_offered_to_step_down(login, community, admin_user, member):
    client = login(admin_user)
    admin_membership = Membership.objects.get(community=community, user=admin_user)
    demote_url = reverse("member_demote", args=[community.pk, admin_membership.pk])
    content = client.get(reverse("member_list", args=[community.pk])).content.decode()
    assert demote_url not in content
    assert "Only admin" in content
    Membership.objects.filter(community=community, user=member).update(role=Membership.Role.ADMIN)
    content = client.get(reverse("member_list", args=[community.pk])).content.decode()
    assert demote_url in content


def test_home_tells_an_admin_how_many_people_wait_to_join(login, community, admin_user, member):
    for _ in range(2):
        MembershipFactory(community=community, status=Membership.Status.PENDING, joined_at=None)
    assert "2 people waiting to join" in login(admin_user).get(reverse("home")).content.decode()
    assert "waiting to join" not in login(member).get(reverse("home")).content.decode()


def test_switcher_lists_its_short_placeholder_first_and_waits_for_the_go_button(login, community, member):
    content = login(member).get(reverse("home")).content.decode()
    select = content[content.index('<select id="switch-community"') : content.index("</select>")]
    options = re.findall(r"<option[^>]*>([^<]*)</option>", select)
    assert options == ["Communities", "Les Tilleuls"]
    assert "data-autosubmit" not in select
    assert 'class="button small secondary">Go</button>' in content


def test_time_zone_list_offers_europe_and_french_overseas_without_outdated_names(db, login):
    other = Community.objects.create(
        name="Montréal", municipality="Crest", postal_code="26400", time_zone="America/Montreal"
    )
    content = login(UserFactory()).get(reverse("community_create")).content.decode()
    select = content[content.index('name="time_zone"') : content.index("</select>", content.index('name="time_zone"'))]
    zones = re.findall(r'<option value="([^"]+)"', select)
    assert "Europe/Paris" in zones and "Europe/Kyiv" in zones and "Indian/Reunion" in zones
    assert "Pacific/Noumea" in zones and "America/Cayenne" in zones
    assert other.time_zone in zones  # already used by a community
    assert "Africa/Asmera" not in zones and "Europe/Kiev" not in zones and "Asia/Tokyo" not in zones
    assert len(zones) < 80
    assert 'value="Europe/Paris" selected' in select


# --- Values from links that are not ids ------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "٣", "-1", "0", "99999999999999999999", "9" * 5000])
def test_switcher_sends_a_value_that_is_not_an_id_home(login, member, value):
    response = login(member).get(reverse("community_switch"), {"community": value})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_switcher_goes_to_the_chosen_community(login, member, community):
    response = login(member).get(reverse("community_switch"), {"community": str(community.pk)})
    assert response["Location"] == reverse("community_detail", args=[community.pk])


def test_community_id_too_big_for_the_database_is_not_found(login, member):
    assert login(member).get("/c/99999999999999999999/").status_code == 404
