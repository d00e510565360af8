"""The territories' roll-up (``TerritoryUsage``): a report reads its territory's few hundred rows, not the
monthly rows of every community in it.

For each territory with sharing communities in its tree, one row per branch × period × energy: a
branch is a child of the territory, or the territory itself for the communities sharing with it
directly, placed as the report places them (``selectors.sharing_communities``). Month rows sum the
communities' ``MonthlyUsage`` rows as the report did; quarter and year rows count the communities
active during the period, each once.

The rows follow their sources:
- the monthly job, once it has stored a month, sums that month, its quarter and its year again for
  every territory (``territory_usage_refresh_month``);
- each territory remembers the placement its rows were summed with (``TerritoryUsageState``). When the
  placement of now differs (a consent given or withdrawn, the tree edited, a community deleted), the
  branches whose communities changed are summed again: by the consent services and the tree's import
  at once, and by any report that finds them different, so rows never outlive what they were made of.
"""

import hashlib
from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

from colocauto.core.events import subscribe
from territories.models import Territory, TerritoryUsage, TerritoryUsageState
from territories.periods import Period
from territories.rollup import FIGURE_FIELDS, MonthlyUsage, MonthRolledUp, RollupMonth
from territories.selectors import placements

Placement = dict[int, int]  # community id → branch id

# A statement carries at most this many (territory, community, branch) triples (3 parameters each).
CHUNK = 12_000

_SUMS = {name: f"MAX(u.{name})" if name.startswith("max_") else f"SUM(u.{name})" for name in FIGURE_FIELDS}


