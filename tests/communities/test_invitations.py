"""Invitations: links that expire, are revoked or used up; e-mail-bound links; joining."""

from datetime import timedelta

import pytest
from django.utils import timezone

from colocauto.core.errors import DomainError, NotAllowed
from communities import invitations
from communities.models import Invitation, Membership
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


@pytest.fixture
def admin_membership(community, admin_user):
    return Membership.objects.get(community=community, user=admin_user)


def test_admin_creates_link_with_expiry_and_max_uses(admin_membership):
    invitation = invitations.invitation_create(actor=admin_membership, note="Rue haute", expires_in_days=3, max_uses=2)
    assert invitation.status == "active"
    assert invitation.max_uses == 2
    assert timedelta(days=2, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=3)


def test_member_cannot_create_link(community, member):
    with pytest.raises(NotAllowed):
        invitations.invitation_create(actor=Membership.objects.get(community=community, user=member))


def test_joining_creates_pending_request_and_counts_a_use(community, admin_user):
    invitation = InvitationFactory(community=community, max_uses=3)
    newcomer = UserFactory()
    membership = invitations.invitation_accept(user=newcomer, invitation=invitation)
    assert membership.status == Membership.Status.PENDING
    assert membership.invitation == invitation
    invitation.refresh_from_db()
    assert invitation.use_count == 1


def test_joining_a_community_that_auto_approves_makes_an_active_member(community, admin_user):
    community.auto_approve_invitees = True
    community.save()
    membership = invitations.invitation_accept(user=UserFactory(), invitation=InvitationFactory(community=community))
    assert membership.is_active
    assert membership.joined_at is not None


def test_expired_link_is_refused(community):
    invitation = InvitationFactory(community=community, expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(invitations.InvitationUnusable) as caught:
        invitations.invitation_accept(user=UserFactory(), invitation=invitation)
    assert caught.value.reason == "expired"
    assert not Membership.objects.filter(community=community, status="pending").exists()


def test_revoked_link_is_refused(community, admin_user):
    invitation = InvitationFactory(community=community)
    invitations.invitation_revoke(
        actor=Membership.objects.get(community=community, user=admin_user), invitation=invitation
    )
    with pytest.raises(invitations.InvitationUnusable) as caught:
        invitations.invitation_accept(user=UserFactory(), invitation=invitation)
    assert caught.value.reason == "revoked"


def test_revoking_twice_is_refused(community, admin_user):
    invitation = InvitationFactory(community=community)
    actor = Membership.objects.get(community=community, user=admin_user)
    invitations.invitation_revoke(actor=actor, invitation=invitation)
    with pytest.raises(DomainError):
        invitations.invitation_revoke(actor=actor, invitation=invitation)


def test_link_used_up_after_max_uses(community):
    invitation = InvitationFactory(community=community, max_uses=1)
    invitations.invitation_accept(user=UserFactory(), invitation=invitation)
    with pytest.raises(invitations.InvitationUnusable) as caught:
        invitations.invitation_accept(user=UserFactory(), invitation=invitation)
    assert caught.value.reason == "used_up"
    invitation.refresh_from_db()
    assert invitation.use_count == 1


def test_stale_invitation_object_cannot_exceed_max_uses(community):
    invitation = InvitationFactory(community=community, max_uses=1)
    stale = Invitation.objects.get(pk=invitation.pk)
    invitations.invitation_accept(user=UserFactory(), invitation=invitation)
    with pytest.raises(invitations.InvitationUnusable):
        invitations.invitation_accept(user=UserFactory(), invitation=stale)
    assert Invitation.objects.get(pk=invitation.pk).use_count == 1


def test_member_joining_again_is_told_and_no_row_is_added(community, member):
    invitation = InvitationFactory(community=community)
    with pytest.raises(invitations.AlreadyMember, match="already a member"):
        invitations.invitation_accept(user=member, invitation=invitation)
    assert Membership.objects.filter(community=community, user=member).count() == 1
    invitation.refresh_from_db()
    assert invitation.use_count == 0


def test_pending_person_asking_again_is_told_and_no_row_is_added(community):
    newcomer = UserFactory()
    invitation = InvitationFactory(community=community)
    invitations.invitation_accept(user=newcomer, invitation=invitation)
    with pytest.raises(invitations.AlreadyMember, match="already asked"):
        invitations.invitation_accept(user=newcomer, invitation=invitation)
    assert Membership.objects.filter(community=community, user=newcomer).count() == 1


def test_person_who_left_can_rejoin_with_a_new_request(community):
    person = UserFactory()
    MembershipFactory(community=community, user=person, status=Membership.Status.LEFT, ended_at=timezone.now())
    membership = invitations.invitation_accept(user=person, invitation=InvitationFactory(community=community))
    assert membership.status == Membership.Status.PENDING


def test_email_bound_invitation_only_works_for_that_address(community, admin_user):
    invitation = InvitationFactory(community=community, email="zoe@example.org", max_uses=1)
    with pytest.raises(NotAllowed, match="zoe@example.org"):
        invitations.invitation_accept(user=UserFactory(email="someone@example.org"), invitation=invitation)
    zoe = UserFactory(email="Zoe@Example.org")
    membership = invitations.invitation_accept(user=zoe, invitation=invitation)
    assert membership.user == zoe


def test_invitation_by_email_refuses_an_existing_member(community, admin_user, member):
    with pytest.raises(invitations.AlreadyMember):
        invitations.invitation_send_by_email(
            actor=Membership.objects.get(community=community, user=admin_user), email="MEMBER@example.org"
        )
    assert not Invitation.objects.exists()


def test_invitation_status_labels(community):
    assert InvitationFactory(community=community).status == "active"
    assert InvitationFactory(community=community, revoked_at=timezone.now()).status == "revoked"
    assert InvitationFactory(community=community, expires_at=timezone.now()).status == "expired"
    assert InvitationFactory(community=community, max_uses=1, use_count=1).status == "used_up"


@pytest.mark.postgres("row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_joins_never_exceed_max_uses(community):
    """Ten people use a two-use link at the same moment: exactly two get in."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    invitation = InvitationFactory(community=community, max_uses=2)
    people = [UserFactory() for _ in range(10)]

    def join(person):
        try:
            invitations.invitation_accept(user=person, invitation=Invitation.objects.get(pk=invitation.pk))
            return True
        except DomainError:
            return False
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=5) as pool:
        results = list(pool.map(join, people))
    assert results.count(True) == 2
    assert Invitation.objects.get(pk=invitation.pk).use_count == 2
    assert Membership.objects.filter(community=community, status="pending").count() == 2
