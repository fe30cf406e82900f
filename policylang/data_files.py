"""The config's `data:` files (CSV or Parquet) as typed tables, read with DuckDB.

`typed_tables` gives every table of SPEC 3 as a DuckDB relation with the
canonical column names and one type per column, whatever the file holds or
calls it (`columns:` renames are applied): timestamps become UTC `TIMESTAMP`,
`cost` an exact `DECIMAL(18,4)`, counts and priorities `BIGINT`, the other
columns text, customer attributes their configured type. An id column
(`customer_id`, `candidate_id`, `campaign_id`, each across every table) is an integer when every
value in every file is one, else text, so ids of one customer always join.
A table without a data file is empty. `load_dataset` fetches the relations
into a `policylang.dataset.Dataset`, the reference interpreter's input.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
from duckdb import ColumnExpression, ConstantExpression, FunctionExpression

from .config import Config
from .dataset import Dataset
from .errors import DataError
from .model import REQUIRED_CANDIDATE_COLUMNS, TABLE_COLUMNS

TIMESTAMP, DECIMAL, INTEGER, TEXT, BOOLEAN = "TIMESTAMP", "DECIMAL(18,4)", "BIGINT", "VARCHAR", "BOOLEAN"
ID_COLUMNS = ("customer_id", "candidate_id", "campaign_id")
COLUMN_TYPES = {
    "sent_at": TIMESTAMP, "opened_at": TIMESTAMP, "clicked_at": TIMESTAMP, "converted_at": TIMESTAMP,
    "updated_at": TIMESTAMP, "occurred_at": TIMESTAMP,
    "cost": DECIMAL, "priority": INTEGER, "max_count": INTEGER, "window_days": INTEGER,
}
ATTRIBUTE_TYPES = {"text": TEXT, "integer": INTEGER, "decimal": "DECIMAL(38,10)", "boolean": BOOLEAN,
                   "timestamp": TIMESTAMP}
TYPE_WORDS = {TIMESTAMP: "timestamps", DECIMAL: "decimal numbers", INTEGER: "whole numbers", BOOLEAN: "true or false",
              ATTRIBUTE_TYPES["decimal"]: "decimal numbers"}


def _columns(config: Config, table: str) -> dict[str, str]:
    """The table's canonical columns and their types (ids excluded: they are settled across files)."""
    if table == "customers":
        named = {attr: ATTRIBUTE_TYPES[kind] for attr, kind in config.attributes.items()}
        return {"customer_id": None} | named
    return {column: COLUMN_TYPES.get(column, None if column in ID_COLUMNS else TEXT) for column in TABLE_COLUMNS[table]}


def _required(table: str, columns: dict[str, str]) -> tuple[str, ...]:
    """SPEC 5.11 names the required candidate columns; every other table needs all of its columns."""
    return REQUIRED_CANDIDATE_COLUMNS if table == "candidates" else tuple(columns)


def _read(con: duckdb.DuckDBPyConnection, path: Path, shown: str) -> duckdb.DuckDBPyRelation:
    try:
        if path.suffix.lower() == ".parquet":
            return con.read_parquet(str(path))
        return con.read_csv(str(path), all_varchar=True, header=True)
    except duckdb.Error as exc:
        raise DataError(f"cannot read `{shown}`: {_first_line(exc)}; check that it is a CSV file with a header "
                        "row or a Parquet file") from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _as_type(column: ColumnExpression | ConstantExpression, sql_type: str):
    if sql_type == TIMESTAMP:  # read in UTC (the session's zone), kept as naive UTC
        return FunctionExpression("timezone", ConstantExpression("UTC"), column.cast("TIMESTAMPTZ"))
    return column.cast(sql_type)


def _all_integers(relation: duckdb.DuckDBPyRelation, column: str) -> bool:
    values = ColumnExpression(column)
    not_integer = relation.filter(values.isnotnull() & values.try_cast(INTEGER).isnull())
    return not not_integer.limit(1).fetchall()


