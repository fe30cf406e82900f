"""The composite GitHub Action (action.yml): its shell steps, run as the runner would in a
throwaway Git repository, annotate, write SARIF, list every finding in the step summary and
fail the job on a finding the project has not allowed. The install step runs against a
stand-in `python` (offline, pip cannot build the package), which records what it was asked."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
CASE = ROOT / "tests" / "analysis_cases" / "contention"


def shell_steps() -> list[dict]:
    return [s for s in ACTION["runs"]["steps"] if s.get("shell") == "bash"]


def expand(text: str, inputs: dict, env: dict, base_sha: str = "") -> str:
    """`${{ inputs.X }}`, `${{ runner.temp }}` and the pull request's base SHA as the runner substitutes them."""
    text = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: inputs[m[1]], text)
    text = re.sub(r"\$\{\{\s*github\.event\.pull_request\.base\.sha\s*\}\}", base_sha, text)
    return re.sub(r"\$\{\{\s*runner\.temp\s*\}\}", env["RUNNER_TEMP"], text)


def runs(step: dict, event: str, failed: bool) -> bool:
    """Would the runner run `step` on `event`, after a failed step or not? (The `if:`s action.yml uses.)"""
    condition = step.get("if", "")
    if "github.event_name == 'pull_request'" in condition and event != "pull_request":
        return False
    return not failed or condition.startswith("always()")


def run_action(repo: Path, tmp: Path, event: str = "push", base_sha: str = "",
               **given) -> tuple[list[subprocess.CompletedProcess], str, Path]:
    inputs = {name: spec["default"] for name, spec in ACTION["inputs"].items()} | given
    summary = tmp / "summary.md"
    # policylang is installed here already, and pip cannot fetch build tools offline: `python` is a stand-in
    # that records what the install step asks of it; `policylang` is the installed command
    shims = tmp / "bin"
    shims.mkdir()
    (shims / "python").write_text(f'#!/bin/sh\necho "$@" > "{tmp}/python-args"\n')
    (shims / "python").chmod(0o755)
    env = {**os.environ, "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(tmp), "GITHUB_STEP_SUMMARY": str(summary),
           "PATH": f"{shims}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    results = []
    for step in shell_steps():
        if not runs(step, event, failed=any(r.returncode for r in results)):
            continue
        step_env = {**env, **{k: expand(str(v), inputs, env, base_sha) for k, v in step.get("env", {}).items()}}
        results.append(subprocess.run(["bash", "-e", "-c", expand(step["run"], inputs, env, base_sha)], cwd=repo,
                                      env=step_env, capture_output=True, text=True))
    return results, summary.read_text() if summary.exists() else "", tmp / "policylang.sarif"


@pytest.fixture
def repo(tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(CASE, repo / "policies")
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@example.com",
                                                   "commit", "-q", "-m", "policies"]):
        subprocess.run(["git", *command], cwd=repo, check=True)
    (tmp_path / "runner").mkdir()
    return repo


def test_the_action_installs_from_its_own_ref_and_uploads_sarif_whatever_the_outcome():
    install = shell_steps()[0]
    assert '"$GITHUB_ACTION_PATH"' in install["run"] and "pip install" in install["run"]
    upload = next(s for s in ACTION["runs"]["steps"] if "upload-sarif" in s.get("uses", ""))
    assert upload["if"].startswith("always()") and upload["with"]["sarif_file"] == "${{ runner.temp }}/policylang.sarif"
    assert ACTION["runs"]["using"] == "composite"


def test_a_conflict_fails_the_step_with_annotations_sarif_and_every_finding_in_the_summary(repo, tmp_path):
    results, summary, sarif = run_action(repo, tmp_path / "runner", project="policies")
    install, sarif_step, check = results
    assert install.returncode == 0, install.stderr
    assert (tmp_path / "runner" / "python-args").read_text().split() == ["-m", "pip", "install", "--quiet", str(ROOT)]
    assert sarif_step.returncode == 0 and '"ruleId": "PL501"' in sarif.read_text().replace('":"', '": "')
    assert check.returncode == 1
    annotations = check.stdout.splitlines()
    assert len(annotations) == 2 and all(a.startswith("::error file=policies/global.policy,") for a in annotations)
    assert summary.startswith("## policylang check\n\n```\n") and summary.count("error[PL501]") == 2
    assert "\x1b[" not in summary and summary.rstrip().endswith("```")


def test_a_clean_project_passes_and_says_so_in_the_summary(repo, tmp_path):
    with open(repo / "policies" / "policylang.yaml", "a") as f:
        f.write("lint:\n  warn: [PL501]\n")
    results, summary, _ = run_action(repo, tmp_path / "runner", project="policies")
    assert [r.returncode for r in results] == [0, 0, 0]
    assert summary.count("warning[PL501]") == 2 and "2 warnings" in summary


def test_the_docs_pin_the_action_and_the_hooks_to_a_commit():
    doc = (ROOT / "docs" / "pull-requests.md").read_text(encoding="utf-8")
    assert re.search(r"uses: OWNER/policylang@[0-9a-f]{40}", doc)
    revs = re.findall(r"^\s+rev: (\S+)", doc, re.M)
    assert revs and all(re.fullmatch(r"[0-9a-f]{40}", rev) for rev in revs)  # no tag that does not exist


def _commit(repo: Path, message: str) -> str:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-am", message],
                   cwd=repo, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.parametrize("fail_on_loosen", ["false", "true"])
def test_on_a_pull_request_the_policy_diff_goes_to_the_summary(repo, tmp_path, fail_on_loosen):
    with open(repo / "policies" / "policylang.yaml", "a") as f:
        f.write("lint:\n  warn: [PL501]\n")
    base = _commit(repo, "allow PL501")
    policy = repo / "policies" / "global.policy"
    policy.write_text(policy.read_text().replace("cap sms 2 per 7 days", "cap sms 3 per 7 days")  # loosens
                      .replace("cap marketing 10 per 7 days", "cap marketing 8 per 7 days"))  # tightens
    _commit(repo, "sms up, marketing down")
    results, summary, _ = run_action(repo, tmp_path / "runner", event="pull_request", base_sha=base,
                                     project="policies", **{"fail-on-loosen": fail_on_loosen})
    assert [r.returncode for r in results] == [0, 0, 0, 1 if fail_on_loosen == "true" else 0], results[-1].stderr
    diff = summary[summary.index("### Policy diff"):]
    assert diff.startswith(f"### Policy diff: `{base}` → `HEAD`")
    assert "| `global.sms_weekly` | loosened | `cap sms 2 per 7 days` | `cap sms 3 per 7 days` |" in diff
    assert "| `global.weekly` | tightened | `cap marketing 10 per 7 days` | `cap marketing 8 per 7 days` |" in diff
    assert "- `global.sms_weekly` loosens: " in diff and "2 sms touches" in diff


def test_the_policy_diff_step_runs_only_on_pull_requests(repo, tmp_path):
    with open(repo / "policies" / "policylang.yaml", "a") as f:
        f.write("lint:\n  warn: [PL501]\n")
    results, summary, _ = run_action(repo, tmp_path / "runner", project="policies")
    assert len(results) == 3 and "Policy diff" not in summary
