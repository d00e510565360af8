"""Invitation pages: the admin's list, e-mail invitations, revoking, and the join page behind a link."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from communities.models import Invitation, Membership
from tests.factories import InvitationFactory, UserFactory


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def test_admin_creates_a_link_and_sees_it_with_a_copy_button(login, community, admin_user):
    client = login(admin_user)
    response = client.post(
        reverse("invitation_list", args=[community.pk]),
        {"note": "Rue haute", "expires_in_days": "7", "max_uses": "5"},
        follow=True,
    )
    invitation = Invitation.objects.get(community=community)
    content = response.content.decode()
    assert (invitation.note, invitation.max_uses) == ("Rue haute", 5)
    assert f"http://testserver/join/{invitation.token}/" in content
    assert f'data-copy="invitation-link-{invitation.pk}"' in content
    assert "0 of 5" in content
    assert "Active" in content


def test_bad_link_form_keeps_input(login, community, admin_user):
    response = login(admin_user).post(
        reverse("invitation_list", args=[community.pk]),
        {"note": "Mon lien", "expires_in_days": "0", "max_uses": "abc"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert 'value="Mon lien"' in content
    assert 'value="0"' in content
    assert "errorlist" in content
    assert not Invitation.objects.exists()


def test_invitation_list_shows_each_status(login, community, admin_user):
    InvitationFactory(community=community, note="expired one", expires_at=timezone.now() - timedelta(days=1))
    InvitationFactory(community=community, note="revoked one", revoked_at=timezone.now())
    InvitationFactory(community=community, note="used one", max_uses=1, use_count=1)
    content = login(admin_user).get(reverse("invitation_list", args=[community.pk])).content.decode()
    for label in ("Expired", "Revoked", "Used up"):
        assert label in content
    assert "/join/" not in content  # no link to copy for unusable invitations


def test_invitation_pages_are_for_admins_only(login, community, member, outsider):
    invitation = InvitationFactory(community=community)
    client = login(member)
    assert client.get(reverse("invitation_list", args=[community.pk])).status_code == 403
    assert client.get(reverse("invitation_email", args=[community.pk])).status_code == 403
    assert client.post(reverse("invitation_revoke", args=[community.pk, invitation.pk])).status_code == 403
    client = login(outsider)
    assert client.get(reverse("invitation_list", args=[community.pk])).status_code == 404


def test_admin_invites_by_email(login, community, admin_user, mailoutbox, django_capture_on_commit_callbacks):
    client = login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("invitation_email", args=[community.pk]),
            {"email": "zoe@example.org", "expires_in_days": "14"},
            follow=True,
        )
    assert "An invitation has been sent to zoe@example.org." in _messages(response)
    assert [message.to for message in mailoutbox] == [["zoe@example.org"]]


def test_inviting_a_bad_address_keeps_input(login, community, admin_user):
    response = login(admin_user).post(
        reverse("invitation_email", args=[community.pk]), {"email": "not-an-address", "expires_in_days": "14"}
    )
    assert response.status_code == 200
    assert 'value="not-an-address"' in response.content.decode()
    assert "Enter a valid email address." in response.content.decode()


def test_inviting_an_existing_member_shows_a_form_error(login, community, admin_user, member):
    response = login(admin_user).post(
        reverse("invitation_email", args=[community.pk]), {"email": member.email, "expires_in_days": "14"}
    )
    assert response.status_code == 200
    assert "is already a member of this community" in response.content.decode()


def test_admin_revokes_a_link(login, community, admin_user):
    invitation = InvitationFactory(community=community)
    response = login(admin_user).post(reverse("invitation_revoke", args=[community.pk, invitation.pk]), follow=True)
    assert "The invitation has been revoked: its link no longer works." in _messages(response)
    invitation.refresh_from_db()
    assert invitation.is_revoked


def test_revoking_another_communitys_invitation_is_404(login, community, admin_user, other_community):
    foreign = InvitationFactory(community=other_community)
    response = login(admin_user).post(reverse("invitation_revoke", args=[community.pk, foreign.pk]))
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert not foreign.is_revoked


# --- The join page ----------------------------------------------------------------------------


def test_anonymous_visitor_sees_the_community_and_is_offered_sign_up_and_log_in(client, community):
    community.charter = "We refuel before returning the car."
    community.save()
    invitation = InvitationFactory(community=community)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("invitation_join", args=[invitation.token]))
    content = response.content.decode()
    path = reverse("invitation_join", args=[invitation.token])
    assert response.status_code == 200
    assert "Les Tilleuls" in content
    assert "We refuel before returning the car." in content
    assert f"{reverse('account_signup')}?next={path}" in content
    assert f"{reverse('account_login')}?next={path}" in content


def test_anonymous_post_goes_to_login(client, community):
    invitation = InvitationFactory(community=community)
    response = client.post(reverse("invitation_join", args=[invitation.token]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert not Membership.objects.filter(status="pending").exists()


def test_unknown_link_is_404_and_explains(client, db):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("invitation_join", args=["no-such-token"]))
    assert response.status_code == 404
    assert "Unknown invitation link" in response.content.decode()


def test_expired_link_is_410_and_says_so(login, community):
    invitation = InvitationFactory(community=community, expires_at=timezone.now() - timedelta(hours=1))
    response = login(UserFactory()).get(reverse("invitation_join", args=[invitation.token]))
    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_revoked_link_is_410_and_says_so(login, community):
    invitation = InvitationFactory(community=community, revoked_at=timezone.now())
    response = login(UserFactory()).post(reverse("invitation_join", args=[invitation.token]))
    assert response.status_code == 410
    assert "This invitation has been revoked" in response.content.decode()


def test_used_up_link_is_410_and_says_so(login, community):
    invitation = InvitationFactory(community=community, max_uses=2, use_count=2)
    response = login(UserFactory()).get(reverse("invitation_join", args=[invitation.token]))
    assert response.status_code == 410
    assert "This invitation has been used up" in response.content.decode()


def test_joining_sends_a_request_and_tells_the_person(login, community, admin_user):
    person = UserFactory()
    invitation = InvitationFactory(community=community)
    client = login(person)
    page = client.get(reverse("invitation_join", args=[invitation.token]))
    assert "An admin will approve your request." in page.content.decode()
    response = client.post(reverse("invitation_join", args=[invitation.token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert any("Your request to join Les Tilleuls has been sent" in m for m in _messages(response))
    assert Membership.objects.get(community=community, user=person).status == Membership.Status.PENDING
    assert "Waiting for approval" in response.content.decode()


def test_joining_an_auto_approving_community_opens_it(login, community, admin_user):
    community.auto_approve_invitees = True
    community.save()
    invitation = InvitationFactory(community=community)
    response = login(UserFactory()).post(reverse("invitation_join", args=[invitation.token]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("community_detail", args=[community.pk])
    assert "Welcome to Les Tilleuls!" in _messages(response)


def test_member_opening_a_link_is_told_they_already_belong(login, community, member):
    invitation = InvitationFactory(community=community)
    client = login(member)
    page = client.get(reverse("invitation_join", args=[invitation.token]))
    assert "You are already a member of this community." in page.content.decode()
    response = client.post(reverse("invitation_join", args=[invitation.token]), follow=True)
    assert any("already a member" in m for m in _messages(response))
    assert Membership.objects.filter(community=community, user=member).count() == 1


def test_email_bound_link_refuses_another_account(login, community):
    invitation = InvitationFactory(community=community, email="zoe@example.org", max_uses=1)
    client = login(UserFactory(email="mallory@example.org"))
    page = client.get(reverse("invitation_join", args=[invitation.token]))
    assert page.status_code == 403
    assert "This invitation was sent to another e-mail address" in page.content.decode()
    response = client.post(reverse("invitation_join", args=[invitation.token]), follow=True)
    assert any("another e-mail address" in m for m in _messages(response))
    assert not Membership.objects.filter(community=community, status="pending").exists()
    invitation.refresh_from_db()
    assert invitation.use_count == 0


def test_invitation_list_query_count_does_not_grow(login, community, admin_user, django_assert_max_num_queries):
    client = login(admin_user)
    InvitationFactory(community=community, created_by=admin_user)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("invitation_list", args=[community.pk]))
    for _ in range(30):
        InvitationFactory(community=community, created_by=UserFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("invitation_list", args=[community.pk]))
