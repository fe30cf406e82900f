"""The HTML report of `policylang simulate --report FILE.html`.

One self-contained file: inline CSS, inline SVG charts (`policylang.simulate.charts`),
no script and nothing fetched from anywhere. It shows the policy version and
the period, a chart per figure, and every figure as an HTML table too
(`tables.figure_tables`, the tables the text output prints), so the
report reads without the charts. `write_report` writes it to a new file beside
the target and moves it over the target only when complete (`run_output`).
"""
from __future__ import annotations

from html import escape
from pathlib import Path

from .. import __version__
from ..errors import DataError
from .charts import Series, bar_chart
from .figures import Figures
from .tables import KEPT, SUPPRESSED, FigureTable, figure_tables, heading

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 960px; color: #1a202c; padding: 0 1em; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .5em 0 1em; }
th, td { border: 1px solid #cbd5e0; padding: .2em .6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
caption { text-align: left; font-weight: 600; padding: .3em 0; }
svg.chart text { font: 12px system-ui, sans-serif; fill: #1a202c; }
details { margin-bottom: 1em; }
"""


def _series_of(table: FigureTable, columns: dict[str, int]) -> list[Series]:
    return [Series(name, tuple(float(row[i].replace(",", "")) for row in table.rows)) for name, i in columns.items()]


def charts(figures: Figures, tables: dict[str, FigureTable]) -> dict[str, str]:
    """The chart of each table that has one, by table key."""
    split = {KEPT: 2, SUPPRESSED: 3}
    drawn = {
        "rules": ("Suppressed sends by rule", {SUPPRESSED: 1}, False),
        "units": ("Sends by business unit", split, True),
        "channels": ("Sends by channel", split, True),
        "weeks": ("Sends by week", split, True),
        "distribution": ("Customer-weeks by contacts in the week", {"before": 1, "after": 2}, False),
        "top": ("Most contacted customers", {"before": 1, "after": 2}, False),
    }
    found = {key: bar_chart(key, title, [row[0] for row in tables[key].rows], _series_of(tables[key], columns),
                            stacked) for key, (title, columns, stacked) in drawn.items()}
    found["summary"] = bar_chart("spend", "Spend before and after", ["before", "after"],
                                 [Series("spend", (float(figures.spend_before), float(figures.spend_after)))])
    return found


def _table_html(table: FigureTable) -> str:
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name in table.header)
    rows = "".join("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in table.rows)
    empty = f'<tr><td colspan="{len(table.header)}">(none)</td></tr>' if not table.rows else ""
    return (f'<table id="table-{escape(table.key)}"><caption>{escape(table.title)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{rows}{empty}</tbody></table>")


def report_html(figures: Figures) -> str:
    """The whole report as one HTML document."""
    tables = {table.key: table for table in figure_tables(figures)}
    drawn = charts(figures, tables)
    sections = []
    for key, table in tables.items():
        chart = f'<figure>{drawn[key]}</figure>' if key in drawn else ""
        sections.append(f'<section id="{escape(key)}"><h2>{escape(table.title)}</h2>{chart}{_table_html(table)}'
                        "</section>")
    title = f"policylang simulate: {heading(figures)}"
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
            f"<h1>What the policy would have done</h1>"
            f'<p id="heading">Policy version <code>{escape(figures.policy_version)}</code>, replayed day by day from '
            f"{figures.start} to {figures.end} ({figures.days} days). Made by policylang {escape(__version__)}.</p>"
            + "".join(sections) + "</body></html>\n")


def write_report(figures: Figures, path: Path) -> None:
    """Write the report to `path`, replacing it only once the new file is complete."""
    from ..commands.run_output import staged_file

    try:
        with staged_file(path) as staged:
            staged.write_text(report_html(figures), encoding="utf-8")
    except OSError as exc:
        raise DataError(f"cannot write `{path}` ({exc.strerror or exc}): "
                        "choose a file in a folder you can write to") from None
