"""`policylang diff` on the command line: Git revisions, folders, errors, formats, and the
pull-request workflow of docs/pull-requests.md run in a throwaway Git repository."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policylang.cli import main

ROOT = Path(__file__).parents[1]
CONFIG = "policies: .\nbusiness_units: [cruises, hotels]\nattributes:\n  tier: text\n  age: integer\n"
GLOBAL = """policy global
channels email, sms
topics offers
consent email requires opt_in
consent sms allowed unless opt_out
cap marketing 6 per 7 days as weekly
cap sms 2 per 7 days as sms_weekly
block email for age < 18 as minors
"""
LOOSENED_AND_TIGHTENED = GLOBAL.replace("cap sms 2 per", "cap sms 3 per").replace("age < 18", "age < 21")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=repo,
                          check=True, capture_output=True, text=True).stdout.strip()


def write(folder: Path, policy: str, config: str = CONFIG) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "policylang.yaml").write_text(config)
    (folder / "global.policy").write_text(policy)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose project `policies/` has two commits: the first, then a loosening and a tightening."""
    repo = tmp_path / "repo"
    write(repo / "policies", GLOBAL)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "first")
    (repo / "policies" / "global.policy").write_text(LOOSENED_AND_TIGHTENED)
    git(repo, "commit", "-q", "-am", "sms up, minors older")
    monkeypatch.chdir(repo)
    return repo


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_two_revisions_report_each_change_with_its_customer(repo, capsys):
    code, out, err = run(capsys, "diff", "HEAD~1", "HEAD", "policies")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("policy diff HEAD~1 -> HEAD: 1 of 2 change(s) may contact customers more "
                        "(loosened, or not proved safe)")
    assert "loosened: global.sms_weekly (policies/global.policy:7)" in lines
    assert "tightened: global.minors (policies/global.policy:8)" in lines
    loosening = next(line for line in lines if line.startswith("  loosens: "))
    assert "2 sms touches" in loosening
    assert "sent under HEAD `HEAD`, suppressed by `global.sms_weekly` under BASE" in loosening
    tightening = next(line for line in lines if line.startswith("  tightens: "))
    assert "age = 18;" in tightening or "age = 19;" in tightening  # blocked under `age < 21` only


def test_the_project_is_found_from_the_current_folder(repo, capsys, monkeypatch):
    monkeypatch.chdir(repo / "policies")
    code, out, _ = run(capsys, "diff", "HEAD~1", "HEAD", "--fail-on", "loosen")
    assert code == 1 and "loosened: global.sms_weekly (policies/global.policy:7)" in out


def test_two_folders(tmp_path, capsys, monkeypatch):
    write(tmp_path / "old", GLOBAL)
    write(tmp_path / "new", GLOBAL.replace("cap marketing 6 per 7 days", "cap marketing 5 per 7 days"))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "diff", "old", "new", "--fail-on", "loosen")
    assert code == 0  # only tightens
    assert "tightened: global.weekly (new/global.policy:6)" in out and "loosened" not in out
    code, out, _ = run(capsys, "diff", "old", "old")
    assert (code, out) == (0, "policy diff old -> old: no change in what the policy decides\n")


def test_json_has_the_documented_shape(repo, capsys):
    code, out, _ = run(capsys, "diff", "HEAD~1", "HEAD", "policies", "--format", "json")
    report = json.loads(out)
    assert code == 0 and set(report) == {"base", "head", "may_loosen", "changes", "renamed", "effect"}
    assert report["effect"] is None  # without --data
    sms = next(c for c in report["changes"] if c["subject"] == "global.sms_weekly")
    assert (sms["change"], sms["effect"], sms["label"], sms["may_loosen"]) == ("changed", "loosens", "loosened", True)
    assert sms["base"] == {"id": "global.sms_weekly", "rule": "cap sms 2 per 7 days", "file": "policies/global.policy",
                           "line": 7}
    proof = sms["loosening"]
    assert proof["touches"][0]["count"] == 2 and proof["touches"][0]["channel"] == "sms"
    assert proof["base"] == {"decision": "suppress", "rule": "global.sms_weekly"}
    assert proof["head"] == {"decision": "send", "rule": None} and proof["candidate"]["channel"] == "sms"
    assert sms["tightening"] is None and sms["reason"] is None


