"""A territory's report: its family table read from the roll-up, protected consistently with its ancestors.

Queries stay constant in the number of communities: a few per level of the territory tree and per
ancestor, each an aggregate over ``MonthlyUsage``.

Consistency between reports: a territory's row appears in its parent's table and as the total of its
own table. The tables are decided from the top of the tree down, and each carries into the next the
decisions already made about that row, so two authorities comparing their reports (or their open-data
exports) can't subtract one from the other to reveal a confidential cell.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from territories.disclosure import Thresholds
from territories.figures import Figures
from territories.models import Territory, TerritoryConsent
from territories.periods import Period, last_months, periods_of_years
from territories.rollup import ALL_ENERGIES, MonthlyUsage, RollupMonth, usage_rollup_refresh
from territories.selectors import TerritoryTree, sharing_communities, territory_tree
from territories.tables import REST, FamilyTable, Key, family_table
from vehicles.models import Vehicle


def report_thresholds() -> Thresholds:
    return Thresholds(
        min_households=settings.TERRITORY_MIN_HOUSEHOLDS,
        min_bookings=settings.TERRITORY_MIN_BOOKINGS,
        max_share=Decimal(settings.TERRITORY_MAX_HOUSEHOLD_SHARE_PERCENT) / 100,
    )


def ancestors(territory: Territory) -> list[Territory]:
    """The chain from the top of the tree down to ``territory`` (one query per level)."""
    chain = [territory]
    seen = {territory.pk}
    while chain[0].parent_id is not None and chain[0].parent_id not in seen:
        parent = Territory.objects.get(pk=chain[0].parent_id)
        seen.add(parent.pk)
        chain.insert(0, parent)
    return chain


def rollup_ensure(months: list[date]) -> None:
    """Compute on demand any ended month the monthly job has not stored yet (once: then it is stored)."""
    stored = set(RollupMonth.objects.filter(month__in=months).values_list("month", flat=True))
    for month in sorted(set(months) - stored):
        usage_rollup_refresh(month=month)


@dataclass
class Family:
    tree: TerritoryTree
    placed: dict[int, int]  # community id → row
    table: FamilyTable


def _rows_of(tree: TerritoryTree, placed: dict[int, int]) -> tuple[list[int], dict[int, int]]:
    """Child rows and community → row; communities attached to the root itself form the REST row."""
    root = tree.root.pk
    if not tree.children:
        return [], {community: root for community in placed}
    rows = [child.pk for child in tree.children]
    mapping = {community: (REST if branch == root else branch) for community, branch in placed.items()}
    if REST in mapping.values():
        rows.append(REST)
    return rows, mapping


FIGURE_COLUMNS = [
    ("communities", "SUM(CASE WHEN u.bookings > 0 THEN 1 ELSE 0 END)"),  # one row per community here
    ("members", "SUM(u.members)"),
    ("households", "SUM(u.households)"),
    ("vehicles", "SUM(u.vehicles)"),
    ("bookings", "SUM(u.bookings)"),
    ("hours", "SUM(u.booked_hours)"),
    ("km", "SUM(u.km)"),
    ("trips", "SUM(u.trips)"),
    ("trips_by_non_owners", "SUM(u.trips_by_non_owners)"),
    ("available_hours", "SUM(u.available_hours)"),
    ("driver_charges", "SUM(u.driver_charges)"),
    ("charged_km", "SUM(u.charged_km)"),
    ("max_household_km", "MAX(u.max_household_km)"),
    ("max_household_hours", "MAX(u.max_household_hours)"),
]


def _placement(mapping: dict[int, int]) -> tuple[str, list]:
    """The community → row mapping as an inline table the database hash-joins (a CASE over long lists
    of ids costs a comparison per id and per row)."""
    rows = sorted(mapping.items())
    return "placement(community_id, row_id) AS (VALUES " + ", ".join(["(%s, %s)"] * len(rows)) + ")", [
        value for pair in rows for value in pair
    ]


def monthly_figures(mapping: dict[int, int], months: list[date]) -> dict[Key, Figures]:
    """One aggregate query: figures per row × energy × month of the communities in ``mapping``."""
    if not mapping or not months:
        return {}
    placement, params = _placement(mapping)
    table = MonthlyUsage._meta.db_table
    columns = ", ".join(expression for _name, expression in FIGURE_COLUMNS)
    sql = (
        f"WITH {placement} SELECT p.row_id, u.energy, u.month, {columns} FROM {table} u"  # noqa: S608 - our own names
        " JOIN placement p ON p.community_id = u.community_id"
        " WHERE u.month >= %s AND u.month <= %s GROUP BY p.row_id, u.energy, u.month"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, min(months), max(months)])
        rows = cursor.fetchall()
    names = [name for name, _expression in FIGURE_COLUMNS]
    figures: dict[Key, Figures] = {}
    for row, energy, month, *values in rows:
        cell = Figures(**{name: _exact(name, value) for name, value in zip(names, values, strict=True)})
        if energy == Vehicle.Energy.ELECTRIC:
            cell.km_electric = cell.km
        figures[row, energy, _month_key(month)] = cell
    for (row, energy, month_key), cell in figures.items():
        if energy == ALL_ENERGIES and (row, Vehicle.Energy.ELECTRIC, month_key) in figures:
            cell.km_electric = figures[row, Vehicle.Energy.ELECTRIC, month_key].km
    return figures


def _month_key(month) -> str:
    """SQLite returns dates as text."""
    return month[:7] if isinstance(month, str) else f"{month:%Y-%m}"


DECIMAL_FIGURES = {"hours", "available_hours", "driver_charges", "max_household_hours"}


def _exact(name: str, value):
    """Sums come back as Decimal (PostgreSQL) or as int or float (SQLite): hours and euros to the cent."""
    if name not in DECIMAL_FIGURES:
        return int(value or 0)
    if value is None:
        return Decimal("0")
    if isinstance(value, float):
        return Decimal(str(round(value, 2)))
    return Decimal(value)


def active_communities(mapping: dict[int, int], periods: list[Period]) -> dict[Key, int]:
    """Communities with at least one booking in each quarter and each year, per row and energy: one query,
    distinct over the months (a community active in two months of a quarter counts once)."""
    quarters = [period for period in periods if period.months == 3]
    if not mapping or not quarters:
        return {}
    placement, params = _placement(mapping)
    months = [(day, quarter.key) for quarter in quarters for day in quarter.month_starts]
    table = MonthlyUsage._meta.db_table
    quarter_values = ", ".join(["(%s, %s)"] * len(months))
    sql = (
        f"WITH {placement}, quarters(month, quarter) AS (VALUES {quarter_values}), active AS ("  # noqa: S608
        f"SELECT DISTINCT p.row_id, u.energy, q.quarter, u.community_id FROM {table} u"
        " JOIN placement p ON p.community_id = u.community_id JOIN quarters q ON q.month = u.month"
        " WHERE u.bookings > 0)"
        " SELECT row_id, energy, quarter, COUNT(*) FROM active GROUP BY row_id, energy, quarter"
        " UNION ALL SELECT row_id, energy, SUBSTR(quarter, 1, 4), COUNT(DISTINCT community_id) FROM active"
        " GROUP BY row_id, energy, SUBSTR(quarter, 1, 4)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *(value for pair in months for value in pair)])
        rows = cursor.fetchall()
    wanted = {period.key for period in periods}
    return {(row, energy, key): count for row, energy, key, count in rows if key in wanted}


def family_of(
    territory: Territory,
    periods: list[Period],
    *,
    hidden: set[Key] = frozenset(),
    shown: set[Key] = frozenset(),
    thresholds: Thresholds | None = None,
) -> Family:
    tree = territory_tree(territory)
    placed = sharing_communities(tree)
    rows, mapping = _rows_of(tree, placed)
    months = sorted({day for period in periods for day in period.month_starts})
    table = family_table(
        monthly_figures(mapping, months),
        root=territory.pk,
        rows=rows,
        periods=periods,
        active=active_communities(mapping, periods),
        thresholds=thresholds or report_thresholds(),
        hidden=hidden,
        shown=shown,
    )
    return Family(tree=tree, placed=placed, table=table)


@dataclass
class Report:
    territory: Territory
    family: Family
    periods: list[Period]
    today: date
    thresholds: Thresholds
    chain: list[Territory] = field(default_factory=list)

    @property
    def table(self) -> FamilyTable:
        return self.family.table

    def period(self, key: str) -> Period | None:
        return next((period for period in self.periods if period.key == key), None)


# Tables change only when the roll-up is refreshed, a consent given or withdrawn, or the tree edited:
# they are kept until then (and at most a day), so a dashboard reads one cached table per ancestor.
CACHE_SECONDS = 24 * 3600
GENERATION_KEY = "territory-reports:generation"


def reports_invalidate() -> None:
    """The territory tree changed (import, admin): every cached table is recomputed when next read."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def data_version() -> str:
    """What the tables depend on, in one query: the roll-up's last refresh and the consents' last change."""
    sql = (
        f"SELECT (SELECT MAX(refreshed_at) FROM {RollupMonth._meta.db_table}),"  # noqa: S608 - our own names
        f" (SELECT MAX(id) FROM {TerritoryConsent._meta.db_table}),"
        f" (SELECT MAX(withdrawn_at) FROM {TerritoryConsent._meta.db_table}),"
        f" (SELECT COUNT(*) FROM {TerritoryConsent._meta.db_table} WHERE withdrawn_at IS NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return "|".join(str(value) for value in (*row, cache.get(GENERATION_KEY, 0)))


def _family_key(territory: Territory, periods: list[Period], version: str, thresholds: Thresholds) -> str:
    text = "/".join([version, repr(thresholds), ",".join(period.key for period in periods)])
    digest = hashlib.sha256(text.encode()).hexdigest()[:32]
    return f"territory-reports:family:{territory.pk}:{digest}"


def territory_report(territory: Territory, *, years: list[int], today: date | None = None) -> Report:
    """The report of ``territory`` for the ended periods of ``years``, its ancestors' tables decided first."""
    today = today or timezone.localdate()
    periods = periods_of_years(sorted(set(years)), today)
    rollup_ensure(sorted({day for period in periods for day in period.month_starts}))
    thresholds = report_thresholds()
    version = data_version()
    chain = ancestors(territory)
    hidden: set[Key] = set()
    shown: set[Key] = set()
    family = None
    for index, member in enumerate(chain):
        key = _family_key(member, periods, version, thresholds)
        family = cache.get(key)
        if family is None:
            family = family_of(member, periods, hidden=hidden, shown=shown, thresholds=thresholds)
            cache.set(key, family, CACHE_SECONDS)
        if index + 1 < len(chain):
            hidden, shown = family.table.statuses_of(chain[index + 1].pk)
    return Report(territory=territory, family=family, periods=periods, today=today, thresholds=thresholds, chain=chain)


def reports_warm(*, today: date | None = None) -> int:
    """Compute the dashboards of every territory with staff (after the monthly roll-up); returns how many."""
    today = today or timezone.localdate()
    territories = Territory.objects.filter(staff__isnull=False).distinct().order_by("pk")
    count = 0
    for territory in territories:
        territory_report(territory, years=dashboard_years(today), today=today)
        count += 1
    return count


def dashboard_years(today: date) -> list[int]:
    """The calendar years holding the last 24 ended months (the dashboard's series and headline)."""
    return sorted({period.start.year for period in last_months(today, 24)})
