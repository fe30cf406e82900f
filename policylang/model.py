"""The resolved policy set: the stable interface between front end and back ends.

`policylang.resolve` builds a `PolicySet` from parsed files and the config;
the reference interpreter, the SQL compiler, `explain` and the analyses read
only this module's types, never the syntax tree. Everything here is checked:
names are bound, conditions are typed, segments are inlined (a `SegmentRef`
keeps the segment's id for display and wraps its condition), rule ids are
derived as docs/language.md, "Rule ids" says, and `PolicySet.rules` is in evaluation order
(docs/language.md, "How a batch is decided").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Union

from .schema import DECISION_COLUMNS, REQUIRED_CANDIDATE_COLUMNS, TABLE_COLUMNS, TIMESTAMP_COLUMNS  # noqa: F401
from .source import Span

ATTRIBUTE_TYPES = ("text", "integer", "decimal", "boolean", "timestamp")
COMPARISON_OPS = ("=", "!=", "<", "<=", ">", ">=")

# Built-in rule ids, in their order of precedence (docs/language.md, "How a batch is decided"). They carry no scope.
BUILTIN_RULES = ("unknown_customer", "unknown_channel", "unknown_topic", "unknown_business_unit", "invalid_candidate")

GLOBAL = "global"


# --- conditions (typed, two-valued: a comparison with NULL is false) ---------

@dataclass(frozen=True)
class Const:
    value: bool


@dataclass(frozen=True)
class Compare:
    attr: str
    attr_type: str  # text | integer | decimal | boolean (never timestamp)
    op: str  # one of COMPARISON_OPS; text and boolean allow only = and !=
    value: str | int | Decimal | bool


@dataclass(frozen=True)
class InList:
    attr: str
    attr_type: str  # text | integer | decimal
    values: tuple
    negated: bool  # `not in`: false for NULL too


@dataclass(frozen=True)
class IsNull:
    attr: str
    negated: bool  # `is not null`


@dataclass(frozen=True)
class DaysSince:
    """floor((T - attr) / 24h) OP value; false when attr is NULL."""

    attr: str
    op: str
    value: int


@dataclass(frozen=True)
class ScoreCompare:
    score: str  # name of a global score (never NULL: an empty sum is 0)
    op: str
    value: Decimal


@dataclass(frozen=True)
class Not:
    operand: "Condition"


@dataclass(frozen=True)
class And:
    operands: tuple["Condition", ...]


@dataclass(frozen=True)
class Or:
    operands: tuple["Condition", ...]


@dataclass(frozen=True)
class SegmentRef:
    """A named segment; `condition` is its resolved definition (evaluate that)."""

    segment_id: str  # e.g. "global.high_affinity", "cruises.past_cruiser"
    condition: "Condition"


Condition = Union[Const, Compare, InList, IsNull, DaysSince, ScoreCompare, Not, And, Or, SegmentRef]


# --- building blocks ---------------------------------------------------------
# A rolling window longer than this reaches back to the start of history (docs/language.md, "Data that
# cannot be right"): no engine has to compute an instant before any it can represent.
MAX_WINDOW_HOURS = 365_250 * 24  # 1,000 years of 365.25 days


def window_start(as_of: datetime, hours: int) -> datetime | None:
    """The start of the rolling window `(T - hours, T]` at T = `as_of`; None when it reaches back to the
    start of history: a window longer than `MAX_WINDOW_HOURS`, or one starting before year 1."""
    if hours > MAX_WINDOW_HOURS:
        return None
    try:
        return as_of - timedelta(hours=hours)
    except OverflowError:
        return None


@dataclass(frozen=True)
class Window:
    """A rolling window `(T - hours, T]`."""

    hours: int

    @property
    def label(self) -> str:
        return f"{self.hours // 24}d" if self.hours % 24 == 0 else f"{self.hours}h"


@dataclass(frozen=True)
class Selector:
    """`marketing` (channel None) or a channel, optionally narrowed to a topic."""

    channel: str | None
    topic: str | None

    def matches(self, channel, topic) -> bool:
        """Does a message of (channel, topic) match? A NULL topic matches no topic selector."""
        if self.channel is not None and channel != self.channel:
            return False
        return self.topic is None or (topic is not None and topic == self.topic)

    def covers(self, other: "Selector") -> bool:
        """Every message `other` matches, this one matches too."""
        if self.channel is not None and self.channel != other.channel:
            return False
        return self.topic is None or self.topic == other.topic

    @property
    def words(self) -> tuple[str, ...]:
        return (self.channel or "marketing",) + ((self.topic,) if self.topic else ())

    def __str__(self) -> str:
        return " ".join((self.channel or "marketing",) + (("topic", self.topic) if self.topic else ()))


@dataclass(frozen=True)
class ScoreWhen:
    points: int
    condition: Condition
    span: Span | None = field(default=None, compare=False)  # the line, for findings about it


@dataclass(frozen=True)
class ScorePerTouch:
    """`+N per CH MEASURE within W`: N times the customer's marketing touches of
    channel CH (every business unit) whose `<measure>_at` lies in (T - W, T]."""

    points: int
    channel: str
    measure: str  # sent | opened | clicked | converted
    window: Window


@dataclass(frozen=True)
class ScorePerEvent:
    points: int
    event_type: str
    window: Window


ScoreLine = Union[ScoreWhen, ScorePerTouch, ScorePerEvent]


@dataclass(frozen=True)
class Score:
    name: str
    lines: tuple[ScoreLine, ...]
    span: Span


@dataclass(frozen=True)
class Segment:
    id: str  # "SCOPE.NAME"
    scope: str
    name: str
    condition: Condition
    span: Span


# --- rules -------------------------------------------------------------------

@dataclass(frozen=True)
class RuleBase:
    id: str  # "SCOPE.NAME", e.g. "global.email_weekly"
    scope: str  # GLOBAL or a business unit
    position: int  # source order within the scope's file
    span: Span

    @property
    def is_global(self) -> bool:
        return self.scope == GLOBAL


@dataclass(frozen=True)
class ConsentRule(RuleBase):
    channel: str
    requires_opt_in: bool


@dataclass(frozen=True)
class BlockRule(RuleBase):
    selector: Selector
    condition: Condition  # the candidate is blocked when this holds (`unless C` is stored as Not(C))


@dataclass(frozen=True)
class CooldownRule(RuleBase):
    selector: Selector
    window: Window
    event_type: str


@dataclass(frozen=True)
class StopUnopenedRule(RuleBase):
    selector: Selector
    count: int


@dataclass(frozen=True)
class StopConversionRule(RuleBase):
    selector: Selector


@dataclass(frozen=True)
class GapRule(RuleBase):
    selector: Selector
    window: Window


@dataclass(frozen=True)
class Tier:
    condition: Condition | None  # None: `otherwise` (and the single tier of a flat cap)
    limit: int
    span: Span


@dataclass(frozen=True)
class CapRule(RuleBase):
    """A count cap. A flat cap has one tier with condition None. The first tier
    whose condition holds gives the limit; none holding: the rule does not apply."""

    selector: Selector
    window: Window
    tiers: tuple[Tier, ...]

    @property
    def is_tiered(self) -> bool:
        return len(self.tiers) > 1 or self.tiers[0].condition is not None


@dataclass(frozen=True)
class SpendCapRule(RuleBase):
    selector: Selector
    window: Window
    amount: Decimal  # at most 4 decimal places


@dataclass(frozen=True)
class PreferencesRule(RuleBase):
    """`honor preferences`: the customer's own frequency choices, from the preferences table."""


