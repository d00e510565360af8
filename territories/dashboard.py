"""What the dashboard, the PDF and the exports show, read from a ``Report`` (no further queries but one
for the participating communities' names)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from colocauto.core.charts import Chart, bar_chart
from colocauto.text import StrOrPromise
from communities.models import Community
from territories.figures import Figures, Indicators
from territories.models import Territory
from territories.periods import Period, last_months
from territories.reports import Report, dashboard_years, territory_report
from territories.rollup import ALL_ENERGIES, ENERGY_CHOICES
from territories.tables import REST

ENERGY_LABELS = dict(ENERGY_CHOICES)


@dataclass
class Cell:
    """A published cell (``indicators``), a confidential one (``confidential``), or nothing at all."""

    period: Period
    indicators: Indicators | None
    confidential: bool = False

    @property
    def empty(self) -> bool:
        return self.indicators is not None and self.indicators.figures.contribution().is_empty


def cell(report: Report, row: int, energy: str, period: Period) -> Cell:
    table = report.table
    figures = table.figures(row, energy, period)
    if figures is None:
        return Cell(period, None, confidential=True)
    # CO2 of all energies together is exact only when the km of each energy are public too.
    exact = energy != ALL_ENERGIES or not any(
        table.is_confidential(row, other, period) for other in table.energies if other != ALL_ENERGIES
    )
    return Cell(period, Indicators(figures, co2_exact=exact))


def row_label(report: Report, row: int) -> str:
    if row == REST:
        return _("Elsewhere in %(name)s") % {"name": report.territory.name}
    if row == report.territory.pk:
        return _("All of %(name)s") % {"name": report.territory.name}
    return next((child.name for child in report.family.tree.children if child.pk == row), "")


def rows_of(report: Report) -> list[tuple[int, str, Territory | None]]:
    """(row, label, territory) for each child row, then the total."""
    children = {child.pk: child for child in report.family.tree.children}
    rows = [(row, row_label(report, row), children.get(row)) for row in report.table.rows]
    return [*rows, (report.territory.pk, row_label(report, report.territory.pk), report.territory)]


def energy_label(energy: str) -> str:
    return str(ENERGY_LABELS.get(energy, energy))


# --- Headline: the last 12 months against the 12 before ----------------------------------------


@dataclass
class Headline:
    current: Cell
    previous: Cell
    months: list[Period]


def _rolling(report: Report, months: list[Period]) -> Cell:
    """12 consecutive months together: shown only when every month is published, so the sum tells
    nothing the months don't (any other 12 months would be an arbitrary range)."""
    root = report.territory.pk
    found = [report.table.figures(root, ALL_ENERGIES, month) for month in months]
    cells = [figures for figures in found if figures is not None]
    known = {period.key for period in report.periods}
    if len(cells) < len(found) or any(month.key not in known for month in months):
        return Cell(months[0], None, confidential=True)
    communities = max((figures.communities for figures in cells), default=0)
    together = Figures.over_time(cells, months=len(months), communities=communities)
    exact = all(
        not report.table.is_confidential(root, energy, month) for month in months for energy in report.table.energies
    )
    return Cell(months[0], Indicators(together, co2_exact=exact))


def headline(report: Report) -> Headline:
    months = last_months(report.today, 24)
    return Headline(current=_rolling(report, months[12:]), previous=_rolling(report, months[:12]), months=months[12:])


HEADLINE_FIGURES = [
    ("bookings", gettext_lazy("Bookings")),
    ("km", gettext_lazy("Km driven")),
    ("booked_hours", gettext_lazy("Hours booked")),
    ("households", gettext_lazy("Households who booked (busiest month)")),
    ("average_members", gettext_lazy("Member households (monthly average)")),
    ("average_vehicles", gettext_lazy("Vehicles shared (monthly average)")),
    ("occupancy", gettext_lazy("Occupancy rate (%)")),
    ("non_owner_share", gettext_lazy("Trips by non-owners (%)")),
    ("km_per_trip", gettext_lazy("Km per trip")),
    ("cost_per_km", gettext_lazy("Cost per km paid by drivers (€)")),
]


def headline_rows(line: Headline) -> list[dict]:
    rows = []
    for name, label in HEADLINE_FIGURES:
        current = getattr(line.current.indicators, name) if line.current.indicators else None
        previous = getattr(line.previous.indicators, name) if line.previous.indicators else None
        change = None
        if current is not None and previous:
            change = round((float(current) - float(previous)) * 100 / float(previous))
        rows.append({"label": label, "current": current, "previous": previous, "change": change})
    return rows


# --- Monthly series ---------------------------------------------------------------------------

SERIES = [
    ("bookings", gettext_lazy("Bookings per month")),
    ("km", gettext_lazy("Km driven per month")),
    ("households", gettext_lazy("Households who booked, per month")),
    ("occupancy", gettext_lazy("Occupancy rate per month (%)")),
]


@dataclass
class Series:
    name: str
    title: str
    cells: list[Cell]
    chart: Chart

    def values(self) -> list:
        return [getattr(c.indicators, self.name) if c.indicators else None for c in self.cells]


def _figure(value: Decimal | int) -> str:
    return number_format(value, use_l10n=True, force_grouping=True)


