"""Tier branches: unreachable ones (PL502) and overlapping ones across units (PL505).

Whether a branch or a pair of branches can be reached is asked of `Space.never` (a known customer, the
finite search, else z3); z3 is asked for the counter-example a finding shows.

A branch of a tiered cap is unreachable when no customer makes it the first
branch that holds: its own condition never holds, or the earlier branches
cover every customer it matches (the message names a smallest set of them).
Overlap: two business units cap the same selector over the same window with
tiers, and one customer falls into a branch of each with different limits and
different conditions, so the units rank that customer differently. That may be
deliberate, hence only information; it carries the customer, and each tiered
cap is reported once at most, against the first earlier unit's cap it
conflicts with.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import CapRule, PolicySet, Tier
from .describe import condition_text, customer_text, json_value, listing, window_text
from .smt import lazy_space


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)
    tiered = [r for r in policy.rules if isinstance(r, CapRule) and r.is_tiered]
    findings = [f for rule in tiered for f in _unreachable(space(), rule)]
    units = [r for r in tiered if not r.is_global]
    for k, b in enumerate(units):  # each cap is reported once, with the first earlier unit's cap it conflicts with
        others = (a for a in units[:k] if a.scope != b.scope and a.selector == b.selector and a.window == b.window)
        findings += next((found for a in others if (found := _overlap(space(), a, b))), [])
    return findings


def branch_text(tier: Tier) -> str:
    return f"{condition_text(tier.condition)}: {tier.limit}"


def _example(customer: dict) -> dict:
    return {k: json_value(v) for k, v in customer.items()}


def _empty(s, conditions: list, i: int, also=(), also_failing=()) -> bool:
    """No customer for whom branch i is the first of `conditions` to hold (None: `otherwise`), while the
    conditions `also` hold and `also_failing` fail: `Space.never`, which asks z3 only when it must."""
    failing = [*conditions[:i], *also_failing]
    if None in failing:  # an `otherwise` (true for every customer) cannot fail
        return True
    holding = [c for c in (conditions[i], *also) if c is not None]
    return s.never(holding=holding, failing=failing)


def _unreachable(s, rule: CapRule) -> list[Diagnostic]:
    conditions = [t.condition for t in rule.tiers]
    findings = []
    for i, tier in enumerate(rule.tiers):
        if not _empty(s, conditions, i):
            continue
        what = f"branch `{branch_text(tier)}` of `{rule.id}` is never used"
        if tier.condition is not None and s.never(holding=[tier.condition]):
            findings.append(Diagnostic("PL502",
                                       f"{what}: its condition never holds; fix the condition or remove the branch",
                                       tier.span, data={"rule": rule.id, "branch": branch_text(tier)}))
            continue
        formulas, regions = [s.formula(c) for c in conditions], s.first_match(conditions)
        covering = s.conflict(formulas[i], [(j, s.z3.Not(formulas[j])) for j in range(i)]) or list(range(i))
        examples = ((s.example(formulas[i], regions[j]), j) for j in range(i))
        customer, taken = next(((found, j) for found, j in examples if found is not None),
                               ({}, covering[0]))
        earlier = listing([f"`{branch_text(rule.tiers[j])}` (line {rule.tiers[j].span.line})" for j in covering])
        findings.append(Diagnostic(
            "PL502",
            f"{what}: every customer it matches is taken first by {earlier}, e.g. {customer_text(customer)} "
            f"gets `{branch_text(rule.tiers[taken])}`; reorder the branches or narrow the earlier condition",
            tier.span,
            related=tuple(Related(rule.tiers[j].span, "this earlier branch takes its customers") for j in covering),
            data={"rule": rule.id, "branch": branch_text(tier),
                  "covered_by": [branch_text(rule.tiers[j]) for j in covering],
                  "example": _example(customer)},
        ))
    return findings


def _overlap(s, a: CapRule, b: CapRule) -> list[Diagnostic]:
    """The first pair of conflicting branches of `a` and `b` that one customer can fall into."""
    a_conditions, b_conditions = [t.condition for t in a.tiers], [t.condition for t in b.tiers]
    pairs = [(i, j) for i, ta in enumerate(a.tiers) for j, tb in enumerate(b.tiers)
             if ta.limit != tb.limit and ta.condition is not None and tb.condition is not None
             and ta.condition != tb.condition]
    both = ((i, j) for i, j in pairs  # branch i first of `a` and branch j first of `b`, for one customer
            if not _empty(s, a_conditions, i, [b_conditions[j]], b_conditions[:j]))
    found = next(both, None)
    if found is None:
        return []
    i, j = found
    customer = s.example(s.first_match(a_conditions)[i], s.first_match(b_conditions)[j])
    if customer is None:  # z3 timed out where the search found one: no example to show, no finding
        return []
    ta, tb = a.tiers[i], b.tiers[j]
    return [Diagnostic(
        "PL505",
        f"a customer can be in branch `{branch_text(tb)}` of `{b.id}` and in `{branch_text(ta)}` of `{a.id}` at once, "
        f"e.g. {customer_text(customer)}: `{b.scope}` allows them {tb.limit} and `{a.scope}` {ta.limit} `{a.selector}` "
        f"messages per {window_text(a.window)}; make the conditions disjoint if the units should rank customers alike",
        tb.span,
        related=(Related(ta.span, f"the overlapping branch of `{a.id}`"),),
        data={"rules": [a.id, b.id], "branches": [branch_text(ta), branch_text(tb)], "example": _example(customer)},
    )]
