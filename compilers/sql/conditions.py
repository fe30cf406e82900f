"""Conditions as SQL predicates, two-valued as docs/language.md, "NULL and two-valued logic" demands.

SQL logic is three-valued: `tier = 'gold'` is unknown for a NULL tier, and so
is `NOT (tier = 'gold')`, where the language wants true. Negation is therefore
pushed down to the leaves (De Morgan), and a negated comparison is written
`tier IS NULL OR NOT (tier = 'gold')`. Without negation an unknown leaf acts as
false wherever the predicate is used (CASE WHEN, WHERE), which is what the
language asks of it. `days_since(x) OP N` becomes comparisons of x with the bounds
T - N days and T - (N + 1) days, so no engine computes a date difference.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Callable

from sqlglot import exp

from policylang.model import (And, Compare, Condition, Const, DaysSince, InList, IsNull, Not, Or, ScoreCompare,
                              SegmentRef)

from .dialects import Target
from .sources import is_null

COMPARE = {"=": exp.EQ, "!=": exp.NEQ, "<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE}
DAY_HOURS = 24


def literal(value) -> exp.Expression:
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, Decimal)):
        return exp.Literal.number(str(value))
    return exp.Literal.string(value)


class Conditions:
    """Translates conditions over one customer: `attribute(name)` and `score(name)` give the
    columns holding them; `target` gives T."""

    def __init__(self, target: Target, attribute: Callable[[str], exp.Expression],
                 score: Callable[[str], exp.Expression]):
        self.target, self.attribute, self.score = target, attribute, score

    def predicate(self, condition: Condition, negate: bool = False) -> exp.Expression:
        match condition:
            case Const(value):
                return exp.Boolean(this=value != negate)
            case Not(operand):
                return self.predicate(operand, not negate)
            case And(operands) | Or(operands):
                parts = [self.predicate(c, negate) for c in operands]
                conjunction = isinstance(condition, And) != negate
                return exp.and_(*parts) if conjunction else exp.or_(*parts)
            case SegmentRef(segment_id, inner):
                result = exp.Paren(this=self.predicate(inner, negate))
                result.add_comments([f"{'not ' if negate else ''}segment {segment_id}"])
                return result
            case IsNull(attr, negated):
                test = is_null(self.attribute(attr))
                return test if negated == negate else exp.not_(test)
            case ScoreCompare(name, op, value):
                test = COMPARE[op](this=self.score(name), expression=literal(value))
                return exp.not_(test) if negate else test  # a score is never NULL
        attr, test = self._leaf(condition)
        if not negate:
            return test
        return exp.or_(is_null(self.attribute(attr)), exp.not_(test))

    def _leaf(self, condition: Condition) -> tuple[str, exp.Expression]:
        """(attribute, predicate) of a leaf that is unknown exactly when the attribute is NULL."""
        match condition:
            case Compare(attr, _, op, value):
                return attr, COMPARE[op](this=self.attribute(attr), expression=literal(value))
            case InList(attr, _, values, negated):
                test = exp.In(this=self.attribute(attr), expressions=[literal(v) for v in values])
                return attr, exp.not_(test) if negated else test
            case DaysSince(attr, op, value):
                return attr, self._days_since(attr, op, value)
        raise TypeError(f"not a condition: {condition!r}")

    def _days_since(self, attr: str, op: str, days: int) -> exp.Expression:
        """floor((T - x) / 24h) OP days, as comparisons of x with T - days and T - (days + 1)."""

        def at_least(n: int) -> exp.Expression:  # days_since(x) >= n  <=>  x <= T - n days
            bound = self.target.shifted(n * DAY_HOURS)
            if bound is None:  # beyond every timestamp: before all of them (n > 0) or after all
                return exp.false() if n > 0 else exp.not_(is_null(self.attribute(attr)))
            return exp.LTE(this=self.attribute(attr), expression=bound)

        def below(n: int) -> exp.Expression:  # days_since(x) < n  <=>  x > T - n days
            bound = self.target.shifted(n * DAY_HOURS)
            if bound is None:
                return exp.not_(is_null(self.attribute(attr))) if n > 0 else exp.false()
            return exp.GT(this=self.attribute(attr), expression=bound)

        ranges = {
            ">=": lambda: at_least(days),
            ">": lambda: at_least(days + 1),
            "<": lambda: below(days),
            "<=": lambda: below(days + 1),
            "=": lambda: exp.and_(at_least(days), below(days + 1)),
            "!=": lambda: exp.or_(below(days), at_least(days + 1)),
        }
        return ranges[op]()

