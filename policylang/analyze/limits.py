"""Caps, spend caps and gaps seen as one thing: a limit per rolling window.

A count cap `N per W` suppresses once N matching messages fall in the window;
`gap SEL D` is the count limit 1 per D (one matching message in `(T - D, T]`
or earlier in the batch suppresses the next); a spend cap limits the summed
cost. A `Limit` keeps the rule, its kind and its tiers (a flat rule has one
tier, `otherwise`), so the redundancy and contention analyses treat all three
alike. Everything here is about messages, never about customers: which rule's
count includes which messages (`governs`) and how many messages a limit can let
through in a longer window (`capacity`).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..model import GLOBAL, CapRule, Condition, GapRule, PolicySet, Rule, Selector, SpendCapRule, Window
from ..source import Span

COUNT, SPEND = "count", "spend"
KINDS = (CapRule, SpendCapRule, GapRule)  # the rule kinds it claims: `as_limit` handles each


@dataclass(frozen=True)
class Branch:
    condition: Condition | None  # None: `otherwise`, and the single branch of a flat limit
    limit: int | Decimal
    span: Span


@dataclass(frozen=True)
class Limit:
    rule: CapRule | SpendCapRule | GapRule
    kind: str  # COUNT | SPEND
    branches: tuple[Branch, ...]

    @property
    def selector(self) -> Selector:
        return self.rule.selector

    @property
    def window(self) -> Window:
        return self.rule.window

    @property
    def scope(self) -> str:
        return self.rule.scope

    @property
    def is_flat(self) -> bool:
        return len(self.branches) == 1 and self.branches[0].condition is None

    @property
    def conditions(self) -> list[Condition | None]:
        return [b.condition for b in self.branches]


def as_limit(rule: Rule) -> Limit | None:
    """The limit view of a cap, spend cap or gap (`KINDS`); None for any other rule."""
    match rule:
        case CapRule(tiers=tiers):
            return Limit(rule, COUNT, tuple(Branch(t.condition, t.limit, t.span) for t in tiers))
        case SpendCapRule(amount=amount):
            return Limit(rule, SPEND, (Branch(None, amount, rule.span),))
        case GapRule():
            return Limit(rule, COUNT, (Branch(None, 1, rule.span),))
    return None


def limits(policy: PolicySet) -> list[Limit]:
    """Every limit of the policy set, in evaluation order."""
    return [limit for limit in map(as_limit, policy.rules) if limit is not None]


def scope_covers(wider: str, narrower: str) -> bool:
    """Does a rule of scope `wider` count every message a rule of scope `narrower` counts?
    (Global rules count every business unit's messages: docs/language.md, "How a batch is decided".)"""
    return wider == GLOBAL or wider == narrower


def governs(wider: Rule, narrower: Rule) -> bool:
    """Does `wider` apply to, and count, every message `narrower` applies to and counts?"""
    return scope_covers(wider.scope, narrower.scope) and wider.selector.covers(narrower.selector)


def capacity(limit: int | Decimal, window: Window, span: Window) -> int | Decimal:
    """The most a limit `limit per window` lets through within any rolling window of length
    `span`: `(T - span, T]` splits into ceil(span / window) pieces no longer than `window`."""
    pieces = -(-span.hours // window.hours)
    return limit * pieces
