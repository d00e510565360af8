"""A territory's report: its family table read from the roll-up, protected consistently with its ancestors.

Queries stay constant in the number of communities: a few per level of the territory tree and per
ancestor, each an aggregate over ``MonthlyUsage``.

Consistency between reports: a territory's row appears in its parent's table and as the total of its
own table. The tables are decided from the top of the tree down, and each carries into the next the
decisions already made about that row, so two authorities comparing their reports (or their open-data
exports) can't subtract one from the other to reveal a confidential cell.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Max, Q, Sum, Value, When
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils import timezone

from territories.disclosure import Thresholds
from territories.figures import Figures
from territories.models import Territory
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


def _row_expression(mapping: dict[int, int]):
    by_row: dict[int, list[int]] = {}
    for community, row in mapping.items():
        by_row.setdefault(row, []).append(community)
    whens = [When(community_id__in=sorted(ids), then=Value(row)) for row, ids in sorted(by_row.items())]
    return Case(*whens, default=Value(-1), output_field=IntegerField()) if whens else Value(-1, IntegerField())


def monthly_figures(mapping: dict[int, int], months: list[date]) -> dict[Key, Figures]:
    """One aggregate query: figures per row × energy × month of the communities in ``mapping``."""
    if not mapping or not months:
        return {}
    rows = (
        MonthlyUsage.objects.filter(community_id__in=list(mapping), month__gte=min(months), month__lte=max(months))
        .annotate(row=_row_expression(mapping))
        .values_list("row", "energy", "month")
        .annotate(
            communities=Count("community_id", distinct=True, filter=Q(bookings__gt=0)),
            members=Sum("members"),
            households=Sum("households"),
            vehicles=Sum("vehicles"),
            bookings=Sum("bookings"),
            hours=Sum("booked_hours"),
            km=Sum("km"),
            trips=Sum("trips"),
            trips_by_non_owners=Sum("trips_by_non_owners"),
            available_hours=Sum("available_hours"),
            driver_charges=Sum("driver_charges"),
            charged_km=Sum("charged_km"),
            max_household_km=Max("max_household_km"),
            max_household_hours=Max("max_household_hours"),
        )
    )
    names = [
        "communities",
        "members",
        "households",
        "vehicles",
        "bookings",
        "hours",
        "km",
        "trips",
        "trips_by_non_owners",
        "available_hours",
        "driver_charges",
        "charged_km",
        "max_household_km",
        "max_household_hours",
    ]
    figures: dict[Key, Figures] = {}
    for row, energy, month, *values in rows:
        cell = Figures(**{name: _exact(value) for name, value in zip(names, values, strict=True)})
        if energy == Vehicle.Energy.ELECTRIC:
            cell.km_electric = cell.km
        figures[row, energy, f"{month:%Y-%m}"] = cell
    for (row, energy, month_key), cell in figures.items():
        if energy == ALL_ENERGIES and (row, Vehicle.Energy.ELECTRIC, month_key) in figures:
            cell.km_electric = figures[row, Vehicle.Energy.ELECTRIC, month_key].km
    return figures


def _exact(value):
    """Sums come back as int or Decimal (PostgreSQL) or float (SQLite): hours and euros to the cent."""
    if value is None:
        return 0
    if isinstance(value, float):
        return Decimal(str(round(value, 2)))
    return value


def active_communities(mapping: dict[int, int], periods: list[Period]) -> dict[Key, int]:
    """Communities with at least one booking in each quarter and year, per row and energy (two queries)."""
    longer = [period for period in periods if period.months > 1]
    if not mapping or not longer:
        return {}
    start, end = min(p.start for p in longer), max(p.end for p in longer)
    base = (
        MonthlyUsage.objects.filter(community_id__in=list(mapping), month__gte=start, month__lt=end, bookings__gt=0)
        .annotate(row=_row_expression(mapping), year=ExtractYear("month"), quarter=ExtractQuarter("month"))
        .order_by()
    )
    wanted = {period.key for period in longer}
    active: dict[Key, int] = {}
    by_quarter = base.values_list("row", "energy", "year", "quarter").annotate(n=Count("community_id", distinct=True))
    for row, energy, year, quarter, count in by_quarter:
        if f"{year}-Q{quarter}" in wanted:
            active[row, energy, f"{year}-Q{quarter}"] = count
    by_year = base.values_list("row", "energy", "year").annotate(n=Count("community_id", distinct=True))
    for row, energy, year, count in by_year:
        if str(year) in wanted:
            active[row, energy, str(year)] = count
    return active


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


def territory_report(territory: Territory, *, years: list[int], today: date | None = None) -> Report:
    """The report of ``territory`` for the ended periods of ``years``, its ancestors' tables decided first."""
    today = today or timezone.localdate()
    periods = periods_of_years(sorted(set(years)), today)
    rollup_ensure(sorted({day for period in periods for day in period.month_starts}))
    thresholds = report_thresholds()
    chain = ancestors(territory)
    hidden: set[Key] = set()
    shown: set[Key] = set()
    family = None
    for index, member in enumerate(chain):
        family = family_of(member, periods, hidden=hidden, shown=shown, thresholds=thresholds)
        if index + 1 < len(chain):
            hidden, shown = family.table.statuses_of(chain[index + 1].pk)
    return Report(territory=territory, family=family, periods=periods, today=today, thresholds=thresholds, chain=chain)


def dashboard_years(today: date) -> list[int]:
    """The calendar years holding the last 24 ended months (the dashboard's series and headline)."""
    return sorted({period.start.year for period in last_months(today, 24)})
