"""`policylang test` and the fixture format: the shipped fixtures pass on both
back ends, a wrong expectation or a back end that disagrees fails with a diff,
and a malformed fixture is a PL406 finding at its line and column.

Hand-worked decisions on every engine: each case of the shipped fixtures
(policies/tests/*.yaml) is run through `policylang test`'s own machinery on
DuckDB, SQLite, PostgreSQL, MariaDB and Spark (the `engine` fixture: under
CI=true an engine that cannot be opened fails the run), and so is every
decision set the interpreter's hand-worked tests (tests/test_reference*.py)
decide: they are harvested by running those tests with `outcomes` and
`decide` recording what they are asked, and each engine must decide them as
the interpreter does, which those tests hold to the written expectations.
"""
from __future__ import annotations

import re
import shutil
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

import reference_support
from policylang.cli import main
from policylang.dataset import Decision
from policylang.errors import ProjectError
from policylang.fixtures import fixture_files, load_fixture, read_fixture
from policylang.project import load_project

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
ATTRIBUTES = {"country": "text", "employees": "integer", "lifetime_value": "decimal", "frequent_flyer": "boolean",
              "last_purchase_at": "timestamp"}


def policy_test(capsys, root):
    code = main(["test", str(root)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


@pytest.fixture
def project_copy(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(POLICIES, root)
    return root


def test_shipped_fixtures_pass_on_interpreter_and_sql(capsys):
    attributes = load_project(POLICIES).policy.attributes
    cases = [c for path in fixture_files(POLICIES / "tests") for c in load_fixture(path, attributes)]
    code, out, _ = policy_test(capsys, POLICIES)
    assert code == 0
    assert f"{len(cases)} passed, 0 failed" in out


def test_shipped_fixtures_cover_every_rule_and_builtin():
    project = load_project(POLICIES)
    cases = [c for path in fixture_files(POLICIES / "tests") for c in load_fixture(path, project.policy.attributes)]
    expected_rules = {e.rule for case in cases for e in case.expected.values()}
    from policylang.model import BUILTIN_RULES
    assert {rule.id for rule in project.policy.rules} | set(BUILTIN_RULES) <= expected_rules
    assert {e.decision for case in cases for e in case.expected.values()} == {"send", "suppress"}


def test_a_wrong_expectation_fails_with_the_diff(project_copy, capsys):
    for other in fixture_files(project_copy / "tests"):
        if other.name != "gap.yaml":
            other.unlink()
    path = project_copy / "tests" / "gap.yaml"
    text = path.read_text()
    wrong = text.replace("{candidate_id: 1, decision: suppress, rule: global.gap_email}",
                         "{candidate_id: 1, decision: send}", 1)
    assert wrong != text
    path.write_text(wrong)
    code, out, _ = policy_test(capsys, project_copy)
    assert code == 1
    assert "FAIL an email in the last two days holds the next one back" in out
    assert re.search(r"candidate\s+expected\s+interpreter\s+SQL", out)
    assert re.search(r"\n\s*1\s+send\s+suppress global\.gap_email\s+suppress global\.gap_email\n", out)
    assert re.search(r"\d+ passed, 1 failed", out)


def test_sql_that_disagrees_with_the_interpreter_fails(project_copy, capsys, monkeypatch):
    from policylang.commands.test import CompiledQueries

    for path in fixture_files(project_copy / "tests"):
        if path.name != "builtins.yaml":
            path.unlink()
    original = CompiledQueries.decisions

    def everything_sent(self, engine, as_of):
        return [Decision(d.candidate_id, d.customer_id, "send", None, d.policy_version)
                for d in original(self, engine, as_of)]

    monkeypatch.setattr(CompiledQueries, "decisions", everything_sent)
    code, out, _ = policy_test(capsys, project_copy)
    assert code == 1
    assert re.search(r"\n\s*1\s+suppress unknown_customer\s+suppress unknown_customer\s+send\n", out)
    assert "pass a known customer on a declared channel, topic and unit is sent" in out


def test_sql_that_fails_to_run_fails_the_case(project_copy, capsys, monkeypatch):
    import duckdb

    from policylang.commands.test import CompiledQueries

    for path in fixture_files(project_copy / "tests"):
        if path.name != "gap.yaml":
            path.unlink()

    def broken(self, engine, as_of):
        raise duckdb.BinderException("Referenced column \"sent_at\" not found")

    monkeypatch.setattr(CompiledQueries, "decisions", broken)
    code, out, _ = policy_test(capsys, project_copy)
    assert code == 1
    assert 'the compiled SQL failed: Referenced column "sent_at" not found' in out
    assert "0 passed, 3 failed" in out


def test_no_tests_folder_is_an_error(project_copy, capsys):
    shutil.rmtree(project_copy / "tests")
    code, _, err = policy_test(capsys, project_copy)
    assert code == 1
    assert "no policy tests" in err


def test_a_bad_value_is_reported_at_its_line_and_column(project_copy, capsys):
    (project_copy / "tests" / "zz_bad.yaml").write_text(
        "as_of: 2025-06-30T06:00:00\n"
        "cases:\n"
        "  - name: bad cost\n"
        "    tables:\n"
        "      candidates:\n"
        "        - {candidate_id: 1, cost: cheap}\n"
        "    expect: []\n")
    code, _, err = policy_test(capsys, project_copy)
    assert code == 1
    assert "zz_bad.yaml:6:35" in err and "PL406" in err
    assert "`candidates.cost` must be a decimal number, not `cheap`" in err


# --- the reader -----------------------------------------------------------------

def read(text: str):
    return read_fixture("t.yaml", text, ATTRIBUTES)


def test_values_are_read_by_column_type_not_by_yaml():
    [case] = read(
        "as_of: 2025-06-30T08:00:00+02:00\n"
        "defaults:\n"
        "  candidates: {channel: email, priority: 5}\n"
        "tables:\n"
        "  customers:\n"
        "    - {customer_id: 1, country: NO, employees: 12, lifetime_value: 0.1, frequent_flyer: true,\n"
        "       last_purchase_at: 2025-06-01 10:00}\n"
        "cases:\n"
        "  - name: c\n"
        "    tables:\n"
        "      candidates:\n"
        "        - {candidate_id: '007', customer_id: 1, topic: null, cost: 0.30}\n"
        "        - {candidate_id: x1, customer_id: 1, channel: push}\n"
        "    expect:\n"
        "      - {candidate_id: '007', decision: send}\n"
        "      - {candidate_id: x1, decision: suppress, rule: global.gap_email}\n")
    assert case.as_of == datetime(2025, 6, 30, 6, 0, 0)
    [customer] = case.data.customers
    assert customer["country"] == "NO" and customer["employees"] == 12
    assert customer["lifetime_value"] == Decimal("0.1") and customer["frequent_flyer"] is True
    assert customer["last_purchase_at"] == datetime(2025, 6, 1, 10, 0)
    first, second = case.data.candidates
    assert first["candidate_id"] == "007" and first["cost"] == Decimal("0.30") and first["topic"] is None
    assert first["channel"] == "email" and first["priority"] == 5 and first["business_unit"] is None
    assert second["channel"] == "push"
    assert [(cid, e.decision, e.rule) for cid, e in case.expected.items()] == [
        ("007", "send", None), ("x1", "suppress", "global.gap_email")]


def test_cases_add_their_rows_to_the_shared_ones_and_may_override_as_of():
    first, second = read(
        "as_of: 2025-06-30T06:00:00\n"
        "tables:\n"
        "  customers: [{customer_id: 1}]\n"
        "cases:\n"
        "  - name: a\n"
        "    tables: {customers: [{customer_id: 2}]}\n"
        "    expect: []\n"
        "  - name: b\n"
        "    as_of: 2025-07-01T00:00:00Z\n"
        "    expect: []\n")
    assert [c["customer_id"] for c in first.data.customers] == [1, 2]
    assert [c["customer_id"] for c in second.data.customers] == [1]
    assert (first.as_of, second.as_of) == (datetime(2025, 6, 30, 6), datetime(2025, 7, 1))


@pytest.mark.parametrize("text, where, message", [
    ("cases: []\nas_off: 2025-01-01\n", "2:1", "unknown key `as_off` in a policy test file"),
    ("cases:\n  - {name: a, expect: []}\n", "2:5", "a case needs `as_of`, here or at the top of the file"),
    ("as_of: 2025-01-01\ncases:\n  - {name: a, expect: [], tables: {customer: []}}\n", "3:36",
     "unknown key `customer` in `tables`"),
    ("as_of: 2025-01-01\ncases:\n  - {name: a, expect: [], tables: {customers: [{customer_id: 1, tier: x}]}}\n",
     "3:65", "unknown key `tier` in a `customers` row"),
    ("as_of: soon\ncases: []\n", "1:8", "`as_of` `soon` is not an ISO 8601 time"),
    ("as_of: 2025-01-01\ncases:\n  - name: a\n    tables: {candidates: [{candidate_id: 1}]}\n    expect: []\n",
     "5:13", "no expectation for candidate `1`"),
    ("as_of: 2025-01-01\ncases:\n  - name: a\n    expect: [{candidate_id: 2, decision: send}]\n",
     "4:29", "`expect` names candidate `2`, which the case does not have"),
    ("as_of: 2025-01-01\ncases:\n  - name: a\n    tables: {candidates: [{candidate_id: 1}]}\n"
     "    expect: [{candidate_id: 1, decision: suppress}]\n", "5:14", "a `suppress` row needs the `rule`"),
    ("as_of: 2025-01-01\ncases:\n  - name: a\n    tables: {candidates: [{candidate_id: 1}]}\n"
     "    expect: [{candidate_id: 1, decision: sent}]\n", "5:42", "`decision` must be `send` or `suppress`"),
    ("as_of: 2025-01-01\ncases:\n  - name: a\n    tables: {customers: [{customer_id: 1}, {customer_id: b}]}\n"
     "    expect: []\n", "3:5", "`customer_id` values are numbers in some rows and text in others"),
    ("as_of: 2025-01-01\ncases:\n  - name: a\n    tables: {customers: [{customer_id: 1, frequent_flyer: yes}]}\n"
     "    expect: []\n", "4:59", "`customers.frequent_flyer` must be `true` or `false`, not `yes`"),
    ("cases: [\n", "2:1", "the test file is not valid YAML"),
    ("", "1:1", "the test file is empty"),
    ("- a\n", "1:1", "a policy test file must be a mapping"),
])
def test_format_errors_are_pl406_at_the_value(text, where, message):
    with pytest.raises(ProjectError) as raised:
        read(text)
    [finding] = raised.value.diagnostics
    assert finding.code == "PL406"
    assert finding.span.where == f"t.yaml:{where}"
    assert message in finding.message


def test_unknown_key_suggests_the_closest():
    with pytest.raises(ProjectError) as raised:
        read("cases: []\ndefault: {}\n")
    assert raised.value.diagnostics[0].help == "did you mean `defaults`?"


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_bytes(b"cases: [\xff]\n")
    with pytest.raises(ProjectError) as raised:
        load_fixture(path, ATTRIBUTES)
    assert "not UTF-8" in raised.value.diagnostics[0].message


def test_the_registry_example_of_pl406_triggers_it():
    from policylang.codes import REGISTRY

    with pytest.raises(ProjectError) as raised:
        read(REGISTRY["PL406"].example)
    assert [d.code for d in raised.value.diagnostics] == ["PL406"]


# --- hand-worked decisions on every engine ------------------------------------------------

def test_shipped_fixtures_pass_on_every_engine(engine):
    from policylang.commands.test import CompiledQueries, run_case

    policy = load_project(POLICIES).policy
    queries = CompiledQueries(policy, engine.dialect)
    cases = [(path.name, case) for path in fixture_files(POLICIES / "tests")
             for case in load_fixture(path, policy.attributes)]
    failed = [outcome for outcome in (run_case(policy, engine, queries, file, case) for file, case in cases)
              if not outcome.passed]
    assert not failed, "\n".join(f"{o.file}: {o.name}: {o.error or o.differences}" for o in failed)
    assert len(cases) >= 50  # every shipped case ran


REFERENCE_TESTS = ("test_reference", "test_reference_builtins", "test_reference_caps", "test_reference_consent",
                   "test_reference_history")


PARAM = type(pytest.param(None))


def _calls(function) -> list[dict]:
    """The keyword arguments of every parametrized call of a test function (one call when not parametrized)."""
    calls = [{}]
    for mark in getattr(function, "pytestmark", []):
        if mark.name != "parametrize":
            continue
        names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else list(mark.args[0])
        rows = [v.values if isinstance(v, PARAM) else (v,) if len(names) == 1 else v for v in mark.args[1]]
        calls = [call | dict(zip(names, row)) for call in calls for row in rows]
    return calls


def hand_worked_sets() -> list[tuple[str, object, object, object]]:
    """(test name, policy, dataset, as-of) for every decision the reference tests ask of the interpreter."""
    import importlib
    import inspect

    from policylang.compilers import reference

    found = []
    for module_name in REFERENCE_TESTS:
        module = importlib.import_module(module_name)
        for name, function in vars(module).items():
            if not name.startswith("test_") or not inspect.isfunction(function):
                continue
            for call in _calls(function):
                if set(inspect.signature(function).parameters) - set(call):
                    continue  # a test that takes fixtures decides nothing by hand
                recorded = []

                def decide(policy, data, as_of, *args, **kwargs):
                    recorded.append((policy, data, as_of))
                    return reference.decide(policy, data, as_of, *args, **kwargs)

                def outcomes(policy, data, as_of=reference_support.T):
                    recorded.append((policy, data, as_of))
                    return reference_support.outcomes(policy, data, as_of)

                patched = {k: v for k, v in (("decide", decide), ("outcomes", outcomes)) if k in vars(module)}
                saved = {k: vars(module)[k] for k in patched}
                vars(module).update(patched)
                try:
                    function(**call)
                finally:
                    vars(module).update(saved)
                found += [(f"{module_name}.{name}", *r) for r in recorded]
    return found


@pytest.fixture(scope="module")
def hand_worked():
    return hand_worked_sets()


def test_every_reference_test_decides_something_by_hand(hand_worked):
    tests = {name for name, *_ in hand_worked}
    assert len(tests) >= 60 and len(hand_worked) >= 150, (len(tests), len(hand_worked))


def test_hand_worked_decisions_of_the_reference_tests_on_every_engine(engine, hand_worked):
    from conftest import assert_matches_reference

    failures = []
    for name, policy, data, as_of in hand_worked:
        try:
            assert_matches_reference(engine, policy, data, as_of)
        except AssertionError as exc:
            failures.append(f"{name}: {exc}")
    assert not failures, f"{len(failures)} of {len(hand_worked)} hand-worked sets differ:\n" + "\n".join(failures)
