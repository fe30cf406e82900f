"""A replay's figures as titled tables, and the text, Markdown and JSON output of `simulate`.

`figure_tables(figures)` lays every figure out once, as `FigureTable`s (a
title, a header, rows of text); the text output (rich), the Markdown output
and the HTML report (`policylang.simulate.report`) all show those same tables, so
no figure is worded twice. `as_json` is the machine form: the same figures
as numbers.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from .figures import Figures, Split

KEPT, SUPPRESSED = "kept", "suppressed"


@dataclass(frozen=True)
class FigureTable:
    key: str  # a stable name, for the report's anchors and charts
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


def heading(figures: Figures) -> str:
    return (f"policy {figures.policy_version}, replayed {figures.start} to {figures.end} "
            f"({figures.days} days)")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _split_rows(groups: dict[str, Split]) -> list[tuple[str, ...]]:
    return [(name, str(s.before), str(s.kept), str(s.suppressed), _share(s.suppressed, s.before))
            for name, s in groups.items()]


def _money(value: Decimal) -> str:
    return f"{value:,.4f}"


def figure_tables(figures: Figures) -> list[FigureTable]:
    """Every figure of the replay, as tables, in the order they are shown."""
    split = ("sends before", KEPT, SUPPRESSED, "suppressed share")
    t = figures.totals
    summary = [("marketing sends", str(t.before), str(t.kept)),
               ("transactional sends (pass through)", str(figures.transactional), str(figures.transactional)),
               ("customers contacted", str(figures.customers_before), str(figures.customers_after)),
               ("customers never contacted after", "0", str(figures.never_after)),
               ("spend", _money(figures.spend_before), _money(figures.spend_after))]
    return [
        FigureTable("summary", "Before and after", ("", "before", "after"), summary),
        FigureTable("rules", "Suppressed sends by rule", ("rule", SUPPRESSED, "share of sends before"),
                    [(rule, str(n), _share(n, t.before)) for rule, n in figures.by_rule.items()]),
        FigureTable("units", "Sends by business unit", ("business unit",) + split, _split_rows(figures.by_unit)),
        FigureTable("channels", "Sends by channel", ("channel",) + split, _split_rows(figures.by_channel)),
        FigureTable("weeks", "Sends by week", ("week from",) + split, _split_rows(figures.by_week)),
        FigureTable("distribution", "Contacts per customer per week (customer-weeks with a contact before)",
                    ("contacts in the week", "customer-weeks before", "customer-weeks after"),
                    [(str(n), str(b), str(a)) for n, (b, a) in figures.weekly_contacts.items()]),
        FigureTable("top", "Most contacted customers", ("customer", "contacts before", "contacts after",
                                                        "busiest week before", "busiest week after"),
                    [(str(c.customer_id), str(c.before), str(c.after), str(c.busiest_week_before),
                      str(c.busiest_week_after)) for c in figures.top_customers]),
        FigureTable("never", f"Customers never contacted after ({figures.never_after}; "
                    f"the first {len(figures.never_after_examples)} by id)", ("customer",),
                    [(str(c),) for c in figures.never_after_examples]),
    ]


def as_text(figures: Figures, console) -> None:
    """The tables on a rich console."""
    from rich.table import Table

    console.print(heading(figures))
    for table in figure_tables(figures):
        shown = Table(title=table.title, title_justify="left")
        for i, name in enumerate(table.header):
            shown.add_column(name, justify="left" if i == 0 else "right")
        for row in table.rows:
            shown.add_row(*row)
        console.print(shown)


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or " "


def as_markdown(figures: Figures) -> str:
    """The tables as GitHub Markdown (for a pull request comment or a step summary)."""
    lines = [f"## Simulation: {heading(figures)}", ""]
    for table in figure_tables(figures):
        lines += [f"### {table.title}", "", "| " + " | ".join(map(_cell, table.header)) + " |",
                  "|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(table.header))) + "|"]
        lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in table.rows] or ["| (none) |"]
        lines.append("")
    return "\n".join(lines)


def _split(s: Split) -> dict:
    return {"before": s.before, KEPT: s.kept, SUPPRESSED: s.suppressed}


def as_json(figures: Figures) -> str:
    """The figures as one JSON object (money as decimal strings, ids as they are)."""
    f = figures
    document = {
        "policy_version": f.policy_version, "from": f.start.isoformat(), "to": f.end.isoformat(), "days": f.days,
        "sends": _split(f.totals), "transactional": f.transactional,
        "suppressed_by_rule": f.by_rule,
        "by_business_unit": {k: _split(v) for k, v in f.by_unit.items()},
        "by_channel": {k: _split(v) for k, v in f.by_channel.items()},
        "by_week": {k: _split(v) for k, v in f.by_week.items()},
        "contacts_per_customer_week": [{"contacts": n, "before": b, "after": a}
                                       for n, (b, a) in f.weekly_contacts.items()],
        "top_customers": [{"customer_id": c.customer_id, "before": c.before, "after": c.after,
                           "busiest_week_before": c.busiest_week_before, "busiest_week_after": c.busiest_week_after}
                          for c in f.top_customers],
        "customers": {"before": f.customers_before, "after": f.customers_after, "never_after": f.never_after,
                      "never_after_examples": f.never_after_examples},
        "spend": {"before": str(f.spend_before), "after": str(f.spend_after)},
    }
    return json.dumps(document, indent=2, default=str)
