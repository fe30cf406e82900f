"""Redundancy by dominance, shared by the redundant-cap and shadowed-rule checks.

Rule A dominates rule B when A applies to every message B applies to and, for
every customer, fails whenever B fails: then B never changes a decision (all
rules must pass, so which of two failing rules is reported is the only
difference). `prune` walks the rules from last to first in evaluation order and
drops each one that the rules still kept dominate; dominance is transitive, so
the kept rules dominate every dropped one together, and of two equivalent
rules the later one is reported. Only rules of the same scope or of the global
file can dominate a rule (a business unit's rules never see other units).
"""
from __future__ import annotations

from typing import Callable, Sequence

from ..diagnostics import Diagnostic, Related
from ..model import GLOBAL, CapRule, Rule, SpendCapRule
from .describe import listing, rule_ref

Dominators = Callable[[Rule, list[Rule]], list[Rule]]


def prune(rules: Sequence[Rule], dominators: Dominators) -> list[tuple[Rule, list[Rule]]]:
    """(rule, the rules that dominate it) for each redundant rule, in evaluation order.

    `dominators(b, pool)` returns the rules of `pool` (in evaluation order) that together
    dominate `b`, or [] when they do not."""
    kept: dict[str, list[Rule]] = {}
    for rule in rules:
        kept.setdefault(rule.scope, []).append(rule)
    found = []
    for b in reversed(rules):
        pool = kept[GLOBAL] if b.scope == GLOBAL else kept.get(GLOBAL, []) + kept[b.scope]
        doms = dominators(b, [a for a in pool if a is not b])
        if doms:
            kept[b.scope] = [r for r in kept[b.scope] if r is not b]
            found.append((b, doms))
    return found[::-1]


def redundancy_finding(rule: Rule, doms: list[Rule], why: str) -> Diagnostic:
    """PL509 for a business-unit rule that global rules override, PL500 for a cap made
    redundant within its scope, PL508 for any other rule shadowed within its scope."""
    refs = listing([rule_ref(d) for d in doms])
    verb = "suppresses" if len(doms) == 1 else "together suppress"
    if rule.scope != GLOBAL and all(d.is_global for d in doms):
        code, what = "PL509", "is overridden by the global file"
        fix = "remove it, or make it stricter than the global rule"
    elif isinstance(rule, (CapRule, SpendCapRule)):
        code, what, fix = "PL500", "can never bind", "remove it, or make it the stricter one"
    else:
        code, what, fix = "PL508", "is shadowed", "remove it, or make it the stricter one"
    return Diagnostic(
        code,
        f"`{rule.id}` {what}: {refs} already {verb} every message it would suppress; {fix}",
        rule.span,
        help=why,
        related=tuple(Related(d.span, f"`{d.id}` is at least as strict") for d in doms),
        data={"rule": rule.id, "dominated_by": [d.id for d in doms]},
    )


def report(rules: Sequence[Rule], dominators: Dominators, why: Callable[[Rule, list[Rule]], str]) -> list[Diagnostic]:
    return [redundancy_finding(b, doms, why(b, doms)) for b, doms in prune(rules, dominators)]
