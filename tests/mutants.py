"""Planted bugs the differential test must catch: `python tests/mutants.py` (docs/testing.md, "Mutants").

Each mutant below is a small, plausible bug in the reference interpreter or
the SQL compiler: the six an audit planted (issue 12) and at least one per
rule kind. For each, the working tree is copied to a temporary folder (the
checkout itself is never changed), the one edit is applied to the copy, and
only the differential test (tests/test_equivalence.py, interpreter against
the compiled SQL) runs there, under the derandomized `ci` Hypothesis profile
(a fixed seed; as `ci-unshrunk`, which draws the same examples and does not
shrink a failure), on DuckDB and PostgreSQL. The bug is caught when that test
fails. The unchanged copy runs first and must pass, so a failure is the bug's.
The last line is `mutants: A/B caught by the differential test`; the exit
status is 0 only when every mutant is caught.

    python tests/mutants.py                 # every mutant
    python tests/mutants.py --only gap      # the mutants whose name contains `gap`
    python tests/mutants.py --jobs 2        # two copies, two mutants at a time
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/test_equivalence.py::test_engine_decides_as_the_reference_interpreter"
ENGINES = ("duckdb", "postgres")


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str  # relative to the repository
    old: str  # occurs exactly once in the file
    new: str


MUTANTS = (
    # the six of the audit
    Mutant("window start inclusive (interpreter)", "compilers/reference/customer.py",
           "self.start < moment", "self.start <= moment"),
    Mutant("tie-break reversed: candidate_id DESC (SQL)", "compilers/sql/batch.py",
           "order += [exp.Ordered(this=key) for key", "order += [exp.Ordered(this=key, desc=True) for key"),
    Mutant("stop unopened: NULL guard dropped, none opened counts nothing (SQL)", "compilers/sql/history.py",
           "after = exp.or_(is_null(opened.copy()), exp.GT(this=rows.raw(\"sent_at\"), expression=opened), copy=False)",
           "after = exp.GT(this=rows.raw(\"sent_at\"), expression=opened)"),
    Mutant("stop unopened: off by one, fails after N+1 (interpreter)", "compilers/reference/checks.py",
           "unopened < rule.count", "unopened <= rule.count"),
    Mutant("consent: requires opt_in satisfied by an opt-out (interpreter)", "compilers/reference/checks.py",
           'passed = status == "opt_in" if rule.requires_opt_in', 'passed = status is not None if rule.requires_opt_in'),
    # the audit's "a full consent tie goes to opt_in" changes no decision since an opt-out of the same instant
    # overrides an opt-in (docs/testing.md, "Mutants"): the nearest decision bug is that override dropped
    Mutant("consent: an opt-out of the same instant does not override an opt-in (interpreter)",
           "compilers/reference/checks.py", "_moment(r) >= _moment(row)]", "_moment(r) > _moment(row)]"),
    # one or more per rule kind
    Mutant("consent: brand before topic (interpreter)", "compilers/reference/checks.py",
           'r.get("topic") is not None, r.get("brand") is not None, _moment(r)',
           'r.get("brand") is not None, r.get("topic") is not None, _moment(r)'),
    Mutant("consent: an opt-in overrides an opt-out of the same instant (SQL)", "compilers/sql/consent.py",
           'later_opt_out = flag(exp.GTE(this=k("latest_opt_out")', 'later_opt_out = flag(exp.GT(this=k("latest_opt_out")'),
    Mutant("block: a comparison with a NULL attribute holds (interpreter)", "compilers/reference/conditions.py",
           "return attrs.get(attr) is not None and OPERATORS[op](attrs[attr], value)",
           "return attrs.get(attr) is None or OPERATORS[op](attrs[attr], value)"),
    Mutant("cooldown: window an hour too long (interpreter)", "compilers/reference/checks.py",
           "bounds = customer.window(rule.window.hours)\n    events = [",
           "bounds = customer.window(rule.window.hours + 1)\n    events = ["),
    Mutant("stop unopened: an opening after T counts (interpreter)", "compilers/reference/checks.py",
           't["sent_at"] for t in touches if customer.happened(t.get("opened_at"))',
           't["sent_at"] for t in touches if t.get("opened_at") is not None'),
    Mutant("stop conversion: a conversion after T counts (interpreter)", "compilers/reference/checks.py",
           'and customer.happened(t.get("converted_at"))]', 'and t.get("converted_at") is not None]'),
    Mutant("gap: ignores candidates sent earlier in the batch (interpreter)", "compilers/reference/checks.py",
           "_check(rule, not touches and not sent,", "_check(rule, not touches,"),
    Mutant("cap: a unit's cap counts every unit's touches (interpreter)", "compilers/reference/checks.py",
           "_count_against(rule, customer, rule.selector, rule.scope,",
           "_count_against(rule, customer, rule.selector, GLOBAL,"),
    Mutant("tiered cap: the last holding tier wins (interpreter)", "compilers/reference/checks.py",
           "tier = next((t for t in rule.tiers if", "tier = next((t for t in reversed(rule.tiers) if"),
    Mutant("spend cap: reaching the amount exactly fails (interpreter)", "compilers/reference/checks.py",
           "_check(rule, total <= rule.amount,", "_check(rule, total < rule.amount,"),
    Mutant("preferences: a topic row counts the whole channel (interpreter)", "compilers/reference/checks.py",
           'Selector(row["channel"], row.get("topic"))', 'Selector(row["channel"], None)'),
    Mutant("scores: a per-touch line ignores its window (interpreter)", "compilers/reference/conditions.py",
           'and t.get(f"{measure}_at") in bounds)', 'and customer.happened(t.get(f"{measure}_at")))'),
)

IGNORED = shutil.ignore_patterns(".git", "__pycache__", "*.egg-info", ".hypothesis", ".pytest_cache",
                                 "spark-warehouse", "metastore_db", "out", "build", "dist")


def make_copy(into: Path) -> Path:
    """The working tree copied to `into`, importable as `policylang` from there: the editable install maps
    policylang.compilers and policylang.grammar to the checkout, so the copy links them into its package."""
    copy = into
    shutil.copytree(ROOT, copy, ignore=IGNORED, symlinks=True)
    for name in ("compilers", "grammar"):
        (copy / "policylang" / name).symlink_to(copy / name, target_is_directory=True)
    found = subprocess.run([sys.executable, "-c", "import policylang.compilers.reference as m; print(m.__file__)"],
                           cwd=copy, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(found).resolve().is_relative_to(copy.resolve()):
        raise SystemExit(f"the copy imports the checkout's interpreter ({found}): mutants would not be tested")
    return copy


def differential_test(copy: Path) -> tuple[int, float, str]:
    """(pytest's exit status, seconds, the output's last line) for the differential test in `copy`."""
    env = dict(os.environ, POLICYLANG_HYPOTHESIS_PROFILE="ci-unshrunk", PYTHONDONTWRITEBYTECODE="1")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", TEST,
                           "-k", " or ".join(ENGINES)],
                          cwd=copy, env=env, capture_output=True, text=True)
    last = (done.stdout.strip().splitlines() or [""])[-1]
    return done.returncode, time.perf_counter() - started, last


def anchor_problems(root: Path = ROOT) -> list[str]:
    """Why a mutant cannot be planted in the tree at `root` (its file is gone, its `old` text does not occur
    exactly once, or `new` equals `old`): empty when every anchor holds. A refactoring that moves the code
    must update the mutant's `path`/`old`/`new` here."""
    problems = []
    for mutant in MUTANTS:
        path = root / mutant.path
        if not path.is_file():
            problems.append(f"mutant `{mutant.name}`: {mutant.path} does not exist")
            continue
        count = path.read_text(encoding="utf-8").count(mutant.old)
        if count != 1:
            problems.append(f"mutant `{mutant.name}`: its `old` text occurs {count} times in {mutant.path}, not once")
        if mutant.new == mutant.old:
            problems.append(f"mutant `{mutant.name}`: `new` is the same as `old`, nothing would be planted")
    return problems


