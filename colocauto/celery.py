"""The Celery application. Tasks live in each app's ``tasks.py``; the beat schedule lives here."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")

app = Celery("colocauto")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

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
    # Last month's usage roll-up for the territories' reports, after the close (shared costs are posted
    # then); re-run daily during the first week so trips recorded late are counted. Idempotent.
    "territories-usage-rollup": {
        "task": "territories.tasks.usage_rollup_month",
        "schedule": crontab(minute=0, hour=8, day_of_month="1-7"),
    },
}
