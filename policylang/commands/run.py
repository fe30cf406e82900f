"""`policylang run`: decide the batch of candidates and say what happened.

By default the config's `data:` files (CSV or Parquet, typed by
`policylang.data_files`) are loaded into an in-process DuckDB under the
warehouse table and column names; with `--db URL` the same query runs on the
existing tables of that database (`policylang.engines.connect`, which refuses
a database file that does not exist). The decisions are materialised once in a
table — a temporary one, or with `--out table:NAME` a new table swapped in for
NAME only when complete — written to `--out FILE` (CSV or Parquet by
extension, replacing the file only when complete), and summarised by rule,
business unit and channel (`policylang.summary`). An output that names an
input is refused before anything runs (`run_output`). The engine works in a
worker thread, so Ctrl-C cancels its statement at once and ends in
"interrupted" (exit 130). A spinner with the elapsed time shows while the
engine works, on a terminal only.
"""
from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from datetime import datetime
from pathlib import Path

from ..errors import DataError
from .run_output import Output, claimed, parse_output, refuse_inputs, staged_file
from .arguments import add_as_of_argument, add_db_argument, add_project_argument, load_project_argument

HELP = "decide the batch of candidates: write the decisions and print a summary"
DECISIONS_TABLE = "policylang_decisions"
NOT_KEPT = "decisions were not kept: add `--out decisions.csv`, or `--out table:NAME` with `--db`"


def add_arguments(parser):
    add_project_argument(parser)
    add_db_argument(parser, "run on this database's tables instead of the data files")
    add_as_of_argument(parser, "the engine's now")
    parser.add_argument("--out", metavar="FILE",
                        help="write the decisions to FILE.csv, FILE.parquet or, with --db, table:NAME")


def load_data_files(engine, config, policy) -> None:
    """The config's data files as the policy's warehouse tables on the in-process DuckDB `engine`."""
    from duckdb import ColumnExpression

    from ..data_files import typed_tables
    from ..engines.base import table_expression

    for table, relation in typed_tables(engine.connection, config).items():
        target = table_expression(policy.table(table))
        if target.args.get("db"):
            engine.create_schema(target)
        renamed = [ColumnExpression(c).alias(policy.column(table, c)) for c in relation.columns]
        relation.select(*renamed).create(target.sql(dialect=engine.dialect))


def open_data_files(config, policy):
    """A new in-process DuckDB engine holding the config's data files (for `bench/` and tests)."""
    from ..engines.duckdb import DuckDBEngine

    engine = DuckDBEngine.open()
    try:
        load_data_files(engine, config, policy)
    except BaseException:
        engine.close()
        raise
    return engine


@contextmanager
def progress(console, what: str):
    """A spinner with the elapsed time while the block runs (drawn only on a terminal)."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True, disable=not console.is_terminal) as bar:
        bar.add_task(what, total=None)
        yield


def write_file(engine, table, path: Path) -> None:
    """The decisions table, ordered by candidate and customer, as CSV or Parquet; `path` is replaced only when the
    whole file is written (and the run was not cancelled meanwhile)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pa_parquet
    from sqlglot import exp

    from ..model import DECISION_COLUMNS

    # by candidate, then customer: the copies of a repeated id come in the same order every run
    query = exp.select(*(exp.column(c, quoted=True) for c in DECISION_COLUMNS)).from_(table).order_by(
        exp.column("candidate_id", quoted=True), exp.column("customer_id", quoted=True)).sql(dialect=engine.dialect)
    if engine.name == "duckdb":
        decisions = engine.connection.sql(query).to_arrow_table()
    else:
        decisions = pa.Table.from_pylist([dict(zip(DECISION_COLUMNS, row)) for row in engine.execute(query)])
    try:
        with staged_file(path) as staged:
            if path.suffix.lower() == ".csv":
                pa_csv.write_csv(decisions, staged)
            else:
                pa_parquet.write_table(decisions, staged)
            engine.raise_if_cancelled()
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot write `{path}` ({getattr(exc, 'strerror', None) or exc}): "
                        "choose a file in a folder you can write to") from None


