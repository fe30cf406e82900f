"""Speed of the decision query against a one-scan floor, per engine (issue 5).

For the benchmark policy in `bench/policy/` (the shape issue 5 names) and the
seeded data of `generate_data.py` at `--scale` (1 = 1M customers, 20M touches,
2M candidates), every round times, each in a fresh process under
`/usr/bin/time -v`:

- the decision query, materialised: `CREATE TABLE pl_bench_decisions AS <query>`;
- the floor: `CREATE TABLE pl_bench_floor AS SELECT customer_id, count(*) FROM
  touches GROUP BY customer_id`, one pass over the history;
- on DuckDB and PostgreSQL, the same policy written by hand
  (`expert.sql`), which must first make exactly the compiled
  query's decisions: the reference the issue's target is stated against
  ("as fast as the best hand-written SQL").

Rounds interleave them (and rotate which goes first), because this
machine's speed drifts by ±30 %; the figure is the median of the per-round
ratios query / floor. Peak RSS is the worker's, reported for DuckDB only (the
PostgreSQL server and Spark's JVM are other processes); PostgreSQL runs with
JIT off, as docs/design.md advises. Spark's decisions must equal DuckDB's. Engines: `duckdb` (a database file next
to the Parquet cache), `postgres` (a database `policylang_bench_<size>` on the
local server, loaded once with COPY), `spark` (PySpark local[2], over the
Parquet files; slow, so only by asking for it).

    python bench/bench_perf.py --engine duckdb --scale 0.1 --rounds 5
    python bench/bench_perf.py --engine postgres --scale 0.1
    python bench/bench_perf.py --engine spark --scale 0.1 --rounds 1
    python bench/bench_perf.py --cli        # check, compile, both, of 50 units x 20 rules; check of policies/
    python bench/bench_perf.py --interpreter --scale 0.01   # the reference interpreter, per candidate

`--interpreter` times the reference interpreter deciding the whole batch at
`--scale` from rows already in memory (the SQL's per-candidate time, printed
by every engine run, is the figure to compare it with). `--cli` times the command line instead, wall clock of fresh processes (the
median of `--rounds`): `policylang check` and `policylang compile` on a
generated set of 50 business units of 20 rules each, and `policylang check
policies` on the example project.
"""
from __future__ import annotations

import argparse
import dataclasses
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pa_parquet
import sqlglot
from sqlglot import exp

import generate_data
from bench_decide import data_files, machine
from policylang.commands.run import open_data_files
from policylang.compilers.sql import compile_policy
from policylang.model import TABLE_COLUMNS
from policylang.project import load_project, require_policy

HERE = Path(__file__).resolve().parent
POLICY = HERE / "policy"
DECISIONS, FLOOR, EXPERT = "pl_bench_decisions", "pl_bench_floor", "pl_bench_expert"
POSTGRES = "postgresql://postgres@127.0.0.1:5432/"
POSTGRES_TYPES = {"VARCHAR": "TEXT", "DOUBLE": "DOUBLE PRECISION", "INTEGER": "BIGINT"}


@dataclasses.dataclass
class Sizes:
    customers: int
    touches: int
    candidates: int
    seed: int
    data: Path

    @property
    def key(self) -> str:
        return f"c{self.customers}_t{self.touches}_b{self.candidates}_s{self.seed}"


EXPERT_SQL = HERE / "expert.sql"  # the benchmark policy written by hand, in SQL DuckDB and PostgreSQL both run
EXPERT_DIALECTS = ("duckdb", "postgres")


def statements(dialect: str) -> dict[str, str]:
    """The timed statements, written in `dialect`: what each round runs (the hand-written query where
    there is one for the engine)."""
    policy = require_policy(load_project(POLICY))
    floor = exp.select(exp.column("customer_id"), exp.Count(this=exp.Star()).as_("n")).from_("touches").group_by(
        exp.column("customer_id"))
    queries = {DECISIONS: compile_policy(policy, dialect, generate_data.AS_OF), FLOOR: floor}
    if dialect in EXPERT_DIALECTS:
        queries[EXPERT] = sqlglot.parse_one(EXPERT_SQL.read_text(), read="postgres")
    return {name: exp.Create(this=exp.table_(name), kind="TABLE", expression=query).sql(dialect=dialect)
            for name, query in queries.items()}


# --- loading the data once per engine and size --------------------------------------------

