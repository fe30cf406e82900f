"""Conditions and scores, evaluated for one customer at T (docs/language.md, "Conditions", "Score").

Logic is two-valued: a comparison, `in`, `not in` or `days_since` with a
NULL operand is false, and `not` is plain negation, so `not (tier = "gold")`
holds for a NULL tier while `tier != "gold"` does not. `days_since(x)` is the
number of whole 24-hour periods from x to T, rounded down.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable, Iterator

from policylang.model import (And, Compare, Condition, Const, DaysSince, InList, IsNull, Not, Or, ScoreCompare,
                              ScorePerEvent, ScorePerTouch, ScoreWhen, SegmentRef)
from policylang.operators import OPERATORS

from .customer import Customer

DAY = timedelta(hours=24)


def holds(condition: Condition, customer: Customer) -> bool:
    """Does `condition` hold for `customer` at T? (False for an unknown customer's attributes.)"""
    attrs = customer.row or {}
    match condition:
        case Const(value):
            return value
        case Compare(attr, _, op, value):
            return attrs.get(attr) is not None and OPERATORS[op](attrs[attr], value)
        case InList(attr, _, values, negated):
            return attrs.get(attr) is not None and (attrs[attr] in values) != negated
        case IsNull(attr, negated):
            return (attrs.get(attr) is None) != negated
        case DaysSince(attr, op, value):
            moment = attrs.get(attr)
            return moment is not None and OPERATORS[op]((customer.as_of - moment) // DAY, value)
        case ScoreCompare(name, op, value):
            return OPERATORS[op](score(name, customer), value)
        case Not(operand):
            return not holds(operand, customer)
        case And(operands):
            return all(holds(c, customer) for c in operands)
        case Or(operands):
            return any(holds(c, customer) for c in operands)
        case SegmentRef(_, inner):
            return holds(inner, customer)
    raise TypeError(f"not a condition: {condition!r}")


def score(name: str, customer: Customer) -> int:
    """The customer's score `name` at T (an empty sum is 0), computed once per customer."""
    if name not in customer.scores:
        customer.scores[name] = sum(_points(line, customer) for line in customer.policy.scores[name].lines)
    return customer.scores[name]


def _points(line, customer: Customer) -> int:
    match line:
        case ScoreWhen(points, condition):
            return points if holds(condition, customer) else 0
        case ScorePerTouch(points, channel, measure, window):
            bounds = customer.window(window.hours)
            return points * sum(1 for t in customer.touches
                                if t.get("channel") == channel and t.get(f"{measure}_at") in bounds)
        case ScorePerEvent(points, event_type, window):
            bounds = customer.window(window.hours)
            return points * sum(1 for e in customer.events
                                if e.get("event_type") == event_type and e["occurred_at"] in bounds)
    raise TypeError(f"not a score line: {line!r}")


def scores_read(condition: Condition) -> Iterator[str]:
    """The names of the scores `condition` compares, segments included."""
    match condition:
        case ScoreCompare(name, _, _):
            yield name
        case Not(operand) | SegmentRef(_, operand):
            yield from scores_read(operand)
        case And(operands) | Or(operands):
            for operand in operands:
                yield from scores_read(operand)


def seen_scores(conditions: Iterable[Condition | None], customer: Customer) -> dict[str, int]:
    """`score NAME` -> value for every score the conditions read: what `explain` shows beside them."""
    names = dict.fromkeys(name for c in conditions if c is not None for name in scores_read(c))
    return {f"score {name}": score(name, customer) for name in names}
