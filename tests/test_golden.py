"""Snapshots of the compiled decision query: `tests/golden/<policy>.<dialect>.sql`.

Each golden input is a project under `tests/golden/<policy>/` (its own
policylang.yaml): `travel` uses every rule kind and is compiled at a fixed
as-of time (window bounds as literals); `history_only` has no batch-dependent
rule (no recursion) and is compiled for the warehouse's current time (interval
arithmetic per dialect). A change to the SQL back end shows up here as a
reviewable diff of the SQL each warehouse receives. After a deliberate change,
regenerate with `POLICYLANG_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py`
and review the diff; a missing golden file fails.
"""
from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from policylang.compilers.sql import to_sql
from policylang.project import load_project, require_policy

GOLDEN = Path(__file__).parent / "golden"
AS_OF = {"travel": datetime(2026, 6, 1, 12, 0, 0), "history_only": None}
DIALECTS = ("duckdb", "postgres", "mysql", "sqlite", "spark", "snowflake", "bigquery", "tsql")
UPDATE = os.environ.get("POLICYLANG_UPDATE_GOLDEN") == "1"


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
    if UPDATE:
        path.write_text(sql, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: create it with POLICYLANG_UPDATE_GOLDEN=1"
    assert sql == path.read_text(encoding="utf-8"), (
        f"{path.name} differs from the compiled SQL; if the change is intended, regenerate with "
        "POLICYLANG_UPDATE_GOLDEN=1 and review the diff")
