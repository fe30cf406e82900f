"""The SVG charts and the HTML report of `simulate`, read back as XML."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from policylang.simulate.charts import LABEL_WIDTH, VALUE_ROOM, WIDTH, Series, bar_chart
from policylang.simulate.report import report_html, write_report
from policylang.simulate.replay import Outcome, Simulation
from policylang.simulate.figures import figures
from policylang.simulate.tables import figure_tables

SVG = "{http://www.w3.org/2000/svg}"


def bars(svg: str) -> list[ET.Element]:
    return [r for r in ET.fromstring(svg).iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_bars_are_as_long_as_their_values_and_the_longest_fills_the_plot():
    svg = bar_chart("k", "T", ["a", "b", "c"], [Series("kept", (10, 5, 0))])
    widths = [float(r.get("width")) for r in bars(svg)]
    assert widths == [WIDTH - LABEL_WIDTH - VALUE_ROOM, (WIDTH - LABEL_WIDTH - VALUE_ROOM) / 2]  # no bar for 0


def test_stacked_bars_start_where_the_previous_one_ends():
    svg = bar_chart("k", "T", ["a"], [Series("kept", (3,)), Series("suppressed", (1,))], stacked=True)
    first, second = bars(svg)
    assert float(second.get("x")) == float(first.get("x")) + float(first.get("width"))
    assert float(first.get("width")) == 3 * float(second.get("width"))


def test_names_are_escaped_and_a_chart_without_values_says_so():
    svg = bar_chart("k", "a <b> & c", ["<script>x</script>"], [Series("s&t", (0,))])
    root = ET.fromstring(svg)  # well-formed: nothing unescaped
    assert "<script>" not in svg
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "<script>x</script>" in texts and "nothing to show" in texts and bars(svg) == []


def sample() -> Simulation:
    t = datetime(2026, 5, 1, 10)
    return Simulation("abc123", date(2026, 5, 1), date(2026, 5, 14), time(0), [
        Outcome(1, 7, t, "cruises", "email", None, Decimal("1.5"), "send", None),
        Outcome(2, 7, t + timedelta(days=1), "cruises", "email", None, Decimal("2"), "suppress", "global.<gap>"),
        Outcome(3, "x&y", t + timedelta(days=8), "hotels", "sms", None, Decimal("0"), "send", None)], transactional=1)


def test_the_report_holds_every_figure_table_cell_and_a_chart_per_drawn_figure(tmp_path):
    result = figures(sample())
    html = report_html(result)
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "<link" not in html
    assert "abc123" in html and "2026-05-01 to 2026-05-14" in html
    for table in figure_tables(result):
        assert f'id="table-{table.key}"' in html
    assert "global.&lt;gap&gt;" in html and "x&amp;y" in html
    for key in ("spend", "rules", "units", "channels", "weeks", "distribution", "top"):
        assert f'id="chart-{key}"' in html
    path = tmp_path / "r.html"
    path.write_text("old", encoding="utf-8")
    write_report(result, path)
    assert path.read_text(encoding="utf-8") == html
    assert [p.name for p in tmp_path.iterdir()] == ["r.html"]  # no staged file left
