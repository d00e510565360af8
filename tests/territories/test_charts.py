"""The server-drawn SVG charts shared by the dashboard and the PDF."""

from decimal import Decimal

from territories.charts import Point, axis, bar_chart


def test_a_confidential_month_is_marked_and_never_drawn_as_zero():
    svg = bar_chart(
        [Point("jan.", 12), Point("fév.", None, confidential=True), Point("mars", Decimal("30"))],
        title="Bookings <per> month",
        chart_id="chart-bookings",
        confidential_label="confidential",
    )

    assert 'role="img"' in svg and '<title id="chart-bookings-title">Bookings &lt;per&gt; month</title>' in svg
    assert ">c</text>" in svg and "c = confidential" in svg
    assert 'stroke-dasharray="3 2"' in svg  # the outlined placeholder, not a bar of height 0
    assert "style=" not in svg  # the page's CSP forbids inline styles


def test_a_month_without_data_is_left_blank_not_marked_confidential():
    svg = bar_chart(
        [Point("jan.", 1), Point("fév.", None)], title="t", chart_id="c1", confidential_label="confidential"
    )
    assert "c = confidential" not in svg and ">c</text>" not in svg


def test_the_axis_is_round_and_reaches_the_largest_value():
    assert axis(2412) == [0, 1000, 2000, 3000]
    assert axis(41) == [0, 20, 40, 60]
    assert axis(0) == [0, 1]
    assert axis(9)[-1] >= 9
