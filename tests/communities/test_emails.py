"""Invitation e-mails and the admins' notice of a membership request: sent once, in the right language."""

from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from communities import invitations, services, tasks
from communities.models import Invitation, Membership
from tests.factories import InvitationFactory, MembershipFactory, UserFactory


def _local(value, language):
    """A date as the e-mail prints it in that language: Django's own catalogues translate month names, and
    French writes « 1er » for the first of the month (so this test passes on the 1st too)."""
    return _as_templates_write(value, language, "DATETIME_FORMAT")


def _as_templates_write(value, language, date_format):
    with translation.override(language):
        moment = timezone.localtime(value, ZoneInfo("Europe/Paris"))
        return Template(f'{{{{ moment|date:"{date_format}" }}}}').render(Context({"moment": moment}))


@pytest.fixture
def admin_membership(community, admin_user):
    return Membership.objects.get(community=community, user=admin_user)


def test_invitation_email_goes_out_once_after_commit(admin_membership, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invitation_send_by_email(actor=admin_membership, email="New.Neighbour@example.org")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["new.neighbour@example.org"]
    assert "Les Tilleuls" in message.subject
    assert f"/join/{invitation.token}/" in message.body
    invitation.refresh_from_db()
    assert invitation.email_sent_at is not None
    assert invitation.max_uses == 1
    # A retried or duplicated task sends nothing more.
    assert tasks.send_invitation_email.delay(invitation.pk).get() is False
    assert len(mailoutbox) == 1


def test_invitation_email_is_not_sent_when_transaction_rolls_back(admin_membership, mailoutbox):
    # Without the commit callbacks running, nothing goes out (the task is queued on commit only).
    invitations.invitation_send_by_email(actor=admin_membership, email="x@example.org")
    assert mailoutbox == []


def test_unknown_recipient_gets_the_inviters_language(
    admin_membership, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user.language = "en"
    admin_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_send_by_email(actor=admin_membership, email="stranger@example.org")
    assert mailoutbox[0].subject == "[Colocauto] You are invited to join Les Tilleuls"
    assert _local(Invitation.objects.get().expires_at, "en") in mailoutbox[0].body


def test_known_recipient_gets_their_own_language(
    admin_membership, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    admin_user.language = "fr"
    admin_user.save()
    UserFactory(email="english@example.org", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_send_by_email(actor=admin_membership, email="english@example.org")
    assert "You are invited to join" in mailoutbox[0].subject
    assert _local(Invitation.objects.get().expires_at, "en") in mailoutbox[0].body


@time_machine.travel("2026-11-30T23:24:00+00:00", tick=False)
def test_a_request_made_on_the_first_of_the_month_is_dated_1er_in_french_and_1_in_english(
    community, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(
        community=community, user=UserFactory(email="second@example.org", language="en"), role=Membership.Role.ADMIN
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_accept(user=UserFactory(), invitation=InvitationFactory(community=community))
    by_recipient = {message.to[0]: message.body for message in mailoutbox}
    # 00:24 in Paris on 1 December, though it is still 30 November in UTC.
    assert "le 1er décembre 2026 00:24" in by_recipient["admin@example.org"]
    assert "1 December 2026" in by_recipient["second@example.org"]


def test_task_for_a_deleted_invitation_returns_quietly(db, mailoutbox):
    assert tasks.send_invitation_email.delay(987654).get() is False
    assert mailoutbox == []


def test_join_request_notifies_each_admin_once_in_their_language(
    community, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    second_admin = UserFactory(email="second@example.org", language="en")
    MembershipFactory(community=community, user=second_admin, role=Membership.Role.ADMIN)
    quiet_admin = UserFactory(email="quiet@example.org", notify_community=False)
    MembershipFactory(community=community, user=quiet_admin, role=Membership.Role.ADMIN)
    applicant = UserFactory(display_name="Nina Newcomer")
    with django_capture_on_commit_callbacks(execute=True):
        membership = invitations.invitation_accept(user=applicant, invitation=InvitationFactory(community=community))
    by_recipient = {message.to[0]: message for message in mailoutbox}
    assert set(by_recipient) == {"admin@example.org", "second@example.org"}
    assert by_recipient["second@example.org"].subject == "[Colocauto] Nina Newcomer asks to join Les Tilleuls"
    assert _local(membership.requested_at, "fr") in by_recipient["admin@example.org"].body
    assert _local(membership.requested_at, "en") in by_recipient["second@example.org"].body
    assert f"/c/{community.pk}/members/" in by_recipient["admin@example.org"].body
    assert tasks.notify_admins_of_request.delay(membership.pk).get() == 0
    assert len(mailoutbox) == 2


def test_auto_approved_join_sends_no_request_notice(
    community, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    community.auto_approve_invitees = True
    community.save()
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_accept(user=UserFactory(), invitation=InvitationFactory(community=community))
    assert mailoutbox == []


def test_invitation_email_is_bound_to_the_address(admin_membership, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitations.invitation_send_by_email(actor=admin_membership, email="bound@example.org")
    assert Invitation.objects.get(pk=invitation.pk).email == "bound@example.org"


def test_french_inviter_sends_invitation_dated_in_french(
    admin_membership, admin_user, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitations.invitation_send_by_email(actor=admin_membership, email="voisin@example.org")
    expires_at = Invitation.objects.get().expires_at
    assert _local(expires_at, "fr") in mailoutbox[0].body
    assert _local(expires_at, "en") not in mailoutbox[0].body


def test_applicant_is_told_once_in_their_language_that_they_were_approved(
    admin_membership, community, mailoutbox, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="nina@example.org", display_name="Nina Newcomer", language="en")
    pending = MembershipFactory(community=community, user=applicant, status="pending", joined_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_approve(actor=admin_membership, membership=pending)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nina@example.org"]
    assert message.subject == "[Colocauto] Welcome to Les Tilleuls: your request was approved"
    assert "Hello Nina Newcomer," in message.body
    assert f"/c/{community.pk}/" in message.body
    # A retried or duplicated task sends nothing more.
    assert tasks.notify_applicant_of_decision.delay(pending.pk).get() is False
    assert len(mailoutbox) == 1


def test_rejected_applicant_is_told_in_french_when_that_is_their_language(
    admin_membership, community, mailoutbox, django_capture_on_commit_callbacks
):
    applicant = UserFactory(email="luc@example.org", language="fr")
    pending = MembershipFactory(community=community, user=applicant, status="pending", joined_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_reject(actor=admin_membership, membership=pending)
    assert [message.to for message in mailoutbox] == [["luc@example.org"]]
    assert "Les Tilleuls" in mailoutbox[0].subject
    # The request's date is written the French way (Django's catalogue names the month).
    assert _local_date(pending.requested_at, "fr") in mailoutbox[0].body
    assert _local_date(pending.requested_at, "en") not in mailoutbox[0].body


def _local_date(value, language):
    return _as_templates_write(value, language, "DATE_FORMAT")
