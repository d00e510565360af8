"""/api/v1/communities/…: communities, members, invitations and joining, on the pages' services and forms."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Invitation, Membership
from tests.factories import CommunityFactory, InvitationFactory, MembershipFactory, UserFactory, member_of, owes


def url(community, rest=""):
    return f"/api/v1/communities/{community.pk}/{rest}"


def query_count(client, path) -> int:
    client.get(path)  # the token's first use of the day records it: not part of the list's cost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured.captured_queries)


# --- Communities -----------------------------------------------------------------------------------------


def test_my_communities_list_my_role_and_the_booking_rules_in_hours(as_user, admin_user, community, other_community):
    community.min_notice, community.max_advance = timedelta(hours=2), timedelta(days=30)
    community.save()
    MembershipFactory(community=other_community, user=admin_user)

    body = as_user(admin_user).get("/api/v1/communities/").json()

    first = body["results"][0]
    assert [(c["name"], c["role"]) for c in body["results"]] == [("Les Peupliers", "member"), ("Les Tilleuls", "admin")]
    tilleuls = body["results"][1]
    assert (tilleuls["min_notice_hours"], tilleuls["max_advance_hours"]) == (2, 720)
    assert tilleuls["time_zone"] == "Europe/Paris"
    assert first["currency"] == "EUR"


def test_a_community_shows_its_rules_and_pool_holder_to_members_and_is_not_found_for_others(
    as_user, admin_user, member, outsider, community
):
    community.pool_holder = admin_user
    community.save()

    body = as_user(member).get(url(community)).json()

    assert body["pool_holder"] == {"id": admin_user.pk, "display_name": "Alice Admin"}
    assert body["member_count"] == 2
    assert body["owner_approval_required"] is True
    assert as_user(outsider).get(url(community)).status_code == 404
    assert as_user(member).get("/api/v1/communities/99999999999999999999999/").status_code == 404


def test_an_admin_changes_the_rules_through_the_settings_form_and_other_settings_are_kept(
    as_user, admin_user, community
):
    community.description, community.auto_approve_invitees = "Au village", True
    community.save()

    response = as_user(admin_user).patch(
        url(community), {"min_notice_hours": 3, "max_duration_hours": 48}, format="json"
    )

    assert response.status_code == 200, response.json()
    community.refresh_from_db()
    assert (community.min_notice, community.max_duration) == (timedelta(hours=3), timedelta(hours=48))
    assert (community.description, community.auto_approve_invitees, community.name) == (
        "Au village",
        True,
        "Les Tilleuls",
    )
    assert response.json()["min_notice_hours"] == 3
    assert community.rules_reviewed_at is not None  # the setup checklist's "set the rules" is done


def test_settings_the_form_refuses_come_back_under_the_api_field_names(as_user, admin_user, community):
    client = as_user(admin_user)

    bad_code = client.patch(url(community), {"postal_code": "ABCDE"}, format="json")
    too_short = client.patch(url(community), {"max_duration_hours": 0}, format="json")
    not_admin = client.patch(url(community), {"pool_holder": UserFactory().pk}, format="json")

    assert bad_code.status_code == 400 and "postal_code" in bad_code.json()["fields"]
    assert too_short.status_code == 400 and "max_duration_hours" in too_short.json()["fields"]
    assert not_admin.status_code == 400 and "pool_holder" in not_admin.json()["fields"]
    community.refresh_from_db()
    assert community.postal_code != "ABCDE"


def test_a_member_may_not_change_the_settings(as_user, member, community):
    response = as_user(member).patch(url(community), {"name": "Pirate"}, format="json")

    assert response.status_code == 403
    assert response.json()["code"] == "admin_only"


def test_the_communities_list_takes_the_same_queries_for_2_and_20_communities(as_user, member):
    client = as_user(member)
    for _ in range(1):
        MembershipFactory(community=CommunityFactory(), user=member)
    few = query_count(client, "/api/v1/communities/")
    for _ in range(18):
        MembershipFactory(community=CommunityFactory(), user=member)

    assert query_count(client, "/api/v1/communities/") == few


# --- Members ---------------------------------------------------------------------------------------------


def test_members_see_names_and_roles_only_and_admins_see_contact_details(as_user, admin_user, member, community):
    member.phone = "06 12 34 56 78"
    member.save()

    as_member = {m["display_name"]: m for m in as_user(member).get(url(community, "members/")).json()["results"]}
    as_admin = {m["display_name"]: m for m in as_user(admin_user).get(url(community, "members/")).json()["results"]}

    assert as_member["Alice Admin"]["role"] == "admin"
    assert as_member["Maya Member"]["is_me"] is True
    assert {as_member["Alice Admin"][key] for key in ("email", "phone", "status", "joined_at")} == {None}
    assert as_admin["Maya Member"]["email"] == "member@example.org"
    assert as_admin["Maya Member"]["phone"] == "06 12 34 56 78"
    assert as_admin["Maya Member"]["status"] == "active"


def test_requests_to_join_are_listed_for_admins_only(as_user, admin_user, member, community):
    pending = MembershipFactory(community=community, pending=True)

    listed = as_user(admin_user).get(url(community, "members/?status=pending")).json()["results"]
    refused = as_user(member).get(url(community, "members/?status=pending"))
    bad = as_user(admin_user).get(url(community, "members/?status=gone"))

    assert [m["id"] for m in listed] == [pending.pk]
    assert refused.status_code == 403 and refused.json()["code"] == "admin_only"
    assert bad.status_code == 400 and "status" in bad.json()["fields"]


def test_an_admin_approves_a_request_once(as_user, admin_user, community):
    pending = MembershipFactory(community=community, pending=True)
    client = as_user(admin_user)

    approved = client.post(url(community, f"members/{pending.pk}/approve/"))
    again = client.post(url(community, f"members/{pending.pk}/reject/"))

    assert approved.status_code == 200 and approved.json()["status"] == "active"
    assert again.status_code == 409 and again.json()["code"] == "request_already_decided"


def test_the_last_admin_can_be_neither_demoted_nor_leave(as_user, admin_user, community):
    own = Membership.objects.get(community=community, user=admin_user)
    client = as_user(admin_user)

    demoted = client.post(url(community, f"members/{own.pk}/demote/"))
    left = client.post(url(community, "leave/"))

    assert demoted.status_code == 409 and demoted.json()["code"] == "last_admin"
    assert left.status_code == 409 and left.json()["code"] == "last_admin"
    own.refresh_from_db()
    assert own.is_admin


def test_an_admin_promotes_removes_and_cannot_remove_themselves(as_user, admin_user, member, community):
    client = as_user(admin_user)
    target = Membership.objects.get(community=community, user=member)
    own = Membership.objects.get(community=community, user=admin_user)

    promoted = client.post(url(community, f"members/{target.pk}/promote/"))
    removed = client.delete(url(community, f"members/{target.pk}/"))
    self_removed = client.delete(url(community, f"members/{own.pk}/"))

    assert promoted.json()["role"] == "admin"
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert self_removed.status_code == 409 and self_removed.json()["code"] == "remove_self"


def test_a_member_of_another_community_is_not_found(as_user, admin_user, community, other_community):
    stranger = MembershipFactory(community=other_community)

    response = as_user(admin_user).post(url(community, f"members/{stranger.pk}/promote/"))

    assert response.status_code == 404


def test_a_member_leaves(as_user, member, community):
    response = as_user(member).post(url(community, "leave/"))

    assert response.status_code == 204
    assert Membership.objects.get(community=community, user=member).status == "left"
    assert as_user(member).get(url(community)).status_code == 404


def test_a_member_with_a_balance_leaves_only_when_leaving_it_to_the_community(as_user, member, owner, community):
    owes(community, owner, member, "9.00")

    refused = as_user(member).post(url(community, "leave/"), {}, format="json")
    left = as_user(member).post(url(community, "leave/"), {"leave_balance": True}, format="json")

    assert (refused.status_code, refused.json()["code"]) == (400, "balance_not_settled")
    assert left.status_code == 204
    assert Membership.objects.get(community=community, user=member).status == "left"


def test_the_members_list_takes_the_same_queries_for_2_and_20_members(as_user, admin_user, community):
    client = as_user(admin_user)
    member_of(community)
    few = query_count(client, url(community, "members/"))
    for _ in range(18):
        member_of(community)

    assert query_count(client, url(community, "members/")) == few


# --- Invitations -----------------------------------------------------------------------------------------


def test_an_admin_creates_a_link_and_lists_and_revokes_it(as_user, admin_user, community):
    client = as_user(admin_user)

    created = client.post(url(community, "invitations/"), {"note": "École", "max_uses": 5}, format="json")
    body = created.json()
    listed = client.get(url(community, "invitations/")).json()["results"]
    revoked = client.post(url(community, f"invitations/{body['id']}/revoke/"))
    again = client.post(url(community, f"invitations/{body['id']}/revoke/"))

    assert created.status_code == 201
    assert body["url"].endswith(f"/join/{body['token']}/")
    assert (body["max_uses"], body["status"], body["created_by"]) == (5, "active", "Alice Admin")
    assert [i["id"] for i in listed] == [body["id"]]
    assert revoked.json()["status"] == "revoked"
    assert again.status_code == 409 and again.json()["code"] == "invitation_already_revoked"


def test_the_invitation_form_checks_the_input(as_user, admin_user, community):
    response = as_user(admin_user).post(url(community, "invitations/"), {"expires_in_days": 365}, format="json")

    assert response.status_code == 400
    assert "expires_in_days" in response.json()["fields"]


def test_inviting_a_member_by_email_is_refused_with_the_field(as_user, admin_user, member, community):
    client = as_user(admin_user)

    sent = client.post(url(community, "invitations/email/"), {"email": "New@Example.org"}, format="json")
    refused = client.post(url(community, "invitations/email/"), {"email": member.email}, format="json")

    assert sent.status_code == 201
    assert (sent.json()["email"], sent.json()["max_uses"]) == ("new@example.org", 1)
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_member"
    assert "email" in refused.json()["fields"]


def test_the_invitations_list_takes_the_same_queries_for_2_and_20_invitations(as_user, admin_user, community):
    client = as_user(admin_user)
    InvitationFactory.create_batch(2, community=community, created_by=admin_user)
    few = query_count(client, url(community, "invitations/"))
    InvitationFactory.create_batch(18, community=community, created_by=UserFactory())

    assert query_count(client, url(community, "invitations/")) == few


# --- Joining by token ------------------------------------------------------------------------------------


def test_joining_sends_a_request_unless_the_community_approves_invitees(as_user, admin_user, community):
    invitation = Invitation.objects.create(community=community, created_by=admin_user)
    alice, bob = UserFactory(), UserFactory()

    preview = as_user(alice).get(f"/api/v1/invitations/{invitation.token}/").json()
    requested = as_user(alice).post(f"/api/v1/invitations/{invitation.token}/accept/")
    twice = as_user(alice).post(f"/api/v1/invitations/{invitation.token}/accept/")
    community.auto_approve_invitees = True
    community.save()
    joined = as_user(bob).post(f"/api/v1/invitations/{invitation.token}/accept/")

    assert (preview["community"]["name"], preview["auto_approve"], preview["my_status"]) == (
        "Les Tilleuls",
        False,
        None,
    )
    assert requested.status_code == 201 and requested.json()["status"] == "pending"
    assert twice.status_code == 409 and twice.json()["code"] == "already_requested"
    assert joined.status_code == 201 and joined.json()["status"] == "active"
    assert as_user(bob).get(url(community)).status_code == 200


def test_a_link_that_cannot_be_used_says_why(as_user, admin_user, community):
    person = UserFactory()
    revoked = Invitation.objects.create(community=community, created_by=admin_user, revoked_at=timezone.now())
    expired = Invitation.objects.create(
        community=community, created_by=admin_user, expires_at=timezone.now() - timedelta(days=1)
    )
    client = as_user(person)

    answers = {
        "revoked": client.post(f"/api/v1/invitations/{revoked.token}/accept/"),
        "expired": client.get(f"/api/v1/invitations/{expired.token}/"),
        "unknown": client.post("/api/v1/invitations/no-such-token/accept/"),
        "slash": client.post("/api/v1/invitations/a/b/accept/"),
    }

    assert [(r.status_code, r.json()["code"]) for r in answers.values()] == [
        (410, "invitation_revoked"),
        (410, "invitation_expired"),
        (404, "invitation_unknown"),
        (404, "invitation_unknown"),
    ]


def test_an_invitation_sent_to_an_address_is_refused_to_another_account(as_user, admin_user, community):
    invitation = Invitation.objects.create(
        community=community, created_by=admin_user, email="someone@example.org", max_uses=1
    )

    response = as_user(UserFactory()).post(f"/api/v1/invitations/{invitation.token}/accept/")

    assert response.status_code == 403
    assert response.json()["code"] == "invitation_for_another_address"
