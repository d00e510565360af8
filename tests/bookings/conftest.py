"""Helpers for the booking tests: memberships of the fixed people, times in the community's zone, a change of times,
and the e-mails an action sends."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from bookings import services
from communities.models import Membership

PARIS = ZoneInfo("Europe/Paris")


def local(days: int, hour: int, minute: int = 0) -> datetime:
    """``days`` from today at ``hour``:``minute``, Paris time (the community's zone)."""
    day = timezone.now().astimezone(PARIS).date() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def membership_of(user, community) -> Membership:
    return Membership.objects.select_related("community", "user").get(
        user=user, community=community, status=Membership.Status.ACTIVE
    )


@pytest.fixture
def english():
    with translation.override("en"):
        yield


def change_times(user, booking, starts_at: datetime, ends_at: datetime):
    """``user`` moves ``booking`` to ``[starts_at, ends_at)`` through the service."""
    return services.booking_change_times(
        membership=membership_of(user, booking.community), booking=booking, starts_at=starts_at, ends_at=ends_at
    )


@pytest.fixture
def mails_after(mailoutbox, django_capture_on_commit_callbacks):
    """``mails_after(action, *args, **kwargs)``: the e-mails sent once ``action`` has run and its transaction's
    on-commit callbacks with it; the outbox is emptied first."""

    def run(action, *args, **kwargs) -> list:
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action(*args, **kwargs)
        return list(mailoutbox)

    return run
