"""Benchmark of the decision query (issue 3, item 9).

Generates seeded data with `generate_data.py` (Parquet, cached per size and
seed), loads it into one in-process DuckDB the way `policylang run` does, and
times on that connection:

- the decision query of the example project (`policies/`), materialised as a
  table: `CREATE TABLE decisions AS <decision query>`;
- the baseline `CREATE TABLE t AS SELECT customer_id, count(*) FROM touches
  GROUP BY 1`, one pass over the history;
- the reference interpreter on a sample of customers, whose decisions must
  equal the SQL's for the same candidates (a correctness check at scale).

    python bench/bench_decide.py                 # issue 5 size: 1M customers, 20M touches, 2M candidates
    python bench/bench_decide.py --smoke         # a few seconds, for CI
    python bench/bench_decide.py --customers 100000 --touches 2000000

Figures and the machine they were taken on go in docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp

import generate_data
from policylang.commands.run import open_data_files
from policylang.compilers.reference import decide
from policylang.compilers.sql import compile_policy
from policylang.dataset import Dataset
from policylang.model import DECISION_COLUMNS, TABLE_COLUMNS
from policylang.project import load_project, require_policy

POLICIES = Path(__file__).resolve().parent.parent / "policies"
SMOKE = {"customers": 2_000, "touches": 40_000, "candidates": 4_000, "sample": 200}


def timed(what: str, action, results: dict):
    started = time.perf_counter()
    value = action()
    results[what] = time.perf_counter() - started
    print(f"  {what:<34} {results[what]:8.2f} s", flush=True)
    return value


def machine() -> str:
    memory = "?"
    if Path("/proc/meminfo").exists():
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory = f"{kib / 2**20:.0f} GiB"
    compiled = "" if sqlglot.generator.__file__.endswith(".py") else " (compiled, sqlglotc)"
    return (f"{os.cpu_count()} cores, {memory} RAM, {platform.system()} {platform.machine()}; Python "
            f"{platform.python_version()}, DuckDB {duckdb.__version__}, sqlglot {sqlglot.__version__}{compiled}; "
            f"{date.today()}")


def data_files(args) -> dict[str, Path]:
    """The Parquet files for these sizes, generated once into the cache folder."""
    folder = Path(args.data) / f"c{args.customers}-t{args.touches}-b{args.candidates}-s{args.seed}"
    paths = {t: folder / f"{t}.parquet" for t in TABLE_COLUMNS}
    if not all(p.exists() for p in paths.values()):
        generate_data.generate(folder, args.customers, args.touches, args.candidates, args.seed, "parquet")
    return paths


def sample_dataset(con, customer_ids: list) -> Dataset:
    """Every table's rows for the sampled customers, as the interpreter reads them."""
    tables = {}
    for table in TABLE_COLUMNS:
        query = exp.select("*").from_(exp.to_identifier(table, quoted=True)).where(
            exp.column("customer_id").isin(*map(exp.convert, customer_ids)))
        result = con.execute(query.sql(dialect="duckdb"))
        names = [d[0] for d in result.description]
        tables[table] = [dict(zip(names, row)) for row in result.fetchall()]
    return Dataset(**tables)


def size_parser(description: str, customers: int, candidates_help: str) -> argparse.ArgumentParser:
    """The data-size arguments every benchmark over generated data takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--customers", type=int, default=customers)
    parser.add_argument("--touches", type=int, help="history rows (default: 20 per customer)")
    parser.add_argument("--candidates", type=int, help=candidates_help)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", default=Path(tempfile.gettempdir()) / "policylang-bench",
                        help="cache folder for the generated Parquet files")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    return parser


def sized(args, smoke: dict):
    """`args` with the smoke sizes applied (`--smoke`) and the per-customer defaults filled in."""
    if args.smoke:
        for name, value in smoke.items():
            setattr(args, name, value)
    args.touches = args.touches or 20 * args.customers
    args.candidates = args.candidates or 2 * args.customers
    return args


def open_generated(args, results: dict):
    """The example project's policy and one DuckDB holding the generated data of `args`' size."""
    project = load_project(POLICIES)
    policy = require_policy(project)
    paths = timed("generate (or reuse) Parquet", lambda: data_files(args), results)
    config = dataclasses.replace(project.config, data={t: str(p.resolve()) for t, p in paths.items()})
    return policy, timed("load into DuckDB (typed tables)", lambda: open_data_files(config, policy), results)


def main(argv: list[str] | None = None) -> int:
    parser = size_parser(__doc__.split("\n\n")[0], 1_000_000, "batch rows (default: 2 per customer)")
    parser.add_argument("--sample", type=int, default=2_000, help="customers decided by the interpreter")
    args = sized(parser.parse_args(argv), SMOKE)

    print(f"machine: {machine()}")
    print(f"data: {args.customers} customers, {args.touches} touches, {args.candidates} candidates, seed {args.seed}")
    results: dict[str, float] = {}
    policy, engine = open_generated(args, results)
    con = engine.connection
    query = timed("compile the decision query", lambda: compile_policy(policy, "duckdb", generate_data.AS_OF),
                  results)
    decisions = exp.table_("decisions", quoted=True)
    baseline = exp.select(exp.column("customer_id"), exp.Count(this=exp.Star())).from_("touches").group_by(
        exp.column("customer_id"))
    timed("decision query (CREATE TABLE AS)",
          lambda: engine.run(exp.Create(this=decisions, kind="TABLE", expression=query)), results)
    timed("baseline GROUP BY over touches",
          lambda: engine.run(exp.Create(this=exp.table_("t"), kind="TABLE", expression=baseline)), results)
    [(rows,)] = con.execute(exp.select(exp.Count(this=exp.Star())).from_(decisions).sql("duckdb")).fetchall()
    assert rows == args.candidates, f"{rows} decisions for {args.candidates} candidates"

    customers = [r[0] for r in con.execute(
        exp.select("customer_id").from_("candidates").distinct().order_by("customer_id").limit(args.sample)
        .sql("duckdb")).fetchall()]
    sample = sample_dataset(con, customers)
    interpreted = timed(f"interpreter, {len(sample.candidates)} candidates",
                        lambda: decide(policy, sample, generate_data.AS_OF), results)
    from_sql = {row[0]: row[1:] for row in con.execute(
        exp.select(*DECISION_COLUMNS).from_(decisions)
        .where(exp.column("customer_id").isin(*map(exp.convert, customers))).sql("duckdb")).fetchall()}
    disagree = [d for d in interpreted if from_sql.get(d.candidate_id) != d.as_tuple()[1:]]
    ratio = results["decision query (CREATE TABLE AS)"] / results["baseline GROUP BY over touches"]
    per_candidate = results[f"interpreter, {len(sample.candidates)} candidates"] / max(len(sample.candidates), 1)
    print(f"decision query / baseline: {ratio:.1f}x; interpreter: {per_candidate * 1e3:.2f} ms a candidate "
          f"(~{per_candidate * args.candidates:.0f} s for the whole batch)")
    print(f"interpreter and SQL agree on {len(interpreted) - len(disagree)} of {len(interpreted)} sampled candidates")
    engine.close()
    return 1 if disagree else 0


if __name__ == "__main__":
    sys.exit(main())
