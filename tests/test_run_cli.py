"""`policylang run` on the shipped sample: files written, summary printed,
decisions equal to the reference interpreter's; bad input fails cleanly."""
from __future__ import annotations

import csv
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from policylang.cli import main
from policylang.compilers.reference import decide
from policylang.data_files import load_dataset, typed_tables
from policylang.model import DECISION_COLUMNS
from policylang.project import load_project
from policylang.summary import Summary

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
AS_OF = "2025-06-30T06:00:00"


def run(capsys, *argv):
    """`policylang run ARGV` in process: (exit code, stdout, stderr), never a traceback or an internal error."""
    try:
        code = main(["run", *map(str, argv)])
    except SystemExit as exc:  # argparse rejected the command line
        code = exc.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err and "internal error" not in out.err
    return code, out.out, out.err


@pytest.fixture(scope="module")
def expected():
    """The reference interpreter's decisions on the sample, by candidate."""
    project = load_project(POLICIES)
    data = load_dataset(project.config)
    decisions = decide(project.policy, data, datetime.fromisoformat(AS_OF))
    return project.version, {d.candidate_id: (d.customer_id, d.decision, d.rule) for d in decisions}


def test_csv_out_has_the_decision_columns_one_row_per_candidate(tmp_path, capsys, expected):
    version, by_candidate = expected
    code, out, _ = run(capsys, POLICIES, "--as-of", AS_OF, "--out", tmp_path / "decisions.csv")
    assert code == 0
    with open(tmp_path / "decisions.csv", newline="") as f:
        header, *rows = [dict(zip(DECISION_COLUMNS, row)) for row in csv.reader(f)]
    assert tuple(header.values()) == DECISION_COLUMNS
    written = {int(row["candidate_id"]): (int(row["customer_id"]), row["decision"], row["rule"] or None)
               for row in rows}
    assert len(rows) == len(written) == len(by_candidate)
    assert written == by_candidate
    assert {row["policy_version"] for row in rows} == {version}
    sends = sum(d == "send" for _, d, _ in written.values())
    assert f"{len(written)} candidates: {sends} send, {len(written) - sends} suppress" in out
    for title in ("suppressed by rule", "by business unit", "by channel", "global.gap_email", "cruises", "email"):
        assert title in out


def test_parquet_out(tmp_path, capsys, expected):
    _, by_candidate = expected
    code, _, _ = run(capsys, POLICIES, "--as-of", AS_OF, "--out", tmp_path / "out" / "decisions.parquet")
    assert code == 0
    table = pq.read_table(tmp_path / "out" / "decisions.parquet")
    assert tuple(table.column_names) == DECISION_COLUMNS
    assert table.num_rows == len(by_candidate)
    assert sorted(table.column("candidate_id").to_pylist()) == sorted(by_candidate)


