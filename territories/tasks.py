"""Thin Celery task for the monthly roll-up; the beat schedule is in ``colocauto/celery.py``."""

from smtplib import SMTPException

from celery import shared_task
from django.db import InterfaceError, OperationalError

from colocauto.core.queue import wake
from ledger.tasks import month_or_last
from territories import services
from territories.reports import reports_warm
from territories.rollup import usage_rollup_refresh


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=60, max_retries=5)
def usage_rollup_month(month: str | None = None) -> int:
    """Refresh the roll-up of ``month`` (``YYYY-MM``; last month by default); returns its row count."""
    rows = usage_rollup_refresh(month=month_or_last(month))
    wake(reports_warm_all)
    return rows


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=60, max_retries=3)
def reports_warm_all() -> int:
    """Compute the dashboards of territories with staff, so their first visit after the roll-up is quick."""
    return reports_warm()


@shared_task(autoretry_for=(SMTPException, ConnectionError), retry_backoff=True, max_retries=5)
def send_staff_invitation(invitation_id: int) -> bool:
    return services.staff_invitation_deliver(invitation_id=invitation_id)
