"""Disclosure control: primary suppression, and complements so nothing confidential can be subtracted out."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from territories.disclosure import Contribution, Group, Thresholds, derivable, passes_primary, protect
from territories.figures import Figures
from territories.periods import Period, periods_of_years
from territories.rollup import ALL_ENERGIES
from territories.tables import REST, family_groups, family_table

RULES = Thresholds()
ROOT = 1
ADDITIVE = ("bookings", "km", "hours", "trips", "vehicles")


def test_a_cell_of_nine_households_is_confidential():
    assert not passes_primary(Contribution(households=9, bookings=40, km=900, max_household_km=100), RULES)


def test_a_cell_of_nine_bookings_is_confidential():
    assert not passes_primary(Contribution(households=10, bookings=9, km=900, max_household_km=100), RULES)


def test_a_household_with_more_than_85_percent_of_the_km_makes_the_cell_confidential():
    cell = Contribution(households=12, bookings=30, km=1000, max_household_km=851)
    assert not passes_primary(cell, RULES)
    assert passes_primary(Contribution(households=12, bookings=30, km=1000, max_household_km=850), RULES)


def test_a_household_with_more_than_85_percent_of_the_hours_makes_the_cell_confidential():
    cell = Contribution(households=12, bookings=30, hours=Decimal("100"), max_household_hours=Decimal("85.5"))
    assert not passes_primary(cell, RULES)


def test_an_empty_cell_is_published_as_zero():
    assert passes_primary(Contribution(households=0, bookings=0), RULES)


def test_a_lone_confidential_child_gets_its_smallest_sibling_hidden_too():
    cells = {
        "total": Contribution(households=40, bookings=100, km=4000, max_household_km=300),
        "a": Contribution(households=3, bookings=5, km=200, max_household_km=100),
        "b": Contribution(households=12, bookings=20, km=800, max_household_km=100),
        "c": Contribution(households=25, bookings=75, km=3000, max_household_km=300),
    }
    hidden = protect(cells, [Group("total", ("a", "b", "c"))], RULES)
    assert hidden == {"a", "b"}


def test_in_a_time_group_the_quarter_is_hidden_rather_than_a_month_already_published():
    big = Contribution(households=20, bookings=40, km=900, max_household_km=100)
    cells = {
        "q1": Contribution(households=20, bookings=85, km=2000, max_household_km=300),
        "jan": big,
        "feb": Contribution(households=4, bookings=5, km=200, max_household_km=100),
        "mar": big,
    }
    assert protect(cells, [Group("q1", ("jan", "feb", "mar"), over_time=True)], RULES) == {"feb", "q1"}


def test_a_cell_the_parent_table_hides_stays_hidden_and_one_it_shows_is_not_picked():
    big = Contribution(households=20, bookings=40, km=900, max_household_km=100)
    small = Contribution(households=15, bookings=15, km=300, max_household_km=100)
    cells = {"total": big, "a": small, "b": small, "c": big}
    hidden = protect(cells, [Group("total", ("a", "b", "c"))], RULES, hidden={"total"}, shown={"a"})
    assert "total" in hidden and "a" not in hidden and len(hidden) == 2


# --- Properties over random family tables --------------------------------------------------

ENERGY_POOL = ["electric", "petrol", "diesel"]


@st.composite
def leaf_figures(draw) -> Figures:
    households = draw(st.integers(0, 14))
    bookings = draw(st.integers(0, 25)) if households else 0
    km = draw(st.integers(0, 3000)) if bookings else 0
    hours = Decimal(draw(st.integers(0, 400))) if bookings else Decimal(0)
    return Figures(
        households=households,
        bookings=bookings,
        km=km,
        hours=hours,
        trips=bookings,
        vehicles=draw(st.integers(0, 3)),
        members=households + draw(st.integers(0, 5)),
        communities=1 if bookings else 0,
        max_household_km=draw(st.integers(0, km)) if km else 0,
        max_household_hours=Decimal(draw(st.integers(0, int(hours)))) if hours else Decimal(0),
    )


@st.composite
def family_data(draw):
    child_count = draw(st.integers(0, 4))
    rows = list(range(10, 10 + child_count)) + ([REST] if child_count and draw(st.booleans()) else [])
    energies = draw(st.lists(st.sampled_from(ENERGY_POOL), min_size=1, max_size=3, unique=True))
    periods = periods_of_years([2025], date(2025, 4, 1))  # January to March and the first quarter
    monthly = {}
    for row in rows or [ROOT]:
        for period in periods:
            if period.months != 1:
                continue
            parts = [draw(leaf_figures()) for _energy in energies]
            for energy, figures in zip(energies, parts, strict=True):
                monthly[row, energy, period.key] = figures
            together = Figures.total(parts)
            # Distinct households over all energies: between the largest energy's and the sum.
            together.households = draw(st.integers(max(p.households for p in parts), together.households))
            together.max_household_km = min(sum(p.max_household_km for p in parts), together.km)
            together.max_household_hours = min(sum(p.max_household_hours for p in parts), together.hours)
            monthly[row, ALL_ENERGIES, period.key] = together
    hidden = set()
    if draw(st.booleans()):
        # The parent territory's table already hid some of this territory's total cells.
        keys = [(ROOT, energy, period.key) for energy in [*energies, ALL_ENERGIES] for period in periods]
        hidden = set(draw(st.lists(st.sampled_from(keys), max_size=3)))
    return monthly, rows, periods, hidden


def _table(data):
    monthly, rows, periods, hidden = data
    active = {}
    return family_table(monthly, root=ROOT, rows=rows, periods=periods, active=active, thresholds=RULES, hidden=hidden)


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(family_data())
def test_every_published_cell_meets_the_thresholds(data):
    table = _table(data)
    for key, figures in table.cells.items():
        if key not in table.suppressed:
            assert passes_primary(figures.contribution(), RULES), key


@PROPERTY_SETTINGS
@given(family_data())
def test_no_confidential_cell_can_be_worked_out_from_a_row_or_column(data):
    table = _table(data)
    groups = family_groups(root=ROOT, rows=table.rows, energies=table.energies, periods=table.periods)
    present = [g for g in groups if g.total in table.cells]
    relevant = [
        Group(g.total, tuple(p for p in g.parts if p in table.cells), g.over_time)
        for g in present
        if any(p in table.cells for p in g.parts)
    ]
    leaks = {key for key in derivable(table.suppressed, relevant) if not table.cells[key].contribution().is_empty}
    assert not leaks


@PROPERTY_SETTINGS
@given(family_data())
def test_cells_hidden_by_the_parent_table_stay_hidden(data):
    table = _table(data)
    assert data[3] & table.cells.keys() <= table.suppressed


@PROPERTY_SETTINGS
@given(family_data())
def test_totals_equal_the_sum_of_their_parts_where_every_part_is_published(data):
    table = _table(data)
    zero = Figures()
    for group in family_groups(root=ROOT, rows=table.rows, energies=table.energies, periods=table.periods):
        members = [group.total, *group.parts]
        if any(key in table.suppressed for key in members):
            continue
        total = table.cells.get(group.total, zero)
        for name in ADDITIVE:
            assert getattr(total, name) == sum(getattr(table.cells.get(p, zero), name) for p in group.parts), (
                group,
                name,
            )


@PROPERTY_SETTINGS
@given(family_data())
def test_in_one_month_no_confidential_cell_is_fixed_by_the_whole_table_of_sums(data):
    """Solve the linear system of one month's table (children × energies with their totals): a hidden
    cell is revealed exactly when its unit vector lies in the span of the equations."""
    table = _table(data)
    month = table.periods[0]
    groups = [
        g
        for g in family_groups(root=ROOT, rows=table.rows, energies=table.energies, periods=[month])
        if not g.over_time
    ]
    unknowns = sorted({k for g in groups for k in g.members if k in table.suppressed}, key=repr)
    index = {key: position for position, key in enumerate(unknowns)}
    equations = []
    for group in groups:
        vector = [Fraction(0)] * len(unknowns)
        for sign, key in [(-1, group.total), *((1, part) for part in group.parts)]:
            if key in index:
                vector[index[key]] += sign
        if any(vector):
            equations.append(vector)
    for key in unknowns:
        if table.cells.get(key) is None or table.cells[key].contribution().is_empty:
            continue
        assert not _in_span([Fraction(int(k == key)) for k in unknowns], equations), key


def _rank(matrix: list[list[Fraction]]) -> int:
    rows = [row[:] for row in matrix]
    rank, columns = 0, len(rows[0]) if rows else 0
    for column in range(columns):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][column] != 0:
                factor = rows[r][column] / rows[rank][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _in_span(vector, equations) -> bool:
    if not equations:
        return False
    return _rank([*equations, vector]) == _rank(equations)


def test_periods_parse_only_fixed_calendar_periods():
    assert Period.parse("2026").months == 12
    assert Period.parse("2026-Q2").start == date(2026, 4, 1)
    assert Period.parse("2026-03").months == 1
    for bad in ("2026-13", "2026-Q5", "2026-03-01..2026-03-15", "last-week", "", None, "99999"):
        assert Period.parse(bad) is None
