"""Days of membership in a month: who shares a month's costs, and for how many days.

A membership counts from the day the member joined (included) to the day they left (not included), in
the community's time zone; the fixed costs and an idle shared-costs vehicle are split by these days.
"""

from collections import defaultdict
from datetime import date

from colocauto.core.clock import local_date, month_bounds, month_start, next_month
from communities.models import Community, Membership
from ledger.posting import community_tz

Span = tuple[int, date, date]  # (user id, first day, day after the last)


def membership_spans(community: Community, month: date) -> list[Span]:
    """Each membership's days in the month as ``(user_id, first day, day after the last)``: from the day
    they joined (counted) to the day they left (not counted), in the community's time zone."""
    tz = community_tz(community)
    first, after = month_start(month), next_month(month)
    _start, end = month_bounds(month, tz)
    statuses = [Membership.Status.ACTIVE, Membership.Status.LEFT, Membership.Status.REMOVED]
    rows = Membership.objects.filter(
        community=community, joined_at__isnull=False, joined_at__lt=end, status__in=statuses
    ).values_list("user_id", "joined_at", "ended_at")
    spans = []
    for user_id, joined_at, ended_at in rows:
        if joined_at is None:  # excluded by the query; never a member
            continue
        begins = max(local_date(joined_at, tz), first)
        ends = min(local_date(ended_at, tz), after) if ended_at else after
        if ends > begins:
            spans.append((user_id, begins, ends))
    return spans


def membership_days(community: Community, month: date, *, since: date | None = None) -> dict[int, int]:
    """Days of membership in the month per user (see ``membership_spans``), counted from ``since``
    when given (the day a vehicle was registered)."""
    return days_by_member(membership_spans(community, month), since=since)


def days_by_member(spans: list[Span], *, since: date | None = None) -> dict[int, int]:
    """``membership_days`` of spans already read."""
    days: dict[int, int] = defaultdict(int)
    for user_id, begins, ends in spans:
        begins = max(begins, since) if since else begins
        if ends > begins:
            days[user_id] += (ends - begins).days
    return dict(days)


def days_covered(spans: list[Span], *, since: date | None = None) -> int:
    """How many days of the month (from ``since`` when given) the spans cover: days with at least one member."""
    covered: set[int] = set()
    for _user_id, begins, ends in spans:
        begins = max(begins, since) if since else begins
        covered.update(range(begins.toordinal(), ends.toordinal()))
    return len(covered)
