"""Statistical disclosure control for the territories' reports: pure functions, no database.

A *cell* is one territory (or child territory) × one vehicle energy (or all) × one fixed period
(calendar month, quarter or year). Primary suppression hides a cell built from fewer than
``min_households`` households or ``min_bookings`` bookings, or where one household accounts for more
than ``max_share`` of the km or of the hours (INSEE's tabular secrecy rules; the Mobility Data
Specification's reports likewise hide counts under 10).

Secondary suppression: a *group* is a total and the parts it is the sum of (children of a territory,
energies of a row, months of a quarter, quarters of a year). A group with exactly one hidden member
would let anyone work that member out by subtraction, so another member is hidden, until every group
has none or at least two hidden members.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

Key = Hashable
K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Thresholds:
    min_households: int = 10
    min_bookings: int = 10
    max_share: Decimal = Decimal("0.85")


@dataclass(frozen=True)
class Contribution:
    """What a cell's publication depends on: its contributors and its largest contributor."""

    households: int
    bookings: int
    km: int = 0
    hours: Decimal = Decimal("0")
    max_household_km: int = 0
    max_household_hours: Decimal = Decimal("0")
    # Anything else the cell shows (members, vehicles): a cell where all of it is zero is empty.
    other: int = 0

    @property
    def is_empty(self) -> bool:
        return not (self.households or self.bookings or self.km or self.hours or self.other)

    @property
    def weight(self) -> int:
        """How much is lost by hiding the cell: the smallest are hidden first as complements."""
        return self.bookings + self.households + self.other


@dataclass(frozen=True)
class Group(Generic[K]):
    """``total`` is the sum of ``parts``. In a time group (months of a quarter, quarters of a year)
    hiding the total is preferred, so figures already published for shorter periods stay published."""

    total: K
    parts: tuple[K, ...]
    over_time: bool = False

    @property
    def members(self) -> tuple[K, ...]:
        return (self.total, *self.parts)


def passes_primary(cell: Contribution, thresholds: Thresholds) -> bool:
    """True if the cell may be published on its own: enough households and bookings, no dominant household.

    An empty cell (nothing happened, nobody to protect) passes: it shows zero.
    """
    if cell.is_empty:
        return True
    if cell.households < thresholds.min_households or cell.bookings < thresholds.min_bookings:
        return False
    if cell.km and Decimal(cell.max_household_km) > thresholds.max_share * cell.km:
        return False
    return not (cell.hours and Decimal(cell.max_household_hours) > thresholds.max_share * Decimal(cell.hours))


def primary_suppressions(cells: Mapping[K, Contribution], thresholds: Thresholds) -> set[K]:
    return {key for key, cell in cells.items() if not passes_primary(cell, thresholds)}


def protect(
    cells: Mapping[K, Contribution],
    groups: Iterable[Group[K]],
    thresholds: Thresholds,
    *,
    hidden: Iterable[K] = (),
    shown: Iterable[K] = (),
) -> set[K]:
    """The set of hidden cells: primary suppressions, then complements until no group has exactly one.

    ``hidden`` are cells another table already hides (they stay hidden); ``shown`` are cells another
    table already publishes, so hiding them here would protect nothing: they are chosen only when a
    group has no other candidate. Members of a group missing from ``cells`` are ignored (a period
    not ended yet is not published at all).
    """
    groups = [present for group in groups if (present := _present(group, cells)) is not None]
    by_cell: dict[K, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        for key in group.members:
            by_cell[key].append(index)
    suppressed = primary_suppressions(cells, thresholds) | (set(hidden) & cells.keys())
    shown = set(shown) - suppressed
    hidden_count = [sum(1 for key in group.members if key in suppressed) for group in groups]
    pending = [index for index, count in enumerate(hidden_count) if count == 1]
    while pending:
        index = pending.pop()
        if hidden_count[index] != 1:
            continue
        group = groups[index]
        candidates = [key for key in group.members if key not in suppressed and not cells[key].is_empty]
        if not candidates:
            continue  # every other member is empty: hiding a zero would protect nothing

        def cost(key, group=group, index=index):
            # Not published elsewhere if avoidable; then the one opening the fewest new lone-hidden
            # groups; the total first in a time group; then the smallest.
            lone = sum(1 for other in by_cell[key] if other != index and hidden_count[other] == 0)
            prefer_total = 0 if (group.over_time and key == group.total) else 1
            return (key in shown, lone, prefer_total, cells[key].weight, repr(key))

        choice = min(candidates, key=cost)
        suppressed.add(choice)
        for other in by_cell[choice]:
            hidden_count[other] += 1
            if hidden_count[other] == 1:
                pending.append(other)
    return suppressed


def _present(group: Group[K], cells: Mapping[K, Contribution]) -> Group[K] | None:
    if group.total not in cells:
        return None
    parts = tuple(key for key in group.parts if key in cells)
    return Group(group.total, parts, group.over_time) if parts else None


def derivable(suppressed: set[K], groups: Iterable[Group[K]]) -> set[K]:
    """Hidden cells that one group reveals by subtraction (a group with exactly one hidden member)."""
    found = set()
    for group in groups:
        hidden_members = [key for key in group.members if key in suppressed]
        if len(hidden_members) == 1:
            found.add(hidden_members[0])
    return found
