"""The syntax tree of one policy file, as written.

Nodes are frozen dataclasses. Every node has a `span`; spans are excluded from
equality, so two parses of differently laid-out text compare equal when they
say the same thing (the `fmt` round-trip property). Names are kept as `Name`
nodes so errors can point at them. Nothing here is resolved: that is
`policylang.resolve`'s job, which turns files into a `policylang.model.PolicySet`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Union

from ..source import Span

_NOSPAN = Span("", 0, 0, 0, 0)


def _span():
    return field(default=_NOSPAN, compare=False, repr=False)


@dataclass(frozen=True)
class Name:
    value: str
    span: Span = _span()


@dataclass(frozen=True)
class String:
    value: str  # unescaped
    span: Span = _span()


@dataclass(frozen=True)
class Number:
    value: Decimal
    text: str  # as written, e.g. "25.00"
    span: Span = _span()

    @property
    def is_whole(self) -> bool:
        return self.value == self.value.to_integral_value()


@dataclass(frozen=True)
class Bool:
    value: bool
    span: Span = _span()


Literal = Union[String, Number, Bool]


@dataclass(frozen=True)
class Duration:
    amount: Number
    unit: str  # "hour" | "day" | "week" (singular, whatever was written)
    span: Span = _span()

    @property
    def hours(self) -> Decimal:
        return self.amount.value * {"hour": 1, "day": 24, "week": 168}[self.unit]


@dataclass(frozen=True)
class Selector:
    channel: Name | None  # None: `marketing`
    topic: Name | None
    span: Span = _span()


# --- conditions --------------------------------------------------------------

@dataclass(frozen=True)
class Or:
    items: tuple["Condition", ...]
    span: Span = _span()


@dataclass(frozen=True)
class And:
    items: tuple["Condition", ...]
    span: Span = _span()


@dataclass(frozen=True)
class Not:
    item: "Condition"
    span: Span = _span()


@dataclass(frozen=True)
class Compare:
    attr: Name
    op: str  # = != < <= > >=
    value: Literal
    span: Span = _span()


@dataclass(frozen=True)
class InList:
    attr: Name
    values: tuple[Literal, ...]
    negated: bool
    span: Span = _span()


@dataclass(frozen=True)
class IsNull:
    attr: Name
    negated: bool
    span: Span = _span()


@dataclass(frozen=True)
class DaysSince:
    attr: Name
    op: str
    value: Number
    span: Span = _span()


@dataclass(frozen=True)
class ScoreCompare:
    score: Name
    op: str
    value: Number
    span: Span = _span()


@dataclass(frozen=True)
class SegmentRef:
    name: Name
    span: Span = _span()


@dataclass(frozen=True)
class Const:
    value: bool
    span: Span = _span()


Condition = Union[Or, And, Not, Compare, InList, IsNull, DaysSince, ScoreCompare, SegmentRef, Const]


# --- statements --------------------------------------------------------------

@dataclass(frozen=True)
class Header:
    unit: Name | None  # None: `policy global`
    span: Span = _span()


@dataclass(frozen=True)
class Channels:
    names: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Topics:
    names: tuple[Name, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Consent:
    channel: Name
    requires_opt_in: bool  # False: `allowed unless opt_out`
    span: Span = _span()


@dataclass(frozen=True)
class Segment:
    name: Name
    condition: Condition
    span: Span = _span()


@dataclass(frozen=True)
class ScoreWhen:
    points: int  # signed
    condition: Condition
    span: Span = _span()


@dataclass(frozen=True)
class ScorePerTouch:
    points: int
    channel: Name
    measure: str  # sent | opened | clicked | converted
    window: Duration
    span: Span = _span()


@dataclass(frozen=True)
class ScorePerEvent:
    points: int
    event_type: String
    window: Duration
    span: Span = _span()


ScoreLine = Union[ScoreWhen, ScorePerTouch, ScorePerEvent]


@dataclass(frozen=True)
class Score:
    name: Name
    lines: tuple[ScoreLine, ...]
    span: Span = _span()


@dataclass(frozen=True)
class Cap:
    selector: Selector
    limit: Number
    window: Duration
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class Tier:
    condition: Condition | None  # None: `otherwise`
    limit: Number
    span: Span = _span()


@dataclass(frozen=True)
class TieredCap:
    selector: Selector
    window: Duration
    tiers: tuple[Tier, ...]
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class SpendCap:
    selector: Selector
    amount: Number
    window: Duration
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class Gap:
    selector: Selector
    window: Duration
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class Block:
    selector: Selector
    unless: bool  # False: `block SEL for COND`; True: `block SEL unless COND`
    condition: Condition
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class Cooldown:
    selector: Selector
    window: Duration
    event_type: String
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class StopUnopened:
    selector: Selector
    count: Number
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class StopConversion:
    selector: Selector
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class HonorPreferences:
    alias: Name | None
    span: Span = _span()


@dataclass(frozen=True)
class Stage:
    name: Name
    channel: Name
    day: Number
    span: Span = _span()


@dataclass(frozen=True)
class Campaign:
    name: Name
    stages: tuple[Stage, ...]
    span: Span = _span()


Rule = Union[Cap, TieredCap, SpendCap, Gap, Block, Cooldown, StopUnopened, StopConversion, HonorPreferences]
Statement = Union[Channels, Topics, Consent, Segment, Score, Campaign, Rule]


@dataclass(frozen=True)
class Comment:
    text: str  # including the leading `#`
    span: Span = _span()


@dataclass(frozen=True)
class PolicyFile:
    path: str
    header: Header | None  # None only when the file failed to parse a header
    statements: tuple[Statement, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
