"""Benchmark of `policylang check` on a 1 MB policy file (issue 2, item 6).

Writes a project whose global file is about 1 MB of valid statements (the global file
of docs/language.md, "A policy set", then seeded segment definitions and, optionally, block rules), then times the installed
`policylang check` on it in fresh processes and prints the median wall time
and CPU time (user + system; steadier than wall time on a shared machine),
with the times of `policylang check policies` (the shipped example) for scale.

    python bench/bench_check.py            # 1 MB, 5 runs
    python bench/bench_check.py --mb 0.1 --runs 2
    python bench/bench_check.py --block-every 10   # 1 MB with ~770 blocks on one selector
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from spec_example import SPEC_GLOBAL  # noqa: E402

CONFIG = """business_units: [cruises]
policies: .
attributes:
  loyalty_tier: text
  last_purchase_at: timestamp
  lifecycle_stage: text
  industry: text
  employees: integer
  country: text
"""


def big_policy(size: int, seed: int, block_every: int) -> str:
    rng = random.Random(seed)
    lines = [SPEC_GLOBAL]
    n = 0
    while sum(map(len, lines)) < size:
        n += 1
        tier = rng.choice(["gold", "silver", "bronze", "platinum"])
        lines.append(f'segment s{n}: (loyalty_tier = "{tier}" or employees >= {rng.randint(1, 500)}) '
                     f'and not country is null and days_since(last_purchase_at) > {rng.randint(1, 900)}\n')
        if block_every and n % block_every == 0:
            lines.append(f"block email topic offers for s{n} and high_affinity as block_{n}\n")
    return "".join(lines)


def timed(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, exit code) of one run of `args`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    code = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, code


def medians(runs: list[tuple[float, float, int]]) -> str:
    return (f"{statistics.median(wall for wall, _, _ in runs):.2f} s wall, "
            f"{statistics.median(cpu for _, cpu, _ in runs):.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--block-every", type=int, default=0, metavar="N",
                        help="also a `block` rule after every N segments (all on one selector: the pairwise "
                             "shadowing analysis then has N-squared work)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        (project / "policylang.yaml").write_text(CONFIG)
        text = big_policy(int(args.mb * 1_000_000), args.seed, args.block_every)
        (project / "global.policy").write_text(text)
        runs = [timed(["policylang", "check", str(project)]) for _ in range(args.runs)]
        example = [timed(["policylang", "check", str(ROOT / "policies")]) for _ in range(args.runs)]
    codes = {code for _, _, code in runs}
    print(f"policy file: {len(text.encode()) / 1e6:.2f} MB, {text.count(chr(10))} lines; exit codes {sorted(codes)}")
    print(f"policylang check ({args.mb:g} MB file), median of {args.runs}: {medians(runs)}")
    print(f"policylang check policies, median of {args.runs}: {medians(example)}")


if __name__ == "__main__":
    main()
