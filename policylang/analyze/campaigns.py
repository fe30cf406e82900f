"""Campaign feasibility (PL506): would a stage be suppressed even for a customer with no other traffic?

Each campaign is played out on an otherwise silent customer: stage `day N` is
a candidate of the campaign's unit, with no topic, decided N days after the
first at the same time of day; stages on one day form one batch, in the order
written; a suppressed stage is not sent and counts against nothing. Against it
run the gaps and caps of the global file and of the unit (docs/language.md, Gap, Cap). With
tiered caps the play depends on the customer: it is played once per class of
customers that the caps' branches tell apart (z3 finds the classes that exist).
The first stage that one rule suppresses in every class is reported, with that
rule (PL506); before it, each stage that some classes lose (PL512,
`campaigns_some`). Consent, blocks, stops and cool-downs depend on the customer's data, not
on the plan, and spend caps on costs a campaign does not state: they are not
played.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import Campaign, CapRule, GapRule, PolicySet, Stage
from . import campaigns_some as some
from .describe import listing, rule_ref
from .smt import lazy_space

HOURS_PER_DAY = 24


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)
    findings = []
    for campaign in policy.campaigns:
        stages = sorted(campaign.stages, key=lambda st: st.day)
        rules = [r for r in policy.rules_for(campaign.business_unit) if isinstance(r, (GapRule, CapRule))
                 and any(r.selector.matches(st.channel, None) for st in stages)]
        classes = list(_classes(space, rules, stages))
        plays = [play(stages, rules, limits) for limits, _ in classes]
        for k, stage in enumerate(stages):
            everyone = [r for r in rules if all(any(f is r for f in p[k][0]) for p in plays)]
            if everyone:
                findings.append(_finding(campaign, stage, everyone[0], plays[0][k][1]))
                break
            losing = [c for c, p in enumerate(plays) if p[k][0]]
            if any(some.by_default(classes[c][0], plays[c][k][0]) for c in losing):
                findings.append(some.finding(space(), campaign, stage, k, classes, plays, losing, counted))
    return findings


def counted(rule: GapRule | CapRule, stage: Stage, sent: list[Stage]) -> list[Stage] | None:
    """The stages sent before that the rule counts against `stage`, or None when it does not
    apply to the stage. A stage has no topic, so a topic selector never matches it."""
    if not rule.selector.matches(stage.channel, None):
        return None
    return [e for e in sent if rule.selector.matches(e.channel, None)
            and (stage.day - e.day) * HOURS_PER_DAY < rule.window.hours]


def play(stages: list[Stage], rules: list, limits: dict[int, int | None]) -> list[tuple[list, list[Stage]]]:
    """(the rules that fail, the stages sent before) at each stage, for a customer whose tiered
    caps give the limits `limits` (by id of the rule; None: the cap never fails for them; a
    tiered cap missing from `limits` never can)."""
    sent, result = [], []
    for stage in stages:
        failing = []
        for rule in rules:
            seen, limit = counted(rule, stage, sent), _limit(rule, limits)
            if seen is not None and limit is not None and len(seen) >= limit:
                failing.append(rule)
        result.append((failing, list(sent)))
        if not failing:
            sent.append(stage)
    return result


def _limit(rule: GapRule | CapRule, limits: dict[int, int | None]) -> int | None:
    """The limit the rule holds a class of customers to; None when it never fails for them."""
    if isinstance(rule, GapRule):
        return 1
    return limits.get(id(rule)) if rule.is_tiered else rule.tiers[0].limit


def _classes(space, rules: list, stages: list[Stage]):
    """For each class of customers the tiered caps among `rules` tell apart and that exists,
    (the limits they give it by id of the rule, the class as (rule, condition) parts, one per
    tiered cap that can bind); a single empty class without tiered caps. Limits above the most
    stages a cap can ever count behave alike (the cap never fails), so such branches, and
    customers no branch places, form one class."""
    options = []
    for rule in (r for r in rules if isinstance(r, CapRule) and r.is_tiered):
        most = max(len(counted(rule, st, stages[:k]) or ()) for k, st in enumerate(stages))
        binding = sorted({t.limit for t in rule.tiers if t.limit <= most})
        if binding:
            options.append((rule, [(some.group(space(), rule, limit), limit) for limit in binding]
                            + [(some.group(space(), rule, None, most), None)]))
    if not options:
        yield {}, []
        return
    s = space()

    def walk(i: int, chosen: list, limits: dict):
        if i == len(options):
            yield limits, chosen
            return
        rule, groups = options[i]
        for region, limit in groups:
            if not s.never(holding=[*(c for _, c in chosen), region]):
                yield from walk(i + 1, chosen + [(rule, region)], limits | {id(rule): limit})

    yield from walk(0, [], {})


def _finding(campaign: Campaign, stage: Stage, rule: GapRule | CapRule, sent: list[Stage]) -> Diagnostic:
    seen = counted(rule, stage, sent)
    after = f", after {listing([f'`{e.name}` (day {e.day})' for e in seen])}" if seen else ""
    return Diagnostic(
        "PL506",
        f"stage `{stage.name}` of campaign `{campaign.name}` (`{stage.channel}` on day {stage.day}) is suppressed by "
        f"{rule_ref(rule)} for every customer, even one with no other traffic{after}; space the stages "
        "further apart or relax the rule",
        stage.span,
        related=(Related(rule.span, "the rule that suppresses the stage"),),
        data={"campaign": campaign.name, "stage": stage.name, "rule": rule.id,
              "example": {"history": [{"stage": e.name, "channel": e.channel, "day": e.day} for e in sent]}},
    )
