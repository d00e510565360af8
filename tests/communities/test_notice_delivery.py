"""Invitations and membership notices are never lost: the row is the outbox, the sweep sends what is due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from colocauto.core.outbox import MailDeferred
from communities import emails, invitations, services, tasks
from communities.models import Invitation, Membership
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


@pytest.fixture
def admin_membership(community, admin_user):
    return Membership.objects.select_related("community", "user").get(community=community, user=admin_user)


@pytest.fixture
def applicant():
    return UserFactory(email="nina@example.org", display_name="Nina Newcomer", language="en")


def test_an_invitation_whose_wake_up_was_lost_is_sent_by_the_sweep(admin_membership, mailoutbox):
    # No on-commit callback runs: as if the broker had been down when the admin sent the invitation.
    invitations.invitation_send_by_email(actor=admin_membership, email="new@example.org")
    assert mailoutbox == []

    assert tasks.notices_sweep() == 1
    assert [m.to for m in mailoutbox] == [["new@example.org"]]
    assert tasks.notices_sweep() == 0


def test_the_sweep_sends_no_revoked_or_expired_invitation(admin_membership, mailoutbox):
    invitations.invitation_send_by_email(actor=admin_membership, email="revoked@example.org")
    invitations.invitation_revoke(actor=admin_membership, invitation=Invitation.objects.get())
    InvitationFactory(
        community=admin_membership.community, email="late@example.org", expires_at=timezone.now() - timedelta(hours=1)
    )

    assert tasks.notices_sweep() == 0
    assert mailoutbox == []


def test_a_membership_request_whose_wake_up_was_lost_reaches_the_admins_through_the_sweep(
    community, admin_user, applicant, mailoutbox
):
    invitation = InvitationFactory(community=community)
    invitations.invitation_accept(user=applicant, invitation=invitation)
    assert mailoutbox == []

    assert tasks.notices_sweep() == 1
    assert [m.to for m in mailoutbox] == [["admin@example.org"]]
    assert tasks.notices_sweep() == 0


def test_an_answer_whose_wake_up_was_lost_reaches_the_applicant_through_the_sweep(
    admin_membership, community, applicant, mailoutbox
):
    pending = MembershipFactory(community=community, user=applicant, status="pending", joined_at=None)
    pending.request_notified_at = timezone.now()
    pending.save()
    services.membership_approve(actor=admin_membership, membership=pending)

    assert tasks.notices_sweep() == 1
    assert [m.to for m in mailoutbox] == [["nina@example.org"]]
    assert "your request was approved" in mailoutbox[0].subject


def test_the_sweep_tells_no_community_creator_that_they_were_approved(db, applicant, mailoutbox):
    services.community_create(
        user=applicant, data={"name": "Les Érables", "municipality": "Lyon", "postal_code": "69001"}
    )
    assert tasks.notices_sweep() == 0
    assert mailoutbox == []


def test_an_invitation_claimed_by_a_worker_that_died_is_sent_after_the_lease(admin_membership, mailoutbox, settings):
    invitations.invitation_send_by_email(actor=admin_membership, email="new@example.org")
    Invitation.objects.update(email_claimed_at=timezone.now())

    assert tasks.notices_sweep() == 0
    Invitation.objects.update(
        email_claimed_at=timezone.now() - timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS + 1)
    )
    assert tasks.notices_sweep() == 1
    assert [m.to for m in mailoutbox] == [["new@example.org"]]


def test_after_a_temporary_failure_only_the_admins_not_yet_told_of_a_request_are_mailed(
    community, admin_user, applicant, mail_server
):
    second = UserFactory(email="admin2@example.org")
    MembershipFactory(community=community, user=second, role=Membership.Role.ADMIN)
    pending = MembershipFactory(community=community, user=applicant, status="pending", joined_at=None)
    mail_server.sink.refuse["admin2@example.org"] = "450 4.2.1 Mailbox unavailable, try later"

    with pytest.raises(MailDeferred):
        emails.membership_request_notify(membership_id=pending.pk)
    assert mail_server.sink.addresses() == ["admin@example.org"]

    del mail_server.sink.refuse["admin2@example.org"]
    assert tasks.notices_sweep() == 1
    assert mail_server.sink.addresses() == ["admin@example.org", "admin2@example.org"]
