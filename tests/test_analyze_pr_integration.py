"""Pull-request integration: the pre-commit hooks and the GitHub Actions workflow run
commands the CLI accepts, on the files they should, and the docs show them as shipped."""
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from policylang.cli import build_parser

ROOT = Path(__file__).parents[1]
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
WORKFLOW_TEXT = (ROOT / "docs" / "examples" / "policylang.yml").read_text(encoding="utf-8")
WORKFLOW = yaml.safe_load(WORKFLOW_TEXT)
DOC = (ROOT / "docs" / "pull-requests.md").read_text(encoding="utf-8")
CASE = ROOT / "tests" / "analysis_cases" / "contention"


def hook(hook_id: str) -> dict:
    return next(h for h in HOOKS if h["id"] == hook_id)


def parses(command: str) -> None:
    """`policylang ...` is accepted by the CLI's parser (exit 2 on a usage error)."""
    words = shlex.split(command)
    assert words[0] == "policylang"
    build_parser().parse_args(words[1:])


def test_the_hooks_are_check_and_fmt_check():
    assert [h["id"] for h in HOOKS] == ["policylang-check", "policylang-fmt"]
    for h in HOOKS:
        assert h["language"] == "python" and h["name"] and h["description"]
        parses(h["entry"] + (" ." if not h.get("pass_filenames", True) else " a.policy b.policy"))
    assert hook("policylang-fmt")["entry"].endswith("--check")


@pytest.mark.parametrize("path, check, fmt", [
    ("policies/global.policy", True, True),
    ("cruises.policy", True, True),
    ("policylang.yaml", True, False),
    ("projects/travel/policylang.yaml", True, False),
    ("my_policylang.yaml", False, False),
    ("README.md", False, False),
    ("policies/global.policy.orig", False, False),
])
def test_the_hooks_run_on_policy_files_and_the_config_only(path, check, fmt):
    # pre-commit matches `files` with Python's re.search against the path from the repository root
    assert bool(re.search(hook("policylang-check")["files"], path)) == check
    assert bool(re.search(hook("policylang-fmt")["files"], path)) == fmt


def test_the_check_hook_checks_the_whole_project_and_fmt_the_staged_files():
    assert hook("policylang-check")["pass_filenames"] is False
    assert hook("policylang-fmt").get("pass_filenames", True) is True


def run_steps() -> list[dict]:
    return [s for s in WORKFLOW["jobs"]["check"]["steps"] if "run" in s]


def test_the_workflow_annotates_uploads_sarif_and_checks_the_layout():
    commands = [s["run"] for s in run_steps()]
    assert any("--format github" in c for c in commands)
    sarif = next(s for s in run_steps() if "--format sarif" in s["run"])
    assert sarif["continue-on-error"] is True and sarif["run"].endswith("> policylang.sarif")
    upload = next(s for s in WORKFLOW["jobs"]["check"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["with"]["sarif_file"] == "policylang.sarif" and upload["if"].startswith("always()")
    assert WORKFLOW["permissions"]["security-events"] == "write"
    assert any("fmt --check" in c for c in commands)
    triggers = WORKFLOW[True]  # YAML 1.1 reads the key `on` as true
    assert "**.policy" in triggers["pull_request"]["paths"]


def test_every_policylang_command_of_the_workflow_is_accepted():
    for step in run_steps():
        command = step["run"].split(">")[0].replace('"$PROJECT"', ".")
        if command.startswith("policylang"):
            parses(command)


def test_the_docs_show_the_workflow_as_shipped():
    assert WORKFLOW_TEXT.strip() in DOC
    for h in HOOKS:
        assert f"id: {h['id']}" in DOC


def policylang(*args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=cwd, capture_output=True, text=True)


def test_the_hooks_run_as_pre_commit_would(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(CASE, project)
    check = policylang(*shlex.split(hook("policylang-check")["entry"])[1:], cwd=project)
    assert check.returncode == 1 and "error[PL501]" in check.stdout  # a conflict fails the commit
    assert hook("policylang-check")["verbose"] is True  # and pre-commit shows what an allowed finding says
    with open(project / "policylang.yaml", "a", encoding="utf-8") as f:
        f.write("lint:\n  warn: [PL501]\n")
    allowed = policylang(*shlex.split(hook("policylang-check")["entry"])[1:], cwd=project)
    assert allowed.returncode == 0 and "warning[PL501]" in allowed.stdout
    strict = policylang(*shlex.split(hook("policylang-check")["entry"])[1:], "--strict", cwd=project)
    assert strict.returncode == 1
    (project / "global.policy").write_text("policy  global\nchannels email\nconsent email requires opt_in\n")
    fmt = policylang(*shlex.split(hook("policylang-fmt")["entry"])[1:], "global.policy", cwd=project)
    assert fmt.returncode == 1 and "global.policy" in fmt.stdout + fmt.stderr


def test_github_annotations_name_files_from_the_repository_root(tmp_path):
    shutil.copytree(CASE, tmp_path / "policies")
    out = policylang("check", "policies", "--format", "github", cwd=tmp_path).stdout
    assert out.startswith("::error file=policies/global.policy,line=9,")
