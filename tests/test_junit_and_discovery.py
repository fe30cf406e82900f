"""`check --format junit` and `test --format junit` give JUnit XML (parsed back here), and every
command finds the nearest policylang.yaml above the folder it is run from, as ruff finds
pyproject.toml."""
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from policylang.cli import main

ROOT = Path(__file__).parents[1]
CONTENTION = ROOT / "tests" / "analysis_cases" / "contention"


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cases(xml: str) -> list[tuple[str, str, str | None, str | None]]:
    """(suite, case, outcome tag, message) of every test case, after checking the counts add up."""
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    found = []
    for suite in root.findall("testsuite"):
        rows = [(suite.get("name"), case.get("name"), *next(((c.tag, c.get("message")) for c in case), (None, None)))
                for case in suite.findall("testcase")]
        assert int(suite.get("tests")) == len(rows)
        for key, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            assert int(suite.get(key)) == sum(row[2] == tag for row in rows)
        found += rows
    assert int(root.get("tests")) == len(found)
    return found


@pytest.fixture
def contention(tmp_path):
    shutil.copytree(CONTENTION, tmp_path / "p")
    return tmp_path / "p"


# --- junit ---------------------------------------------------------------------------------------

def test_check_junit_fails_a_case_per_finding_the_project_has_not_allowed(contention, capsys):
    code, out, err = cli(capsys, "check", str(contention), "--format", "junit")
    assert (code, err) == (1, "")
    global_policy = str(contention / "global.policy")
    assert [row[:3] for row in cases(out)] == [(global_policy, "PL501 at 9:1", "failure"),
                                               (global_policy, "PL501 at 12:1", "failure")]
    failure = ET.fromstring(out).find(".//failure")
    assert failure.get("message").startswith("business units `cruises` (2) and `hotels` (2)")
    assert failure.text.splitlines()[-1].startswith("docs: https://") and "note: " in failure.text


def test_check_junit_skips_the_findings_lint_warn_allows_and_passes_a_clean_project(contention, capsys):
    with open(contention / "policylang.yaml", "a") as f:
        f.write("lint:\n  warn: [PL501]\n")
    code, out, _ = cli(capsys, "check", str(contention), "--format", "junit")
    assert code == 0 and [row[2] for row in cases(out)] == ["skipped", "skipped"]
    (contention / "policylang.yaml").write_text((contention / "policylang.yaml").read_text().replace("warn", "ignore"))
    code, out, _ = cli(capsys, "check", str(contention), "--format", "junit")
    assert code == 0 and cases(out) == [("policylang check", "all checks passed", None, None)]


def test_check_junit_carries_a_control_character_as_valid_xml(tmp_path, capsys):
    (tmp_path / "policies").mkdir()
    (tmp_path / "policylang.yaml").write_text("business_units: [a]\n")
    (tmp_path / "policies" / "g.policy").write_text("policy global\nchannels e\x01mail\n")
    code, out, _ = cli(capsys, "check", str(tmp_path), "--format", "junit")
    assert code == 1 and "\x01" not in out
    assert [row[2] for row in cases(out)] == ["failure"]


def test_test_junit_reports_each_case_and_the_candidates_that_differ(tmp_path, capsys):
    project = tmp_path / "p"
    assert cli(capsys, "init", str(project))[0] == 0
    code, out, _ = cli(capsys, "test", str(project), "--format", "junit")
    fixture = str(project / "tests" / "consent.yaml")
    assert code == 0 and [row[:3] for row in cases(out)] == [
        (fixture, "a customer who opted in to email is sent the email", None),
        (fixture, "without an opt-in the email is suppressed", None)]
    test = project / "tests" / "consent.yaml"
    test.write_text(test.read_text().replace("- {candidate_id: 1, decision: send}",
                                             "- {candidate_id: 1, decision: suppress, rule: retail.gap_email}"))
    code, out, _ = cli(capsys, "test", str(project), "--format", "junit")
    assert code == 1
    assert cases(out)[0][2:] == ("failure", "1 candidate differs")
    text = ET.fromstring(out).find(".//failure").text.splitlines()
    assert text[0].split() == ["candidate", "expected", "interpreter", "SQL"]
    assert text[1].split() == ["1", "suppress", "retail.gap_email", "send", "send"]


# --- discovery -----------------------------------------------------------------------------------

@pytest.fixture
def inside(tmp_path, monkeypatch, capsys):
    """A new project, with the current folder two levels inside it (policies/drafts)."""
    assert cli(capsys, "init", str(tmp_path / "p"))[0] == 0
    (tmp_path / "p" / "policies" / "drafts").mkdir()
    monkeypatch.chdir(tmp_path / "p" / "policies" / "drafts")
    return tmp_path / "p"


def test_check_finds_the_nearest_config_above_and_names_files_from_here(inside, capsys):
    assert cli(capsys, "check") == (0, "all checks passed\n", "")
    (inside / "policies" / "retail.policy").write_text("policy business_unit retail\ngap emial 2 days\n")
    code, out, _ = cli(capsys, "check", "--format", "json")
    assert code == 1 and '"file": "../../policies/retail.policy"' in out


def test_compile_finds_the_nearest_config_above(inside, capsys):
    code, out, err = cli(capsys, "compile")
    assert (code, err) == (0, "") and out.startswith("/* policylang decision query")
    assert cli(capsys, "compile", ".")[1] == out  # a folder named inside the project works alike


def test_test_finds_the_nearest_config_above(inside, capsys):
    code, out, _ = cli(capsys, "test")
    assert code == 0 and out.endswith("2 passed, 0 failed\n") and "../../tests/consent.yaml" in out


def test_without_a_config_above_the_folder_is_reported_as_before(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, _ = cli(capsys, "check", "--format", "json")
    assert code == 1 and '"code": "PL405"' in out


def test_run_finds_the_nearest_config_above(inside, capsys):
    code, out, err = cli(capsys, "run", "--as-of", "2025-06-30T06:00:00Z")
    assert (code, err) == (0, "") and "0 candidates" in out
