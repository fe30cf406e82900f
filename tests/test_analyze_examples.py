"""Every dead-limit, dead-branch, partly-binding and per-customer campaign finding (PL500, PL508 and
PL509 on caps, spend caps, gaps and blocks, PL510, PL511, PL512) of the corpus
(tests/analysis_cases/), of the registry's examples and of random dense policy sets, confirmed by the
reference interpreter on the silent history the finding assumes:

- PL508, PL509 on a block: the example customer is blocked by it and by the block that shadows it;
- PL500, PL508, PL509 on a limit, and PL510: the example customer, with as many matching messages in
  the window as the dominating limit allows them (a spend cap: that much spent), is suppressed by it
  while the dead rule or branch (its limit checked to be the one the interpreter gives the customer)
  still passes; with as many as the dead one allows, both fail;
- PL511: the same for the dominated customer; for the binding customer, the branch fails at its
  limit while the other cap passes;
- PL512: the campaign played for the example customer, day by day with the stages it sent as history,
  loses the stage to the rule named (in the branch named); the customer it is sent to gets it.
"""
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from strategies.config import AS_OF
from test_analyze_properties import PROPERTY, concrete, dense_policy_sets, resolved

from policylang.analyze import analyze
from policylang.codes import REGISTRY
from policylang.compilers.reference import explain
from policylang.dataset import Dataset
from policylang.findings_doc import example_files
from policylang.model import GLOBAL, SpendCapRule
from policylang.project import load_project

CASES = Path(__file__).parent / "analysis_cases"
CODES = ("PL510", "PL511", "PL512")
DEAD_LIMITS = ("PL500", "PL508", "PL509")  # of a cap, spend cap or gap (`example_limit`), or a block (`example`)
T = AS_OF


def projects(tmp_root: Path):
    for case in sorted(p for p in CASES.iterdir() if p.is_dir()):
        yield case.name, case
    for code in CODES:
        folder = tmp_root / code
        for path, text in example_files(REGISTRY[code].example).items():
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_text(text, encoding="utf-8")
        yield code, folder


def confirmed_findings(tmp_path):
    found = []
    for name, folder in projects(tmp_path):
        project = load_project(folder)
        assert not project.diagnostics, [d.message for d in project.diagnostics]
        found += [(name, project.policy, d) for d in analyze(project.policy)
                  if d.code in CODES or (d.code in DEAD_LIMITS and "example" in d.data)]
    return found


def row(policy, example: dict) -> dict:
    """The customer row of an example (attributes it does not show are NULL)."""
    return concrete(policy, example).row


def rule(policy, rule_id):
    return next(r for r in policy.rules if r.id == rule_id)


def checks(policy, cap, example: dict, sent: int) -> dict:
    """The verdicts of the gaps and caps on one candidate the cap governs, for the example customer
    with `sent` matching marketing messages in the cap's window (for a spend cap, `sent` spent in
    one): {rule id: Check}."""
    channel = cap.selector.channel or policy.channels[0]
    unit = cap.scope if cap.scope != GLOBAL else policy.business_units[0]
    message = dict(customer_id=1, channel=channel, business_unit=unit, campaign_id=None, topic=cap.selector.topic,
                   message_class="marketing")
    if isinstance(cap, SpendCapRule):  # `sent` spent in one message, and a candidate costing the least it can
        touches, cost = [touch(message, 0, Decimal(sent))], Decimal("0.0001")
    else:
        touches, cost = [touch(message, n, None) for n in range(int(sent))], None
    customer = concrete(policy, example)  # the touches and events its score counts sit outside every window
    data = Dataset(customers=[customer.row], touches=customer.touches + touches, events=customer.events,
                   consents=[dict(customer_id=1, channel=channel, topic=None, brand=None, status="opt_in",
                                  updated_at=None)],
                   candidates=[message | dict(candidate_id=1, priority=1, cost=cost)])
    (trace,) = explain(policy, data, T)
    return {c.rule: c for c in trace.checks if c.kind in ("gap", "cap", "spend cap")}


def block_checks(policy, block, example: dict) -> list:
    """The verdicts on one candidate the block governs, for the example customer with no history."""
    channel = block.selector.channel or policy.channels[0]
    unit = block.scope if block.scope != GLOBAL else policy.business_units[0]
    customer = concrete(policy, example)
    data = Dataset(customers=[customer.row], touches=customer.touches, events=customer.events,
                   candidates=[dict(candidate_id=1, customer_id=1, channel=channel, business_unit=unit,
                                    campaign_id=None, topic=block.selector.topic, message_class="marketing",
                                    priority=1, cost=None)])
    (trace,) = explain(policy, data, T)
    return trace.checks