@pytest.fixture
def project_copy(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(POLICIES, root)
    return root


def test_the_summary_counts_each_decision_once_when_a_candidate_id_repeats(project_copy, tmp_path, capsys):
    # three rows share candidate_id 2 (an invalid_candidate each): the summary joined the candidates
    # on the id and counted each of them three times
    path = project_copy / "data" / "candidates.csv"
    header, *lines = path.read_text().splitlines()
    for i in (0, 2):
        lines[i] = "2," + lines[i].split(",", 1)[1]
    path.write_text("\n".join([header, *lines]) + "\n")
    code, out, _ = run(capsys, project_copy, "--as-of", AS_OF, "--out", tmp_path / "decisions.csv")
    assert code == 0
    with open(tmp_path / "decisions.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(lines)
    assert sum(row["candidate_id"] == "2" for row in rows) == 3
    invalid = sum(row["rule"] == "invalid_candidate" for row in rows)
    sends = sum(row["decision"] == "send" for row in rows)
    assert f"{len(rows)} candidates: {sends} send, {len(rows) - sends} suppress" in out
    assert any([cell.strip() for cell in line.split("│")[1:3]] == ["invalid_candidate", str(invalid)]
               for line in out.splitlines()), out


def test_missing_data_file_names_it(project_copy, capsys):
    (project_copy / "data" / "touches.csv").unlink()
    code, out, err = run(capsys, project_copy, "--as-of", AS_OF)
    assert code == 1
    assert "data/touches.csv" in err and out == ""


def test_missing_column_names_file_and_column(project_copy, capsys):
    path = project_copy / "data" / "candidates.csv"
    with open(path, newline="") as f:
        rows = [row[:7] + row[8:] for row in csv.reader(f)]  # drop `priority`
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    code, _, err = run(capsys, project_copy, "--as-of", AS_OF)
    assert code == 1
    assert "candidates.csv" in err and "`priority`" in err


def test_bad_value_names_file_and_column(project_copy, capsys):
    path = project_copy / "data" / "touches.csv"
    text = path.read_text().splitlines()
    fields = text[1].split(",")
    fields[6] = "yesterday"  # sent_at
    path.write_text("\n".join([text[0], ",".join(fields), *text[2:]]) + "\n")
    code, _, err = run(capsys, project_copy, "--as-of", AS_OF)
    assert code == 1
    assert "touches.csv" in err and "`sent_at`" in err


def test_unwritable_out_fails_cleanly(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    code, _, err = run(capsys, POLICIES, "--as-of", AS_OF, "--out", tmp_path / "file" / "decisions.csv")
    assert code == 1
    assert "cannot write" in err and "decisions.csv" in err


@pytest.mark.parametrize("argv, says", [
    (["--out", "decisions.txt"], "`.csv` or `.parquet`"),
    (["--out", "table:decisions"], "--db"),
    (["--as-of", "tomorrow"], "ISO 8601"),
    (["--db", "oracle://x", "--out", "table:t"], "unsupported database url"),
])
def test_usage_errors_exit_2(capsys, argv, says):
    code, _, err = run(capsys, POLICIES, *argv)
    assert code == 2
    assert says in err


def test_db_url_runs_on_existing_tables_and_writes_a_table(tmp_path, capsys, expected):
    _, by_candidate = expected
    database = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(database)) as con:
        for table, relation in typed_tables(con, load_project(POLICIES).config).items():
            relation.create(table)
    code, out, _ = run(capsys, POLICIES, "--db", f"duckdb:///{database}", "--as-of", AS_OF,
                       "--out", "table:decided")
    assert code == 0
    assert "decisions written to table decided" in out
    with duckdb.connect(str(database)) as con:
        rows = con.execute("SELECT candidate_id, customer_id, decision, rule FROM decided").fetchall()
    assert {cid: (customer, decision, rule) for cid, customer, decision, rule in rows} == by_candidate


def test_db_without_the_tables_fails_cleanly(tmp_path, capsys):
    duckdb.connect(str(tmp_path / "empty.duckdb")).close()
    code, _, err = run(capsys, POLICIES, "--db", f"duckdb:///{tmp_path / 'empty.duckdb'}", "--as-of", AS_OF)
    assert code == 1
    assert "cannot read table" in err


def test_summary_folds_counts_by_rule_unit_and_channel():
    summary = Summary.from_rows([
        ("hotels", "email", "send", None, 3),
        ("hotels", "email", "suppress", "global.gap_email", 2),
        ("air", "push", "suppress", "global.gap_email", 1),
        ("air", "email", "suppress", "air.push_daily", 4),
        (None, "sms", "suppress", "unknown_business_unit", 1),
    ])
    assert summary.candidates == 11
    assert summary.totals == {"send": 3, "suppress": 8}
    assert summary.by_rule == {"global.gap_email": 3, "air.push_daily": 4, "unknown_business_unit": 1}
    assert summary.by_unit == {"hotels": {"send": 3, "suppress": 2}, "air": {"suppress": 5}, "(none)": {"suppress": 1}}
    assert summary.by_channel == {"email": {"send": 3, "suppress": 6}, "push": {"suppress": 1}, "sms": {"suppress": 1}}
