"""Campaign feasibility (PL506) against the reference interpreter.

The analysis plays each campaign on a customer with no other traffic. Here the
reference interpreter plays the same plan for every customer of a grid that
covers every tier the conditions below can tell apart: day by day, each day's
stages one batch, with the stages sent on earlier days as history. The
reported stage must be the first at which one rule suppresses every customer
of the grid, and the named rule one of those; no finding when there is none.
"""
from datetime import timedelta
from itertools import product

from hypothesis import given, settings
from hypothesis import strategies as st
from reference_support import T, candidate, customer, data, policy, touch

from policylang.analyze import campaigns
from policylang.compilers.reference import explain
from policylang.compilers.reference.conditions import holds
from policylang.compilers.reference.customer import Customer
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


def playthrough(policy_set, plan, row) -> list[set[str]]:
    """The gaps and caps that fail at each stage when the reference interpreter plays the plan for
    one customer: day by day, each day's stages one batch, the stages it sent as history."""
    start = T - timedelta(days=10)
    history, failing = [], {}
    for day in sorted({d for _, d in plan}):
        batch = [candidate(i, channel=ch, campaign_id="c", priority=len(plan) - i)
                 for i, (ch, d) in enumerate(plan) if d == day]
        as_of = start + timedelta(days=day)
        for trace in explain(policy_set, data(batch, customers=[row], touches=list(history)), as_of):
            k = trace.candidate["candidate_id"]
            failing[k] = {c.rule for c in trace.checks if not c.passed and c.kind in ("gap", "cap")}
            if trace.decision.decision == "send":
                history.append(touch(as_of, channel=plan[k][0], campaign_id="c"))
    return [failing[k] for k in range(len(plan))]


@settings(max_examples=40, deadline=None)
@given(global_rules=limits(), unit_rules=limits(), plan=plans())
def test_the_simulation_agrees_with_the_reference_interpreter(global_rules, unit_rules, plan):
    policy_set = policy(global_rules, cruises=f"{unit_rules}\n{campaign_text(plan)}")
    findings = campaigns.check(policy_set)
    plays = [playthrough(policy_set, plan, row) for row in GRID]
    limit_ids = {r.id for r in policy_set.rules if isinstance(r, (GapRule, CapRule))}
    everyone = [{rule for rule in limit_ids if all(rule in p[k] for p in plays)} for k in range(len(plan))]
    first = next((k for k, rules in enumerate(everyone) if rules), None)
    infeasible = [f for f in findings if f.code == "PL506"]
    if first is None:
        assert infeasible == []
    else:
        assert infeasible[0].data["stage"] == f"s{first}" and infeasible[0].data["rule"] in everyone[first]
    for finding in (f for f in findings if f.code == "PL512"):  # its customers lose and get the stage
        k = int(finding.data["stage"][1:])
        assert first is None or k < first
        assert finding.data["rule"] in playthrough(policy_set, plan, example_row(finding.data["example"]))[k]
        if finding.data["example_sent"] is not None:
            assert not playthrough(policy_set, plan, example_row(finding.data["example_sent"]))[k]
    # every stage before the infeasible one that a customer of the grid loses by default is reported
    by_default = {k for p, row in zip(plays, GRID) for k in range(first if first is not None else len(plan))
                  if any(lost_by_default(policy_set, rule_id, row) for rule_id in p[k])}
    assert {int(f.data["stage"][1:]) for f in findings if f.code == "PL512"} == by_default


def lost_by_default(policy_set, rule_id: str, row: dict) -> bool:
    """Does the rule hold the customer by default: a gap, a flat cap, or a tiered cap whose first
    branch that holds for them is `otherwise`?"""
    rule = next(r for r in policy_set.rules if r.id == rule_id)
    if isinstance(rule, GapRule) or not rule.is_tiered:
        return True
    who = Customer(1, row, T, policy_set)
    branch = next((t for t in rule.tiers if t.condition is None or holds(t.condition, who)), None)
    return branch is not None and branch.condition is None


def example_row(example: dict) -> dict:
    """The customer row of a finding's example (attributes it does not show are NULL)."""
    return customer(**example)


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


def test_a_stage_some_customers_lose_by_default_is_reported_with_who_loses_it():
    # gold customers lose s1 and s2 to their tier (1 a day): the `tier = "gold"` branch doing its
    # job, not reported at s1; everyone else sends s0 and s1 and loses s2 to the global cap by
    # default: PL512 at s2, which every customer loses, to a different rule by tier (no PL506)
    policy_set = policy("cap marketing 2 per 1 day as daily",
                        cruises='cap marketing per 1 day as gold_daily {\n  tier = "gold": 1\n}\n'
                                + campaign_text([("email", 0), ("email", 0), ("email", 0)]))
    (finding,) = campaigns.check(policy_set)
    assert finding.code == "PL512"
    assert (finding.data["stage"], finding.data["rule"], finding.data["branch"]) == ("s2", "global.daily", None)
    assert finding.data["segment"] is None and finding.data["example_sent"] is None
    assert "for every customer, by a different rule for each tier" in finding.message
    assert finding.data["example"]["tier"] != "gold"
    assert [h["stage"] for h in finding.data["history"]] == ["s0", "s1"]


def test_an_otherwise_branch_names_the_segment_it_suppresses():
    policy_set = policy("segment young: age < 30",
                        cruises="cap sms per 7 days as sms_weekly {\n  young: 3\n  otherwise: 1\n}\n"
                                + campaign_text([("email", 0), ("sms", 1), ("sms", 3)]))
    (finding,) = campaigns.check(policy_set)
    assert (finding.code, finding.data["stage"], finding.data["rule"]) == ("PL512", "s2", "cruises.sms_weekly")
    assert (finding.data["branch"], finding.data["limit"], finding.data["segment"]) == ("otherwise", 1, "not young")
    assert "customers in `not young`" in finding.message and "(branch `otherwise: 1`)" in finding.message


def test_a_stage_lost_only_to_a_branch_with_a_condition_is_not_reported():
    policy_set = policy("segment young: age < 30",
                        cruises="cap sms per 7 days as sms_weekly {\n  young: 1\n  otherwise: 3\n}\n"
                                + campaign_text([("sms", 0), ("sms", 3)]))
    assert campaigns.check(policy_set) == []


def test_a_stage_every_customer_loses_is_reported_with_the_first_rule_in_evaluation_order():
    policy_set = policy("cap marketing 2 per 1 day as daily",
                        cruises='cap marketing per 1 day as tiered {\n  tier = "gold": 2\n  otherwise: 5\n}\n'
                                + campaign_text([("email", 0), ("sms", 0), ("email", 0)]))
    (finding,) = campaigns.check(policy_set)
    assert (finding.data["stage"], finding.data["rule"]) == ("s2", "global.daily")
