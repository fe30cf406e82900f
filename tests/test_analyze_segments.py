"""Segments and scores that cannot hold (PL513-PL515), against the reference interpreter's own
evaluator: on every customer of a grid that covers each value the conditions tell apart, an empty
segment never holds, a dead score line never adds, and two equal segments agree."""
from datetime import datetime
from itertools import product
from pathlib import Path

from policylang.analyze import segments
from policylang.compilers.reference.conditions import holds, score
from policylang.compilers.reference.customer import Customer
from policylang.model import ScoreCompare
from policylang.project import load_project

CASE = Path(__file__).parent / "analysis_cases" / "segments_scores"
T = datetime(2025, 6, 30, 12, 0)


def grid(policy):
    for employees, tier, country in product((None, 0, 5, 7, 10, 11, 99, 100, 101), (None, "gold", "silver", "x"),
                                            (None, "NO")):
        yield Customer(1, {"customer_id": 1, "employees": employees, "tier": tier, "country": country}, T, policy)


def test_each_finding_holds_for_every_customer_of_the_grid():
    policy = load_project(CASE).policy
    found = segments.check(policy)
    assert sorted(f.code for f in found) == ["PL513", "PL513", "PL513", "PL514", "PL515"]
    customers = list(grid(policy))
    for finding in found:
        if finding.code == "PL513":
            condition = policy.segments[finding.data["segment"]].condition
            assert not any(holds(condition, c) for c in customers)
        elif finding.code == "PL514":
            line = policy.scores[finding.data["score"]].lines[finding.data["line"] - 1]
            assert not any(holds(line.condition, c) for c in customers)
        else:
            a, b = (policy.segments[finding.data[key]].condition for key in ("segment", "equal_to"))
            assert all(holds(a, c) == holds(b, c) for c in customers)


def test_the_stated_score_bounds_are_reached():
    policy = load_project(CASE).policy
    values = [score("fit", c) for c in grid(policy)]
    messages = " ".join(f.message for f in segments.check(policy))
    assert f"at most {max(values)}" in messages and f"at least {min(values)}" in messages
    assert isinstance(policy.segments["global.dream_fit"].condition, ScoreCompare)
