"""`policylang run`: decide the batch of candidates and say what happened.

By default the config's `data:` files (CSV or Parquet, typed by
`policylang.data_files`) are loaded into an in-process DuckDB under the
warehouse table and column names; with `--db URL` the same query runs on the
existing tables of that database (`policylang.engines.connect`). The decisions
are materialised once in a table (a temporary one, or `--out table:NAME`),
written to `--out FILE` (CSV or Parquet by extension), and summarised by rule,
business unit and channel (`policylang.summary`). A spinner with the elapsed
time shows while the engine works, on a terminal only.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import UsageError
from .explain import as_of_argument

HELP = "decide the batch of candidates: write the decisions and print a summary"
DECISIONS_TABLE = "policylang_decisions"
FILE_FORMATS = (".csv", ".parquet")


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".", help="project folder (holding policylang.yaml)")
    parser.add_argument("--db", metavar="URL",
                        help="run on this database's tables instead of the data files "
                             "(duckdb:///file, sqlite:///file, postgresql://..., mysql://...)")
    parser.add_argument("--as-of", type=as_of_argument, metavar="ISO",
                        help="decide as of this UTC time, e.g. 2025-06-30T06:00:00Z (default: the engine's now)")
    parser.add_argument("--out", metavar="FILE",
                        help="write the decisions to FILE.csv, FILE.parquet or, with --db, table:NAME")


@dataclass(frozen=True)
class Output:
    file: Path | None = None
    table: str | None = None


def parse_output(text: str | None, db: str | None) -> Output:
    if text is None:
        return Output()
    if text.startswith("table:"):
        name = text[len("table:"):]
        if not db:
            raise UsageError(f"`--out {text}` writes to a database table: add `--db URL`, "
                             "or write a `.csv` or `.parquet` file")
        if not name:
            raise UsageError("`--out table:` needs a table name, e.g. `--out table:decisions`")
        return Output(table=name)
    path = Path(text)
    if path.suffix.lower() not in FILE_FORMATS:
        raise UsageError(f"cannot tell the format of `--out {text}`: name a `.csv` or `.parquet` file, "
                         "or `table:NAME` with `--db`")
    return Output(file=path)


def open_data_files(config, policy):
    """An in-process DuckDB engine holding the config's data files as the policy's warehouse tables."""
    from duckdb import ColumnExpression

    from ..data_files import typed_tables
    from ..engines.base import table_expression
    from ..engines.duckdb import DuckDBEngine

    engine = DuckDBEngine.open()
    try:
        for table, relation in typed_tables(engine.connection, config).items():
            target = table_expression(policy.table(table))
            if target.args.get("db"):
                engine.create_schema(target)
            renamed = [ColumnExpression(c).alias(policy.column(table, c)) for c in relation.columns]
            relation.select(*renamed).create(target.sql(dialect=engine.dialect))
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
    """The decisions table, ordered by candidate, as CSV or Parquet."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pa_parquet
    from sqlglot import exp

    from ..errors import DataError
    from ..model import DECISION_COLUMNS

    query = exp.select(*(exp.column(c, quoted=True) for c in DECISION_COLUMNS)).from_(table).order_by(
        exp.column("candidate_id", quoted=True)).sql(dialect=engine.dialect)
    if engine.name == "duckdb":
        decisions = engine.connection.sql(query).to_arrow_table()
    else:
        decisions = pa.Table.from_pylist([dict(zip(DECISION_COLUMNS, row)) for row in engine.execute(query)])
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix.lower() == ".csv":
            pa_csv.write_csv(decisions, path)
        else:
            pa_parquet.write_table(decisions, path)
    except (OSError, pa.ArrowException) as exc:
        raise DataError(f"cannot write `{path}` ({getattr(exc, 'strerror', None) or exc}): "
                        "choose a file in a folder you can write to") from None


def materialise(engine, policy, as_of: datetime | None, output: Output, console):
    """Materialise the decisions on `engine`; write `output`; return the summary's grouped counts."""
    from sqlglot import exp

    from ..compilers.sql import compile_policy
    from ..engines.base import table_expression
    from ..summary import summary_query

    query = compile_policy(policy, engine.dialect, as_of)
    if output.table:
        table = table_expression(output.table)
        engine.drop(table)
        create = exp.Create(this=table, kind="TABLE", expression=query)
    else:
        table = exp.table_(DECISIONS_TABLE, quoted=True)
        create = exp.Create(this=table, kind="TABLE", expression=query,
                            properties=exp.Properties(expressions=[exp.TemporaryProperty()]))
    with progress(console, "deciding"):
        engine.run(create)
        counts = engine.execute(summary_query(policy, table).sql(dialect=engine.dialect))
        if output.file:
            write_file(engine, table, output.file)
    return counts


def run(args) -> int:
    from rich.console import Console

    from ..engines import connect
    from ..engines.urls import redacted
    from ..errors import DataError
    from ..project import load_project, require_policy
    from ..summary import Summary, print_summary

    as_of = args.as_of
    output = parse_output(args.out, args.db)
    project = load_project(args.project)
    policy = require_policy(project)
    started = time.monotonic()
    status = Console(stderr=True)
    with progress(status, "loading data"):
        engine = connect(args.db) if args.db else open_data_files(project.config, policy)
    with engine:
        try:
            counts = materialise(engine, policy, as_of, output, status)
        except engine.errors as exc:
            where = f"`{redacted(args.db)}`" if args.db else "the data files"
            raise DataError(f"the decision query failed on {where}: {str(exc).strip().splitlines()[0]}; "
                            "check that the tables and columns the policy reads exist") from None
    when = as_of.isoformat(sep=" ") if as_of else "now"
    heading = f"policy {policy.version}, as of {when}, decided in {time.monotonic() - started:.1f} s"
    print_summary(Console(), Summary.from_rows(counts), heading)
    if output.file or output.table:
        print(f"decisions written to {output.file or 'table ' + output.table}")
    return 0
