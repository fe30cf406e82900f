"""The run summary: how many candidates were sent or suppressed, by rule,
business unit and channel.

`summary_query` counts the decisions table joined to the candidates inside
the engine (one small grouped result, whatever the batch size);
`Summary.from_rows` folds those counts and `print_summary` shows them as rich
tables.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from sqlglot import exp

from .engines.base import table_expression
from .model import PolicySet

SEND, SUPPRESS = "send", "suppress"
NULL_LABEL = "(none)"


def summary_query(policy: PolicySet, decisions: exp.Table) -> exp.Select:
    """business_unit, channel, decision, rule, count: the decisions grouped by all four.

    Each decision row counts once: the candidates are joined one row per candidate_id (a repeated
    id, suppressed as `invalid_candidate`, is shown under the least of its copies' unit and
    channel), so the counts add up to the decisions written, whatever the data repeats."""
    candidate_id, unit, channel = (exp.column(policy.column("candidates", c), quoted=True)
                                   for c in ("candidate_id", "business_unit", "channel"))
    per_id = (exp.select(candidate_id.as_("candidate_id", quoted=True),
                         exp.Min(this=unit).as_("business_unit", quoted=True),
                         exp.Min(this=channel.copy()).as_("channel", quoted=True))
              .from_(table_expression(policy.table("candidates")))
              .group_by(candidate_id.copy()))
    keys = [exp.column("business_unit", "c", quoted=True), exp.column("channel", "c", quoted=True),
            exp.column("decision", "d", quoted=True), exp.column("rule", "d", quoted=True)]
    on = exp.EQ(this=exp.column("candidate_id", "d", quoted=True),
                expression=exp.column("candidate_id", "c", quoted=True))
    return (exp.select(*keys, exp.Count(this=exp.Star()))
            .from_(decisions.as_("d", quoted=True))
            .join(per_id.subquery("c", copy=False), on=on, join_type="left")
            .group_by(*keys))


@dataclass
class Summary:
    by_rule: Counter = field(default_factory=Counter)  # rule id -> suppressed candidates
    by_unit: dict[str, Counter] = field(default_factory=dict)  # unit -> {send, suppress}
    by_channel: dict[str, Counter] = field(default_factory=dict)
    totals: Counter = field(default_factory=Counter)

    @classmethod
    def from_rows(cls, rows) -> "Summary":
        """Fold `(business_unit, channel, decision, rule, count)` rows."""
        summary = cls()
        for unit, channel, decision, rule, count in rows:
            summary.totals[decision] += count
            summary.by_unit.setdefault(_label(unit), Counter())[decision] += count
            summary.by_channel.setdefault(_label(channel), Counter())[decision] += count
            if decision == SUPPRESS:
                summary.by_rule[_label(rule)] += count
        return summary

    @property
    def candidates(self) -> int:
        return sum(self.totals.values())


def _label(value) -> str:
    return NULL_LABEL if value is None else str(value)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _decision_table(title: str, key: str, counts: dict[str, Counter]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(key)
    for name in (SEND, SUPPRESS, "total", "suppressed"):
        table.add_column(name, justify="right")
    for name, c in sorted(counts.items(), key=lambda item: (-sum(item[1].values()), item[0])):
        total = c[SEND] + c[SUPPRESS]
        table.add_row(name, str(c[SEND]), str(c[SUPPRESS]), str(total), _share(c[SUPPRESS], total))
    return table


def print_summary(console: Console, summary: Summary, heading: str) -> None:
    total = summary.candidates
    console.print(heading, highlight=False)
    console.print(f"{total} candidates: {summary.totals[SEND]} send, {summary.totals[SUPPRESS]} suppress "
                  f"({_share(summary.totals[SUPPRESS], total)})")
    rules = Table(title="suppressed by rule", title_justify="left")
    rules.add_column("rule")
    rules.add_column("candidates", justify="right")
    rules.add_column("of all", justify="right")
    for rule, count in sorted(summary.by_rule.items(), key=lambda item: (-item[1], item[0])):
        rules.add_row(rule, str(count), _share(count, total))
    console.print(rules)
    console.print(_decision_table("by business unit", "business unit", summary.by_unit))
    console.print(_decision_table("by channel", "channel", summary.by_channel))
