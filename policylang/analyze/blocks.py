"""Blocks that never block (PL503, vacuous) or block everyone (PL504), decided with z3.

A vacuous block's message names the parts of its condition that contradict
each other (an unsatisfiable core of its conjuncts); a total block's names the
alternatives that together cover every customer, and carries an example
customer it blocks.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic
from ..model import And, BlockRule, Condition, Not, Or, PolicySet, SegmentRef
from .describe import condition_text, customer_text, json_value, listing
from .smt import lazy_space


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)
    findings = []
    for rule in (r for r in policy.rules if isinstance(r, BlockRule)):
        s = space()
        if s.never(holding=[rule.condition]):
            findings.append(_vacuous(s, rule))
        elif s.never(failing=[rule.condition]):
            findings.append(_total(s, rule))
    return findings


def pieces(condition: Condition, kind: type) -> list[Condition]:
    """The operands of a top-level `and` (kind And) or `or` (kind Or), looking through
    segments and through `not` (De Morgan), as conditions of their own."""
    match condition:
        case SegmentRef(_, inner):
            return pieces(inner, kind)
        case And(operands) | Or(operands) if isinstance(condition, kind):
            return [p for o in operands for p in pieces(o, kind)]
        case Not(operand):
            other = Or if kind is And else And
            return [Not(p) for p in pieces(operand, other)]
    return [condition]


def _core(s, rule: BlockRule, kind: type) -> list[str]:
    """The conjuncts that contradict each other (And), or the alternatives that cover
    every customer (Or), as text."""
    parts = pieces(rule.condition, kind)
    formulas = [(p, s.formula(p) if kind is And else s.z3.Not(s.formula(p))) for p in parts]
    return [condition_text(p) for p in s.conflict(s.z3.BoolVal(True), formulas) or parts]


def _vacuous(s, rule: BlockRule) -> Diagnostic:
    core = _core(s, rule, And)
    reason = (f"`{core[0]}` never holds" if len(core) == 1
              else f"{listing([f'`{c}`' for c in core])} cannot all hold for one customer")
    return Diagnostic("PL503", f"`{rule.id}` never blocks anyone: {reason}; fix the condition or remove the rule",
                      rule.span, data={"rule": rule.id, "conflicting": core})


def _total(s, rule: BlockRule) -> Diagnostic:
    core = _core(s, rule, Or)
    example = s.example(s.formula(rule.condition)) or {}
    reason = (f"`{core[0]}` holds for every customer" if len(core) == 1
              else f"every customer satisfies {listing([f'`{c}`' for c in core], word='or')}")
    return Diagnostic("PL504", f"`{rule.id}` blocks every customer ({reason}, e.g. {customer_text(example)}); "
                               f"fix the condition, or stop sending `{rule.selector}` if that is the intent",
                      rule.span,
                      data={"rule": rule.id, "covering": core,
                            "example": {k: json_value(v) for k, v in example.items()}})
