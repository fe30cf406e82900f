"""The README's five-minute path, run for real: each step's command and its output.

Copies the shipped project (policies/) to a temporary `my-policies`, then does
what a newcomer does: writes a hotels SMS cap that the global weekly cap
overrides and that contends with air's, runs `check` (it fails: PL501, PL509),
fixes the rule,
checks again, writes a policy test for it, runs `test` and `run` at a fixed
as-of time, and shows the annotation a pull request would carry for the
conflict. Each step's command and output replace the README block between
`<!-- walkthrough:NAME -->` and `<!-- /walkthrough:NAME -->`.

    python tests/readme_walkthrough.py            # exit 1 and a diff when README.md is out of date
    python tests/readme_walkthrough.py --update   # rewrite the blocks (on a laptop; review the diff)

tests/test_readme.py runs the check, so the README cannot drift. It lives in
tests/ because it is development tooling that pytest imports (tests/ is on its
path), not something the package ships. Output is made deterministic: a fixed
`--as-of`, commands run from inside the copy (relative paths only), no colour,
a fixed terminal width, `run`'s elapsed time shown as `…`, long outputs cut
with `…`, and no trailing spaces.
"""
from __future__ import annotations

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
AS_OF = "2025-06-30T06:00:00"
BLOCK = re.compile(r"(<!-- walkthrough:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /walkthrough:(?P=name) -->)", re.S)
CONFLICT = "cap sms 7 per 7 days as sms_weekly"
FIXED = "cap sms 2 per 7 days as sms_weekly"
RULE = "# hotels: a few SMS a week at most\n{rule}\n"  # appended as the README's `cat >>` appends it
TEST = """\
# hotels.sms_weekly: two hotels SMS a week; other units' SMS are not counted
as_of: 2025-06-30T06:00:00
defaults:
  customers: {lifecycle_stage: customer}
  consents: {channel: sms, status: opt_in, updated_at: 2025-01-01T00:00:00}
  touches: {channel: sms, business_unit: hotels, topic: newsletter, message_class: marketing}
  candidates: {channel: sms, business_unit: hotels, topic: newsletter, message_class: marketing, priority: 5}
tables:
  customers: [{customer_id: 1}, {customer_id: 2}]
  consents: [{customer_id: 1}, {customer_id: 2}]
cases:
  - name: two hotels SMS this week hold back a third, not an air one
    tables:
      touches:
        - {customer_id: 1, sent_at: 2025-06-25T06:00:00}
        - {customer_id: 1, sent_at: 2025-06-28T06:00:00}
        - {customer_id: 2, sent_at: 2025-06-28T06:00:00}
      candidates:
        - {candidate_id: 1, customer_id: 1}
        - {candidate_id: 2, customer_id: 1, business_unit: air}
        - {candidate_id: 3, customer_id: 2}
    expect:
      - {candidate_id: 1, decision: suppress, rule: hotels.sms_weekly}
      - {candidate_id: 2, decision: send}
      - {candidate_id: 3, decision: send}
"""


def run(project: Path, *argv: str) -> tuple[int, str]:
    """`policylang ARGV` in `project`: exit status and what it printed (stdout and stderr, in order)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "TERM": "dumb"}
    done = subprocess.run([sys.executable, "-m", "policylang", *argv], cwd=project, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return done.returncode, done.stdout


def console(command: str, output: str, status: int | None = None) -> str:
    shown = "\n".join(line.rstrip() for line in output.rstrip("\n").splitlines())  # editors strip it
    tail = f"\n$ echo $?\n{status}" if status is not None else ""
    return f"```console\n$ {command}\n{shown}{tail}\n```\n"


def blocks() -> dict[str, str]:
    """Block name -> its Markdown, each made by running the step in a fresh copy of policies/."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "my-policies"
        shutil.copytree(ROOT / "policies", project)
        units = project / "hotels.policy"
        original = units.read_text(encoding="utf-8")
        out: dict[str, str] = {}

        units.write_text(original + RULE.format(rule=CONFLICT), encoding="utf-8")
        # a shell fence, not a `policy` one: tests/test_docs_examples.py holds those to whole, clean files
        out["rule"] = f"```sh\ncat >> hotels.policy <<'EOF'\n{RULE.format(rule=CONFLICT)}EOF\n```\n"
        status, text = run(project, "check")
        out["check-conflict"] = console("policylang check", text, status)
        _, annotations = run(project, "check", "--format", "github")
        out["annotations"] = console("policylang check --format github", annotations)

        units.write_text(original + RULE.format(rule=FIXED), encoding="utf-8")
        status, text = run(project, "check")
        out["check-fixed"] = console("policylang check", text, status)

        (project / "tests" / "hotels_sms.yaml").write_text(TEST, encoding="utf-8")
        out["test-file"] = f"```yaml\n{TEST}```\n"
        status, text = run(project, "test")
        mine = text[text.index("tests/hotels_sms.yaml"):].split("tests/")[1].rstrip("\n")
        out["test"] = console("policylang test", f"…\ntests/{mine}\n…\n{text.splitlines()[-1]}", status)

        status, text = run(project, "run", "--as-of", AS_OF, "--out", "decisions.csv")
        text = re.sub(r"decided in [0-9.]+ (m?s)", r"decided in … \1", text)
        lines = text.splitlines()
        table = next(i for i, line in enumerate(lines) if line.startswith("┡"))  # under the rules' header
        out["run"] = console(f"policylang run --as-of {AS_OF} --out decisions.csv",
                             "\n".join(lines[:table + 6] + ["…"]), status)
    return out


def rewritten(readme: str, made: dict[str, str]) -> str:
    """`readme` with each marked block's body replaced by its made text; every block must be made."""
    names = [m["name"] for m in BLOCK.finditer(readme)]
    if sorted(names) != sorted(made):
        raise SystemExit(f"README.md's walkthrough blocks {sorted(names)} are not the steps {sorted(made)}")
    return BLOCK.sub(lambda m: m[1] + made[m["name"]] + m[4], readme)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="rewrite README.md's walkthrough blocks")
    args = parser.parse_args(argv)
    current = README.read_text(encoding="utf-8")
    wanted = rewritten(current, blocks())
    if wanted == current:
        return 0
    if args.update:
        README.write_text(wanted, encoding="utf-8")
        print("README.md: walkthrough blocks rewritten; review the diff")
        return 0
    sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), wanted.splitlines(True),
                                               "README.md", "README.md (as the walkthrough runs today)"))
    print("README.md is out of date: python tests/readme_walkthrough.py --update, then review the diff")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
