"""Month end: shared-cost and fixed-cost allocations, the settlement period and its transfers.

Every side effect is claimed by a unique row (a transaction's idempotency key, the period's
community + month), so running a month's close twice, concurrently, or again after a crash posts
nothing twice.
"""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError
from django.db.models import Exists, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.db.transaction import atomic
from django.utils import timezone
from django.utils.translation import gettext as _

from bookings.models import Trip
from colocauto.core.clock import days_in_month, local_date, month_bounds, month_last_day, month_start, next_month
from colocauto.core.errors import Conflict, DomainError
from communities.models import Community
from ledger.membership_days import days_by_member, days_covered, membership_days, membership_spans
from ledger.models import Account, AccountMonth, Entry, Expense, SettlementPeriod, Transaction, Transfer
from ledger.money import ZERO, apportion, to_money
from ledger.posting import (
    BALANCE_FIELD,
    Holder,
    Posting,
    community_tz,
    creditor_of,
    local_today,
    post_many,
    posted,
)
from ledger.selectors import unsettled_transfers
from ledger.settlement import settlement_plan
from vehicles.models import Vehicle

logger = logging.getLogger(__name__)


def _km_by_driver(vehicle: Vehicle, month: date) -> dict[int, int]:
    start, end = month_bounds(month, community_tz(vehicle.community))
    rows = (
        Trip.objects.filter(vehicle=vehicle, ended_at__gte=start, ended_at__lt=end, distance_km__gt=0)
        .values("driver_id")
        .annotate(km=Sum("distance_km"))
        .values_list("driver_id", "km")
    )
    return {driver_id: km for driver_id, km in rows}


def shared_costs_weights(vehicle: Vehicle, month: date) -> dict[int, int]:
    """Who bears a shared-costs vehicle's expenses of a month (user id → weight).

    The month's drivers, in proportion to the km each drove (trips that ended in the month). If
    nobody drove, the community's rule (``Community.idle_shared_costs``) decides: "owner" — the owner
    bears them all, or for a community-owned vehicle the members share them; "members" — the members
    share them. Members share in proportion to their days of membership in the month.
    """
    weights = _km_by_driver(vehicle, month)
    if weights:
        return weights
    if vehicle.owner_id is not None and vehicle.community.idle_shared_costs == "owner":
        return {vehicle.owner_id: 1}
    return membership_days(vehicle.community, month)


def shared_costs_allocate(*, vehicle: Vehicle, month: date) -> list[Transaction]:
    """Post a shared-costs vehicle's unposted expenses up to the end of ``month``, one transaction each.

    The payer is credited the whole amount and the bearers (``shared_costs_weights`` of the
    expense's own month) charged their part, by largest remainder. An expense recorded late, after
    its month was closed, is posted with the next month's allocation but still split by its own
    month's km. Idempotent: an expense is posted once (key ``expense:<id>``).
    """
    with atomic():
        return post_many(community=vehicle.community, postings=_shared_costs_postings(vehicle, month))


def _shared_costs_postings(vehicle: Vehicle, month: date) -> list[Posting]:
    """The postings of ``shared_costs_allocate``, to record in the caller's transaction (it locks the expenses)."""
    month = month_start(month)
    posted_already = Transaction.objects.filter(expense=OuterRef("pk"))
    expenses = list(
        Expense.objects.select_for_update()
        .filter(
            vehicle=vehicle,
            cost_model=Vehicle.CostModel.SHARED_COSTS,
            cancelled_at__isnull=True,
            spent_on__lt=next_month(month),
        )
        .exclude(Exists(posted_already))
        .order_by("spent_on", "pk")
    )
    weights_by_month: dict[date, dict[int, int]] = {}
    postings = []
    for expense in expenses:
        expense_month = month_start(expense.spent_on)
        if expense_month not in weights_by_month:
            try:
                weights_by_month[expense_month] = shared_costs_weights(vehicle, expense_month)
            except (OverflowError, ValueError):
                # A month no date arithmetic reaches (e.g. year 1, entered before dates were
                # bounded): the close goes on without it, and the log says which one waits.
                logger.warning(
                    "Expense %s (vehicle %s) dated %s skipped: its month cannot be computed.",
                    expense.pk,
                    vehicle.pk,
                    expense.spent_on,
                )
                weights_by_month[expense_month] = {}
        weights = weights_by_month[expense_month]
        if not weights:
            continue  # nobody to bear it yet (a community without members): it waits
        postings.append(
            _split(
                vehicle=vehicle,
                kind=Transaction.Kind.SHARED_COSTS,
                month=month,
                creditor=(expense.paid_by_id, expense.amount),
                shares=apportion(expense.amount, weights),
                description=f"{expense_month:%Y-%m}",
                key=f"expense:{expense.pk}",
                expense=expense,
            )
        )
    return postings