def apply(copy: Path, mutant: Mutant, pristine: dict[str, str]) -> None:
    (copy / mutant.path).write_text(pristine[mutant.path].replace(mutant.old, mutant.new), encoding="utf-8")


def verdict(copy: Path, mutant: Mutant, pristine: dict[str, str]) -> str:
    """The mutant applied to `copy`, the differential test run, the file restored: a line of the report."""
    apply(copy, mutant, pristine)
    status, seconds, last = differential_test(copy)
    (copy / mutant.path).write_text(pristine[mutant.path], encoding="utf-8")
    word = {0: "MISSED", 1: "caught"}.get(status, f"ERROR (pytest exit {status}: {last})")
    return f"{word:7} {seconds:5.0f} s  {mutant.name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only the mutants whose name contains this text")
    parser.add_argument("--jobs", type=int, default=1, help="mutants tested at a time, each in its own copy")
    args = parser.parse_args(argv)
    mutants = [m for m in MUTANTS if args.only in m.name]
    problems = anchor_problems()
    if problems:
        print("\n".join(["mutants.py: anchors that no longer match the source (fix them in MUTANTS):", *problems]),
              file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="policylang-mutants-") as tmp:
        copies = [make_copy(Path(tmp) / f"copy{n}") for n in range(max(1, args.jobs))]
        pristine = {m.path: (copies[0] / m.path).read_text(encoding="utf-8") for m in MUTANTS}
        status, seconds, last = differential_test(copies[0])
        print(f"unchanged copy: {'passes' if status == 0 else 'FAILS'} ({seconds:.0f} s: {last})", flush=True)
        if status != 0:
            print("the differential test fails without a planted bug: fix that first")
            return 1
        free = list(copies)

        def one(mutant: Mutant) -> str:
            copy = free.pop()
            try:
                line = verdict(copy, mutant, pristine)
            finally:
                free.append(copy)
            print(line, flush=True)
            return line

        with ThreadPoolExecutor(max_workers=len(copies)) as pool:
            lines = list(pool.map(one, mutants))
    caught = sum(line.startswith("caught") for line in lines)
    print(f"({time.perf_counter() - started:.0f} s in all)")
    print(f"mutants: {caught}/{len(mutants)} caught by the differential test")
    return 0 if caught == len(mutants) else 1


if __name__ == "__main__":
    sys.exit(main())
