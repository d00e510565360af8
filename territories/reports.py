"""A territory's report: its family table read from the roll-up, protected consistently with its ancestors.

Queries stay constant in the number of communities: a few per level of the territory tree and per
ancestor, reading the territory's own rows of ``TerritoryUsage`` (a few hundred, whatever the number
of communities and the length of the history).

Consistency between reports: a territory's row appears in its parent's table and as the total of its
own table. The tables are decided from the top of the tree down, and each carries into the next the
decisions already made about that row, so two authorities comparing their reports (or their open-data
exports) can't subtract one from the other to reveal a confidential cell.
"""

import hashlib
from collections.abc import Set as AbstractSet
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
from territories.rollup import ALL_ENERGIES, FIGURE_FIELDS, RollupMonth, usage_rollup_refresh
from territories.selectors import TerritoryTree, sharing_communities, territory_tree
from territories.tables import REST, FamilyTable, Key, family_table
from territories.usage import usage_read, usage_sync
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


def _rows_of(tree: TerritoryTree, placed: dict[int, int]) -> list[int]:
    """The child rows; communities attached to the root itself form the REST row."""
    if not tree.children:
        return []
    rows = [child.pk for child in tree.children]
    if tree.root.pk in placed.values():
        rows.append(REST)
    return rows


# The roll-up's columns under the names of a report's figures.
FIGURE_NAME_OF = {"booked_hours": "hours"}


def usage_figures(tree: TerritoryTree, periods: list[Period]) -> tuple[dict[Key, Figures], dict[Key, int]]:
    """From the territory's roll-up, in one query: figures per row × energy × month, and the communities
    active per row × energy × quarter or year (counted distinct by the database)."""
    root = tree.root.pk
    lengths = {period.key: period.months for period in periods}
    names = ["communities", *(FIGURE_NAME_OF.get(name, name) for name in FIGURE_FIELDS)]
    decimals = [(index, name) for index, name in enumerate(names) if name in DECIMAL_FIGURES]
    figures: dict[Key, Figures] = {}
    active: dict[Key, int] = {}
    for branch, energy, key, *values in usage_read(root, periods):
        row = REST if branch == root and tree.children else branch
        if lengths[key] > 1:
            active[row, energy, key] = values[0]
            continue
        for index, name in decimals:  # the counts are integers already, whatever the database
            values[index] = _exact(name, values[index])
        cell = Figures(**dict(zip(names, values, strict=True)))
        if energy == Vehicle.Energy.ELECTRIC:
            cell.km_electric = cell.km
        figures[row, energy, key] = cell
    for (row, energy, key), cell in figures.items():
        if energy == ALL_ENERGIES and (row, Vehicle.Energy.ELECTRIC, key) in figures:
            cell.km_electric = figures[row, Vehicle.Energy.ELECTRIC, key].km
    return figures, active


DECIMAL_FIGURES = {"hours", "available_hours", "driver_charges", "max_household_hours"}


def _exact(name: str, value):
    """Sums come back as Decimal (PostgreSQL) or as int or float (SQLite): hours and euros to the cent."""
    if name not in DECIMAL_FIGURES:
        return int(value or 0)
    if isinstance(value, Decimal):
        return value
    if value is None:
        return Decimal("0")
    if isinstance(value, float):
        return Decimal(str(round(value, 2)))
    return Decimal(value)


def family_of(
    territory: Territory,
    periods: list[Period],
    *,
    hidden: AbstractSet[Key] = frozenset(),
    shown: AbstractSet[Key] = frozenset(),
    thresholds: Thresholds | None = None,
) -> Family:
    tree = territory_tree(territory)
    placed = sharing_communities(tree)
    usage_sync(territory.pk, placed)
    monthly, active = usage_figures(tree, periods)
    table = family_table(
        monthly,
        root=territory.pk,
        rows=_rows_of(tree, placed),
        periods=periods,
        active=active,
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
    families: list[Family] = []
    for member in chain:
        if families:
            hidden, shown = families[-1].table.statuses_of(member.pk)
        key = _family_key(member, periods, version, thresholds)
        family = cache.get(key)
        if family is None:
            family = family_of(member, periods, hidden=hidden, shown=shown, thresholds=thresholds)
            cache.set(key, family, CACHE_SECONDS)
        families.append(family)
    return Report(
        territory=territory, family=families[-1], periods=periods, today=today, thresholds=thresholds, chain=chain
    )


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
