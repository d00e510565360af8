"""Thin Celery tasks: take ids, call one service, return quietly if the row is gone."""

from celery import shared_task

from colocauto.core.outbox import RETRY
from communities import emails


@shared_task(**RETRY)
def send_invitation_email(invitation_id: int) -> bool:
    return emails.invitation_email_deliver(invitation_id=invitation_id)


@shared_task(**RETRY)
def notify_admins_of_request(membership_id: int) -> int:
    return emails.membership_request_notify(membership_id=membership_id)


@shared_task(**RETRY)
def notify_applicant_of_decision(membership_id: int) -> bool:
    return emails.membership_decision_notify(membership_id=membership_id)


@shared_task(**RETRY)
def notify_member_inactive(inactivity_id: int) -> bool:
    return emails.inactivity_notice_deliver(inactivity_id=inactivity_id)


@shared_task(**RETRY)
def notify_member_active_again(inactivity_id: int) -> bool:
    return emails.active_again_notice_deliver(inactivity_id=inactivity_id)


@shared_task
def notices_sweep() -> int:
    """Beat's safety net: send the invitations and membership e-mails still due (broker down, worker killed)."""
    return emails.notices_sweep()
