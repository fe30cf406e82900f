"""Campaign feasibility (PL506) against the reference interpreter.

The analysis plays each campaign on a customer with no other traffic. Here the
reference interpreter plays the same plan for every customer of a grid that
covers every tier the conditions below can tell apart: stage k is decided at
day k's as-of time with the earlier stages in the history as sent touches (or,
on the same day, as earlier candidates of the batch). A reported stage must be
suppressed by the named rule for every customer; every earlier stage, and every
stage of a campaign with no finding, must pass each gap and cap for at least
one customer.
"""
from datetime import timedelta
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st
from reference_support import T, candidate, customer, data, policy, touch

from policylang.analyze import campaigns
from policylang.compilers.reference import explain
from policylang.model import CapRule, GapRule

CONDITIONS = ('tier = "gold"', "vip = true", "age < 30", 'not (tier = "gold")')
GRID = [customer(tier=t, vip=v, age=a) for t, v, a in product(("gold", "silver", None), (True, False, None),
                                                               (20, 40, None))]
CHANNELS = ("email", "sms")


@st.composite
def limits(draw) -> str:
    rules = []
    for i in range(draw(st.integers(1, 3))):
        sel = draw(st.sampled_from(("marketing",) + CHANNELS))
        window = f"{draw(st.integers(1, 7))} days"
        kind = draw(st.sampled_from(("gap", "cap", "tiered")))
        if kind == "gap":
            rules.append(f"gap {sel} {window} as r{i}")
        elif kind == "cap":
            rules.append(f"cap {sel} {draw(st.integers(1, 3))} per {window} as r{i}")
        else:
            branches = [f"  {draw(st.sampled_from(CONDITIONS))}: {draw(st.integers(1, 3))}"
                        for _ in range(draw(st.integers(1, 2)))]
            if draw(st.booleans()):
                branches.append(f"  otherwise: {draw(st.integers(1, 3))}")
            rules.append("\n".join([f"cap {sel} per {window} as r{i} {{", *branches, "}"]))
    return "\n".join(rules)


@st.composite
def plans(draw) -> list[tuple[str, int]]:
    days = sorted(draw(st.lists(st.integers(0, 9), min_size=2, max_size=4)))
    return [(draw(st.sampled_from(CHANNELS)), day) for day in days]


def campaign_text(plan) -> str:
    return "campaign c {\n" + "".join(f"  stage s{i}: {ch} day {day}\n" for i, (ch, day) in enumerate(plan)) + "}"


def failing_rules(policy_set, plan, k, row) -> set[str]:
    """The gaps and caps that fail for stage k (all earlier stages sent) for this customer."""
    start = T - timedelta(days=plan[k][1])
    moment = lambda day: start + timedelta(days=day)  # noqa: E731
    history = [touch(moment(day), channel=ch, campaign_id="c") for ch, day in plan[:k] if day < plan[k][1]]
    batch = [candidate(i, channel=ch, campaign_id="c", priority=len(plan) - i)
             for i, (ch, day) in enumerate(plan[:k + 1]) if day == plan[k][1]]
    (trace,) = [t for t in explain(policy_set, data(batch, customers=[row], touches=history), T)
                if t.candidate["candidate_id"] == k]
    return {c.rule for c in trace.checks if not c.passed and c.kind in ("gap", "cap")}


@settings(max_examples=40, deadline=None)
@given(global_rules=limits(), unit_rules=limits(), plan=plans())
def test_the_simulation_agrees_with_the_reference_interpreter(global_rules, unit_rules, plan):
    policy_set = policy(global_rules, cruises=f"{unit_rules}\n{campaign_text(plan)}")
    findings = campaigns.check(policy_set)
    # the same-day stages of a batch: their order is the order written, so the plan's order is kept
    reported = findings[0].data["stage"] if findings else None
    stages = [f"s{i}" for i in range(len(plan))]
    limit_ids = {r.id for r in policy_set.rules if isinstance(r, (GapRule, CapRule))}
    for k, stage in enumerate(stages[:stages.index(reported) + 1] if reported else stages):
        failing = [failing_rules(policy_set, plan, k, row) for row in GRID]
        if stage == reported:
            assert all(findings[0].data["rule"] in f for f in failing)
        else:
            assert not any(all(rule in f for f in failing) for rule in limit_ids), (stage, failing)


def test_a_stage_inside_a_gap_is_reported_with_both_locations():
    policy_set = policy("gap email 2 days", cruises=campaign_text([("email", 0), ("email", 1)]))
    (finding,) = campaigns.check(policy_set)
    assert finding.code == "PL506" and finding.data["stage"] == "s1" and finding.data["rule"] == "global.gap_email"
    assert finding.span.line == 4 and finding.related[0].span.file == "global.policy"


def test_a_topic_selector_never_matches_a_stage():
    policy_set = policy("gap email topic offers 3 days", cruises=campaign_text([("email", 0), ("email", 1)]))
    assert campaigns.check(policy_set) == []


def test_another_units_rules_do_not_apply():
    policy_set = policy(hotels="gap email 3 days", cruises=campaign_text([("email", 0), ("email", 1)]))
    assert campaigns.check(policy_set) == []
