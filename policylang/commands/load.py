"""`policylang load [DIR] --db URL [--replace]`: the config's data files into the tables the policy reads.

The files are read and checked as `run` reads them (`policylang.data_files`:
any data error stops the load before anything is written). The tables are the
ones `policylang schema` prints (`policylang.warehouse`), created through the
engine (`policylang.engines`) so `run --db URL` reads them as it reads its own.
A table that exists already is refused unless `--replace`; then each table is
written beside the old one and swapped in only once complete
(`Engine.replacing`), so a failure leaves the old table as it was. A database
file that is one of the project's files is refused before anything runs.
"""
from __future__ import annotations

from contextlib import suppress
from pathlib import Path

from ..errors import DataError, UsageError
from .arguments import add_db_argument, add_project_argument, load_project_argument

HELP = "load the config's data files into a database's tables (those `policylang schema` prints)"


def add_arguments(parser):
    add_project_argument(parser)
    add_db_argument(parser, "the database to load", required=True)
    parser.add_argument("--replace", action="store_true",
                        help="replace tables that exist already (each only once its new rows are written)")


def run(args) -> int:
    from sqlglot import exp

    from ..data_checks import runs
    from ..data_files import load_dataset, typed_tables
    from ..engines import connect
    from ..engines.urls import redacted
    from ..project import require_policy
    from ..warehouse import tables

    project = load_project_argument(args)
    policy = require_policy(project)
    refuse_project_file(args.db, project.config)
    data = load_dataset(project.config)
    with connect(args.db, create=True) as engine:
        planned = tables(policy, data)
        present = [t.target.sql(dialect=engine.dialect) for t in planned
                   if runs(engine, t.target, [exp.Star()]) is None]
        if present and not args.replace:
            raise DataError(f"{', '.join(present)} already {'exists' if len(present) == 1 else 'exist'} in "
                            f"`{redacted(args.db)}`; pass --replace to replace "
                            f"{'it' if len(present) == 1 else 'them'}, or load into another database")
        relations = typed_tables(engine.connection, project.config) if engine.name == "duckdb" else {}
        for table in planned:
            rows = data.table(table.name)
            with engine.claiming(table.target):
                swap_in(engine, table, lambda written: fill(engine, table, written, rows, relations.get(table.name)))
            print(f"loaded {len(rows)} row{'' if len(rows) == 1 else 's'} into {policy.table(table.name)}")
    return 0


def fill(engine, table, written, rows: list[dict], relation) -> None:
    """Create `written` and put the rows in: on DuckDB from the data file's typed relation, as `run`
    reads the files; elsewhere through the driver, in one transaction (not one per row)."""
    from sqlglot import exp

    if relation is not None:
        from duckdb import ColumnExpression

        renamed = [ColumnExpression(c).alias(i.name) for c, i in zip(table.columns, table.identifiers)]
        relation.select(*renamed).create(written.sql(dialect=engine.dialect))
        return
    engine.write(written, list(table.identifiers), list(table.kinds), [])
    engine.run(exp.Transaction())
    try:
        engine.insert(written, list(table.identifiers), [tuple(engine.value(row.get(c)) for c in table.columns)
                                                         for row in rows])
        engine.run(exp.Commit())
    except BaseException:
        with suppress(*engine.errors):
            engine.statement(exp.Rollback().sql(dialect=engine.dialect))
        raise


def swap_in(engine, table, write) -> None:
    """`write` a new table beside `table.target`, then swap it in for the target in one transaction
    (`Engine.replacing`); on any failure the new table is dropped and the target stays as it was.
    The rows go in before that transaction: DuckDB's insert cursor is a second connection, which
    would not see a table created inside it."""
    from sqlglot import exp

    from ..engines.base import sibling

    written = sibling(table.target, "policylang_load")
    try:
        write(written)
        with engine.replacing(table.target) as staged:
            engine.run(exp.Alter(this=written, kind="TABLE",
                                 actions=[exp.AlterRename(this=exp.table_(staged.name, quoted=True))]))
    except BaseException:
        with suppress(*engine.errors):
            engine.drop(written)
        raise


def refuse_project_file(url: str, config) -> None:
    """A `UsageError` when the database file of a `duckdb://` or `sqlite://` url is one of the project's
    files (a data file, policylang.yaml, a policy file): loading would overwrite an input."""
    from ..engines.urls import FILE_ENGINES, SCHEMES, file_path
    from .run_output import project_files, same_file

    scheme, _, rest = url.partition("://")
    if SCHEMES.get(scheme.split("+")[0].lower()) not in FILE_ENGINES or not rest:
        return
    path = file_path(url, rest)
    if path == ":memory:":
        return
    for file in project_files(config):
        if same_file(Path(path), file):
            raise UsageError(f"`--db {url}` names the project's file `{file}`, which load reads; "
                             "load into another database file, e.g. `duckdb:///warehouse.duckdb`")
