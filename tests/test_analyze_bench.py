"""The analysis benchmark's generator makes a valid project (so `bench/bench_analyze.py` cannot rot)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))

import bench_analyze  # noqa: E402


def test_the_generated_project_resolves_and_is_analysed(capsys):
    assert bench_analyze.main(["--units", "3", "--rules", "4", "--repeat", "1"]) == 0
    out = capsys.readouterr().out
    assert "3 units x 4 rules" in out and "findings:" in out


def test_the_generator_is_seeded():
    assert bench_analyze.generate(4, 6, seed=1) == bench_analyze.generate(4, 6, seed=1)
    assert bench_analyze.generate(4, 6, seed=1) != bench_analyze.generate(4, 6, seed=2)
