"""The warehouse tables a project's policy reads: `policylang schema` prints them, `load` fills them.

The tables are those the compiled decision query reads (`compilers.sql.reads`),
each with every column docs/data.md lists for it, under the config's table and
column names, typed as the engines' own `load` types them
(`engines.base.column_kinds`: an id is an integer when every value of it in
the data is one, else text; a project without data files gets integer ids) and
spelled with the engine's types. A dialect without an engine gets the DuckDB
types as sqlglot transpiles them. Statements are sqlglot trees.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from .dataset import Dataset
from .model import TABLE_COLUMNS, PolicySet

ENGINES = {"duckdb": "duckdb", "sqlite": "sqlite", "postgres": "postgres", "mysql": "mariadb"}  # dialect -> engine


@dataclass(frozen=True)
class Table:
    name: str  # canonical, as docs/data.md names it
    target: exp.Table  # the warehouse table
    columns: tuple[str, ...]  # canonical
    identifiers: tuple[exp.Identifier, ...]  # the warehouse columns, in the same order
    kinds: tuple[str, ...]  # text, integer, money, decimal, boolean or timestamp


def tables(policy: PolicySet, data: Dataset) -> list[Table]:
    """The tables the policy reads, in docs/data.md's order."""
    from .compilers.sql.reads import policy_reads
    from .engines.base import column_kinds, table_expression

    reads = policy_reads(policy)
    result = []
    for name in TABLE_COLUMNS:
        if name not in reads:
            continue
        kinds = column_kinds(policy, data, name)
        result.append(Table(name, table_expression(policy.table(name)), tuple(kinds),
                            tuple(exp.to_identifier(policy.column(name, c), quoted=True) for c in kinds),
                            tuple(kinds.values())))
    return result


def types(dialect: str) -> dict[str, str]:
    """Kind -> the SQL type `dialect` stores it as: its engine's, else DuckDB's transpiled."""
    if dialect in ENGINES:
        from .engines.urls import engine_class

        return engine_class(ENGINES[dialect]).types
    from .engines.duckdb import DuckDBEngine

    return {kind: exp.DataType.build(sql, dialect="duckdb").sql(dialect=dialect)
            for kind, sql in DuckDBEngine.types.items()}


def create_statements(table: Table, dialect: str, warehouse_name: str) -> list[exp.Expression]:
    """`CREATE SCHEMA IF NOT EXISTS` for a qualified table, then its `CREATE TABLE`, every column nullable.
    Table and column names are spelled as the compiled query spells them (`Target.identifier`:
    a plain lower-case word unquoted, anything else quoted), so a warehouse that folds unquoted
    names (Snowflake's upper case) creates the very tables the query reads."""
    from .compilers.sql.dialects import Target

    spell = Target(dialect, None).identifier
    target = Target(dialect, None).table(warehouse_name, alias=None)
    spelled = types(dialect)
    schema = exp.Schema(this=target, expressions=[
        exp.ColumnDef(this=spell(column.name), kind=exp.DataType.build(spelled[kind], dialect=dialect))
        for column, kind in zip(table.identifiers, table.kinds)])
    statements: list[exp.Expression] = []
    if target.args.get("db"):
        statements.append(exp.Create(this=exp.Table(this=target.args["db"].copy(),
                                                    db=target.args.get("catalog")),
                                     kind="SCHEMA", exists=True))
    return statements + [exp.Create(this=schema, kind="TABLE")]


def project_data(config) -> Dataset:
    """The config's data files as rows, checked as `run` checks them; none configured: no rows."""
    if not config.data:
        return Dataset()
    from .data_files import load_dataset

    return load_dataset(config)
