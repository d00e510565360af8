"""The territory reports' charts (colocauto.core.charts, as every chart of the site), the same SVG in the
dashboard and in the PDF."""

from decimal import Decimal

from django.template.loader import render_to_string

from colocauto.core.charts import axis, bar_chart


def _svg(chart) -> str:
    return render_to_string("charts/_svg.html", {"chart": chart, "id": "chart-bookings"})


def test_a_confidential_month_is_marked_and_never_drawn_as_zero():
    chart = bar_chart(
        "Bookings <per> month",
        ["janvier", "février", "mars"],
        [("Bookings <per> month", [12, None, Decimal("30")])],
        str,
        confidential=[False, True, False],
        note="c = confidential",
    )
    svg = _svg(chart)

    assert 'role="img"' in svg and 'aria-labelledby="chart-bookings-caption"' in svg
    assert ">c</text>" in svg and "c = confidential" in svg
    assert 'stroke-dasharray="3 2"' in svg  # the outlined placeholder, not a bar of height 0
    assert "<title>février: c = confidential</title>" in svg
    assert "Bookings &lt;per&gt; month" in _svg(bar_chart("t", ["a"], [("<b>", [1])], str)) or "<b>" not in svg
    assert "style=" not in svg  # the page's CSP forbids inline styles


def test_a_month_without_data_is_left_blank_not_marked_confidential():
    svg = _svg(bar_chart("t", ["jan.", "fév."], [("t", [1, None])], str, confidential=[False, False], note="c = x"))
    assert "c = x" not in svg and ">c</text>" not in svg
    assert svg.count("<rect") == 1


def test_the_axis_is_round_and_reaches_the_largest_value():
    assert axis(0, 2412) == [0, 1000, 2000, 3000]
    assert axis(0, 41) == [0, 20, 40, 60]
    assert axis(0, 0) == [0, 1]
    assert axis(0, 9)[-1] >= 9
    assert axis(-12, 40) == [-20, 0, 20, 40]
