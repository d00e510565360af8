"""Thin Celery tasks of the privacy app: take ids, call one service, return quietly if the row is gone."""

from celery import shared_task

from colocauto.core.outbox import RETRY
from privacy import deletion, emails, retention, services


@shared_task
def export_build(export_id: int) -> bool:
    return services.export_build(export_id=export_id)


@shared_task(**RETRY)
def export_ready_email(export_id: int) -> bool:
    return emails.export_ready_deliver(export_id=export_id)


@shared_task
def exports_sweep() -> int:
    """Beat's safety net: build what a dead worker left, send the e-mails still due, delete old archives."""
    emails.emails_sweep()
    emails.deletion_emails_sweep()
    return services.exports_sweep()


@shared_task
def retention_apply() -> dict[str, int]:
    """Nightly: forget old receipts and incident photos, expired invitations and sessions (settings RETENTION_*)."""
    return retention.retention_apply()


@shared_task(**RETRY)
def deletion_email(deletion_id: int) -> bool:
    return emails.deletion_email_deliver(deletion_id=deletion_id)


@shared_task
def erasures_run() -> int:
    """Beat: erase the accounts whose 14 days of grace are over (idempotent)."""
    return deletion.erasures_run()
