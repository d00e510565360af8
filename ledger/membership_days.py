"""Days of membership in a month: who shares a month's costs, and for how many days.

A membership counts from the day the member joined (included) to the day they left (not included), in
the community's time zone; the fixed costs and an idle shared-costs vehicle are split by these days.
Days in a period when an admin had marked the member inactive (``communities.Inactivity``: whole months, from
the first day of one) do not count: an inactive member bears no share of those costs. Trips are charged as usual.
"""

from collections import defaultdict
from datetime import date

from colocauto.core.clock import local_date, month_bounds, month_start, next_month
from communities.models import Community, Inactivity, Membership
from ledger.posting import community_tz

Span = tuple[int, date, date]  # (user id, first day, day after the last)


def membership_spans(community: Community, month: date) -> list[Span]:
    """Each membership's days in the month as ``(user_id, first day, day after the last)``: from the day
    they joined (counted) to the day they left (not counted), in the community's time zone, less the days
    the member was inactive (two queries, whatever the number of members)."""
    tz = community_tz(community)
    first, after = month_start(month), next_month(month)
    _start, end = month_bounds(month, tz)
    statuses = [Membership.Status.ACTIVE, Membership.Status.LEFT, Membership.Status.REMOVED]
    rows = Membership.objects.filter(
        community=community, joined_at__isnull=False, joined_at__lt=end, status__in=statuses
    ).values_list("pk", "user_id", "joined_at", "ended_at")
    inactive = _inactive_days(community, first, after)
    spans = []
    for membership_id, user_id, joined_at, ended_at in rows:
        if joined_at is None:  # excluded by the query; never a member
            continue
        begins = max(local_date(joined_at, tz), first)
        ends = min(local_date(ended_at, tz), after) if ended_at else after
        for piece_begins, piece_ends in _less(begins, ends, inactive.get(membership_id, [])):
            spans.append((user_id, piece_begins, piece_ends))
    return spans


def _inactive_days(community: Community, first: date, after: date) -> dict[int, list[tuple[date, date]]]:
    """The periods of inactivity overlapping ``[first, after)``, by membership id, as ``[begins, ends)``."""
    periods = Inactivity.objects.filter(membership__community=community, starts_on__lt=after).exclude(
        ends_on__lte=first
    )
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for membership_id, starts_on, ends_on in periods.values_list("membership_id", "starts_on", "ends_on"):
        found[membership_id].append((starts_on, ends_on or after))
    return found


def _less(begins: date, ends: date, holes: list[tuple[date, date]]) -> list[tuple[date, date]]:
    """``[begins, ends)`` without the days of ``holes``: the pieces left, in order, none empty."""
    pieces = []
    for hole_begins, hole_ends in sorted(holes):
        if hole_begins > begins:
            pieces.append((begins, min(ends, hole_begins)))
        begins = max(begins, hole_ends)
    pieces.append((begins, ends))
    return [(b, e) for b, e in pieces if e > b]


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
