"""Shadowed and overridden rules other than limits: blocks, cool-downs and stops (PL508, PL509).

Rule A shadows rule B of the same kind when A applies to every message B
applies to (equal or wider selector and scope) and fails whenever B fails:

- `block`: B's condition implies A's (decided with z3);
- `cooldown`: the same event type and a duration at least as long;
- `stop … after conversion`: always (the scope's touches of the campaign are a superset);
- `stop … after N unopened`: the same selector and scope (a wider one may see a more
  recent opened message) and N no larger.

A shadowed block's finding carries a customer it blocks. Caps, spend caps and gaps are
`redundant_caps`' business.
"""
from __future__ import annotations

from dataclasses import replace

from ..diagnostics import Diagnostic
from ..model import BlockRule, CooldownRule, PolicySet, Rule, StopConversionRule, StopUnopenedRule
from .describe import json_value
from .dominance import report
from .limits import governs
from .smt import lazy_space

# the rule kinds it claims: `WHY` and `dominates` handle each (tests/test_rule_kinds.py)
KINDS = (BlockRule, CooldownRule, StopConversionRule, StopUnopenedRule)

WHY = {
    BlockRule: "a block on the same or a wider selector whose condition holds whenever this one's does "
               "blocks every message this one blocks",
    CooldownRule: "a cool-down on the same or a wider selector after the same event, at least as long, "
                  "suppresses every message this one suppresses",
    StopConversionRule: "a conversion stop on the same or a wider selector stops every message this one stops",
    StopUnopenedRule: "a stop on the same selector after no more unopened messages stops every message "
                      "this one stops",
}


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)

    blocks_someone: dict[int, bool] = {}  # by id(rule); a block that never blocks is `blocks`' finding (PL503)

    def blocks(b: BlockRule) -> bool:
        if id(b) not in blocks_someone:
            blocks_someone[id(b)] = not space().never(holding=[b.condition])
        return blocks_someone[id(b)]

    def dominates(a: Rule, b: Rule) -> bool:
        if type(a) is not type(b) or not governs(a, b):
            return False
        match a:
            case BlockRule():
                # whether b blocks anyone is asked last: the customers that the implication's
                # query finds when it fails answer it then
                return (a.condition == b.condition or space().never(holding=[b.condition], failing=[a.condition])
                        ) and blocks(b)
            case CooldownRule():
                return a.event_type == b.event_type and a.window.hours >= b.window.hours
            case StopUnopenedRule():
                return a.scope == b.scope and a.selector == b.selector and a.count <= b.count
            case StopConversionRule():
                return True
        raise TypeError(f"shadowing of {type(a).__name__} is not decided here: {a.id}")

    findings = []
    for kind in KINDS:
        rules = [r for r in policy.rules if isinstance(r, kind)]
        findings += report(rules, lambda b, pool: next(([a] for a in pool if dominates(a, b)), []),
                           lambda b, doms, kind=kind: WHY[kind])
    blocks_by_id = {r.id: r for r in policy.rules if isinstance(r, BlockRule)}
    return [_with_example(space(), f, blocks_by_id[f.data["rule"]]) if f.data["rule"] in blocks_by_id else f
            for f in findings]


def _with_example(s, finding: Diagnostic, b: BlockRule) -> Diagnostic:
    """A shadowed block's finding with a customer it blocks (whom the shadowing block blocks too)."""
    customer = s.plain_example(b.condition) or s.example(s.formula(b.condition))
    if customer is None:  # z3 timed out where the search found one: nothing to show
        return finding
    return replace(finding, data=finding.data | {"example": {k: json_value(v) for k, v in customer.items()}})
