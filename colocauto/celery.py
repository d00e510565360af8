"""The Celery application. Tasks live in each app's ``tasks.py``; the beat schedule lives here."""

import os
from typing import Any

from celery import Celery, Task
from celery.schedules import crontab
from celery.signals import task_postrun, task_prerun
from django.conf import settings
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")

app = Celery("colocauto")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Celery's Django fix-up closes the database connection before and after every task unless told to reuse
# it: each task then opens a new one, a PostgreSQL backend process each time (several ms, most of a small
# task such as one community's monthly close). It forces a reconnection every 2 x 100 tasks; in between
# Django's own rule decides, as for a web request: CONN_MAX_AGE and CONN_HEALTH_CHECKS.
app.conf["CELERY_DB_REUSE_MAX"] = 100


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(sender: Task | None = None, **_kwargs: Any) -> None:
    if sender is not None and not getattr(sender.request, "is_eager", False):  # tests run tasks in a transaction
        close_old_connections()


_SWEEP = float(settings.MAIL_SWEEP_SECONDS)

# The one place for periodic jobs (the ledger's monthly settlement is added here).
app.conf.beat_schedule = {
    "bookings-start-reminders": {"task": "bookings.tasks.send_start_reminders", "schedule": 15 * 60.0},
    "bookings-trip-reminders": {"task": "bookings.tasks.send_trip_reminders", "schedule": 60 * 60.0},
    # Close last month on the 1st at 07:00 (CELERY_TIMEZONE, Europe/Paris), then every day at 07:30
    # make sure it is closed: a missed beat catches up, and a finished close is skipped.
    "ledger-month-close": {
        "task": "ledger.tasks.month_close_all",
        "schedule": crontab(minute=0, hour=7, day_of_month=1),
    },
    "ledger-month-close-catch-up": {"task": "ledger.tasks.month_close_all", "schedule": crontab(minute=30, hour=7)},
    # The e-mail outbox sweeps: send what is due and unsent — never queued (broker down), given back after a
    # temporary failure, or claimed by a worker that died (lease expired). See colocauto/outbox.py.
    "communities-emails-sweep": {"task": "communities.tasks.notices_sweep", "schedule": _SWEEP},
    "bookings-emails-sweep": {"task": "bookings.tasks.notices_sweep", "schedule": _SWEEP},
    "ledger-emails-sweep": {"task": "ledger.tasks.emails_sweep", "schedule": _SWEEP},
    # Data exports: build what a dead worker left, send the "ready" e-mails, delete used or expired archives.
    "privacy-exports-sweep": {"task": "privacy.tasks.exports_sweep", "schedule": _SWEEP},
    # Forget what is kept longer than needed (old receipts and incident photos, expired invitations, sessions).
    "privacy-retention": {"task": "privacy.tasks.retention_apply", "schedule": crontab(minute=30, hour=3)},
    # Remind payers of the receipts they said would follow (once each, a few days after the expense).
    "ledger-receipts-remind": {"task": "ledger.tasks.receipts_remind", "schedule": crontab(minute=0, hour=10)},
    # Erase the accounts whose 14 days of grace are over (idempotent: an erased account is left alone).
    "privacy-erasures": {"task": "privacy.tasks.erasures_run", "schedule": crontab(minute=45, hour=3)},
    # The proof that every stored ledger balance equals the sum of its entries (ledger/stored_balances.py):
    # each mismatch is logged as an error. At night, when the ledger is quiet.
    "ledger-stored-balances-verify": {
        "task": "ledger.tasks.stored_balances_verify",
        "schedule": crontab(minute=15, hour=3),
    },
    # Last month's usage roll-up for the territories' reports, after the close (shared costs are posted
    # then); re-run daily during the first week so trips recorded late are counted. Idempotent.
    "territories-usage-rollup": {
        "task": "territories.tasks.usage_rollup_month",
        "schedule": crontab(minute=0, hour=8, day_of_month="1-7"),
    },
}
