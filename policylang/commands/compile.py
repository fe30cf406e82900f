"""`policylang compile [DIR] [--dialect D] [--as-of ISO] [-o FILE | --format dbt --out DIR]`: the decision query.

Prints (or writes to FILE) one SELECT statement, without a trailing semicolon
so tools such as dbt can wrap it, returning `candidate_id, customer_id,
decision, rule, policy_version, as_of` for every candidate (docs/language.md, "How a batch is decided"). The dialect is
any sqlglot writes, by default the config's `dialect`. Without `--as-of` the
query decides as of the warehouse's current UTC time when it runs. `--format dbt` writes a dbt model of
the query, its sources and its data tests into the folder `--out`
(`policylang.dbt.project`, docs/dbt.md). sqlglot and the loader are imported
inside `run`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UsageError
from .arguments import add_as_of_argument, add_project_argument, project_folder

HELP = "compile the policy to one SQL decision query for a warehouse (any sqlglot dialect)"


def add_arguments(parser):
    add_project_argument(parser)
    parser.add_argument("--dialect", metavar="D",
                        help="the SQL dialect to write, e.g. snowflake, bigquery, postgres (default: the config's)")
    add_as_of_argument(parser, "the warehouse's current time when the query runs")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the query to FILE instead of printing it")
    parser.add_argument("--format", choices=("sql", "dbt"), default="sql",
                        help="sql: the query; dbt: a dbt model, sources.yml and schema.yml in --out (docs/dbt.md)")
    parser.add_argument("--out", metavar="DIR", help="with --format dbt: the folder to write the dbt files to")


def known_dialects() -> tuple[str, ...]:
    """The dialects sqlglot writes."""
    from sqlglot.dialects.dialect import Dialects

    from ..compilers.sql.dialects import NOT_SQL

    return tuple(sorted(d.value for d in Dialects if d.value and d.value not in NOT_SQL))


def chosen_dialect(requested: str | None, configured: str) -> str:
    """The dialect to write: `--dialect` (any case) or the config's; a `UsageError` naming the
    valid ones when it is not a dialect sqlglot knows."""
    dialect = (requested or configured).lower()
    known = known_dialects()
    if dialect not in known:
        where = "`--dialect`" if requested else "`dialect` in policylang.yaml"
        raise UsageError(f"`{requested or configured}` ({where}) is not a SQL dialect policylang can write: "
                         f"use one of {', '.join(known)}")
    return dialect


def run(args) -> int:
    root = project_folder(args)
    from ..compilers.sql import to_sql
    from ..project import load_project, require_policy

    if (args.format == "dbt") != (args.out is not None) or (args.format == "dbt" and args.output is not None):
        raise UsageError("`--format dbt` writes a folder of files and needs `--out DIR` (e.g. "
                         "`--out dbt/models/policylang`) instead of `-o`; `--out` goes only with `--format dbt`")
    project = load_project(root)
    policy = require_policy(project)
    if args.format == "dbt":
        from ..dbt.project import files, refuse, write

        out = Path(args.out)
        refuse(out, project.config)
        write(out, files(policy, chosen_dialect(args.dialect, project.config.dialect), args.as_of))
        return 0
    sql = to_sql(policy, chosen_dialect(args.dialect, project.config.dialect), args.as_of) + "\n"
    if args.output is None:
        sys.stdout.write(sql)
        return 0
    try:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(sql)
    except OSError as exc:
        raise UsageError(f"cannot write `{args.output}` ({exc.strerror or exc}): choose a writable path") from None
    return 0
