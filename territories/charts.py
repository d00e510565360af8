"""Bar charts as SVG, drawn on the server so the dashboard and the PDF show the very same picture.

Pure Python, presentation attributes only (the site's CSP forbids inline styles). A confidential
month is drawn as an outlined, hatched-looking bar of no height with a "c" mark, never as zero.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 240
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 12, 16, 40
BAR = "#2f6b4f"
CONFIDENTIAL = "#8a8a8a"
GRID = "#d6d6d6"
TEXT = "#222222"


@dataclass(frozen=True)
class Point:
    label: str
    value: Decimal | int | None  # None: nothing to draw (confidential, or no data at all)
    sublabel: str = ""  # a second line under the label, e.g. the year under January
    confidential: bool = False


def _nice_step(value: float) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) at or above ``value``."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if value <= step * power * (1 + 1e-9))


def axis(maximum: float, ticks: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``maximum``, about ``ticks`` steps."""
    step = _nice_step(maximum / ticks)
    count = max(1, math.ceil(maximum / step - 1e-9))
    return [step * index for index in range(count + 1)]


def bar_chart(points: list[Point], *, title: str, chart_id: str, confidential_label: str) -> SafeString:
    """An accessible SVG bar chart (``role="img"``, titled; the page puts the same numbers in a table)."""
    inner_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    inner_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    values = [float(point.value) for point in points if point.value is not None]
    ticks = axis(max(values, default=0))
    top = ticks[-1]
    decimals = 0 if all(tick == int(tick) for tick in ticks) else 1
    slot = inner_width / max(len(points), 1)
    bar_width = max(slot * 0.7, 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'role="img" aria-labelledby="{chart_id}-title" class="chart" font-family="DejaVu Sans, sans-serif">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    for value in ticks:
        y = MARGIN_TOP + inner_height - inner_height * value / top
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{y:.1f}" stroke="{GRID}" '
            f'stroke-width="1"/>'
        )
        label = number_format(round(value, decimals) if decimals else int(value), use_l10n=True, force_grouping=True)
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="{TEXT}">'
            f"{escape(label)}</text>"
        )
    every = max(1, round(len(points) / 12))
    for index, point in enumerate(points):
        x = MARGIN_LEFT + slot * index + (slot - bar_width) / 2
        base = MARGIN_TOP + inner_height
        if point.confidential:
            parts.append(
                f'<rect x="{x:.1f}" y="{base - 14:.1f}" width="{bar_width:.1f}" height="14" fill="none" '
                f'stroke="{CONFIDENTIAL}" stroke-dasharray="3 2"/>'
                f'<text x="{x + bar_width / 2:.1f}" y="{base - 3:.1f}" text-anchor="middle" font-size="10" '
                f'fill="{CONFIDENTIAL}">c</text>'
            )
        elif point.value is not None:
            height = inner_height * float(point.value) / top if top else 0
            parts.append(
                f'<rect x="{x:.1f}" y="{base - height:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                f'fill="{BAR}"/>'
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11" fill="{TEXT}">{escape(point.label)}</text>'
            )
        if point.sublabel:
            parts.append(
                f'<text x="{x + bar_width / 2:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 29}" text-anchor="middle" '
                f'font-size="10" fill="{TEXT}">{escape(point.sublabel)}</text>'
            )
    if any(point.confidential for point in points):
        parts.append(
            f'<text x="{WIDTH - MARGIN_RIGHT}" y="{MARGIN_TOP - 4}" text-anchor="end" font-size="11" '
            f'fill="{CONFIDENTIAL}">'
            f"c = {escape(confidential_label)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
