"""Snapshots of the compiled decision query: `tests/golden/<policy>.<dialect>.sql`.

Each golden input is a project under `tests/golden/<policy>/` (its own
policylang.yaml): `travel` uses every rule kind and is compiled at a fixed
as-of time (window bounds as literals); `history_only` has no batch-dependent
rule (no recursion) and is compiled for the warehouse's current time (interval
arithmetic per dialect). A change to the SQL back end shows up here as a
reviewable diff of the SQL each warehouse receives: these files detect change,
not error (the differential test, tests/test_equivalence.py, finds errors).
After a deliberate change, regenerate with
`POLICYLANG_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py` and review
the diff; a missing golden file fails. Under CI=true the flag is refused: CI
compares, it never rewrites the files it compares with.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from conftest import update_requested
from policylang.compilers.sql import to_sql
from policylang.project import load_project, require_policy

GOLDEN = Path(__file__).parent / "golden"
AS_OF = {"travel": datetime(2026, 6, 1, 12, 0, 0), "history_only": None}
DIALECTS = ("duckdb", "postgres", "mysql", "sqlite", "spark", "snowflake", "bigquery", "tsql")


def updating(env=os.environ) -> bool:
    """Does this run rewrite the golden files? Only when asked, and never under CI=true."""
    return update_requested("POLICYLANG_UPDATE_GOLDEN", "golden files", env)


def header(policy: str, dialect: str) -> str:
    return (f"-- golden file: policy `{policy}` (tests/golden/{policy}/), dialect `{dialect}`\n"
            f"-- regenerate: POLICYLANG_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py\n")


def compiled(policy: str, dialect: str, monkeypatch) -> str:
    monkeypatch.chdir(GOLDEN)  # comments name files as `travel/policies/global.policy`, wherever pytest runs
    return header(policy, dialect) + to_sql(require_policy(load_project(policy)), dialect, AS_OF[policy]) + "\n"


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("policy", sorted(AS_OF))
def test_compiled_sql_matches_golden_file(policy, dialect, monkeypatch):
    path = GOLDEN / f"{policy}.{dialect}.sql"
    sql = compiled(policy, dialect, monkeypatch)
    if updating():
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: create it with POLICYLANG_UPDATE_GOLDEN=1"
    assert sql == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the compiled SQL; if the change is intended, regenerate with "
        "POLICYLANG_UPDATE_GOLDEN=1 and review the diff")


@pytest.mark.parametrize("env, rewrites", [
    ({}, False),
    ({"POLICYLANG_UPDATE_GOLDEN": "0"}, False),
    ({"POLICYLANG_UPDATE_GOLDEN": "1"}, True),
    ({"POLICYLANG_UPDATE_GOLDEN": "1", "CI": "false"}, True),
])
def test_the_update_flag_rewrites_only_when_asked(env, rewrites):
    assert updating(env) is rewrites


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_the_update_flag_is_refused_under_ci(ci):
    with pytest.raises(pytest.fail.Exception, match="never by CI"):
        updating({"POLICYLANG_UPDATE_GOLDEN": "1", "CI": ci})
