"""The SVG charts' geometry: values on a round scale, stacked bars that add up, a balance below zero."""

from decimal import Decimal

from colocauto.core.charts import HEIGHT, bar_chart, line_chart


def _text(value) -> str:
    return f"{value} €"


def test_stacked_bars_reach_the_total_of_their_month():
    chart = bar_chart(
        "Costs", ["Jan", "Feb"], [("Fuel", [Decimal("30"), 0]), ("Insurance", [Decimal("45"), Decimal("10")])], _text
    )
    january = [bar for bar in chart.bars if bar.title.startswith("Jan")]
    assert [bar.series for bar in january] == [1, 2]
    # The second bar sits on the first: together they span from zero to 75.
    assert january[1].y + january[1].height == january[0].y
    scale = (chart.zero - chart.ticks[-1].y) / float(Decimal(chart.ticks[-1].text.removesuffix(" €")))
    assert round(january[0].height + january[1].height, 6) == round(75 * scale, 6)
    assert "Feb · Fuel" not in [bar.title.split(":")[0] for bar in chart.bars]  # a zero draws no bar
    assert chart.rows == [("Jan", ["30 €", "45 €"]), ("Feb", ["0 €", "10 €"])]


def test_the_value_axis_uses_round_steps_from_zero():
    chart = bar_chart("Km", ["a", "b", "c"], [("Km", [130, 480, 0])], str)
    assert [tick.text for tick in chart.ticks] == ["0", "200", "400", "600"]


def test_a_negative_balance_is_drawn_below_the_zero_line():
    chart = line_chart(
        "Balance", ["Jan", "Feb", "Mar"], "Balance", [Decimal("-12.50"), Decimal("0"), Decimal("40")], _text
    )
    below, on, above = chart.points
    assert below.y > chart.zero and on.y == chart.zero and above.y < chart.zero
    assert min(point.y for point in chart.points) > 0 and max(point.y for point in chart.points) < HEIGHT
    assert chart.ticks[0].text.startswith("-")
    assert below.text == "Jan: -12.50 €"


def test_an_empty_chart_has_a_scale_and_no_marks():
    chart = bar_chart("Km", ["Jan"], [("Km", [0])], str)
    assert chart.bars == [] and chart.ticks and not chart.has_data


def test_month_labels_are_thinned_out_so_they_never_overlap():
    twelve = [f"m{number}" for number in range(12)]
    assert [label.text for label in bar_chart("Km", twelve, [("Km", [1] * 12)], str).labels] == twelve[::2]
    months = [f"m{number}" for number in range(24)]
    chart = bar_chart("Km", months, [("Km", [1] * 24)], str)
    assert [label.text for label in chart.labels] == months[::4]
    assert len(chart.rows) == 24