def summary_counts(engine, policy, table) -> list[tuple]:
    """The summary's grouped counts of the decisions in `table`."""
    from ..summary import summary_query

    return engine.execute(summary_query(policy, table).sql(dialect=engine.dialect))


def materialise(engine, policy, as_of: datetime | None, output: Output, console) -> list[tuple]:
    """Materialise the decisions on `engine`; write `output`; return the summary's grouped counts. A
    table output is claimed first (`Engine.claiming`), so a second run writing it stops at once, and
    the tables are checked before the transaction that replaces it begins."""
    from sqlglot import exp

    from ..compilers.sql import compile_policy
    from ..data_checks import check_tables
    from ..engines.base import table_expression

    query = compile_policy(policy, engine.dialect, as_of)
    target = table_expression(output.table) if output.table else None
    with progress(console, "deciding"), engine.claiming(target) if target else nullcontext():
        check_tables(engine, policy)  # tables and columns the query reads, values it cannot read right
        if target:
            with engine.replacing(target) as staged:
                return decided_into(engine, policy, query, staged)
        table = exp.table_(DECISIONS_TABLE, quoted=True)
        counts = decided_into(engine, policy, query, table, exp.TemporaryProperty())
        if output.file:
            write_file(engine, table, output.file)
        return counts


def decided_into(engine, policy, query, table, *properties) -> list[tuple]:
    """Create `table` (with `properties`) from the decision query; the summary's grouped counts."""
    from sqlglot import exp

    engine.run(exp.Create(this=table, kind="TABLE", expression=query,
                          properties=exp.Properties(expressions=list(properties)) if properties else None))
    return summary_counts(engine, policy, table)


def decide(engine, project, policy, as_of: datetime | None, output: Output, db: str | None, console):
    """Everything the engine does for one run (in `Engine.interruptible`'s worker thread): the data files
    loaded when there is no `--db`, then `materialise`, a driver's error told as a `DataError`."""
    if db is None:
        with progress(console, "loading data"):
            load_data_files(engine, project.config, policy)
    try:
        return materialise(engine, policy, as_of, output, console)
    except engine.errors as exc:
        raise failure(engine, exc, db, output) from None


def failure(engine, exc: Exception, db: str | None, output: Output) -> BaseException:
    """What a driver error `exc` of the decision query means for the user: an interrupt, another run
    holding the database, or a failed query (the driver's first line, without any password)."""
    from ..engines.base import interrupted
    from ..engines.urls import redacted, scrubbed

    if interrupted(exc):
        return KeyboardInterrupt()
    where = f"`{redacted(db)}`" if db else "the data files"
    if engine.locked(exc):
        return DataError(f"{where} is in use by another process (another run writing to it?); "
                         "wait for it to finish, then run again")
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    kept = f"; table `{output.table}` is as it was" if output.table else ""
    return DataError(f"the decision query failed on {where}: {scrubbed(detail, db) if db else detail}{kept}; "
                     "check that the tables and columns the policy reads exist")


def engine_for(db: str | None):
    """The engine of `--db` (an existing database only), else a new in-process DuckDB."""
    from ..engines import connect
    from ..engines.duckdb import DuckDBEngine

    return connect(db, create=False) if db else DuckDBEngine.open()


def run(args) -> int:
    from rich.console import Console

    from ..project import require_policy
    from ..summary import Summary, print_summary

    as_of = args.as_of
    output = parse_output(args.out, args.db)
    project = load_project_argument(args)
    policy = require_policy(project)
    refuse_inputs(output, project.config, policy.tables)
    started = time.monotonic()
    status = Console(stderr=True)
    with claimed(output.file), engine_for(args.db) as engine:
        counts = engine.interruptible(lambda: decide(engine, project, policy, as_of, output, args.db, status))
    when = as_of.isoformat(sep=" ") if as_of else "now"
    heading = f"policy {policy.version}, as of {when}, decided in {time.monotonic() - started:.1f} s"
    print_summary(Console(), Summary.from_rows(counts), heading)
    if output.file or output.table:
        print(f"decisions written to {output.file or 'table ' + output.table}")
    else:
        print(NOT_KEPT)
    return 0