def duckdb_file(sizes: Sizes) -> Path:
    """A DuckDB database file holding the typed tables, touches in `sent_at` order."""
    paths = data_files(sizes)
    target = paths["touches"].parent / "bench.duckdb"
    if not target.exists():
        project = load_project(POLICY)
        config = dataclasses.replace(project.config, data={t: str(p) for t, p in paths.items()})
        engine = open_data_files(config, require_policy(project))
        con = engine.connection
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH '{target}.tmp' AS f")
        for table in TABLE_COLUMNS:
            con.execute(f"CREATE TABLE f.{table} AS SELECT * FROM {table}")
        con.execute("DETACH f")
        engine.close()
        Path(f"{target}.tmp").rename(target)
    return target


def postgres_database(sizes: Sizes) -> str:
    """The local PostgreSQL database with the same typed tables, loaded with COPY (and ANALYZEd)."""
    import psycopg

    name = f"policylang_bench_{sizes.key}"
    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return POSTGRES + name
    source = duckdb.connect(str(duckdb_file(sizes)), read_only=True)
    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}_tmp"')
    with psycopg.connect(POSTGRES + f"{name}_tmp", autocommit=True) as con:
        for table in TABLE_COLUMNS:
            columns = source.execute(f"DESCRIBE {table}").fetchall()
            con.execute(f"CREATE TABLE {table} ({', '.join(f'{c} {postgres_type(t)}' for c, t, *_ in columns)})")
            with tempfile.NamedTemporaryFile(suffix=".csv") as csv:
                source.execute(f"COPY {table} TO '{csv.name}' (HEADER false)")
                with con.cursor().copy(f"COPY {table} FROM STDIN (FORMAT csv)") as copy, open(csv.name, "rb") as f:
                    while block := f.read(1 << 20):
                        copy.write(block)
        con.execute("ANALYZE")
    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{name}_tmp" RENAME TO "{name}"')
    return POSTGRES + name


def postgres_type(duckdb_type: str) -> str:
    return POSTGRES_TYPES.get(duckdb_type, duckdb_type)


# --- one timed statement, in its own process ----------------------------------------------

def connection(engine: str, target: str):
    """A connection to the DuckDB file or the PostgreSQL database `target`."""
    if engine == "duckdb":
        return duckdb.connect(target)
    import psycopg

    con = psycopg.connect(target, autocommit=True)
    con.execute("SET jit = off")  # its compile time exceeds the run time here (docs/design.md)
    return con


def worker(engine: str, target: str, table: str, statement: str) -> None:
    """Drop `table`, run `statement` (which creates it) and print the seconds it took."""
    drop = f"DROP TABLE IF EXISTS {table}"
    if engine in ("duckdb", "postgres"):
        con = connection(engine, target)
        con.execute(drop)
        started = time.perf_counter()
        con.execute(statement)
    else:
        from policylang.engines.spark import SparkEngine

        spark = SparkEngine.open().connection
        for name, path in data_files_at(target).items():
            spark.read.parquet(str(path)).createOrReplaceTempView(name)
        spark.sql(drop)
        started = time.perf_counter()
        spark.sql(statement)
        seconds = time.perf_counter() - started
        if table == DECISIONS:  # kept for the comparison with DuckDB
            pa_parquet.write_table(spark.table(table).toArrow(), spark_decisions(target))
        print(f"seconds {seconds:.4f}")
        return
    print(f"seconds {time.perf_counter() - started:.4f}")


def spark_decisions(folder: str) -> Path:
    return Path(folder) / "spark_decisions.parquet"


def differing(con, first: str, second: str) -> int:
    """How many decisions the two SELECTs make differently on `con`, a DuckDB or PostgreSQL connection
    (rows in one and not the other)."""
    columns = "candidate_id, customer_id, decision, rule"
    for table, query in (("first_decisions", first), ("second_decisions", second)):
        con.execute(f"DROP TABLE IF EXISTS {table}")
        con.execute(f"CREATE TEMP TABLE {table} AS {query}")
    [(count,)] = con.execute(
        f"SELECT count(*) FROM ((SELECT {columns} FROM first_decisions EXCEPT ALL SELECT {columns} FROM "
        f"second_decisions) UNION ALL (SELECT {columns} FROM second_decisions EXCEPT ALL SELECT {columns} FROM "
        "first_decisions)) AS d").fetchall()
    return count


