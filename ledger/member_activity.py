"""When each member last took part, and who has not for the community's ``inactivity_months``: for admins, who
may mark them inactive (``communities.inactivity``).

Activity is the latest of: joining, signing in, making a booking, the start of a booking that was held (not
refused or cancelled), the end of a trip they drove, an expense they recorded or paid, a transfer they declared
paid or confirmed. It lives in the ledger because it reads bookings and money; one query whatever the number of
members and the length of the history (one aggregate subquery per kind, each on an indexed column).
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import DateTimeField, F, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest

from bookings.models import Booking, Trip
from colocauto.core.clock import midnight, now, today_in, zone
from communities.models import Community, Inactivity, Membership
from ledger.models import Expense, Transfer

HELD = [Booking.Status.CONFIRMED, Booking.Status.IN_PROGRESS, Booking.Status.COMPLETED]


def _latest(rows: QuerySet[Any], field: str, *, by: str) -> Subquery:
    """Max(``field``) of ``rows``, already filtered on the outer membership; ``by`` is a column the filter fixes,
    so the aggregate has one group."""
    return Subquery(
        rows.order_by().values(by).annotate(latest=Max(field)).values("latest"), output_field=DateTimeField()
    )


def with_last_activity(memberships: QuerySet[Membership]) -> QuerySet[Membership]:
    """``memberships`` annotated with ``last_activity`` (never empty for a member who joined)."""
    community, user = OuterRef("community_id"), OuterRef("user_id")
    bookings = Booking.objects.filter(community_id=community, member_id=user)
    transfers = Transfer.objects.filter(period__community_id=community)
    kinds = [
        F("user__last_login"),
        _latest(bookings, "created_at", by="member_id"),
        _latest(bookings.filter(status__in=HELD, starts_at__lte=now()), "starts_at", by="member_id"),
        _latest(Trip.objects.filter(booking__community_id=community, driver_id=user), "ended_at", by="driver_id"),
        _latest(
            Expense.objects.filter(Q(paid_by_id=user) | Q(created_by_id=user), community_id=community),
            "created_at",
            by="community_id",
        ),
        _latest(transfers.filter(declared_by_id=user), "declared_paid_at", by="declared_by_id"),
        _latest(transfers.filter(confirmed_by_id=user), "confirmed_at", by="confirmed_by_id"),
    ]
    joined = F("joined_at")
    # Greatest is NULL on SQLite as soon as one value is: each kind falls back on the day the member joined.
    return memberships.annotate(
        last_activity=Greatest(joined, *(Coalesce(kind, joined, output_field=DateTimeField()) for kind in kinds))
    )


def quiet_since(community: Community) -> datetime:
    """Members with no activity since this moment are listed: ``inactivity_months`` before today, at midnight in
    the community's time zone (the month's last day when that month is shorter)."""
    tz = zone(community.time_zone)
    today = today_in(tz)
    index = today.year * 12 + today.month - 1 - community.inactivity_months
    year, month = divmod(index, 12)
    day = min(today.day, monthrange(year, month + 1)[1])
    return midnight(date(year, month + 1, day), tz)


def quiet_members(viewer: Membership) -> list[Membership]:
    """For an admin: the active members without activity since ``quiet_since``, longest quiet first, each with
    ``last_activity`` and ``inactive_from`` (the month their inactivity starts, if an admin marked them)."""
    if not viewer.is_admin:
        raise PermissionDenied
    open_inactivity = Inactivity.objects.filter(membership=OuterRef("pk"), ends_on__isnull=True).values("starts_on")
    members = with_last_activity(
        Membership.objects.filter(community_id=viewer.community_id, status=Membership.Status.ACTIVE)
    ).annotate(inactive_from=Subquery(open_inactivity[:1]))
    return list(
        members.filter(Q(last_activity__lt=quiet_since(viewer.community)))  # Q: an annotation
        .select_related("user")
        .order_by("last_activity", "user__display_name", "pk")
    )
