"""Thin Celery tasks of the backups app: take ids, call one service, return quietly if the row is gone."""

from celery import shared_task

from backups import emails, services
from colocauto.core.outbox import RETRY


@shared_task
def backup_build(export_id: int) -> bool:
    return services.backup_build(export_id=export_id)


@shared_task(**RETRY)
def backup_ready_email(export_id: int) -> bool:
    return emails.backup_ready_deliver(export_id=export_id)


@shared_task
def backups_sweep() -> int:
    """Beat's safety net: build what a dead worker left, send the e-mails still due, delete old archives."""
    emails.emails_sweep()
    return services.backups_sweep()