def selected(statement: str) -> str:
    """The SELECT of a `CREATE TABLE t AS SELECT ...` statement."""
    return statement.split(" AS ", 1)[1]


def disagreements(sizes: Sizes, statement: str) -> int:
    """How many of Spark's decisions differ from DuckDB's for the same data."""
    con = duckdb.connect(str(duckdb_file(sizes)), read_only=True)
    spark = spark_decisions(str(data_files(sizes)["touches"].parent))
    return differing(con, selected(statement), f"SELECT * FROM read_parquet('{spark}')")


def data_files_at(folder: str) -> dict[str, Path]:
    return {t: Path(folder) / f"{t}.parquet" for t in TABLE_COLUMNS}


def timed_run(engine: str, target: str, table: str, statement: str) -> tuple[float, float]:
    """(seconds, peak RSS in MiB) of one worker process."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as f:
        f.write(statement)
        f.flush()
        done = subprocess.run(["/usr/bin/time", "-v", sys.executable, __file__, "--worker", engine, target, table,
                               f.name], capture_output=True, text=True, cwd=HERE)
    if done.returncode:
        raise SystemExit(f"{engine} {table} failed:\n{done.stderr[-3000:]}")
    seconds = float(re.search(r"^seconds (\S+)", done.stdout, re.M).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1)) / 1024
    return seconds, rss


def bench(engine: str, sizes: Sizes, rounds: int) -> None:
    dialect = {"duckdb": "duckdb", "postgres": "postgres", "spark": "spark"}[engine]
    target = {"duckdb": lambda: str(duckdb_file(sizes)), "postgres": lambda: postgres_database(sizes),
              "spark": lambda: str(data_files(sizes)["touches"].parent)}[engine]()
    timed = statements(dialect)
    if EXPERT in timed:  # the hand-written query must decide exactly as the compiled one
        con = connection(engine, target)
        try:
            differ = differing(con, selected(timed[DECISIONS]), selected(timed[EXPERT]))
        finally:
            con.close()  # before the workers open the database
        print(f"  the hand-written query ({EXPERT_SQL.name}): {differ} decisions differ from the compiled query's")
    tables = list(timed)
    ratios, query_rss, seconds, against_expert = [], [], [], []
    for number in range(rounds):
        order = tables[number % len(tables):] + tables[:number % len(tables)]
        result = {table: timed_run(engine, target, table, timed[table]) for table in order}
        ratios.append(result[DECISIONS][0] / result[FLOOR][0])
        query_rss.append(result[DECISIONS][1])
        seconds.append(result[DECISIONS][0])
        expert = ""
        if EXPERT in result:
            against_expert.append(result[DECISIONS][0] / result[EXPERT][0])
            expert = (f"; hand-written {result[EXPERT][0]:5.2f} s ({result[EXPERT][0] / result[FLOOR][0]:5.2f}x the "
                      f"floor, RSS {result[EXPERT][1]:4.0f} MiB), query / hand-written {against_expert[-1]:4.2f}")
        print(f"  round {number + 1}: query {result[DECISIONS][0]:7.2f} s, floor {result[FLOOR][0]:6.2f} s, "
              f"ratio {ratios[-1]:5.2f}, query peak RSS {result[DECISIONS][1]:6.0f} MiB{expert}", flush=True)
    per_candidate = statistics.median(seconds) / sizes.candidates
    rss = f", {per_candidate * 1e6:.2f} µs a candidate"
    rss += "" if engine != "duckdb" else f", peak RSS (worker, max) {max(query_rss):.0f} MiB"
    if against_expert:
        rss += f", query / hand-written median {statistics.median(against_expert):.2f}"
    if engine == "spark":
        rss = f"; {disagreements(sizes, statements('duckdb')[DECISIONS])} decisions differ from DuckDB's"
    print(f"{engine} {sizes.customers} customers / {sizes.touches} touches / {sizes.candidates} candidates: "
          f"median ratio {statistics.median(ratios):.2f} over {rounds} rounds{rss}")


def interpreter_bench(sizes: Sizes) -> None:
    """The reference interpreter deciding the whole batch of these sizes, from rows in memory."""
    from policylang.compilers.reference import decide
    from policylang.dataset import Dataset

    con = duckdb.connect(str(duckdb_file(sizes)), read_only=True)
    tables = {}
    for table in TABLE_COLUMNS:
        result = con.execute(exp.select("*").from_(table).sql("duckdb"))
        names = [d[0] for d in result.description]
        tables[table] = [dict(zip(names, row)) for row in result.fetchall()]
    policy = require_policy(load_project(POLICY))
    started = time.perf_counter()
    decisions = decide(policy, Dataset(**tables), generate_data.AS_OF)
    took = time.perf_counter() - started
    print(f"reference interpreter, {sizes.customers} customers / {sizes.touches} touches / {len(decisions)} "
          f"candidates: {took:.2f} s, {took / len(decisions) * 1e6:.1f} µs a candidate")


def unit_rules(unit: int) -> str:
    """20 rules of every batch-dependent and history-only kind for business unit `u<unit>`."""
    channels = ("email", "sms", "push", "direct_mail")
    rules = [f"cap {channels[i % 4]} {1 + i % 5} per {7 * (1 + i % 4)} days as cap_{i}" for i in range(8)]
    rules += [f"cap email topic offers per 30 days as tiered_{i} {{\n  gold: {4 + i}\n  otherwise: 2\n}}"
              for i in range(3)]
    rules += [f"gap {channels[i % 2]} {1 + i} days as gap_{i}" for i in range(2)]
    rules += [f"stop {channels[i % 2]} after {4 + i} unopened as stop_{i}" for i in range(2)]
    rules += [f"block marketing for tier_{i} as block_{i}" for i in range(2)]
    rules += [f"cap direct_mail spend {5 + i}.00 per 90 days as spend_{i}" for i in range(3)]
    segments = [f"segment tier_{i}: loyalty_tier = \"t{unit}_{i}\"" for i in range(2)]
    segments.append('segment gold: loyalty_tier = "gold"')
    return f"policy business_unit u{unit}\n\n" + "\n".join(segments + rules) + "\n"


def write_policy_set(root: Path, units: int) -> None:
    """A project in `root`: the benchmark's channels, topics and consents, and `units` units of `unit_rules`."""
    names = ", ".join(f"u{n}" for n in range(units))
    (root / "policylang.yaml").write_text(
        f"policies: .\ndialect: duckdb\nbusiness_units: [{names}]\nattributes:\n  loyalty_tier: text\n")
    (root / "global.policy").write_text((POLICY / "global.policy").read_text().split("segment high_affinity")[0])
    for n in range(units):
        (root / f"u{n}.policy").write_text(unit_rules(n))


