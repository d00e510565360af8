"""The Celery application. Tasks live in each app's ``tasks.py``; the beat schedule lives here."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "colocauto.settings")

app = Celery("colocauto")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one place for periodic jobs (the ledger's monthly settlement is added here).
app.conf.beat_schedule = {
    "bookings-start-reminders": {"task": "bookings.tasks.send_start_reminders", "schedule": 15 * 60.0},
    "bookings-trip-reminders": {"task": "bookings.tasks.send_trip_reminders", "schedule": 60 * 60.0},
}
