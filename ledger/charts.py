"""The ledger's charts: a member's balance month after month, a vehicle's costs and km each month, the
community's activity. The sums come from SQL (the stored month totals, GROUP BY month); the drawing from
colocauto.core.charts. Every function starts from the viewer's membership, as every read does."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import DecimalField, F, QuerySet, Sum, Window
from django.db.models.functions import TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bookings.models import Trip
from colocauto.core.charts import Chart, Number, bar_chart, line_chart
from colocauto.core.clock import month_bounds, month_start, next_month, previous_month
from communities.models import Membership, User
from communities.rules import require_active
from ledger.emails import money_text
from ledger.models import Account, AccountMonth, Expense
from ledger.money import ZERO, to_money
from ledger.posting import community_tz
from vehicles.models import Vehicle

MONTHS_SHOWN = 12
# Past this many months a vehicle's period is drawn year by year.
MOST_MONTHS = 24


def months_between(first: date, last: date) -> list[date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def last_months(today: date, count: int = MONTHS_SHOWN) -> list[date]:
    first = month_start(today)
    for _step in range(count - 1):
        first = previous_month(first)
    return months_between(first, today)


def _names(months: Iterable[date]) -> tuple[list[str], list[str]]:
    """Each month in full (« janvier 2026 », for the table) and short (« janv. 26 », for the axis)."""
    months = list(months)
    full = [date_format(month, "F Y") for month in months]
    short = [f"{date_format(month, 'N')} {month:%y}" for month in months]
    return full, short


def _km(value: Number) -> str:
    return _("%(km)s km") % {"km": value}


def _money(value: Number) -> str:
    """Amounts to the cent, and the scale's round amounts without cents (« 75 € »)."""
    amount = Decimal(value)
    exponent = amount.as_tuple().exponent
    whole = isinstance(exponent, int) and exponent >= 0
    return money_text(amount, places=0 if whole else 2)


def balance_chart(membership: Membership, person: User, today: date) -> Chart:
    """``person``'s balance at the end of each of the last twelve months (today's for this month)."""
    require_active(membership)
    months = last_months(today)
    account = Account.objects.filter(community_id=membership.community_id, kind=Account.Kind.MEMBER, user_id=person.pk)
    running = (
        AccountMonth.objects.filter(account__in=account, month__lte=months[-1])
        .annotate(balance=Window(Sum("amount"), order_by=F("month").asc()))
        .order_by("month")
        .values_list("month", "balance")
    )
    balances, balance, rows = [], ZERO, list(running)
    for month in months:
        while rows and rows[0][0] <= month:
            balance = to_money(rows.pop(0)[1])
        balances.append(balance)
    full, short = _names(months)
    return line_chart(_("Balance at the end of each month"), full, _("Balance"), balances, _money, short)


def _km_by_month(trips: QuerySet[Trip], first: date, last: date, tz: ZoneInfo) -> dict[date, int]:
    """The km of ``trips`` in each month from ``first`` to ``last`` (first days of months), by the month each
    trip ended in the community's time: one GROUP BY query."""
    rows = (
        trips.filter(
            ended_at__gte=month_bounds(first, tz)[0],
            ended_at__lt=month_bounds(last, tz)[1],
            distance_km__isnull=False,
        )
        .annotate(month=TruncMonth("ended_at", tzinfo=tz))
        .values("month")
        .annotate(km=Sum("distance_km"))
        .values_list("month", "km")
    )
    return {moment.date(): total for moment, total in rows}


def vehicle_charts(membership: Membership, vehicle: Vehicle, start: date, end: date) -> tuple[Chart, Chart]:
    """The vehicle's expenses by category and its km, month by month over ``start``–``end`` (the report's
    period, capped to its last 24 months): two GROUP BY queries."""
    require_active(membership)
    months = months_between(start, end)[-MOST_MONTHS:]
    first = months[0]
    tz = community_tz(membership.community)
    costs = (
        Expense.objects.filter(
            vehicle=vehicle, cancelled_at__isnull=True, spent_on__gte=max(start, first), spent_on__lte=end
        )
        .annotate(month=TruncMonth("spent_on"))
        .values("month", "category")
        .annotate(total=Sum("amount", output_field=DecimalField(max_digits=20, decimal_places=2)))
        .values_list("month", "category", "total")
    )
    by_category: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for month, category, total in costs:
        by_category[category][month] = to_money(total)
    labels = dict(Expense.Category.choices)
    series = [
        (str(labels.get(category, category)), [amounts.get(month, ZERO) for month in months])
        for category, amounts in sorted(by_category.items(), key=lambda item: -sum(item[1].values()))
    ]
    km = _km_by_month(Trip.objects.filter(vehicle=vehicle), first, month_start(end), tz)
    full, short = _names(months)
    cost_chart = bar_chart(_("Expenses each month, by category"), full, series, _money, short)
    km_chart = bar_chart(
        _("Km driven each month"), full, [(_("Km"), [km.get(month, 0) for month in months])], _km, short
    )
    return cost_chart, km_chart


def community_charts(membership: Membership, today: date) -> tuple[Chart, Chart]:
    """The community's last twelve months: km driven and expenses recorded, every vehicle together."""
    require_active(membership)
    months = last_months(today)
    tz = community_tz(membership.community)
    km = _km_by_month(Trip.objects.filter(vehicle__community_id=membership.community_id), months[0], months[-1], tz)
    cost_rows = (
        Expense.objects.filter(
            community_id=membership.community_id,
            cancelled_at__isnull=True,
            spent_on__gte=months[0],
            spent_on__lte=today,
        )
        .annotate(month=TruncMonth("spent_on"))
        .values("month")
        .annotate(total=Sum("amount", output_field=DecimalField(max_digits=20, decimal_places=2)))
        .values_list("month", "total")
    )
    costs = {month: to_money(total) for month, total in cost_rows}
    full, short = _names(months)
    km_chart = bar_chart(
        _("Km driven each month, every vehicle"), full, [(_("Km"), [km.get(m, 0) for m in months])], _km, short
    )
    cost_chart = bar_chart(
        _("Expenses recorded each month"),
        full,
        [(_("Expenses"), [costs.get(m, ZERO) for m in months])],
        _money,
        short,
    )
    return km_chart, cost_chart
