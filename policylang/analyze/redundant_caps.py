"""Dead caps: a cap, spend cap or gap that can never bind (PL500, PL509; PL508 for a gap).

Limit A makes limit B redundant when A counts every message B counts (an equal
or wider selector, `marketing` ⊇ `email` ⊇ `email topic offers`, and an equal or
wider scope, global ⊇ unit), over a window at least as long, and for every
customer B applies to A applies with a limit no larger: then A's count is
never below B's, so B never fails alone. A gap is the count limit 1 per its
duration. Tiered limits compare branch by branch: each of B's branches, over
the customers it is the first to hold for, must be covered by branches of the
dominating limits with limits no larger (decided with z3; flat limits need
none). Spend caps compare with spend caps only, assuming costs of at least 0.
The caps kept are then looked at branch by branch (`branches`: PL510, PL511).
"""
from __future__ import annotations

from dataclasses import replace

from ..diagnostics import Diagnostic
from ..model import PolicySet, Rule
from . import branches
from .describe import condition_text, json_value, window_text
from .dominance import prune, redundancy_finding
from .limits import Limit, as_limit, governs, limits
from .smt import lazy_space


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)
    views = {id(limit.rule): limit for limit in limits(policy)}

    def dominators(b: Rule, pool: list[Rule]) -> list[Rule]:
        target = views[id(b)]
        candidates = [views[id(a)] for a in pool if _may_dominate(views[id(a)], target)]
        for a in candidates:
            if _covered(space, target, [a]):
                return [a.rule]
        if len(candidates) < 2 or not _covered(space, target, candidates):
            return []
        needed = list(candidates)  # drop what the others cover without, the latest first
        for a in reversed(candidates):
            rest = [c for c in needed if c is not a]
            if len(rest) > 1 and _covered(space, target, rest):
                needed = rest
        return [a.rule for a in needed]

    dead = prune([limit.rule for limit in views.values()], dominators)
    return ([_with_example(space, redundancy_finding(b, doms, _why(b, doms)), views[id(b)],
                           [views[id(a)] for a in doms]) for b, doms in dead]
            + branches.findings(space, list(views.values()), {id(b) for b, _ in dead}))


def _may_dominate(a: Limit, b: Limit) -> bool:
    return a.kind == b.kind and a.window.hours >= b.window.hours and governs(a.rule, b.rule)


def _covered(space, b: Limit, dominating: list[Limit]) -> bool:
    """For every customer and branch of `b` that is the first to hold, some dominating
    limit applies with a limit no larger. (A branch nothing is as strict as counts as
    not covered even if no customer reaches it: `tiers` reports that branch.)"""
    needs_z3 = []
    for i, branch in enumerate(b.branches):
        stricter = [(a, j) for a in dominating for j, other in enumerate(a.branches) if other.limit <= branch.limit]
        if not stricter:
            return False
        if not any(a.is_flat for a, _ in stricter):  # a flat limit applies to every customer
            needs_z3.append((i, stricter))
    if not needs_z3:
        return True
    s = space()
    b_regions = s.first_match(b.conditions)
    for i, stricter in needs_z3:
        covering = s.z3.Or([s.first_match(a.conditions)[j] for a, j in stricter])
        if not s.impossible(b_regions[i], s.z3.Not(covering)):
            return False
    return True


def _with_example(space, finding: Diagnostic, b: Limit, doms: list[Limit]) -> Diagnostic:
    """The finding with a customer of `b`'s first branch that some customer reaches, the limit `b`
    gives them and the dominating limit and branch that applies to them first (a flat limit's
    customer is any customer, `{}`)."""
    regions = {}

    def region(limit: Limit, i: int):
        if id(limit.rule) not in regions:
            regions[id(limit.rule)] = branches.first_holding(limit.conditions)
        return regions[id(limit.rule)][i]

    for i, branch in enumerate(b.branches):
        for a in doms:
            for j, other in enumerate(a.branches):
                if other.limit > branch.limit:
                    continue
                if b.is_flat and a.is_flat:
                    customer = {}
                else:
                    s = space()
                    customer = (s.plain_example(region(b, i), region(a, j))
                                or s.example(s.formula(region(b, i)), s.formula(region(a, j))))
                    if customer is None:
                        continue
                return replace(finding, data=finding.data | {
                    "branch": condition_text(branch.condition), "limit": json_value(branch.limit),
                    "example": {k: json_value(v) for k, v in customer.items()},
                    "example_limit": {"rule": a.rule.id, "branch": condition_text(other.condition),
                                      "limit": json_value(other.limit)}})
    return finding


def _why(b: Rule, doms: list[Rule]) -> str:
    b_view = as_limit(b)
    return (f"a rule that counts every message `{b.id}` counts (selector `{b.selector}` or wider, same scope or "
            f"global) over a window of at least {window_text(b.window)}, with a "
            f"{'budget' if b_view.kind == 'spend' else 'limit'} no larger for every customer, always fails first")
