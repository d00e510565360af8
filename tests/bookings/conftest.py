"""Helpers for the booking tests: memberships of the fixed people and times in the community's zone."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

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
