"""Thin Celery tasks: take ids, call one service, return quietly if the row is gone."""

from smtplib import SMTPException

from celery import shared_task

from communities import services

RETRY = {"autoretry_for": (SMTPException, ConnectionError), "retry_backoff": True, "max_retries": 5}


@shared_task(**RETRY)
def send_invitation_email(invitation_id: int) -> bool:
    return services.invitation_email_deliver(invitation_id=invitation_id)


@shared_task(**RETRY)
def notify_admins_of_request(membership_id: int) -> int:
    return services.membership_request_notify(membership_id=membership_id)


@shared_task(**RETRY)
def notify_applicant_of_decision(membership_id: int) -> bool:
    return services.membership_decision_notify(membership_id=membership_id)
