"""Charts as plain SVG computed on the server: the same markup in a page and in a PDF (WeasyPrint draws
inline SVG), no script, no inline style (the CSP allows neither), colours from the style sheet's variables
so dark mode applies. Each chart comes with the table of its figures (templates/charts/_chart.html).

Why not a charting library: the ones on PyPI (pygal, leather, matplotlib) write ``<style>`` blocks or
``style=`` attributes into the SVG, or raster images, which our CSP refuses and dark mode cannot restyle;
the geometry of bars and a line on a month axis is the small part below.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

Number = Decimal | int

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 68, 8, 12, 28
MAX_SERIES = 6  # --chart-1 … --chart-6 in static/css/app.css


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int
    title: str


@dataclass(frozen=True)
class Mark:
    """A tick on the value axis, a label on the category axis, or a point of the line."""

    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Chart:
    caption: str
    categories: list[str]  # in full, for the table and the bars' titles; the axis may show them shorter
    series: list[tuple[str, list[str]]]  # (name, each category's value as text): the table beside the chart
    ticks: list[Mark]
    labels: list[Mark]
    bars: list[Bar] = field(default_factory=list)
    points: list[Mark] = field(default_factory=list)
    zero: float = 0.0
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def line(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The table beside the chart: each category with its value in every series."""
        return [
            (category, [values[index] for _name, values in self.series])
            for index, category in enumerate(self.categories)
        ]

    @property
    def has_data(self) -> bool:
        return bool(self.bars or self.points)


def _nice_step(span: Decimal, intervals: int = 4) -> Decimal:
    """The round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` in about ``intervals``."""
    raw = span / intervals
    power = Decimal(10) ** raw.adjusted()
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover - the loop always returns


def _scale(
    low: Decimal, high: Decimal, format_value: Callable[[Number], str]
) -> tuple[Callable[[Number], float], list[Mark]]:
    low, high = min(low, Decimal(0)), max(high, Decimal(0))
    if low == high:
        high = low + 1
    step = _nice_step(high - low)
    bottom = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    plot = HEIGHT - TOP - BOTTOM

    def y(value: Number) -> float:
        return TOP + float((top - Decimal(value)) / (top - bottom)) * plot

    ticks = []
    value = bottom
    while value <= top:
        shown = value.to_integral_value() if value == value.to_integral_value() else value
        ticks.append(Mark(LEFT - 6, y(value), format_value(shown)))
        value += step
    return y, ticks


def _labels(categories: Sequence[str]) -> tuple[float, list[Mark]]:
    """The category axis: ``categories`` are the short labels (« janv. 26 »)."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    # Every label when they fit, else one in two (the table beside the chart has them all).
    every = 1 if slot >= 40 else 2
    labels = [
        Mark(LEFT + slot * (index + 0.5), HEIGHT - 8, text)
        for index, text in enumerate(categories)
        if index % every == 0
    ]
    return slot, labels


def bar_chart(
    caption: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    format_value: Callable[[Number], str],
    short: Sequence[str] | None = None,
) -> Chart:
    """Bars per category, the series stacked (costs by kind, each month), every value zero or more."""
    series = list(series)[:MAX_SERIES]
    totals = [sum((Decimal(values[index]) for _name, values in series), Decimal(0)) for index in range(len(categories))]
    y, ticks = _scale(Decimal(0), max(totals, default=Decimal(0)), format_value)
    slot, labels = _labels(short or categories)
    width = slot * 0.6
    bars = []
    for index, category in enumerate(categories):
        base = Decimal(0)
        for number, (name, values) in enumerate(series):
            value = Decimal(values[index])
            if value <= 0:
                continue
            top = base + value
            title = (
                f"{category} · {name}: {format_value(value)}"
                if len(series) > 1
                else f"{category}: {format_value(value)}"
            )
            x = LEFT + slot * index + (slot - width) / 2
            bars.append(Bar(x, y(top), width, y(base) - y(top), number + 1, title))
            base = top
    table = [(name, [format_value(value) for value in values]) for name, values in series]
    return Chart(caption, list(categories), table, ticks, labels, bars=bars, zero=y(0))


def line_chart(
    caption: str,
    categories: Sequence[str],
    name: str,
    values: Sequence[Number],
    format_value: Callable[[Number], str],
    short: Sequence[str] | None = None,
) -> Chart:
    """One value per category joined by a line (a balance month after month), below zero included."""
    numbers = [Decimal(value) for value in values]
    y, ticks = _scale(min(numbers, default=Decimal(0)), max(numbers, default=Decimal(0)), format_value)
    slot, labels = _labels(short or categories)
    points = [
        Mark(LEFT + slot * (index + 0.5), y(value), f"{category}: {format_value(value)}")
        for index, (category, value) in enumerate(zip(categories, numbers, strict=True))
    ]
    table = [(name, [format_value(value) for value in numbers])]
    return Chart(caption, list(categories), table, ticks, labels, points=points, zero=y(0))
