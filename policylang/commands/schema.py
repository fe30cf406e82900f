"""`policylang schema [DIR] [--dialect D]`: the `CREATE TABLE` statements of the tables the policy reads.

Each table under the config's table and column names, typed as the engine of
the dialect types it (`policylang.warehouse`; docs/data.md describes every
column), ready to run in the warehouse before `policylang load` or an ETL job
fills it. The dialect defaults to the config's `dialect`.
"""
from __future__ import annotations

import sys

from .arguments import add_project_argument, load_project_argument

HELP = "print the CREATE TABLE statements of the tables the policy reads, for a SQL dialect"


def add_arguments(parser):
    add_project_argument(parser)
    parser.add_argument("--dialect", metavar="D",
                        help="the SQL dialect to write, e.g. postgres, sqlite, snowflake (default: the config's)")


def run(args) -> int:
    from ..project import require_policy
    from ..warehouse import create_statements, project_data, tables
    from .compile import chosen_dialect

    project = load_project_argument(args)
    policy = require_policy(project)
    dialect = chosen_dialect(args.dialect, project.config.dialect)
    for table in tables(policy, project_data(project.config)):
        for statement in create_statements(table, dialect, policy.table(table.name)):
            sys.stdout.write(statement.sql(dialect=dialect, pretty=True) + ";\n\n")
    return 0
