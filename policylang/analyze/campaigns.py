"""Campaign feasibility (PL506): would a stage be suppressed even for a customer with no other traffic?

Each campaign is played out on one otherwise silent customer: stage `day N`
is a candidate of the campaign's unit, with no topic, decided N days after the
first at the same time of day; stages on one day form one batch, in the order
written. What came before are the earlier stages, all sent. Against it run the
gaps and caps of the global file and of the unit (SPEC 5.5, 5.6) in evaluation
order; the first stage that one of them suppresses for every customer is
reported, with that rule. A tiered cap suppresses every customer when every
customer it can place gets a limit no larger than the count (z3 decides it).
Consent, blocks, stops and cool-downs depend on the customer, not the plan,
and spend caps on costs a campaign does not state: they are not simulated.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import Campaign, CapRule, GapRule, PolicySet, Rule, Stage
from .describe import listing, rule_ref
from .smt import lazy_space

HOURS_PER_DAY = 24


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)
    findings = []
    for campaign in policy.campaigns:
        rules = [r for r in policy.rules_for(campaign.business_unit) if isinstance(r, (GapRule, CapRule))]
        stages = sorted(campaign.stages, key=lambda st: st.day)
        for k, stage in enumerate(stages):
            failing = next((r for r in rules if _fails_everyone(space, r, stage, stages[:k])), None)
            if failing is not None:
                findings.append(_finding(campaign, stage, stages[:k], failing))
                break
    return findings


def counted(rule: GapRule | CapRule, stage: Stage, earlier: list[Stage]) -> list[Stage] | None:
    """The earlier stages the rule counts against `stage`, or None when it does not apply
    to the stage. A stage has no topic, so a topic selector never matches it."""
    if not rule.selector.matches(stage.channel, None):
        return None
    return [e for e in earlier if rule.selector.matches(e.channel, None)
            and (stage.day - e.day) * HOURS_PER_DAY < rule.window.hours]


def _fails_everyone(space, rule: Rule, stage: Stage, earlier: list[Stage]) -> bool:
    seen = counted(rule, stage, earlier)
    if not seen:
        return False
    if isinstance(rule, GapRule):
        return True
    if not rule.is_tiered:
        return rule.tiers[0].limit <= len(seen)
    s = space()
    # every customer must be placed by a branch, and by none that allows more
    regions = s.first_match(t.condition for t in rule.tiers)
    roomy = [r for r, t in zip(regions, rule.tiers) if t.limit > len(seen)]
    return s.impossible(s.z3.Or(roomy + [s.z3.Not(s.z3.Or(regions))]))


def _finding(campaign: Campaign, stage: Stage, earlier: list[Stage], rule: GapRule | CapRule) -> Diagnostic:
    seen = counted(rule, stage, earlier)
    before = listing([f"`{e.name}` (day {e.day})" for e in seen])
    return Diagnostic(
        "PL506",
        f"stage `{stage.name}` of campaign `{campaign.name}` (`{stage.channel}` on day {stage.day}) is suppressed by "
        f"{rule_ref(rule)} even for a customer with no other traffic, after {before}; space the stages further "
        "apart or relax the rule",
        stage.span,
        related=(Related(rule.span, "the rule that suppresses the stage"),),
        data={"campaign": campaign.name, "stage": stage.name, "rule": rule.id,
              "example": {"history": [{"stage": e.name, "channel": e.channel, "day": e.day} for e in earlier]}},
    )
