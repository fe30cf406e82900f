"""Campaign stages suppressed for some customers only (PL512), with who loses them, to which rule and tier.

`campaigns` plays a campaign once per class of customers that the tiered caps
over it tell apart (each class: for each tiered cap, the customers it holds to
one limit, or to none that can bind). A stage that some classes lose, on an
otherwise silent history, but not one rule in every class (that is PL506), is
reported with a customer who loses it (z3 finds one in the first losing class,
in the branch of the suppressing cap that gives the class its limit), the rule
and branch, and the customers affected in the policy's own terms: the classes
that lose it, written with the caps' branch conditions (`not high_value`), as
one cap's branches when that cap alone tells losers from the others. A class
that sends the stage gives a customer who gets it.

A stage is reported only when some class loses it by default: to a gap, a
flat cap, or a tiered cap's `otherwise` branch (customers the policy did not
single out). A stage lost only to a branch with a condition (`dormant: 1`:
the policy chose to write less to those customers) is that branch doing its
job, and is not reported (docs/findings.md, PL512).
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import And, Campaign, CapRule, Condition, Const, Not, Or, Stage
from .describe import condition_text, customer_text, json_value, listing, rule_ref


def group(s, rule: CapRule, limit: int | None, most: int = 0) -> Condition:
    """The customers the tiered cap holds to `limit` (the first branch that holds gives it); with
    `limit` None, those it holds to none of at most `most` (a roomier branch, or no branch holds)."""
    regions = [region(s, rule, i) for i in range(len(rule.tiers))]
    if limit is not None:
        picked = [r for r, t in zip(regions, rule.tiers) if t.limit == limit]
    else:
        picked = [r for r, t in zip(regions, rule.tiers) if t.limit > most]
        if rule.tiers[-1].condition is not None:
            picked.append(_all([Not(t.condition) for t in rule.tiers]))
    return _any(picked)


def region(s, rule: CapRule, i: int) -> Condition:
    """"Branch i is the first that holds", without the earlier branches no customer of it can match."""
    condition = rule.tiers[i].condition
    earlier = [t.condition for t in rule.tiers[:i] if t.condition is not None]
    if condition is not None:
        earlier = [c for c in earlier if not s.never(holding=[condition, c])]
    return _all(([condition] if condition is not None else []) + [Not(c) for c in earlier])


def _all(parts: list[Condition]) -> Condition:
    return Const(True) if not parts else parts[0] if len(parts) == 1 else And(tuple(parts))


def _any(parts: list[Condition]) -> Condition:
    return Const(False) if not parts else parts[0] if len(parts) == 1 else Or(tuple(parts))


def segment(classes: list, losing: list[int]) -> Condition:
    """The customers of the `losing` classes: one tiered cap's groups when that cap's group alone
    tells every losing class from every other, else the union of the classes."""
    parts = [p for _, p in classes]
    for d in range(len(parts[0])):
        groups = {id(parts[c][d][1]): parts[c][d][1] for c in losing}
        if all((id(p[d][1]) in groups) == (c in losing) for c, p in enumerate(parts)):
            return _any(list(groups.values()))
    return _any([_all([condition for _, condition in parts[c]]) for c in losing])


def by_default(limits: dict, failing: list) -> bool:
    """Is one of the rules that suppress a stage for a class (which the tiered caps hold to `limits`)
    a gap, a flat cap, or a tiered cap whose `otherwise` branch gives the class its limit?"""
    return any(_default(rule, limits) for rule in failing)


def _default(rule, limits: dict) -> bool:
    if not isinstance(rule, CapRule) or not rule.is_tiered:
        return True
    last = rule.tiers[-1]
    return last.condition is None and limits.get(id(rule)) == last.limit


def finding(s, campaign: Campaign, stage: Stage, k: int, classes: list, plays: list, losing: list[int],
            seen) -> Diagnostic:
    """PL512 for stage `stage` (the k-th played) that the `losing` classes lose; `seen(rule, stage,
    sent)` is the stages sent before that the rule counts against it."""
    first = next(c for c in losing if by_default(classes[c][0], plays[c][k][0]))
    limits, parts = classes[first]
    failing, sent = plays[first][k]
    rule = next(r for r in failing if _default(r, limits))
    within = [s.formula(condition) for _, condition in parts]
    customer, branch = s.example(*within) or {}, None
    if isinstance(rule, CapRule) and rule.is_tiered:  # the customer of its `otherwise` branch
        branch = rule.tiers[-1]
        customer = s.example(*within, s.formula(region(s, rule, len(rule.tiers) - 1))) or customer
    kept = next((c for c in range(len(classes)) if c not in losing), None)
    sent_to = s.example(*(s.formula(c) for _, c in classes[kept][1])) or {} if kept is not None else None
    who = condition_text(segment(classes, losing)) if kept is not None else None
    after = seen(rule, stage, sent)
    tier = f" (branch `{condition_text(branch.condition)}: {branch.limit}`)" if branch else ""
    whom = f"customers in `{who}`" if who else "every customer, by a different rule for each tier"
    return Diagnostic(
        "PL512",
        f"stage `{stage.name}` of campaign `{campaign.name}` (`{stage.channel}` on day {stage.day}) is suppressed "
        f"for {whom}, even with no other traffic: e.g. {customer_text(customer)} loses it to {rule_ref(rule)}{tier}"
        + (f" after {listing([f'`{e.name}` (day {e.day})' for e in after])}" if after else "")
        + (f", while {customer_text(sent_to)} gets it" if sent_to is not None else "")
        + "; space the stages further apart, or relax the rule for those customers",
        stage.span,
        related=(Related(branch.span if branch else rule.span, "the rule that suppresses the stage"),),
        data={"campaign": campaign.name, "stage": stage.name, "rule": rule.id,
              "branch": condition_text(branch.condition) if branch else None,
              "limit": branch.limit if branch else None, "segment": who,
              "example": {key: json_value(v) for key, v in customer.items()},
              "example_sent": None if sent_to is None else {key: json_value(v) for key, v in sent_to.items()},
              "history": [{"stage": e.name, "channel": e.channel, "day": e.day} for e in sent]},
    )