def fixed_costs_allocate(*, vehicle: Vehicle, month: date) -> Transaction | None:
    """Charge the vehicle's fixed monthly costs for the days it existed and had members, credited to
    its owner or pool, and split them among the members in proportion to their days of membership.

    Both are counted from the day the vehicle was registered (community time; vehicles are never
    removed): the month's amount × (days from then on with at least one member ÷ days of the
    month), so a car registered on the 21st, or a community whose only member joined on the 31st,
    is not charged a whole month. Nothing is posted for a vehicle without fixed costs, or added
    after the month. Idempotent (key ``fixed:<vehicle>:<YYYY-MM>``).
    """
    posting = _fixed_costs_posting(vehicle, month)
    if posting is None:
        return None
    with atomic():
        created = post_many(community=vehicle.community, postings=[posting])
    return created[0] if created else posted(vehicle.community, posting.key)


def _fixed_costs_posting(vehicle: Vehicle, month: date) -> Posting | None:
    """The posting of ``fixed_costs_allocate``, or None when nothing is due."""
    month = month_start(month)
    community = vehicle.community
    since = max(month, local_date(vehicle.created_at, community_tz(community)))
    if vehicle.fixed_monthly_cost <= 0 or since >= next_month(month):
        return None
    spans = membership_spans(community, month)
    days = days_by_member(spans, since=since)
    if not days:
        return None
    covered = days_covered(spans, since=since)
    month_days = days_in_month(month)
    amount = to_money(vehicle.fixed_monthly_cost * covered / month_days)
    if amount <= 0:
        return None
    # "YYYY-MM", or "YYYY-MM:days/days of the month" when prorated: data the statement renders, not text.
    description = f"{month:%Y-%m}" if covered == month_days else f"{month:%Y-%m}:{covered}/{month_days}"
    return _split(
        vehicle=vehicle,
        kind=Transaction.Kind.FIXED_COSTS,
        month=month,
        creditor=(creditor_of(vehicle), amount),
        shares=apportion(amount, days),
        description=description,
        key=f"fixed:{vehicle.pk}:{month:%Y-%m}",
    )


def _split(
    *,
    vehicle: Vehicle,
    kind: str,
    month: date,
    creditor: tuple[Holder, Decimal],
    shares: dict[int, Decimal],
    description: str,
    key: str,
    **links: Any,
) -> Posting:
    """A month's allocation for the vehicle: the creditor is credited the amount, each bearer charged a share."""
    return Posting(
        kind=kind,
        on=month_last_day(month),
        lines=[creditor, *((user_id, -share) for user_id, share in shares.items())],
        description=description,
        key=key,
        links={"vehicle": vehicle, **links},
    )


def plan_balances(*, community: Community, month: date, in_flight: list[Transfer]) -> dict[int, Decimal]:
    """The balances a month's plan settles (account id → amount).

    Balances as they stood at the end of ``month`` in the community's time zone: the entries of
    transactions dated in or before it (a trip is dated the day it ended, an allocation the month's last
    day); anything dated later goes to the next plan. Money that moved counts whenever it moved: every
    posting of a transfer (and its undoing), and the transfers of earlier plans declared paid but not
    confirmed yet (``in_flight``), as if confirmed — so a payment is never asked for twice.

    Read from the stored figures, in two queries whatever the length of the history: each account's balance
    less its month totals after ``month`` (``AccountMonth``), plus the transfer postings dated after it.
    """
    later = next_month(month)
    months_after = (
        AccountMonth.objects.filter(account=OuterRef("pk"), month__gte=later)
        .order_by()
        .values("account")
        .annotate(total=Sum("amount", output_field=BALANCE_FIELD))
        .values("total")
    )
    rows = (
        Account.objects.filter(community=community)
        .annotate(after=Coalesce(Subquery(months_after, output_field=BALANCE_FIELD), ZERO, output_field=BALANCE_FIELD))
        .values_list("pk", "balance", "after")
    )
    # SQLite stores decimals as floats: quantizing to the cent restores the exact value.
    balances = {pk: to_money(balance - after) for pk, balance, after in rows}
    transfers_after = (
        Entry.objects.filter(
            transaction__community=community, transaction__date__gte=later, transaction__transfer__isnull=False
        )
        .values("account_id")
        .annotate(total=Sum("amount", output_field=BALANCE_FIELD))
        .values_list("account_id", "total")
    )
    for account_id, total in transfers_after:
        balances[account_id] = to_money(balances[account_id] + total)
    for transfer in in_flight:
        balances[transfer.payer_id] += transfer.amount
        balances[transfer.payee_id] -= transfer.amount
    return balances


