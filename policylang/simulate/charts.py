"""Horizontal bar charts as inline SVG markup, for the HTML report of `simulate`.

`bar_chart` draws one row per category, each series a bar (side by side, or
stacked end to end), with the value written after each bar and a legend: no
script, no font or file from elsewhere, so the report opens offline and reads
the same everywhere. Every text is escaped; bars are `<rect class="bar">`,
each with a `<title>` (its series, category and value) that browsers show on
hover. A chart without a positive value draws no bar and says so.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 720
LABEL_WIDTH = 200
ROW = 22  # height of one bar
GAP = 8  # between categories
TOP = 28  # room for the legend
VALUE_ROOM = 70  # after the longest bar, for its value
PALETTE = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]  # one per category


def _number(value: float) -> str:
    return f"{value:,.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"


def _legend(series: list[Series]) -> list[str]:
    parts, x = [], LABEL_WIDTH
    for i, s in enumerate(series):
        parts.append(f'<rect class="key" x="{x}" y="6" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
                     f'<text x="{x + 16}" y="16">{escape(s.name)}</text>')
        x += 28 + 8 * len(s.name)
    return parts


def bar_chart(key: str, title: str, categories: list[str], series: list[Series], stacked: bool = False) -> str:
    """An SVG chart, `<svg class="chart" id="chart-KEY">`, of `series` over `categories`."""
    per_category = 1 if stacked else len(series)
    band = per_category * ROW + GAP
    height = TOP + band * max(len(categories), 1) + GAP
    totals = [sum(s.values[i] for s in series) if stacked else max((s.values[i] for s in series), default=0)
              for i in range(len(categories))]
    largest = max(totals, default=0)
    scale = (WIDTH - LABEL_WIDTH - VALUE_ROOM) / largest if largest > 0 else 0
    parts = [f'<svg class="chart" id="chart-{escape(key)}" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" aria-labelledby="title-{escape(key)}">',
             f'<title id="title-{escape(key)}">{escape(title)}</title>', *_legend(series)]
    if largest <= 0:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{TOP + ROW}">nothing to show</text>')
    for i, category in enumerate(categories):
        y = TOP + i * band
        parts.append(f'<text class="label" x="{LABEL_WIDTH - 6}" y="{y + per_category * ROW / 2 + 4:.0f}" '
                     f'text-anchor="end">{escape(category)}</text>')
        x = LABEL_WIDTH
        for j, s in enumerate(series):
            value = s.values[i]
            width = value * scale
            top = y if stacked else y + j * ROW
            if width > 0:
                parts.append(f'<rect class="bar" x="{x:.1f}" y="{top}" width="{width:.1f}" height="{ROW - 2}" '
                             f'fill="{PALETTE[j % len(PALETTE)]}"><title>{escape(s.name)}, {escape(category)}: '
                             f'{_number(value)}</title></rect>')
            if stacked:
                x += width
            else:
                parts.append(f'<text class="value" x="{LABEL_WIDTH + width + 4:.1f}" y="{top + ROW / 2 + 3:.0f}">'
                             f'{_number(value)}</text>')
        if stacked:
            parts.append(f'<text class="value" x="{x + 4:.1f}" y="{y + ROW / 2 + 3:.0f}">'
                         f'{" / ".join(_number(s.values[i]) for s in series)}</text>')
    parts.append(f'<line class="axis" x1="{LABEL_WIDTH}" y1="{TOP - 4}" x2="{LABEL_WIDTH}" y2="{height - GAP}" '
                 'stroke="#555"/>')
    parts.append("</svg>")
    return "\n".join(parts)
