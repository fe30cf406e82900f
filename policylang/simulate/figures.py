"""The figures of a replay: what `simulate` prints and its HTML report charts.

`figures(simulation)` folds a `Simulation`'s outcomes into plain numbers:
marketing sends kept and suppressed per rule, business unit, channel and
week; contacts per customer per week before (the history) and after (what
the policy kept), as a distribution and the top customers; the customers
contacted before and never after; spend before and after. "Contacts" are
marketing touches (transactional ones pass through unchanged and are counted
apart). Week N is days 7(N-1)+1 to 7N of the period, labelled by its first
day; the last week may be shorter (docs/simulate.md).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from .replay import Simulation

NULL_LABEL = "(none)"
SENT = "(sent)"
TOP = 10  # customers listed in the top list and in the never-contacted list


@dataclass(frozen=True)
class Split:
    """Marketing sends of one group: kept (sent under the policy) and suppressed."""

    kept: int = 0
    suppressed: int = 0

    @property
    def before(self) -> int:
        return self.kept + self.suppressed


@dataclass(frozen=True)
class TopCustomer:
    customer_id: object
    before: int  # marketing contacts in the period, history
    after: int  # under the policy
    busiest_week_before: int
    busiest_week_after: int


@dataclass
class Figures:
    policy_version: str
    start: date
    end: date
    days: int
    totals: Split
    transactional: int
    by_rule: dict[str, int]  # rule -> suppressed sends, most first
    by_unit: dict[str, Split]
    by_channel: dict[str, Split]
    by_week: dict[str, Split]  # first day of the week (ISO date) -> split
    weekly_contacts: dict[int, tuple[int, int]]  # contacts in a week -> (customer-weeks before, after)
    top_customers: list[TopCustomer]
    customers_before: int  # customers with a marketing contact in the period
    customers_after: int
    never_after: int  # contacted before, never after
    never_after_examples: list[object] = field(default_factory=list)  # the first TOP of them, by id
    spend_before: Decimal = Decimal(0)
    spend_after: Decimal = Decimal(0)


def _label(value) -> str:
    return NULL_LABEL if value is None else str(value)


def _id_key(value) -> tuple:
    """Ids sort numbers first, numerically, then text by code point."""
    return (isinstance(value, str), value if not isinstance(value, str) else 0, str(value))


def week_start(simulation: Simulation, day: date) -> date:
    return simulation.start + timedelta(days=7 * ((day - simulation.start).days // 7))


def figures(simulation: Simulation) -> Figures:
    """Fold the outcomes of `simulation` into its figures: first into counts per distinct (unit,
    channel, week, decision, rule), customer-week and decision, then those into the groups."""
    weeks = [(simulation.start + timedelta(days=w)).isoformat() for w in range(0, simulation.days, 7)]
    week_of = {}  # day -> the first day of its week
    groups: Counter = Counter()
    weekly: dict[tuple[object, date], list[int]] = {}  # (customer, week) -> [before, after]
    spend = [Decimal(0), Decimal(0)]
    for outcome in simulation.outcomes:
        sent = outcome.decision == "send"
        day = simulation.day_of(outcome.sent_at)
        week = week_of.get(day) or week_of.setdefault(day, week_start(simulation, day))
        groups[outcome.business_unit, outcome.channel, week, sent, outcome.rule] += 1
        counts = weekly.setdefault((outcome.customer_id, week), [0, 0])
        counts[0] += 1
        counts[1] += sent
        spend[0] += outcome.cost
        if sent:
            spend[1] += outcome.cost
    kept: dict[str, Counter] = {"unit": Counter(), "channel": Counter(), "week": Counter()}
    suppressed: dict[str, Counter] = {"unit": Counter(), "channel": Counter(), "week": Counter()}
    by_rule: Counter = Counter()
    for (unit, channel, week, sent, rule), n in groups.items():
        for kind, key in (("unit", _label(unit)), ("channel", _label(channel)), ("week", week.isoformat())):
            (kept if sent else suppressed)[kind][key] += n
        if not sent:
            by_rule[_label(rule)] += n

    def splits(kind: str, keys) -> dict[str, Split]:
        return {key: Split(kept[kind][key], suppressed[kind][key]) for key in keys}

    by_unit, by_channel = (splits(kind, sorted(set(kept[kind]) | set(suppressed[kind])))
                           for kind in ("unit", "channel"))
    totals = Split(sum(kept["unit"].values()), sum(suppressed["unit"].values()))
    return _customer_figures(simulation, totals, by_rule, by_unit, by_channel, splits("week", weeks), weekly, spend)


def _customer_figures(simulation, totals, by_rule, by_unit, by_channel, by_week, weekly, spend) -> Figures:
    distribution: dict[int, list[int]] = {}
    per_customer: dict[object, list[int]] = {}  # customer -> [before, after, busiest before, busiest after]
    for (customer, _), (before, after) in weekly.items():
        distribution.setdefault(before, [0, 0])[0] += 1
        distribution.setdefault(after, [0, 0])[1] += 1
        row = per_customer.setdefault(customer, [0, 0, 0, 0])
        row[0] += before
        row[1] += after
        row[2] = max(row[2], before)
        row[3] = max(row[3], after)
    ranked = sorted(per_customer.items(), key=lambda item: (-item[1][0], -item[1][1], _id_key(item[0])))
    never = sorted((c for c, row in per_customer.items() if row[1] == 0), key=_id_key)
    return Figures(
        policy_version=simulation.policy_version, start=simulation.start, end=simulation.end,
        days=simulation.days, totals=totals, transactional=simulation.transactional,
        by_rule=dict(sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))),
        by_unit=by_unit, by_channel=by_channel, by_week=by_week,
        weekly_contacts={n: (b, a) for n, (b, a) in sorted(distribution.items())},
        top_customers=[TopCustomer(c, *row) for c, row in ranked[:TOP]],
        customers_before=len(per_customer), customers_after=sum(1 for row in per_customer.values() if row[1]),
        never_after=len(never), never_after_examples=never[:TOP], spend_before=spend[0], spend_after=spend[1])