def touch(message: dict, n: int, cost) -> dict:
    return message | dict(sent_at=T - timedelta(minutes=30 + n), cost=cost, opened_at=None, clicked_at=None,
                          converted_at=None)


def assert_dominated(policy, finding, example):
    b, a = rule(policy, finding.data["rule"]), finding.data["example_limit"]
    low, high = Decimal(str(a["limit"])), Decimal(str(finding.data["limit"]))
    seen = checks(policy, b, example, low)
    if seen[b.id].kind != "gap":  # a gap's limit is 1, unstated
        assert Decimal(str(seen[b.id].limit)) == high, "the customer is in the branch the finding names"
    assert not seen[a["rule"]].passed
    assert seen[b.id].passed == (low < high)
    both = checks(policy, b, example, high)
    assert not both[b.id].passed and not both[a["rule"]].passed


def playthrough(policy, campaign_name: str, example: dict) -> dict:
    """Stage name -> the gaps and caps that fail it, the campaign played day by day for one customer."""
    campaign = next(c for c in policy.campaigns if c.name == campaign_name)
    stages = sorted(campaign.stages, key=lambda s: s.day)
    start, history, failing = T - timedelta(days=40), [], {}
    for day in sorted({s.day for s in stages}):
        batch = [s for s in stages if s.day == day]
        as_of = start + timedelta(days=day)
        candidates = [dict(candidate_id=s.name, customer_id=1, channel=s.channel, business_unit=campaign.business_unit,
                           campaign_id=campaign.name, topic=None, message_class="marketing",
                           priority=len(batch) - i, cost=None) for i, s in enumerate(batch)]
        consents = [dict(customer_id=1, channel=c, topic=None, brand=None, status="opt_in", updated_at=None)
                    for c in policy.channels]
        data = Dataset(customers=[row(policy, example)], candidates=candidates, touches=list(history),
                       consents=consents)
        for trace in explain(policy, data, as_of):
            name = trace.candidate["candidate_id"]
            failing[name] = {c.rule: c for c in trace.checks if not c.passed and c.kind in ("gap", "cap")}
            if trace.decision.decision == "send":
                stage = next(s for s in batch if s.name == name)
                history.append(dict(customer_id=1, channel=stage.channel, business_unit=campaign.business_unit,
                                    campaign_id=campaign.name, topic=None, message_class="marketing", sent_at=as_of,
                                    cost=None, opened_at=None, clicked_at=None, converted_at=None))
    return failing


def test_the_corpus_and_the_examples_have_each_code(tmp_path):
    assert {d.code for _, _, d in confirmed_findings(tmp_path)} == set(CODES + DEAD_LIMITS)


def test_every_finding_is_confirmed_by_the_reference_interpreter(tmp_path):
    for name, policy, finding in confirmed_findings(tmp_path):
        confirm(name, policy, finding)


@PROPERTY
@given(texts=dense_policy_sets())
def test_every_finding_on_dense_random_sets_is_confirmed(texts):
    policy = resolved(texts)
    for finding in analyze(policy):
        if finding.code in CODES or (finding.code in DEAD_LIMITS and "example" in finding.data):
            confirm("dense", policy, finding)


def confirm(name, policy, finding):
    """The reference interpreter does what `finding` claims, for its customers."""
    data = finding.data
    if finding.code in ("PL510", "PL511") or "example_limit" in data:
        assert_dominated(policy, finding, data["example"])
    elif finding.code in DEAD_LIMITS:  # a shadowed block: its customer is blocked by the shadowing block too
        seen = {c.rule: c for c in block_checks(policy, rule(policy, data["rule"]), data["example"])}
        assert not seen[data["rule"]].passed and not seen[data["dominated_by"][0]].passed, name
    if finding.code == "PL511":
        b, a = rule(policy, data["rule"]), data["example_limit"]["rule"]
        seen = checks(policy, b, data["example_binding"], data["limit"])
        assert not seen[b.id].passed and seen[b.id].limit == data["limit"], name
        assert a not in seen or seen[a].passed, name
    if finding.code == "PL512":
        lost = playthrough(policy, data["campaign"], data["example"])[data["stage"]]
        assert data["rule"] in lost, (name, finding.message)
        if data["limit"] is not None:
            assert lost[data["rule"]].limit == data["limit"]
        if data["example_sent"] is not None:
            assert not playthrough(policy, data["campaign"], data["example_sent"])[data["stage"]], name


@pytest.mark.parametrize("code", CODES)
def test_a_finding_shows_its_customer_in_the_message(code, tmp_path):
    for _, _, finding in confirmed_findings(tmp_path):
        if finding.code == code:
            assert "a customer with" in finding.message
