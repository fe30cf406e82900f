"""Tier branches that bind for none or only some of their customers: PL510 and PL511.

`redundant_caps` reports a limit that never binds for anyone. This check looks
inside the tiered caps it keeps, branch by branch. A branch is dominated for one customer when another limit that
counts every message it counts (`governs`: an equal or wider selector, the
global file or the same unit) over a window at least as long gives that
customer a limit no larger: that limit's count is never below this one's, so
it fails whenever this one does, and the branch changes no decision for them.

- every customer who reaches the branch (it is the first to hold) is
  dominated: the branch never binds (PL510), named with the fewest limits
  that together cover it and a customer with the limit they give;
- a branch with a condition (a promise made to a segment) holds some of its
  customers to a limit that another cap lowers, and binds for others: PL511
  (information), with a customer of each kind. A flat cap or an `otherwise`
  branch under a stricter tier of a wider cap (a global `dormant: 1` under
  which a unit sends 2 e-mails a week) is ordinary layering, and a limit
  equal to this one's breaks no promise: neither is reported.

A dominating limit may be dead itself: dominance is transitive, so a limit
that is not fails first all the same. Two limits that could dominate each
other (one selector, scope and window) are told apart by evaluation order:
only the earlier dominates, as `redundant_caps` reports the later of two
equivalent rules. Gaps dominate as the cap 1 per their duration. A flat cap,
and a spend cap (spend caps have no tiers and compare with spend caps only),
is dead for every customer (PL500, PL509) or binds for every one. Unreachable
branches are `tiers`' finding (PL502), not this one's.

Whether a customer exists is asked of `Space.never` (a known customer, the
finite search, else z3) with each branch's region written as a condition;
z3 finds the customers a finding shows.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import GLOBAL, And, CapRule, Condition, Const, Not, Or
from .describe import condition_text, customer_text, json_value, listing, rule_ref
from .limits import Limit, governs


def findings(space, views: list[Limit], dead: set[int]) -> list[Diagnostic]:
    """PL510 and PL511 for the count caps among `views` (every limit, in evaluation order) whose
    rule is not in `dead` (ids of the rules `redundant_caps` reports); `space` is a `lazy_space`."""
    order = {id(v.rule): k for k, v in enumerate(views)}
    regions: dict[int, list[Condition]] = {}  # id(rule) -> each branch's region, kept so their ids stay valid

    def region(limit: Limit, i: int) -> Condition:
        if id(limit.rule) not in regions:
            regions[id(limit.rule)] = first_holding(limit.conditions)
        return regions[id(limit.rule)][i]

    by_scope: dict[str, list[Limit]] = {}
    for v in views:
        by_scope.setdefault(v.scope, []).append(v)
    found = []
    for b in views:
        if not isinstance(b.rule, CapRule) or b.is_flat or id(b.rule) in dead:
            continue
        pool = by_scope[GLOBAL] if b.scope == GLOBAL else by_scope.get(GLOBAL, []) + by_scope[b.scope]
        wider = [a for a in pool if _dominates(a, b, order)]
        for i, branch in enumerate(b.branches):
            stricter = [(a, j) for a in wider for j, other in enumerate(a.branches) if other.limit <= branch.limit]
            if not stricter:
                continue
            s = space()
            reach = region(b, i)
            covered = Or(tuple(region(a, j) for a, j in stricter))
            if any(a.is_flat for a, _ in stricter) or s.never(holding=[reach], failing=[covered]):
                if not s.never(holding=[reach]):  # an unreachable branch is `tiers`' finding (PL502)
                    found.append(_dead(s, b, i, stricter, region))
            elif branch.condition is not None and (lower := [(a, j) for a, j in stricter
                                                            if a.branches[j].limit < branch.limit]):
                if not s.never(holding=[reach, Or(tuple(region(a, j) for a, j in lower))]):
                    found.append(_partly(s, b, i, lower, covered, region))
    return found


def first_holding(conditions: list[Condition | None]) -> list[Condition]:
    """For branches tried in order, a condition "branch i is the first that holds" for each."""
    result = []
    for i, condition in enumerate(conditions):
        earlier = tuple(Not(c) for c in conditions[:i] if c is not None)
        parts = ((condition,) if condition is not None else ()) + earlier
        result.append(parts[0] if len(parts) == 1 else And(parts) if parts else Const(True))
    return result


def _dominates(a: Limit, b: Limit, order: dict[int, int]) -> bool:
    """Can limit `a` dominate `b`: another count limit that counts every message `b` counts over a
    window at least as long, and, if `b` could dominate it as well, earlier in evaluation order."""
    if a is b or a.kind != b.kind or a.window.hours < b.window.hours or not governs(a.rule, b.rule):
        return False
    mutual = a.window.hours == b.window.hours and governs(b.rule, a.rule)
    return not mutual or order[id(a.rule)] < order[id(b.rule)]


def branch_name(limit: Limit, i: int) -> str:
    """`vip = true: 6`, as written in the cap."""
    branch = limit.branches[i]
    return f"`{condition_text(branch.condition)}: {branch.limit}`"


def _giving(s, b: Limit, i: int, stricter: list, region) -> tuple[dict, Limit, int]:
    """A customer of branch i of `b` dominated by one of `stricter`, with the first limit and branch
    of `stricter` that applies to them (a customer found earlier if one fits, else z3's)."""
    for a, j in stricter:
        customer = (s.plain_example(region(b, i), region(a, j))
                    or s.example(s.formula(region(b, i)), s.formula(region(a, j))))
        if customer is not None:
            return customer, a, j
    return {}, *stricter[0]  # z3 timed out where the finite search found one: the finding stands, unshown


def _covering(s, b: Limit, i: int, stricter: list, region) -> list:
    """The fewest of `stricter` that together take every customer of branch i (an unsatisfiable core)."""
    parts = [((a, j), s.z3.Not(s.formula(region(a, j)))) for a, j in stricter]
    return s.conflict(s.formula(region(b, i)), parts) or stricter


def _about(limit: Limit, j: int) -> dict:
    branch = limit.branches[j]
    return {"rule": limit.rule.id, "branch": condition_text(branch.condition), "limit": json_value(branch.limit)}


def _example(customer: dict) -> dict:
    return {k: json_value(v) for k, v in customer.items()}


def _dead(s, b: Limit, i: int, stricter: list, region) -> Diagnostic:
    covering = _covering(s, b, i, stricter, region)
    customer, a, j = _giving(s, b, i, covering, region)
    rules = list(dict.fromkeys(x.rule for x, _ in covering))
    branch = b.branches[i]
    verb = "allows" if len(rules) == 1 else "together allow"
    most = max(x.branches[k].limit for x, k in covering)
    return Diagnostic(
        "PL510",
        f"branch {branch_name(b, i)} of `{b.rule.id}` can never bind: for every customer it applies to, "
        f"{listing([rule_ref(r) for r in rules])} {verb} at most {most}, counting every message it counts, "
        f"e.g. {customer_text(customer)} is allowed {a.branches[j].limit} by `{a.rule.id}`; "
        f"lower the branch to the stricter limit, or remove it",
        branch.span,
        related=tuple(Related(x.branches[k].span, f"`{x.rule.id}` is at least as strict here")
                      for x, k in covering),
        data={"rule": b.rule.id, **_branch(b, i), "dominated_by": [r.id for r in rules],
              "example": _example(customer), "example_limit": _about(a, j)},
    )


def _partly(s, b: Limit, i: int, lower: list, covered: Condition, region) -> Diagnostic:
    """PL511: `lower` holds some of the branch's customers to less; for some no limit in `covered` applies."""
    customer, a, j = _giving(s, b, i, lower, region)
    binding = (s.plain_example(region(b, i), Not(covered))
               or s.example(s.formula(region(b, i)), s.z3.Not(s.formula(covered))) or {})
    branch = b.branches[i]
    return Diagnostic(
        "PL511",
        f"branch {branch_name(b, i)} of `{b.rule.id}` binds only for some of its customers: "
        f"{customer_text(customer)} is held to {a.branches[j].limit} by {rule_ref(a.rule)} first, "
        f"{customer_text(binding)} to {branch.limit} by this branch; nothing to do if that is intended, "
        "else make the limits agree",
        branch.span,
        related=(Related(a.branches[j].span, f"`{a.rule.id}` is stricter for some of its customers here"),),
        data={"rule": b.rule.id, **_branch(b, i), "example": _example(customer), "example_limit": _about(a, j),
              "example_binding": _example(binding)},
    )


def _branch(b: Limit, i: int) -> dict:
    branch = b.branches[i]
    return {"branch": condition_text(branch.condition), "limit": json_value(branch.limit)}
