"""Charts as plain SVG computed on the server: the same picture in a page and in a PDF (WeasyPrint draws
inline SVG), with no script and no inline style (the CSP allows neither). Every chart on the site comes
from here: a member's balance, a vehicle's costs and km, the community's activity, the territory reports.

templates/charts/_svg.html draws a ``Chart``; templates/charts/_chart.html adds its legend and the table of
its figures. Each element carries a class (the site's style sheet colours it from its variables, so dark
mode applies) and the light colours as presentation attributes, which a browser's CSS overrides and
WeasyPrint, which does not apply the page's style sheet inside an SVG, uses.

Why not a charting library: pygal and leather write ``<style>`` blocks or ``style=`` attributes into the
SVG, which our CSP refuses and dark mode cannot restyle; matplotlib draws images. The geometry of bars and
a line on a month axis is the small part below.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

Number = Decimal | int
Value = Decimal | int | None  # None: nothing to draw (no data, or a figure withheld as confidential)

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 68, 8, 16, 28
# The light scheme's --chart-1 … --chart-6 (static/css/app.css), for WeasyPrint.
LABEL_WIDTH = 64  # room for « sept. 26 » on the category axis
PALETTE = ("#0b5c8a", "#a35400", "#2e7d32", "#8e24aa", "#c62828", "#56626e")


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: int  # 1-based, the class chart-fill-N; 0: the outlined placeholder of a confidential figure
    title: str

    @property
    def colour(self) -> str:
        return PALETTE[self.series - 1] if self.series else "none"

    @property
    def middle(self) -> float:
        return self.x + self.width / 2


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
    note: str = ""  # e.g. "c = confidential", top right
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    palette: tuple[str, ...] = PALETTE

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


def nice_step(span: Decimal, intervals: int = 4) -> Decimal:
    """The round step (1, 2, 2.5 or 5 times a power of ten) that cuts ``span`` in about ``intervals``."""
    raw = span / intervals
    power = Decimal(10) ** raw.adjusted()
    return next(factor * power for factor in (1, 2, Decimal("2.5"), 5, 10) if raw <= factor * power)


def axis(low: Number, high: Number) -> list[Decimal]:
    """Round values from below ``low`` (or zero) to above ``high`` (or zero): the value axis' ticks."""
    bottom_value, top_value = min(Decimal(low), Decimal(0)), max(Decimal(high), Decimal(0))
    if bottom_value == top_value:
        return [bottom_value, bottom_value + 1]
    step = nice_step(top_value - bottom_value)
    bottom = (bottom_value / step).to_integral_value(rounding=ROUND_FLOOR) * step
    top = (top_value / step).to_integral_value(rounding=ROUND_CEILING) * step
    ticks, value = [], bottom
    while value <= top:
        ticks.append(value.to_integral_value() if value == value.to_integral_value() else value)
        value += step
    return ticks


def _scale(
    numbers: Sequence[Decimal], format_value: Callable[[Number], str]
) -> tuple[Callable[[Number], float], list[Mark]]:
    values = axis(min(numbers, default=Decimal(0)), max(numbers, default=Decimal(0)))
    bottom, top = values[0], values[-1]
    plot = HEIGHT - TOP - BOTTOM

    def y(value: Number) -> float:
        return TOP + float((top - Decimal(value)) / (top - bottom)) * plot

    return y, [Mark(LEFT - 6, y(value), format_value(value)) for value in values]


def _labels(short: Sequence[str]) -> tuple[float, list[Mark]]:
    """The category axis, in ``short`` labels (« janv. 26 »): every one when they fit, else one in two, three…
    (the table beside the chart has them all)."""
    slot = (WIDTH - LEFT - RIGHT) / max(len(short), 1)
    every = 1 if slot >= LABEL_WIDTH else math.ceil(LABEL_WIDTH / slot)
    labels = [
        Mark(LEFT + slot * (index + 0.5), HEIGHT - 8, text) for index, text in enumerate(short) if index % every == 0
    ]
    return slot, labels


def bar_chart(
    caption: str,
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Value]]],
    format_value: Callable[[Number], str],
    short: Sequence[str] | None = None,
    *,
    confidential: Sequence[bool] = (),
    note: str = "",
) -> Chart:
    """Bars per category, the series stacked (costs by kind, each month), every value zero or more. A
    category flagged in ``confidential`` is drawn as an outlined placeholder marked "c", never as zero;
    ``note`` explains the mark."""
    series = list(series)[: len(PALETTE)]
    totals = [
        sum((Decimal(values[index] or 0) for _name, values in series), Decimal(0)) for index in range(len(categories))
    ]
    y, ticks = _scale(totals, format_value)
    slot, labels = _labels(short or categories)
    width = slot * 0.6
    bars = []
    for index, category in enumerate(categories):
        x = LEFT + slot * index + (slot - width) / 2
        if index < len(confidential) and confidential[index]:
            bars.append(Bar(x, y(0) - 14, width, 14, 0, f"{category}: {note}"))
            continue
        base = Decimal(0)
        for number, (name, values) in enumerate(series, start=1):
            value = values[index]
            if value is None or value <= 0:
                continue
            top = base + Decimal(value)
            title = f"{category} · {name}" if len(series) > 1 else category
            bars.append(Bar(x, y(top), width, y(base) - y(top), number, f"{title}: {format_value(value)}"))
            base = top
    table = [(name, ["" if value is None else format_value(value) for value in values]) for name, values in series]
    flagged = any(confidential)
    return Chart(caption, list(categories), table, ticks, labels, bars=bars, zero=y(0), note=note if flagged else "")


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
    y, ticks = _scale(numbers, format_value)
    slot, labels = _labels(short or categories)
    points = [
        Mark(LEFT + slot * (index + 0.5), y(value), f"{category}: {format_value(value)}")
        for index, (category, value) in enumerate(zip(categories, numbers, strict=True))
    ]
    table = [(name, [format_value(value) for value in numbers])]
    return Chart(caption, list(categories), table, ticks, labels, points=points, zero=y(0))
