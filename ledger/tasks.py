"""Thin Celery tasks for the monthly settlement: they take ids, call one function, retry transient errors.

Beat (``colocauto/celery.py``) runs ``month_close_all`` on the 1st at 07:00 Europe/Paris and again
every day at 07:30, so a missed run (broker down, worker restarted) catches up; both are safe to
repeat because every side effect is claimed by a unique row.
"""

import logging
from collections.abc import Callable
from datetime import date
from typing import ParamSpec, TypeVar

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from colocauto.core import outbox
from colocauto.core.clock import previous_month
from colocauto.core.errors import DomainError
from colocauto.core.outbox import MailDeferred
from colocauto.core.parsers import parse_month
from colocauto.core.queue import wake
from communities.models import Community
from ledger import emails, left_balance, receipt_reminders, stored_balances, transfer_emails
from ledger.closing import communities_to_close, month_close
from ledger.models import SettlementPeriod

logger = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

# Database hiccups, mail-server or network errors (smtplib's errors are OSErrors) and batches with
# e-mails given back after a temporary failure are retried, as every e-mail task (``outbox.RETRY``).
TRANSIENT = (OperationalError, InterfaceError, OSError, MailDeferred)


def retried(function: Callable[P, R]) -> Task[P, R]:
    """A task that retries transient errors with growing, jittered delays."""
    return shared_task(
        autoretry_for=TRANSIENT,
        retry_backoff=outbox.RETRY_BACKOFF,
        retry_backoff_max=outbox.RETRY_BACKOFF_MAX,
        retry_jitter=True,
        max_retries=outbox.MAX_RETRIES,
    )(function)


def month_or_last(value: str | None) -> date:
    """``YYYY-MM`` → the month's first day; none → last month (server time zone), as beat calls it."""
    return parse_month(value) if value else previous_month(timezone.localdate())


@retried
def month_close_all(month: str | None = None) -> int:
    """Queue one close per community whose month is not fully closed yet; returns how many."""
    first_day = month_or_last(month)
    count = 0
    for community_id in communities_to_close(first_day).iterator():
        wake(month_close_community, community_id, f"{first_day:%Y-%m}")
        count += 1
    return count


@retried
def month_close_community(community_id: int, month: str) -> int | None:
    community = Community.objects.filter(pk=community_id).first()
    if community is None:
        return None
    try:
        period = month_close(community=community, month=parse_month(month))
    except DomainError as refusal:
        # E.g. the month has not ended yet in this community's time zone: tomorrow's run closes it.
        logger.info("Community %s, %s not closed: %s", community_id, month, refusal.message)
        return None
    wake(settlement_emails_send, period.pk)
    return period.pk


@retried
def settlement_emails_send(period_id: int) -> int:
    period = SettlementPeriod.objects.select_related("community").filter(pk=period_id).first()
    if period is None:
        return 0
    return emails.settlement_emails_send(period=period)


@shared_task
def emails_sweep() -> int:
    """Beat's safety net: send the settlement and transfer e-mails still due; returns how many went out."""
    return (
        emails.settlement_emails_sweep()
        + transfer_emails.transfer_notices_sweep()
        + left_balance.left_balance_emails_sweep()
    )


@shared_task
def stored_balances_verify() -> int:
    """Beat's daily proof that every stored balance equals the sum of its entries; mismatches are logged
    as errors. Returns how many."""
    return stored_balances.stored_balances_verify()


@shared_task
def receipts_remind() -> int:
    """Beat's daily reminder of receipts still to follow (ledger/receipt_reminders.py); returns how many went out."""
    return receipt_reminders.receipts_remind()


@retried
def transfer_paid_email(transfer_id: int) -> bool:
    """Tell the payee a transfer was declared paid; True if an e-mail went out."""
    return transfer_emails.transfer_paid_email_send(transfer_id=transfer_id)


@retried
def transfer_confirmed_email(transfer_id: int) -> bool:
    """Tell the payer the payee confirmed receiving the transfer; True if an e-mail went out."""
    return transfer_emails.transfer_confirmed_email_send(transfer_id=transfer_id)


@retried
def transfer_confirmed_for_email(transfer_id: int) -> bool:
    """Tell the payee an admin confirmed the transfer on their behalf; True if an e-mail was due and sent."""
    return transfer_emails.transfer_confirmed_for_email_send(transfer_id=transfer_id)


@retried
def left_balance_email(notice_id: int) -> int:
    """Tell the admins a member left with a non-zero balance; returns e-mails sent."""
    return left_balance.left_balance_email_send(notice_id=notice_id)
