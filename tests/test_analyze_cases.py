"""The conflict corpus (tests/analysis_cases/): every finding, by code and `file:line`,
for the primary and the related location, exactly as the `# expect` comments say;
and the shipped example project stays free of analysis findings."""
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from policylang.analyze import analyze
from policylang.codes import REGISTRY
from policylang.project import load_project

CASES = Path(__file__).parent / "analysis_cases"
SHIPPED = Path(__file__).parents[1] / "policies"
MARK = re.compile(r"# expect(-related)?: ((?:PL\d{3}\s*)+)")


def expectations(case: Path) -> tuple[Counter, Counter]:
    primary, related = Counter(), Counter()
    for path in sorted(case.iterdir()):
        if path.suffix not in (".policy", ".yaml"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for mark in MARK.finditer(line):
                target = related if mark.group(1) else primary
                target.update((code, path.name, number) for code in mark.group(2).split())
    return primary, related


def located(case: Path, span) -> tuple[str, int]:
    return os.path.relpath(span.file, case), span.line


def findings(case: Path):
    project = load_project(case)
    assert not project.diagnostics, [d.message for d in project.diagnostics]
    return analyze(project.policy)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.is_dir()))
def test_case(case):
    folder = CASES / case
    found = findings(folder)
    primary = Counter((d.code, *located(folder, d.span)) for d in found)
    related = Counter((d.code, *located(folder, r.span)) for d in found for r in d.related)
    expected_primary, expected_related = expectations(folder)
    assert primary == expected_primary
    assert related == expected_related


def test_the_corpus_covers_every_analysis_code():
    codes = set()
    for case in CASES.iterdir():
        if case.is_dir():
            codes |= {code for code, _, _ in expectations(case)[0]}
    assert codes == {code for code in REGISTRY if code.startswith("PL5")}


def test_the_shipped_policies_give_no_analysis_finding():
    assert [f"{d.code} {d.span.where}: {d.message}" for d in findings(SHIPPED)] == []


def by_code(case: str, code: str):
    return [d for d in findings(CASES / case) if d.code == code]


def test_tiered_contention_names_a_customer_who_is_not_gold():
    tiered = [d for d in by_code("contention_windows_tiers", "PL501") if d.data["global_rule"] == "global.email_weekly"]
    assert len(tiered) == 1
    assert tiered[0].data["example"].get("loyalty_tier") != "gold"
    assert tiered[0].data["units"] == {"cruises": 2, "hotels": 3} and tiered[0].data["global_limit"] == 2


def test_window_contention_counts_a_daily_cap_seven_times_a_week():
    weekly = [d for d in by_code("contention_windows_tiers", "PL501") if d.data["global_rule"] == "global.weekly"]
    assert weekly[0].data["units"] == {"cruises": 7, "hotels": 2} and weekly[0].data["global_limit"] == 6
    assert weekly[0].data["alone"] == ["cruises"]  # 7 pushes a week: cruises can starve hotels by itself


def test_overlap_names_a_customer_in_both_segments():
    (overlap,) = by_code("overlapping_tiers", "PL505")
    customer = overlap.data["example"]
    assert customer["cruises_taken"] >= 1 and customer["hotel_nights"] >= 10


def test_unreachable_branch_example_is_taken_by_an_earlier_branch():
    (push,) = [d for d in by_code("unreachable_tiers", "PL502") if d.data["rule"] == "global.push_tiers"]
    tier = push.data["example"]["loyalty_tier"]
    assert tier is not None and tier != "gold"  # matches `!= "gold"`, so `not (= "gold")` takes it first