def digest(placed: Placement) -> str:
    text = ",".join(f"{community}:{branch}" for community, branch in sorted(placed.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def _period_keys(months: Iterable[date]) -> list[tuple[date, str, int]]:
    """(month, key, length) of each month and of the quarter and the year it is part of."""
    keys = []
    for month in months:
        for length in (1, 3, 12):
            start = date(month.year, (month.month - 1) // length * length + 1, 1)
            keys.append((month, Period(start, length).key, length))
    return keys


def _sum(triples: list[tuple[int, int, int]], keys: list[tuple[date, str, int]]) -> None:
    """Insert the sums of the communities in ``triples`` (territory, community, branch) over the periods
    of ``keys`` (month, period key, its length in months): one statement per chunk of whole territories."""
    if not triples or not keys:
        return
    chunk: list[tuple[int, int, int]] = []
    for index, triple in enumerate(triples):
        chunk.append(triple)
        last = index + 1 == len(triples)
        if last or (len(chunk) >= CHUNK and triples[index + 1][0] != triple[0]):
            _insert(chunk, keys)
            chunk = []


def _insert(triples: list[tuple[int, int, int]], keys: list[tuple[date, str, int]]) -> None:
    names = ", ".join(FIGURE_FIELDS)
    sums = ", ".join(_SUMS[name] for name in FIGURE_FIELDS)
    zeros = ", ".join("0" for _name in FIGURE_FIELDS)
    table, source = TerritoryUsage._meta.db_table, MonthlyUsage._meta.db_table
    joined = (
        f" FROM {source} u JOIN placement p ON p.community_id = u.community_id JOIN period_keys k ON k.month = u.month"
    )
    group = " GROUP BY p.territory_id, p.branch_id, k.period, u.energy"
    sql = (
        "WITH placement(territory_id, community_id, branch_id) AS (VALUES "  # noqa: S608 - our own names
        + ", ".join(["(%s, %s, %s)"] * len(triples))
        + "), period_keys(month, period, length) AS (VALUES "
        + ", ".join(["(%s, %s, %s)"] * len(keys))
        + f") INSERT INTO {table} (territory_id, branch_id, period, energy, communities, {names})"
        f" SELECT p.territory_id, p.branch_id, k.period, u.energy,"
        f" SUM(CASE WHEN u.bookings > 0 THEN 1 ELSE 0 END), {sums}{joined} WHERE k.length = 1{group}"
        f" UNION ALL SELECT p.territory_id, p.branch_id, k.period, u.energy, COUNT(DISTINCT u.community_id),"
        f" {zeros}{joined} WHERE k.length > 1 AND u.bookings > 0{group}"
    )
    params = [value for triple in triples for value in triple] + [value for key in keys for value in key]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _triples(root: int, placed: Placement, branches: set[int] | None = None) -> list[tuple[int, int, int]]:
    return [(root, c, b) for c, b in sorted(placed.items()) if branches is None or b in branches]


def _changed_branches(old: Placement, new: Placement) -> set[int]:
    """The branches a community entered or left."""
    changed: set[int] = set()
    for community in old.keys() | new.keys():
        if old.get(community) != new.get(community):
            changed |= {branch for branch in (old.get(community), new.get(community)) if branch is not None}
    return changed


def _stored_months() -> list[date]:
    return sorted(RollupMonth.objects.values_list("month", flat=True))


def _lock(roots: Iterable[int]) -> None:
    """One writer per territory at a time (a report that sums again, the consents, the monthly job)."""
    list(Territory.objects.select_for_update().filter(pk__in=list(roots)).order_by("pk").values_list("pk"))


def _resync(wanted: dict[int, Placement], states: dict[int, TerritoryUsageState]) -> None:
    """Sum again what changed: for each territory, the branches whose communities differ from its state."""
    triples = []
    months = None
    for root, placed in sorted(wanted.items()):
        state = states.get(root)
        new_digest = digest(placed)
        if state is not None and state.digest == new_digest:
            continue
        if state is None:
            TerritoryUsage.objects.filter(territory_id=root).delete()
            branches = None
        else:
            branches = _changed_branches({c: b for c, b in state.placement}, placed)
            TerritoryUsage.objects.filter(territory_id=root, branch_id__in=branches).delete()
        triples += _triples(root, placed, branches)
        if placed:
            pairs = [[c, b] for c, b in sorted(placed.items())]
            TerritoryUsageState.objects.update_or_create(
                territory_id=root, defaults={"digest": new_digest, "placement": pairs}
            )
        else:
            TerritoryUsageState.objects.filter(territory_id=root).delete()
    if triples:
        months = _stored_months()
        _sum(triples, _period_keys(months))


def usage_sync(root: int, placed: Placement) -> None:
    """Bring one territory's rows in step with ``placed`` (its placement of now): one query when they are."""
    if TerritoryUsageState.objects.filter(territory_id=root, digest=digest(placed)).exists():
        return
    if not placed and not TerritoryUsageState.objects.filter(territory_id=root).exists():
        return
    with transaction.atomic():
        _lock([root])
        _resync({root: placed}, {state.pk: state for state in TerritoryUsageState.objects.filter(territory_id=root)})


def territory_usage_sync(*, roots: Iterable[int] | None = None) -> None:
    """Bring the rows of ``roots`` (every territory if None) in step with the consents and the tree of now;
    after a consent is given or withdrawn, or the tree is edited."""
    current = placements()
    with transaction.atomic():
        states = TerritoryUsageState.objects.all()
        if roots is not None:
            roots = set(roots)
            states = states.filter(territory_id__in=roots)
        by_root = {state.pk: state for state in states}
        wanted = {root: current.get(root, {}) for root in (set(current) if roots is None else roots) | set(by_root)}
        _lock(wanted)
        _resync(wanted, by_root)


@subscribe(MonthRolledUp)
def _month_rolled_up(event: MonthRolledUp) -> None:
    territory_usage_refresh_month(month=event.month)


def territory_usage_refresh_month(*, month: date) -> None:
    """Sum ``month`` again for every territory, and the quarter and the year around it (after the
    month's ``MonthlyUsage`` rows were stored, in the same transaction)."""
    current = placements()
    with transaction.atomic():
        by_root = {state.pk: state for state in TerritoryUsageState.objects.all()}
        wanted = {root: current.get(root, {}) for root in set(current) | set(by_root)}
        _lock(wanted)
        _resync(wanted, by_root)
        keys = [key for key in _period_keys([month])]
        periods = {key for _month, key, _length in keys}
        TerritoryUsage.objects.filter(period__in=periods).delete()
        stored = _stored_months()
        keys = [key for key in _period_keys(stored) if key[1] in periods]
        _sum([triple for root, placed in sorted(current.items()) for triple in _triples(root, placed)], keys)


def usage_read(root: int, periods: list[Period]) -> list[tuple]:
    """The territory's rows of ``periods``: (branch, energy, period key, communities, *FIGURE_FIELDS)."""
    keys = sorted({period.key for period in periods})
    if not keys:
        return []
    columns = ", ".join(FIGURE_FIELDS)
    sql = (
        f"SELECT branch_id, energy, period, communities, {columns} FROM {TerritoryUsage._meta.db_table}"  # noqa: S608
        f" WHERE territory_id = %s AND period IN ({', '.join(['%s'] * len(keys))})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [root, *keys])
        return cursor.fetchall()