class _Tables:
    """Reads the data files of one config into typed relations."""

    def __init__(self, con: duckdb.DuckDBPyConnection, config: Config):
        self.con, self.config = con, config
        self.sources: dict[str, tuple[duckdb.DuckDBPyRelation, str]] = {}  # table -> (file relation, file shown)
        for table, file in config.data.items():
            self.sources[table] = (_read(con, config.root / file, file), file)

    def source_column(self, table: str, column: str) -> str:
        return self.config.columns.get(table, {}).get(column, column)

    def check_columns(self, table: str, columns: dict[str, str]) -> None:
        relation, shown = self.sources[table]
        for column in _required(table, columns):
            if self.source_column(table, column) not in relation.columns:
                raise DataError(f"`{shown}` has no column `{self.source_column(table, column)}` for `{table}.{column}`: "
                                "add it, or map it under `columns:` in policylang.yaml")

    def id_type(self, column: str) -> str:
        """BIGINT when every value of `column` in every file is an integer, else VARCHAR."""
        tables = [t for t in self.sources if column in _columns(self.config, t)]
        integers = all(_all_integers(self.sources[t][0], self.source_column(t, column))
                       for t in tables if self.source_column(t, column) in self.sources[t][0].columns)
        return INTEGER if integers else TEXT

    def relation(self, table: str, types: dict[str, str]) -> duckdb.DuckDBPyRelation:
        if table not in self.sources:
            empty = self.con.values([1]).filter(ConstantExpression(False))
            return empty.select(*[_as_type(ConstantExpression(None), t).alias(c) for c, t in types.items()])
        relation, shown = self.sources[table]
        projected = {column: (_as_type(ColumnExpression(self.source_column(table, column)), sql_type)
                              if self.source_column(table, column) in relation.columns
                              else ConstantExpression(None).cast(sql_type))
                     for column, sql_type in types.items()}
        typed = relation.select(*[expr.alias(column) for column, expr in projected.items()])
        self.check_values(typed, shown, types)
        return typed

    def check_values(self, typed: duckdb.DuckDBPyRelation, shown: str, types: dict[str, str]) -> None:
        """Run the conversions once; on a bad value, name the column it is in."""
        try:
            typed.aggregate([ColumnExpression(column).count() for column in types]).fetchall()
            return
        except duckdb.Error as exc:
            failure = exc
        for column, sql_type in types.items():
            try:
                typed.select(ColumnExpression(column)).fetchall()
            except duckdb.Error as exc:
                raise DataError(f"`{shown}`: column `{column}` must hold {TYPE_WORDS.get(sql_type, 'text')} "
                                f"({_first_line(exc)}): fix the value") from None
        raise DataError(f"cannot read `{shown}`: {_first_line(failure)}") from None


def typed_tables(con: duckdb.DuckDBPyConnection, config: Config) -> dict[str, duckdb.DuckDBPyRelation]:
    """Every table of SPEC 3 as a typed relation on `con` (whose time zone is set to UTC)."""
    con.execute("SET TimeZone = 'UTC'")
    tables = _Tables(con, config)
    typed_columns = {table: _columns(config, table) for table in TABLE_COLUMNS}
    for table in tables.sources:
        tables.check_columns(table, typed_columns[table])
    ids = {column: tables.id_type(column) for column in ID_COLUMNS}
    return {table: tables.relation(table, {c: t or ids[c] for c, t in columns.items()})
            for table, columns in typed_columns.items()}


def _of_customers(relations: dict[str, duckdb.DuckDBPyRelation], column: str, text: str):
    """The relations cut down to the customers having a candidate whose `column` reads `text`
    (that candidate kept too, should its customer_id be NULL)."""
    named = ColumnExpression(column).cast(TEXT) == ConstantExpression(text)
    chosen = relations["candidates"].filter(named).select(ColumnExpression("customer_id")).distinct()
    ids = [ConstantExpression(row[0]) for row in chosen.fetchall() if row[0] is not None]
    ours = ColumnExpression("customer_id").isin(*ids) if ids else ConstantExpression(False)
    return {table: relation.filter(ours | named if table == "candidates" else ours)
            for table, relation in relations.items()}


def load_dataset(config: Config, customers_with: tuple[str, str] | None = None) -> Dataset:
    """The config's data files as in-memory rows (see `policylang.dataset`).

    `customers_with=(column, text)` keeps only the rows of the customers having a candidate whose
    `column` (`candidate_id` or `customer_id`) reads `text`: all `explain` needs, however long the
    history."""
    with duckdb.connect() as con:
        relations = typed_tables(con, config)
        if customers_with:
            relations = _of_customers(relations, *customers_with)
        return Dataset(**{table: [dict(zip(rel.columns, row)) for row in rel.fetchall()]
                          for table, rel in relations.items()})
