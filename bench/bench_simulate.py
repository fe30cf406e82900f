"""Benchmark of `policylang simulate` (issue 14): a replay of the last days of generated history.

Generates seeded data with `generate_data.py` (Parquet, cached per size and
seed, as `bench_decide.py` does), loads it into one in-process DuckDB the way
`simulate` does, and times `simulation.replay_on` over the days before the
generated as-of day (the example project's policy), then the figures.

    python bench/bench_simulate.py                # 1/10 of issue 5's size, 90 days
    python bench/bench_simulate.py --smoke        # a few seconds, for CI

Figures and the machine they were taken on go in docs/benchmarks.md.
"""
from __future__ import annotations

import sys
from datetime import timedelta

import generate_data
from bench_decide import machine, open_generated, size_parser, sized, timed
from policylang.simulate.figures import figures
from policylang.simulate.replay import replay_on

SMOKE = {"customers": 2_000, "touches": 40_000, "candidates": 4_000, "days": 7}


def main(argv: list[str] | None = None) -> int:
    parser = size_parser(__doc__.split("\n\n")[0], 100_000, "batch rows (default: 2 per customer; not replayed)")
    parser.add_argument("--days", type=int, default=90, help="days replayed, ending the day before the as-of day")
    args = sized(parser.parse_args(argv), SMOKE)

    print(f"machine: {machine()}")
    print(f"data: {args.customers} customers, {args.touches} touches, seed {args.seed}; {args.days} days replayed")
    results: dict[str, float] = {}
    policy, engine = open_generated(args, results)
    end = generate_data.AS_OF.date() - timedelta(days=1)
    start = end - timedelta(days=args.days - 1)
    simulation = timed(f"replay {start} to {end}", lambda: replay_on(engine, policy, start, end), results)
    result = timed("figures", lambda: figures(simulation), results)
    engine.close()
    per_day = results[f"replay {start} to {end}"] / args.days
    print(f"{result.totals.before} marketing sends replayed, {result.totals.kept} kept; "
          f"{per_day:.2f} s a day, {per_day / max(result.totals.before / args.days, 1) * 1e3:.3f} ms a send")
    return 0 if result.totals.before > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
