"""A territory's *family table*: its total row and one row per child territory, × energies, × periods.

Pure: built from monthly figures already aggregated per row, energy and month. Keys are
``(row, energy, period key)`` where ``row`` is a territory id, or ``REST`` for communities attached
to the territory itself rather than to one of its children.
"""

from collections import defaultdict
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date

from territories.disclosure import Group, Thresholds, protect
from territories.figures import Figures
from territories.periods import Period
from territories.rollup import ALL_ENERGIES

REST = 0

Key = tuple[int, str, str]


@dataclass
class FamilyTable:
    root: int
    rows: list[int]  # the child rows (children, then REST if present), without the root
    energies: list[str]  # the energies present, then ALL_ENERGIES
    periods: list[Period]
    cells: dict[Key, Figures] = field(default_factory=dict)
    suppressed: set[Key] = field(default_factory=set)

    def figures(self, row: int, energy: str, period: Period) -> Figures | None:
        """None when confidential; empty figures when nothing happened."""
        key = (row, energy, period.key)
        if key in self.suppressed:
            return None
        return self.cells.get(key) or Figures(months=period.months)

    def is_confidential(self, row: int, energy: str, period: Period) -> bool:
        return (row, energy, period.key) in self.suppressed

    def statuses_of(self, row: int) -> tuple[set[Key], set[Key]]:
        """(hidden, shown) keys of one row, to carry into that row's own family table."""
        hidden: set[Key] = set()
        shown: set[Key] = set()
        for key in self.cells:
            if key[0] == row:
                (hidden if key in self.suppressed else shown).add(key)
        return hidden, shown


def build_cells(
    monthly: dict[Key, Figures],
    *,
    root: int,
    rows: list[int],
    periods: list[Period],
    active: dict[Key, int],
) -> dict[Key, Figures]:
    """All cells of the table from the rows' monthly cells (``monthly`` keys use month period keys).

    The root row is the sum of the child rows; with no child rows, ``monthly`` holds the root's own
    cells. Quarters and years come from their months; ``active`` gives the communities active over
    each quarter or year of each child row (counted distinct by the database).
    """
    cells: dict[Key, Figures] = {}
    months = [period for period in periods if period.months == 1]
    by_root: dict[tuple[str, str], list[Figures]] = defaultdict(list)
    child_rows = set(rows)
    for (row, energy, month_key), figures in monthly.items():
        if row in child_rows:
            cells[row, energy, month_key] = figures
            by_root[energy, month_key].append(figures)
        elif not rows and row == root:
            cells[root, energy, month_key] = figures
    for (energy, month_key), parts in by_root.items():
        cells[root, energy, month_key] = Figures.total(parts)
    month_keys = {period.key for period in months}
    cells = {key: value for key, value in cells.items() if key[2] in month_keys}

    all_rows = [root, *rows]
    energies = sorted({key[1] for key in cells})
    for period in sorted((p for p in periods if p.months > 1), key=lambda p: p.months):
        for row in all_rows:
            for energy in energies:
                parts = [cells[row, energy, part.key] for part in period.parts if (row, energy, part.key) in cells]
                if not parts:
                    continue
                if row == root and rows:
                    communities = sum(active.get((child, energy, period.key), 0) for child in rows)
                else:
                    communities = active.get((row, energy, period.key), 0)
                cells[row, energy, period.key] = Figures.over_time(parts, months=period.months, communities=communities)
    return cells


def family_groups(*, root: int, rows: list[int], energies: list[str], periods: list[Period]) -> list[Group[Key]]:
    """Every sum relation of the table: children → root, energies → all, months → quarter → year."""
    groups: list[Group[Key]] = []
    keys = {period.key for period in periods}
    all_rows = [root, *rows]
    for period in periods:
        if rows:
            for energy in energies:
                groups.append(Group((root, energy, period.key), tuple((row, energy, period.key) for row in rows)))
        parts = tuple(energy for energy in energies if energy != ALL_ENERGIES)
        if parts:
            for row in all_rows:
                groups.append(
                    Group((row, ALL_ENERGIES, period.key), tuple((row, energy, period.key) for energy in parts))
                )
        time_parts = [part.key for part in period.parts if part.key in keys]
        if period.months > 1 and len(time_parts) == len(period.parts):
            for row in all_rows:
                for energy in energies:
                    groups.append(
                        Group(
                            (row, energy, period.key),
                            tuple((row, energy, key) for key in time_parts),
                            over_time=True,
                        )
                    )
    return groups


def family_table(
    monthly: dict[Key, Figures],
    *,
    root: int,
    rows: list[int],
    periods: list[Period],
    active: dict[Key, int],
    thresholds: Thresholds,
    hidden: AbstractSet[Key] = frozenset(),
    shown: AbstractSet[Key] = frozenset(),
) -> FamilyTable:
    """Build the cells and decide which are confidential; ``hidden``/``shown`` carry the decisions the
    parent territory's table made about this territory's row, so both tables agree."""
    cells = build_cells(monthly, root=root, rows=rows, periods=periods, active=active)
    energies = sorted({key[1] for key in cells} - {ALL_ENERGIES}) + [ALL_ENERGIES]
    groups = family_groups(root=root, rows=rows, energies=energies, periods=periods)
    contributions = {key: figures.contribution() for key, figures in cells.items()}
    suppressed = protect(contributions, groups, thresholds, hidden=hidden, shown=shown)
    return FamilyTable(root=root, rows=rows, energies=energies, periods=periods, cells=cells, suppressed=suppressed)


def month_key(day: date) -> str:
    return Period(day, 1).key
