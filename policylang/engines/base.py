"""What every engine shares: typed tables from a `Dataset`, and decisions.

An `Engine` wraps one open connection. `load` (re)creates the six tables of
SPEC 3 under the policy's warehouse names, every column nullable and typed by
its kind: `money` for costs (DECIMAL(18, 4)), `integer` or `text` for ids by
their Python type, and `text`, `integer`, `decimal`, `boolean` or `timestamp`
for the rest (attributes as configured), and inserts the rows through driver
parameters. `decisions` runs the compiled query and normalises its rows so they
compare equal to the reference interpreter's. Subclasses say how their
dialect spells each kind and how their driver takes values.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, ClassVar

from sqlglot import exp

from ..dataset import Dataset, Decision
from ..model import TABLE_COLUMNS, PolicySet

ID_COLUMNS = ("customer_id", "candidate_id", "campaign_id")
TIMESTAMP_COLUMNS = ("sent_at", "opened_at", "clicked_at", "converted_at", "updated_at", "occurred_at")
INTEGER_COLUMNS = ("priority", "max_count", "window_days")
MONEY_COLUMNS = ("cost",)  # exact, 4 decimal places (SPEC 5.12)


def table_expression(name: str) -> exp.Table:
    """A warehouse table name, qualified with dots (`crm.touches`), as quoted identifiers."""
    *qualifiers, table = name.split(".")
    catalog, db = ([None, None] + qualifiers)[-2:]
    return exp.table_(table, db=db, catalog=catalog, quoted=True)


def id_kind(data: Dataset, column: str) -> str:
    """`integer` or `text`: the Python type of every non-NULL `column` value in `data`."""
    types = {type(row[column]) for name in TABLE_COLUMNS for row in data.table(name)
             if row.get(column) is not None}
    if types <= {int}:
        return "integer"
    if types == {str}:
        return "text"
    raise TypeError(f"{column} values must be all int or all str, not {sorted(t.__name__ for t in types)}")


def column_kinds(policy: PolicySet, data: Dataset, table: str) -> dict[str, str]:
    """Canonical column -> kind for one table (customers gain the configured attributes)."""
    def kind(column: str) -> str:
        if column in ID_COLUMNS:
            return id_kind(data, column)
        if column in TIMESTAMP_COLUMNS:
            return "timestamp"
        if column in INTEGER_COLUMNS:
            return "integer"
        return "money" if column in MONEY_COLUMNS else "text"

    kinds = {c: kind(c) for c in TABLE_COLUMNS[table]}
    if table == "customers":
        kinds.update(policy.attributes)
    return kinds


def plain(value: Any) -> Any:
    """A driver's value as the interpreter writes it: text for bytes, int for a whole Decimal id."""
    if isinstance(value, (bytes, bytearray)):
        return value.decode()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


@lru_cache(maxsize=64)
def compiled(policy: PolicySet, dialect: str, as_of: datetime | None) -> str:
    """The decision query, compiled once per policy set, dialect and as-of time."""
    from ..compilers.sql import to_sql

    return to_sql(policy, dialect, as_of)


def drop_statement(kind: str, target: exp.Table) -> exp.Drop:
    """`DROP <kind> IF EXISTS <target>`."""
    return exp.Drop(tables=[target], kind=kind, exists=True)


def sort_key(decision: Decision) -> tuple:
    return (type(decision.candidate_id).__name__, decision.candidate_id)


def pyformat(statement: exp.Expression) -> exp.Expression:
    """`statement` with placeholders spelled `%s` and `%` doubled in names, as `format`-paramstyle
    drivers read it (a tree rewrite: compiled sqlglot generators cannot be subclassed)."""
    def spell(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Placeholder):
            return exp.var("%s")
        if isinstance(node, exp.Identifier) and "%" in node.name:
            return exp.Identifier(this=node.name.replace("%", "%%"), quoted=node.args.get("quoted"))
        return node

    return statement.transform(spell)


class Engine:
    """One open connection to a database that runs decision queries."""

    name: ClassVar[str]
    dialect: ClassVar[str]  # the sqlglot dialect queries are compiled for
    errors: ClassVar[tuple[type[Exception], ...]]  # what the driver raises for a failed statement
    types: ClassVar[dict[str, str]]  # column kind -> SQL type, written in `dialect`
    paramstyle: ClassVar[str] = "qmark"  # the driver's: "qmark" (`?`) or "format" (`%s`, see `pyformat`)

    def __init__(self, connection):
        self.connection = connection
        self._loaded: list[exp.Table] = []

    @classmethod
    def scratch(cls) -> "Engine":
        """A fresh, empty engine for tests; what it loads vanishes on `close`."""
        return cls.open()  # every engine has an `open` whose defaults give a fresh in-process one

    # --- running SQL -------------------------------------------------------

    def execute(self, sql: str) -> list[tuple]:
        """Run one statement; the rows it returns (none for DDL)."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        finally:
            cursor.close()

    def run(self, statement: exp.Expression) -> None:
        self.execute(statement.sql(dialect=self.dialect))

    def decisions(self, policy: PolicySet, as_of: datetime | None) -> list[Decision]:
        """Compile the policy for this engine, run it, and return its rows sorted by candidate."""
        rows = self.execute(compiled(policy, self.dialect, as_of))
        return sorted((Decision(*map(plain, row)) for row in rows), key=sort_key)

    # --- loading a dataset -------------------------------------------------

    def load(self, policy: PolicySet, data: Dataset) -> None:
        """Replace the tables of the last load with `data`'s, under `policy`'s warehouse names."""
        for table in self._loaded:
            self.drop(table)
        self._loaded = []
        for name in TABLE_COLUMNS:
            target = table_expression(policy.table(name))
            kinds = column_kinds(policy, data, name)
            columns = [exp.to_identifier(policy.column(name, c), quoted=True) for c in kinds]
            rows = [tuple(self.value(row.get(c)) for c in kinds) for row in data.table(name)]
            self.write(target, columns, list(kinds.values()), rows)
            self._loaded.append(target)

    def write(self, table: exp.Table, columns: list[exp.Identifier], kinds: list[str], rows: list[tuple]) -> None:
        """(Re)create one table with typed, nullable columns and insert `rows`."""
        if table.args.get("db"):
            self.create_schema(table)
        self.drop(table)
        schema = exp.Schema(this=table, expressions=[
            exp.ColumnDef(this=column, kind=exp.DataType.build(self.types[kind], dialect=self.dialect))
            for column, kind in zip(columns, kinds)])
        self.run(exp.Create(this=schema, kind="TABLE"))
        if rows:
            self.insert(table, columns, rows)

    def value(self, value: Any) -> Any:
        """A dataset value as this engine's driver takes it."""
        return value

    def drop(self, table: exp.Table) -> None:
        self.run(drop_statement("TABLE", table))

    def create_schema(self, table: exp.Table) -> None:
        """Make the schema a qualified table lives in."""
        self.run(exp.Create(this=exp.Table(this=table.args["db"], db=table.args.get("catalog")),
                            kind="SCHEMA", exists=True))

    def insert(self, table: exp.Table, columns: list[exp.Identifier], rows: list[tuple]) -> None:
        row = exp.Tuple(expressions=[exp.Placeholder() for _ in columns])
        statement = exp.insert(exp.Values(expressions=[row]), table, columns=columns)
        cursor = self.connection.cursor()
        try:
            if self.paramstyle == "format":
                statement = pyformat(statement)
            cursor.executemany(statement.sql(dialect=self.dialect), rows)
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

