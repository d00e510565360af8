"""Both colour schemes (light, and dark when the system asks for it) keep WCAG AA contrast for every pair of
colours the style sheets put together: text on its background, links, buttons, badges and notices."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "app.css"
CALENDAR_CSS = CSS.with_name("calendar.css")

# (foreground, background): 4.5:1 for text (WCAG 1.4.3); the focus ring and field borders need 3:1 (1.4.11).
TEXT = [
    ("ink", "bg"),
    ("ink", "card"),
    ("muted", "bg"),
    ("muted", "card"),
    ("brand", "bg"),
    ("brand", "card"),
    ("brand-ink", "brand"),
    ("header-ink", "header-bg"),
    ("danger", "card"),
    ("danger", "bg"),
    ("ok", "card"),
    ("warn", "card"),
    ("danger-ink", "danger"),
    ("ink", "field"),
    ("muted", "field"),
    ("ink", "tint-info"),
    ("ink", "tint-brand"),
    ("ink", "tint-me"),
    ("ink", "tint-ok"),
    ("ink", "tint-warn"),
    ("ink", "tint-danger"),
    ("on-focus", "focus"),
    ("ink", "tint-off"),
    ("ink", "tint-badge"),
    ("brand", "tint-me"),
    ("brand", "tint-info"),
    ("ink", "cal-booked"),
    ("ink", "cal-mine"),
    ("brand", "cal-free"),
    ("muted", "cal-off"),
    ("muted", "cal-past"),
]
NON_TEXT = [("field-line", "field"), ("field-line", "card"), ("focus", "focus-halo")] + [
    (f"chart-{number}", background) for number in range(1, 7) for background in ("card", "bg")
]


def _variables(block: str) -> dict[str, str]:
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{3,6})", block))


def _scheme_blocks(css: str, selector: str) -> tuple[dict[str, str], dict[str, str]]:
    """The variables ``selector`` defines, and those its dark-scheme block redefines."""
    light = _variables(re.search(rf"{selector}\s*{{(.*?)}}", css, re.S).group(1))
    dark = re.search(rf"@media \(prefers-color-scheme: dark\)\s*{{\s*{selector}\s*{{(.*?)}}", css, re.S)
    return light, _variables(dark.group(1))


def _schemes() -> dict[str, dict[str, str]]:
    light, dark = _scheme_blocks(CSS.read_text(), ":root")
    calendar_light, calendar_dark = _scheme_blocks(CALENDAR_CSS.read_text(), r"\.calendar")
    light = {**light, **calendar_light}
    return {"light": light, "dark": {**light, **dark, **calendar_dark}}


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_formula_matches_wcag():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert round(contrast("#777", "#fff"), 2) == 4.48


def test_the_dark_scheme_redefines_every_colour():
    schemes = _schemes()
    light_only = {name for name in schemes["light"] if schemes["light"][name] == schemes["dark"][name]}
    assert light_only <= {"focus", "on-focus", "header-ink"}  # yellow ring, its dark text, white on the header


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(("pairs", "minimum"), [(TEXT, 4.5), (NON_TEXT, 3.0)], ids=["text", "non-text"])
def test_every_pair_of_colours_keeps_its_contrast(scheme, pairs, minimum):
    colours = _schemes()[scheme]
    weak = {
        f"{fg} on {bg}: {contrast(colours[fg], colours[bg]):.2f}"
        for fg, bg in pairs
        if contrast(colours[fg], colours[bg]) < minimum
    }
    assert not weak


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_focus_ring_stands_out_from_every_background(scheme):
    """The ring is yellow inside a halo: one of the two contrasts 3:1 with the page and with a card."""
    colours = _schemes()[scheme]
    for background in ("bg", "card", "header-bg"):
        best = max(contrast(colours[ring], colours[background]) for ring in ("focus", "focus-halo"))
        assert best >= 3.0, background