def settlement_period_open(*, community: Community, month: date) -> SettlementPeriod:
    """Record the month's settlement period with its plan, once: the fewest transfers that zero the
    balances of ``plan_balances``.

    Transfers of earlier plans that nobody declared paid are superseded by it (the new plan asks for
    that money again). Those declared paid stay confirmable and count as paid; they are locked while
    the plan is computed, so a confirmation lands either before (posted) or after (in flight), never
    in between.
    """
    month = month_start(month)
    closed = _period_of(community, month)
    if closed is not None:
        return closed
    try:
        with atomic():
            return _period_create(community, month)
    except IntegrityError:
        return SettlementPeriod.objects.get(community=community, month=month)


def _period_of(community: Community, month: date) -> SettlementPeriod | None:
    """The month's period if it is closed already; ``later_month_closed`` if a later month is."""
    closed = SettlementPeriod.objects.filter(community=community, month__gte=month).order_by("month").first()
    if closed is not None and closed.month != month:
        raise Conflict(_("A later month is already closed for this community."), code="later_month_closed")
    return closed


def _period_create(community: Community, month: date) -> SettlementPeriod:
    """The period and its plan, in the caller's transaction (a concurrent close raises IntegrityError)."""
    period = SettlementPeriod.objects.create(community=community, month=month)
    unsettled = list(unsettled_transfers(community.pk, before=month).select_for_update(of=("self",)).order_by("pk"))
    in_flight = [transfer for transfer in unsettled if transfer.declared_paid_at]
    balances = plan_balances(community=community, month=month, in_flight=in_flight)
    Transfer.objects.bulk_create(
        Transfer(period=period, payer_id=payer, payee_id=payee, amount=amount, position=position)
        for position, (payer, payee, amount) in enumerate(
            settlement_plan({pk: amount for pk, amount in balances.items() if amount})
        )
    )
    Transfer.objects.filter(pk__in=[t.pk for t in unsettled if not t.declared_paid_at]).update(
        superseded_at=timezone.now()
    )
    return period


def month_close(*, community: Community, month: date) -> SettlementPeriod:
    """Close a finished month: post every vehicle's allocations and open the period with its plan, all
    in one transaction (one commit: the monthly job is thousands of these).

    Safe to run twice or concurrently: each step is claimed by a unique row (a concurrent close that
    commits first makes this one roll back and return its period), and once the period exists the
    month is closed. A month before one already closed is refused (``later_month_closed``) before
    anything is posted. The statements run do not depend on the number of members
    (``tests/ledger/test_monthly_job_at_scale.py`` counts them).
    """
    month = month_start(month)
    if month >= month_start(local_today(community)):
        raise DomainError(_("Only a finished month can be closed."), code="month_not_finished")
    existing = _period_of(community, month)
    if existing is not None:
        return existing
    try:
        with atomic():
            postings: list[Posting] = []
            for vehicle in Vehicle.objects.filter(community=community).select_related("community").order_by("pk"):
                postings += _shared_costs_postings(vehicle, month)
                fixed = _fixed_costs_posting(vehicle, month)
                if fixed is not None:
                    postings.append(fixed)
            post_many(community=community, postings=postings)
            return _period_create(community, month)
    except IntegrityError:
        return SettlementPeriod.objects.get(community=community, month=month)


def communities_to_close(month: date) -> QuerySet[Community, int]:
    """Ids of the communities whose ``month`` is not yet fully closed (period and e-mails), oldest first:
    those that existed before the month ended."""
    month = month_start(month)
    done = SettlementPeriod.objects.filter(community=OuterRef("pk"), month=month, emails_sent_at__isnull=False)
    # Any time zone's end of the month is within a day of the server's; the close itself checks exactly.
    ended_by = timezone.make_aware(datetime.combine(next_month(month), datetime.min.time())) + timedelta(days=1)
    return (
        Community.objects.filter(created_at__lt=ended_by)
        .exclude(Exists(done))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