def series(report: Report, months: list[Period]) -> list[Series]:
    known = {period.key for period in report.periods}
    months = [month for month in months if month.key in known]
    cells = [cell(report, report.territory.pk, ALL_ENERGIES, month) for month in months]
    labels = [c.period.label for c in cells]
    # The axis: the month's short name, with the year under the first month and every January.
    short = [
        f"{c.period.short_label} {c.period.start:%y}"
        if index == 0 or c.period.start.month == 1
        else c.period.short_label
        for index, c in enumerate(cells)
    ]
    confidential = [c.confidential for c in cells]
    note = _("c = confidential")
    result = []
    for name, title in SERIES:
        values = [getattr(c.indicators, name) if c.indicators else None for c in cells]
        chart = bar_chart(
            str(title), labels, [(str(title), values)], _figure, short, confidential=confidential, note=note
        )
        result.append(Series(name=name, title=str(title), cells=cells, chart=chart))
    return result


# --- Breakdowns for one period -----------------------------------------------------------------


def by_child(report: Report, period: Period) -> list[tuple[str, Cell]]:
    return [(label, cell(report, row, ALL_ENERGIES, period)) for row, label, _territory in rows_of(report)]


def by_energy(report: Report, period: Period) -> list[tuple[str, Cell]]:
    root = report.territory.pk
    return [(energy_label(energy), cell(report, root, energy, period)) for energy in report.table.energies]


_USAGE_COLUMNS = [
    ("bookings", gettext_lazy("Bookings")),
    ("km", gettext_lazy("Km driven")),
    ("booked_hours", gettext_lazy("Hours booked")),
    ("occupancy", gettext_lazy("Occupancy rate (%)")),
]
CHILD_COLUMNS = [
    ("communities", gettext_lazy("Active communities")),
    ("households", gettext_lazy("Households who booked")),
    *_USAGE_COLUMNS,
]
ENERGY_COLUMNS = [
    ("average_vehicles", gettext_lazy("Vehicles (average)")),
    *_USAGE_COLUMNS,
    ("co2_emitted", gettext_lazy("CO2 (t CO2e)")),
]


@dataclass(frozen=True)
class Breakdown:
    """One table of ``_breakdowns.html``: a row per territory or energy (the total last), a column per indicator."""

    key: str  # "child" or "energy", for the table's id
    title: str
    row_heading: str
    columns: Sequence[tuple[str, StrOrPromise]]  # (indicator, heading)
    rows: list[tuple[str, Cell]]


def breakdowns(report: Report, period: Period) -> list[Breakdown]:
    """The period's figures by territory inside this one (when there are any), then by vehicle energy."""
    tables = []
    if report.table.rows:
        tables.append(Breakdown("child", _("By territory"), _("Territory"), CHILD_COLUMNS, by_child(report, period)))
    energies = by_energy(report, period)
    tables.append(Breakdown("energy", _("By vehicle energy"), _("Energy"), ENERGY_COLUMNS, energies))
    return tables


def alternatives(report: Report, period: Period) -> list[Period]:
    """Where the territory's figures for ``period`` are confidential: the enclosing periods that are not."""
    root = report.territory.pk
    known = {p.key for p in report.periods}
    return [
        other
        for other in period.enclosing
        if other.key in known and not report.table.is_confidential(root, ALL_ENERGIES, other)
    ]


def report_for(territory: Territory, asked: str | None, *, today: date) -> tuple[Report, Period | None, str]:
    """The territory's report with the period ``asked`` for (``2026-Q1``), or the default one: then the
    third value says why, when a period was asked for that is not one (ended months, quarters and years)."""
    period = Period.parse(asked)
    problem = ""
    if asked and (period is None or not period.is_over(today)):
        problem = _("Reports cover calendar months, quarters and years once they have ended. Pick one in the list.")
        period = None
    years = set(dashboard_years(today)) | ({period.start.year} if period else set())
    report = territory_report(territory, years=sorted(years), today=today)
    if period is not None:
        period = report.period(period.key)
    return report, period or default_period(report), problem


def default_period(report: Report) -> Period | None:
    """The latest ended quarter, else the latest ended month."""
    quarters = [period for period in report.periods if period.months == 3]
    if quarters:
        return max(quarters)
    months = [period for period in report.periods if period.months == 1]
    return max(months) if months else None


def choosable_periods(report: Report) -> list[tuple[str, list[Period]]]:
    """The ended periods, newest first, grouped as years, quarters and months for the period picker."""
    groups = [(12, _("Years")), (3, _("Quarters")), (1, _("Months"))]
    return [
        (label, sorted((p for p in report.periods if p.months == months), reverse=True))
        for months, label in groups
        if any(p.months == months for p in report.periods)
    ]


@dataclass
class Participants:
    listed: list[str]
    unlisted: int


def participants(report: Report) -> Participants:
    """The communities sharing with the territory: named only if they chose to be listed publicly."""
    ids = list(report.family.placed)
    names = list(
        Community.objects.filter(pk__in=ids, open_data_listed=True).order_by("name").values_list("name", flat=True)
    )
    return Participants(listed=names, unlisted=len(ids) - len(names))


def months_of(period: Period) -> list[Period]:
    return [Period(day, 1) for day in period.month_starts]


def today_month(today: date) -> Period:
    return Period(today.replace(day=1), 1)
