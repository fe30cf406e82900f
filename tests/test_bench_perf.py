"""The issue 5 benchmark: its policy decides as the interpreter does, and its generated policy sets are valid."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import decide_on
from policylang.compilers.reference import decide
from policylang.data_files import load_dataset
from policylang.engines.duckdb import DuckDBEngine
from policylang.project import load_project, require_policy

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

import generate_data  # noqa: E402
from bench_perf import EXPERT_SQL, write_policy_set  # noqa: E402


def test_benchmark_policy_on_the_sample_decides_as_the_interpreter():
    project = load_project(BENCH / "policy")
    policy, data = require_policy(project), load_dataset(project.config)
    expected = decide(policy, data, generate_data.AS_OF)
    with DuckDBEngine.open() as engine:
        engine.load(policy, data)
        got = decide_on(engine, policy, generate_data.AS_OF)
    assert [d.as_tuple() for d in got] == [d.as_tuple() for d in sorted(expected, key=lambda d: d.candidate_id)]
    # the sample exercises the batch walk: some candidates are sent, some held back by an in-batch cap
    rules = {d.rule for d in expected}
    assert None in rules and rules & {"global.weekly_pressure", "global.email_weekly", "global.gap_email"}


@pytest.mark.engine
@pytest.mark.parametrize("engine_name", ["duckdb", "postgres"])
def test_the_hand_written_query_decides_the_sample_as_the_interpreter(engine_pool, engine_name):
    """bench/expert.sql, the reference the compiled query is timed against, is the same policy on both."""
    project = load_project(BENCH / "policy")
    policy, data = require_policy(project), load_dataset(project.config)
    expected = sorted((d.candidate_id, d.decision, d.rule) for d in decide(policy, data, generate_data.AS_OF))
    engine = engine_pool.get(engine_name)
    engine.load(policy, data)
    cursor = engine.connection.cursor()
    cursor.execute(f"SELECT candidate_id, decision, rule FROM ({EXPERT_SQL.read_text()}) AS d")
    assert sorted(cursor.fetchall()) == expected
    assert {rule for _, _, rule in expected} >= {None, "global.consent_email", "global.email_weekly"}


def test_generated_policy_set_checks_with_twenty_rules_a_unit(tmp_path):
    write_policy_set(tmp_path, 2)
    project = load_project(tmp_path)
    assert not [d for d in project.diagnostics if d.is_error]
    scopes = [rule.scope for rule in require_policy(project).rules]
    assert scopes.count("u0") == scopes.count("u1") == 20
