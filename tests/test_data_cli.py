"""Data errors on the command line: `check` and `compile` never read the data files; `run` and
`explain` stop on a data error with a finding (file, line, column, help) before anything is written."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from policylang.cli import main
from policylang.links import help_uri

POLICIES = Path(__file__).resolve().parent.parent / "policies"
AS_OF = "2025-06-30T06:00:00"


def cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([*map(str, argv)])
    out = capsys.readouterr()
    assert "Traceback" not in out.err + out.out
    return code, out.out, out.err


@pytest.fixture
def project(tmp_path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(POLICIES, root)
    return root


def rewrite(path: Path, change) -> list[list[str]]:
    """Apply `change` to the rows of a CSV file (header first); the rows written."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    change(rows)
    with open(path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    return rows


def test_check_and_compile_need_no_data_files_but_run_and_explain_do(project, capsys):
    shutil.rmtree(project / "data")
    assert cli(capsys, "check", project)[0] == 0
    code, out, _ = cli(capsys, "compile", project, "--as-of", AS_OF)
    assert code == 0 and "SELECT" in out
    for command in (["run", project, "--as-of", AS_OF], ["explain", project, "--candidate", "1"]):
        code, out, err = cli(capsys, *command)
        assert code == 1 and out == ""
        assert f"{project / 'policylang.yaml'}:23:14: error[PL404]: data file `data/customers.csv` does not exist" in err
        assert "23 |   customers: data/customers.csv\n" in err


def test_run_stops_on_a_misspelt_header_with_did_you_mean(project, capsys, tmp_path):
    path = project / "data" / "candidates.csv"
    rewrite(path, lambda rows: rows[0].__setitem__(5, "Topic"))
    code, _, err = cli(capsys, "run", project, "--as-of", AS_OF, "--out", tmp_path / "decisions.csv")
    assert code == 1 and not (tmp_path / "decisions.csv").exists()
    header = path.read_text().splitlines()[0]
    assert err.splitlines()[:4] == [
        f"{path}:1:{header.index('Topic') + 1}: error[PL407]: `data/candidates.csv` has no column `topic`, which the "
        "policy reads: add it, or map it under `columns:` in policylang.yaml",
        f"1 | {header}", "  | " + " " * header.index("Topic") + "^^^^^", "  = help: did you mean `Topic`?"]


def test_run_stops_on_a_fractional_priority_and_a_rounded_cost(project, capsys, tmp_path):
    path = project / "data" / "candidates.csv"

    def change(rows):
        rows[3][7] = "1.5"
        rows[5][8] = "25.00004"
    rows = rewrite(path, change)
    code, _, err = cli(capsys, "run", project, "--as-of", AS_OF, "--out", tmp_path / "decisions.csv")
    assert code == 1 and not (tmp_path / "decisions.csv").exists()
    priority_col = len(",".join(rows[3][:7])) + 2
    assert f"{path}:4:{priority_col}: error[PL409]: `priority` must hold whole numbers; `1.5` is not one" in err
    assert f"{path}:6:{len(','.join(rows[5][:8])) + 2}: error[PL410]: `cost` has at most 4 decimal places" in err
    assert "= help: policylang never rounds it: fix the data" in err and err.rstrip().endswith("2 errors in 1 file")


def test_explain_stops_on_a_bad_timestamp(project, capsys):
    path = project / "data" / "touches.csv"
    rewrite(path, lambda rows: rows[1].__setitem__(rows[0].index("sent_at"), "2025-06-31 10:00:00"))
    code, _, err = cli(capsys, "explain", project, "--candidate", "1", "--as-of", AS_OF)
    assert code == 1
    assert f"{path}:2:" in err and "error[PL411]: `sent_at` must hold timestamps" in err


def test_run_on_a_database_names_the_missing_column_and_the_bad_timestamp(project, capsys, tmp_path):
    from policylang.data_files import load_dataset
    from policylang.engines.sqlite import SQLiteEngine
    from policylang.project import load_project

    loaded = load_project(project)
    database = tmp_path / "warehouse.sqlite"
    with SQLiteEngine.open(str(database)) as engine:
        engine.load(loaded.policy, load_dataset(loaded.config))
        engine.execute("UPDATE touches SET sent_at = '2025-06-30 05:30:00+02:00' WHERE rowid = 1")
        engine.execute("ALTER TABLE candidates DROP COLUMN topic")
    code, _, err = cli(capsys, "run", project, "--db", f"sqlite:///{database}", "--as-of", AS_OF)
    assert code == 1
    assert err.splitlines() == [
        "policylang: error[PL407]: table `candidates` has no column `topic`, which the policy reads: add it, or map "
        "it under `columns:` in policylang.yaml",
        f"  = docs: {help_uri('PL407')}",
        "",
        "policylang: error[PL412]: `touches.sent_at` must hold timestamps as text `YYYY-MM-DD HH:MM:SS`; "
        "`2025-06-30 05:30:00+02:00` is not one",
        "  = help: write UTC as `2025-06-30 05:30:00` or `2025-06-30T05:30:00`, optionally with `.` and 1 to 6 "
        "digits, and no zone",
        f"  = docs: {help_uri('PL412')}",
        "", "2 errors"]