def cli_bench(rounds: int) -> None:
    """Wall time of `policylang check` and `compile` on 50 units x 20 rules, each and one after the
    other (the check a pull request runs before the query is compiled), and of `check policies`."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_policy_set(root, 50)
        check, compile_ = ["check", str(root)], ["compile", str(root), "--as-of", "2025-06-30T06:00:00Z"]
        runs = {"check, 50 units x 20 rules": [check], "compile, 50 units x 20 rules": [compile_],
                "check then compile, 50 x 20": [check, compile_],
                "check policies (example project)": [["check", str(HERE.parent / "policies")]]}
        for what, commands in runs.items():
            times = []
            for _ in range(rounds):
                started = time.perf_counter()
                for arguments in commands:
                    done = subprocess.run([sys.executable, "-m", "policylang", *arguments], capture_output=True,
                                          text=True)
                    if done.returncode not in (0, 1):
                        raise SystemExit(f"{what} failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
                times.append(time.perf_counter() - started)
            print(f"  {what:<34} median {statistics.median(times):.2f} s over {rounds} runs", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("duckdb", "postgres", "spark"), default="duckdb")
    parser.add_argument("--scale", type=float, default=1.0, help="1 = 1M customers, 20M touches, 2M candidates")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "policylang-bench")
    parser.add_argument("--cli", action="store_true", help="time check and compile instead")
    parser.add_argument("--interpreter", action="store_true", help="time the reference interpreter instead")
    parser.add_argument("--worker", nargs=4, metavar=("ENGINE", "TARGET", "TABLE", "SQL_FILE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        engine, target, table, sql_file = args.worker
        worker(engine, target, table, Path(sql_file).read_text())
        return 0
    if args.cli:
        print(f"machine: {machine()}")
        cli_bench(args.rounds)
        return 0
    customers = round(1_000_000 * args.scale)
    sizes = Sizes(customers, 20 * customers, 2 * customers, args.seed, args.data)
    print(f"machine: {machine()}")
    if args.interpreter:
        interpreter_bench(sizes)
        return 0
    bench(args.engine, sizes, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
