"""`explain` (the function and the command): what each check saw, and agreement with the compiled SQL.

The small project below is worked by hand at T = 2025-06-30 06:00. Customer 1 (silver, so the `otherwise`
tier: 2 emails per 7 days; email opt_in) has an email touch on 06-28 10:00, inside the cap's window
(06-23 06:00, 06-30 06:00] but outside the gap's (06-29 06:00, 06-30 06:00], and one on 06-20, outside both.
t1 is transactional: sent, counting against nothing. c1 (priority 5) passes the gap and counts 1 of 2: sent.
c2 (priority 3) then fails the gap (c1 was sent in this batch) and, shown after it, the cap (1 + 1 = 2 of 2).
c4's customer 2 never answered, so `requires opt_in` suppresses it.
"""
from datetime import datetime
from pathlib import Path

import pytest

from conftest import decide_on
from policylang.cli import main
from policylang.compilers.reference import explain
from policylang.data_files import load_dataset
from policylang.project import load_project, require_policy
from reference_support import T, candidate, customer, data, policy

AS_OF = datetime(2025, 6, 30, 6)
FILES = {
    "policylang.yaml": "policies: policies\nbusiness_units: [cruises, hotels]\nattributes:\n  tier: text\n"
                       "data:\n  customers: data/customers.csv\n  touches: data/touches.csv\n"
                       "  consents: data/consents.csv\n  candidates: data/candidates.csv\n",
    "policies/global.policy": "policy global\nchannels email, sms\ntopics offers\n"
                              "consent email requires opt_in\nconsent sms allowed unless opt_out\n"
                              'segment gold: tier = "gold"\n'
                              "cap email per 7 days as email_weekly {\n  gold: 3\n  otherwise: 2\n}\n"
                              "gap email 1 day\n",
    "data/customers.csv": "customer_id,tier\n1,silver\n2,gold\n",
    "data/touches.csv": "customer_id,channel,business_unit,campaign_id,topic,message_class,sent_at,cost,"
                        "opened_at,clicked_at,converted_at\n"
                        "1,email,cruises,,,marketing,2025-06-28 10:00:00,,,,\n"
                        "1,email,hotels,,,marketing,2025-06-20 10:00:00,,,,\n",
    "data/consents.csv": "customer_id,channel,topic,brand,status,updated_at\n"
                         "1,email,,,opt_in,2025-01-01 00:00:00\n",
    "data/candidates.csv": "candidate_id,customer_id,channel,business_unit,campaign_id,topic,message_class,priority,cost\n"
                           "c1,1,email,cruises,,,marketing,5,\n"
                           "c2,1,email,hotels,,offers,marketing,3,\n"
                           "t1,1,email,cruises,,,transactional,9,\n"
                           "c4,2,email,cruises,,,marketing,1,\n",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("explain")
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def loaded(project):
    found = load_project(project)
    return require_policy(found), load_dataset(found.config)


def by_id(traces):
    return {t.candidate["candidate_id"]: t for t in traces}


# --- the function ----------------------------------------------------------------------

def test_a_cap_check_shows_its_tier_window_counts_and_limit(loaded):
    policy, data = loaded
    trace = by_id(explain(policy, data, AS_OF, candidate_ids={"c2"}))["c2"]
    cap = next(c for c in trace.checks if c.kind == "cap")
    assert (cap.rule, cap.kind, cap.passed, cap.limit) == ("global.email_weekly", "cap", False, 2)
    assert cap.saw["tier"] == "otherwise"
    assert (cap.saw["touches in window"], cap.saw["sent in batch"], cap.saw["count"]) == (1, 1, 2)
    assert str(cap.saw["window"]) == "(2025-06-23 06:00, 2025-06-30 06:00]"


def test_checks_after_the_deciding_one_are_still_shown(loaded):
    policy, data = loaded
    trace = by_id(explain(policy, data, AS_OF, candidate_ids={"c2"}))["c2"]
    failing = [c.rule for c in trace.checks if not c.passed]
    assert failing == ["global.gap_email", "global.email_weekly"]
    assert trace.deciding.rule == "global.gap_email"


def test_consent_shows_the_row_it_chose_or_no_answer(loaded):
    policy, data = loaded
    traces = by_id(explain(policy, data, AS_OF))
    chosen = next(c for c in traces["c1"].checks if c.kind == "consent")
    assert chosen.passed and chosen.saw["consent"] == "opt_in" and chosen.saw["updated at"] == datetime(2025, 1, 1)
    missing = traces["c4"].deciding
    assert (missing.rule, missing.saw["consent"], missing.limit) == ("global.consent_email", "no answer",
                                                                    "requires opt_in")


def test_a_transactional_candidate_has_no_checks(loaded):
    policy, data = loaded
    trace = by_id(explain(policy, data, AS_OF, candidate_ids={"t1"}))["t1"]
    assert trace.checks == () and trace.decision.decision == "send"


def test_a_customers_candidates_come_in_evaluation_order(loaded):
    policy, data = loaded
    assert [t.candidate["candidate_id"] for t in explain(policy, data, AS_OF, customer_id=1)] == ["t1", "c1", "c2"]


def test_blocks_and_tiers_show_the_scores_their_conditions_read():
    fit = "score fit {\n  +15 when age >= 30\n  +10 when vip = true\n}"
    rules = policy("segment cold: score fit < 20\nblock email for cold as no_cold\n"
                   "cap email per 7 days as weekly {\n  score fit >= 25: 3\n}", scores=fit)
    (trace,) = explain(rules, data([candidate("c")], customers=[customer(1, age=31, vip=False)]), T)
    block, cap = (next(c for c in trace.checks if c.kind == kind) for kind in ("block", "cap"))
    assert (block.rule, block.passed, block.saw["score fit"]) == ("global.no_cold", False, 15)
    assert (cap.passed, cap.saw) == (True, {"tier": "none holds: the rule does not apply", "score fit": 15})


# --- the command ---------------------------------------------------------------------------

def cells(output: str, rule: str) -> list[str]:
    """The cells of the first table line that starts the row of `rule`."""
    line = next(line for line in output.splitlines() if f"│ {rule} " in line)
    return [cell.strip() for cell in line.split("│")[1:-1]]


def test_the_command_prints_counts_limits_and_the_decision(project, capsys):
    assert main(["explain", str(project), "--candidate", "c2", "--as-of", "2025-06-30T06:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert cells(out, "global.email_weekly") == ["global.email_weekly", "cap", "tier: otherwise", "2", "fail"]
    assert cells(out, "global.gap_email")[1:] == ["gap", "window: (2025-06-29 06:00, 2025-06-30 06:00]", "", "FAIL"]
    assert "count: 2" in out and "sent in batch: 1" in out
    assert "decision: suppress by global.gap_email" in out
    assert "candidate c1" not in out


def test_the_command_explains_a_customers_candidates(project, capsys):
    assert main(["explain", str(project), "--customer", "1", "--as-of", "2025-06-30T06:00:00"]) == 0
    out = capsys.readouterr().out
    assert out.index("candidate t1") < out.index("candidate c1") < out.index("candidate c2")
    assert "no check applies to a transactional message" in out


def test_an_offset_as_of_is_converted_to_utc(project, capsys):
    # 08:00 at +02:00 is T: the 06-28 touch is in the window, so c1 counts 1 of 2
    assert main(["explain", str(project), "--candidate", "c1", "--as-of", "2025-06-30T08:00:00+02:00"]) == 0
    assert "as of 2025-06-30 06:00 UTC" in capsys.readouterr().out


@pytest.mark.parametrize("option, wanted", [("--candidate", "zz"), ("--customer", "99"), ("--candidate", "C1")])
def test_an_unknown_id_is_a_clear_error(project, capsys, option, wanted):
    assert main(["explain", str(project), option, wanted, "--as-of", "2025-06-30T06:00:00"]) == 1
    err = capsys.readouterr().err
    assert f"`{wanted}`" in err and "data/candidates.csv" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [[], ["--candidate", "c1", "--customer", "1"], ["--candidate", "c1", "--as-of", "june"]])
def test_usage_errors_exit_2(project, capsys, argv):
    with pytest.raises(SystemExit) as exit_:
        main(["explain", str(project), *argv])
    assert exit_.value.code == 2


# --- explain = the compiled SQL, on every engine ----------------------------------------------

SAMPLE = Path(__file__).resolve().parent.parent / "policies"
SAMPLE_AS_OF = datetime(2025, 6, 30, 6)  # the batch's time, as policies/policylang.yaml says


@pytest.fixture(scope="module")
def sample():
    found = load_project(SAMPLE)
    return require_policy(found), load_dataset(found.config)


def assert_explain_matches_the_sql(engine, policy, data, as_of) -> list:
    """explain's decision for every candidate is the compiled query's, and its deciding check (the first
    that failed) names the rule the query reported; returns the decisions."""
    engine.load(policy, data)
    compiled = {d.candidate_id: d for d in decide_on(engine, policy, as_of)}
    traces = explain(policy, data, as_of)
    assert len(traces) == len(data.candidates) == len(compiled)
    assert {t.decision.candidate_id: t.decision for t in traces} == compiled
    assert all(compiled[t.decision.candidate_id].rule == (t.deciding.rule if t.deciding else None) for t in traces)
    return list(compiled.values())


def test_explain_agrees_with_the_compiled_sql_on_the_small_project(engine, loaded):
    decisions = assert_explain_matches_the_sql(engine, *loaded, AS_OF)
    assert {d.candidate_id: d.rule for d in decisions} == {"c1": None, "c2": "global.gap_email", "t1": None,
                                                           "c4": "global.consent_email"}


def test_explain_agrees_with_the_compiled_sql_on_every_sample_candidate(engine, sample):
    decisions = assert_explain_matches_the_sql(engine, *sample, SAMPLE_AS_OF)
    assert {d.decision for d in decisions} == {"send", "suppress"}