def test_github_annotations_sit_on_the_changed_lines(repo, capsys):
    _, out, _ = run(capsys, "diff", "HEAD~1", "HEAD", "policies", "--format", "github")
    lines = sorted(out.splitlines())  # in HEAD's evaluation order: the block (step 3) before the cap
    assert len(lines) == 2
    assert lines[0].startswith("::notice file=policies/global.policy,line=8,title=policy diff%3A global.minors ")
    assert lines[1].startswith("::warning file=policies/global.policy,line=7,title=policy diff%3A global.sms_weekly "
                               "loosened::loosened: cap sms 2 per 7 days -> cap sms 3 per 7 days%0Aloosens: customer")


def test_a_bad_revision_is_a_usage_error(repo, capsys):
    code, out, err = run(capsys, "diff", "no-such-branch", "HEAD", "policies")
    assert (code, out) == (2, "")
    assert err == ("policylang: error: `no-such-branch` is neither a folder nor a Git revision of this repository; "
                   "pass a branch, tag or commit (`main`, `HEAD~1`), or two project folders\n")


def test_outside_a_repository_revisions_are_a_usage_error(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "diff", "HEAD~1", "HEAD")
    assert code == 2 and "not inside a Git repository" in err


def test_a_policy_error_on_one_side_is_shown_with_the_revision(repo, capsys):
    (repo / "policies" / "global.policy").write_text(GLOBAL.replace("cap sms 2 per 7 days", "cap sms 2 per 7 dayz"))
    git(repo, "commit", "-q", "-am", "typo")
    code, out, err = run(capsys, "diff", "HEAD~1", "HEAD", "policies")
    assert (code, out) == (1, "")
    assert "HEAD:policies/global.policy:7:" in err
    assert "cap sms 2 per 7 dayz" in err and "^" in err and "Traceback" not in err


def test_a_revision_without_the_project_is_a_usage_error(repo, capsys):
    code, _, err = run(capsys, "diff", "HEAD~1", "HEAD", "elsewhere")
    assert code == 2 and "`HEAD~1` has no `elsewhere/policylang.yaml`" in err


def test_dir_with_two_folders_is_a_usage_error(tmp_path, capsys, monkeypatch):
    write(tmp_path / "old", GLOBAL)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "diff", "old", "old", "old")
    assert code == 2 and "DIR is for comparing Git revisions" in err


def documented_workflow() -> dict:
    doc = (ROOT / "docs" / "pull-requests.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Policy diff on pull requests"):]
    return yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S)[1])


def test_the_documented_workflow_runs_in_a_repository_with_a_loosening_and_a_tightening(repo, tmp_path):
    workflow = documented_workflow()
    job = workflow["jobs"]["diff"]
    base = git(repo, "rev-parse", "HEAD~1")
    summary = tmp_path / "summary.md"
    env = {**os.environ, **workflow["env"], "PROJECT": "policies", "BASE": base, "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    assert job["env"]["BASE"] == "${{ github.event.pull_request.base.sha }}"
    assert shutil.which("policylang", path=env["PATH"])
    steps = [s for s in job["steps"] if "run" in s and "pip install" not in s["run"]]
    results = [subprocess.run(["bash", "-e", "-c", s["run"]], cwd=repo, env=env, capture_output=True, text=True)
               for s in steps]
    summary_step, annotations, gate = results
    assert summary_step.returncode == 0, summary_step.stderr
    text = summary.read_text()
    assert text.startswith(f"### Policy diff: `{base}` → `HEAD`\n\n**1 of 2 change(s) may contact customers more")
    assert "| `global.sms_weekly` | loosened | `cap sms 2 per 7 days` | `cap sms 3 per 7 days` |" in text
    assert "| `global.minors` | tightened | `block email for age < 18` | `block email for age < 21` |" in text
    assert annotations.returncode == 0 and annotations.stdout.count("::warning ") == 1
    assert annotations.stdout.count("::notice ") == 1
    assert gate.returncode == 1 and "loosened: global.sms_weekly" in gate.stdout
    assert "policy-loosening-approved" in steps[-1]["if"]
