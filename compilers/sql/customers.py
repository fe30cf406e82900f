"""The customers as conditions see them: `pl_customers`, one row per customers row.

It holds the customer key, how many rows share it (`copies`: a candidate
matches its customer only when that is 1, so an ambiguous id fails closed as
`unknown_customer`), every attribute a condition reads (`a_<name>`,
text compared exactly) and every score a condition reads (`s_<name>`,
computed at T from the attributes and from per-customer history aggregates,
docs/language.md, "Score"). Scores no condition reads are not computed.
"""
from __future__ import annotations

from functools import reduce
from typing import Iterator

from sqlglot import exp

from policylang.model import (GLOBAL, And, BlockRule, CapRule, Compare, Condition, DaysSince, InList, IsNull, Not, Or,
                              PolicySet, ScoreCompare, ScorePerEvent, ScorePerTouch, ScoreWhen, SegmentRef, Selector)

from .conditions import Conditions
from .dialects import Target
from .history import History, Reader, User
from .sources import Rows, flag

NAME = "pl_customers"


def leaves(condition: Condition) -> Iterator[Condition]:
    """The attribute and score tests a condition is built from."""
    match condition:
        case Not(operand) | SegmentRef(_, operand):
            yield from leaves(operand)
        case And(operands) | Or(operands):
            for operand in operands:
                yield from leaves(operand)
        case Compare() | InList() | IsNull() | DaysSince() | ScoreCompare():
            yield condition


def rule_conditions(policy: PolicySet) -> Iterator[Condition]:
    """Every condition a rule evaluates per customer: block conditions and tier branches."""
    for rule in policy.rules:
        if isinstance(rule, BlockRule):
            yield rule.condition
        elif isinstance(rule, CapRule):
            yield from (tier.condition for tier in rule.tiers if tier.condition is not None)


def _references(conditions) -> tuple[list[str], list[str]]:
    """(attributes, scores) the conditions read, in first-use order."""
    attributes: dict[str, None] = {}
    scores: dict[str, None] = {}
    for condition in conditions:
        for leaf in leaves(condition):
            if isinstance(leaf, ScoreCompare):
                scores[leaf.score] = None
            else:
                attributes[leaf.attr] = None
    return list(attributes), list(scores)


class Customers:
    """Builds `pl_customers` and translates rule conditions over it (alias `alias`)."""

    def __init__(self, target: Target, policy: PolicySet, history: History, alias: str = "cu"):
        self.target, self.policy, self.alias = target, policy, alias
        self.rows = Rows(target, policy, "customers", "c")
        self.reader = Reader(history)
        attributes, self.scores = _references(rule_conditions(policy))
        score_conditions = [line.condition for name in self.scores for line in policy.scores[name].lines
                            if isinstance(line, ScoreWhen)]
        self.attributes = list(dict.fromkeys(attributes + _references(score_conditions)[0]))
        self.conditions = Conditions(target, lambda a: exp.column(f"a_{a}", table=alias),
                                     lambda s: exp.column(f"s_{s}", table=alias))

    def select(self) -> exp.Select:
        raw = Conditions(self.target, self._attribute, self._no_score)
        copies = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[self.rows.key])
        columns = [exp.alias_(self.rows.key, "customer_id"), exp.alias_(copies, "copies")]
        columns += [exp.alias_(self._attribute(a), f"a_{a}") for a in self.attributes]
        for name in self.scores:
            value = exp.alias_(self._score(name, raw), f"s_{name}")
            value.add_comments([f"score {name} ({self.policy.scores[name].span.file}:"
                                f"{self.policy.scores[name].span.line})"])
            columns.append(value)
        return self.reader.join(exp.select(*columns).from_(self.rows.source), self.rows.key)

    def _attribute(self, name: str) -> exp.Expression:
        return self.rows.attribute(name, self.policy.attributes.get(name, "text"))

    @staticmethod
    def _no_score(name: str) -> exp.Expression:
        raise ValueError(f"score `{name}` is used inside a score")

    def _score(self, name: str, raw: Conditions) -> exp.Expression:
        score = self.policy.scores[name]
        user = User(f"score {name}", score.span)
        terms = []
        for line in score.lines:
            match line:
                case ScoreWhen(points, condition):
                    terms.append(flag(raw.predicate(condition), exp.Literal.number(points)))
                    continue
                case ScorePerTouch(points, channel, measure, window):
                    count = self.reader.count(Selector(channel, None), GLOBAL, window.hours, window.label, user,
                                              time_column=f"{measure}_at")
                case ScorePerEvent(points, event_type, window):
                    count = self.reader.events(event_type, window.hours, window.label, user)
            terms.append(exp.Mul(this=exp.Literal.number(points), expression=count))
        if not terms:
            return exp.Literal.number(0)
        return reduce(lambda total, term: exp.Add(this=total, expression=term), terms)
