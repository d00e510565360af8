"""Thin Celery tasks: take ids, call one function, return quietly if the row is gone."""

from celery import shared_task

from bookings import emails
from colocauto.core.outbox import RETRY


@shared_task(**RETRY)
def notify_booking_event(event_id: int) -> int:
    return emails.booking_event_notify(event_id=event_id)


@shared_task
def notices_sweep() -> int:
    """Beat's safety net: send the booking e-mails still due (broker down, worker killed)."""
    return emails.booking_notices_sweep()


@shared_task
def send_start_reminders() -> int:
    return emails.start_reminders_send()


@shared_task
def send_trip_reminders() -> int:
    return emails.trip_reminders_send()