Rule = Union[ConsentRule, BlockRule, CooldownRule, StopUnopenedRule, StopConversionRule,
             GapRule, CapRule, SpendCapRule, PreferencesRule]


@dataclass(frozen=True)
class Stage:
    name: str
    channel: str
    day: int
    span: Span


@dataclass(frozen=True)
class Campaign:
    name: str
    business_unit: str
    stages: tuple[Stage, ...]
    span: Span


# --- the policy set ----------------------------------------------------------

# The input tables, their columns and kinds are declared in policylang/schema.py, exported here.


@dataclass(frozen=True)
class PreferenceCenter:
    """What the preference centre asks customers (config `preference_center`, docs/language.md#project-config-policylangyaml), and where
    the config says so: `spans` maps "frequency" and "topics.NAME" to their YAML location."""

    topics: tuple[str, ...] = ()
    frequency: bool = False
    spans: dict[str, Span] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class PolicySet:
    channels: tuple[str, ...]
    topics: tuple[str, ...]
    business_units: tuple[str, ...]  # from the config
    attributes: dict[str, str] = field(hash=False)  # name -> type, from the config
    segments: dict[str, Segment] = field(hash=False)  # by id
    scores: dict[str, Score] = field(hash=False)  # by name (scores are global)
    rules: tuple[Rule, ...] = ()  # every rule, consent included, in evaluation order
    campaigns: tuple[Campaign, ...] = ()
    version: str = ""  # short content hash of policy files and config
    tables: dict[str, str] = field(default_factory=lambda: {t: t for t in TABLE_COLUMNS}, hash=False)
    columns: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)  # table -> {column: warehouse column}
    preference_center: PreferenceCenter = field(default_factory=PreferenceCenter, hash=False)

    def rules_for(self, business_unit: str) -> tuple[Rule, ...]:
        """The rules that apply to a candidate of `business_unit`, in evaluation order."""
        return tuple(r for r in self.rules if r.scope in (GLOBAL, business_unit))

    def table(self, table: str) -> str:
        """The warehouse name of a canonical table (may be qualified, `crm.touches`)."""
        return self.tables.get(table, table)

    def column(self, table: str, column: str) -> str:
        """The warehouse name of a canonical column."""
        return self.columns.get(table, {}).get(column, column)

