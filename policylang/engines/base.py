"""What every engine shares: typed tables from a `Dataset`, decisions, and safe writes.

An `Engine` wraps one open connection. `load` (re)creates the six tables of
docs/data.md under the policy's warehouse names, every column nullable and typed by
its kind: `money` for costs (DECIMAL(18, 4)), `integer` or `text` for ids by
their Python type, and `text`, `integer`, `decimal`, `boolean` or `timestamp`
for the rest (attributes as configured: policylang/schema.py), and inserts the
rows through driver parameters. `decisions` runs a decision query its caller
compiled (engines never import the compiler) and normalises its rows so they
compare equal to the reference interpreter's. Subclasses say how their
dialect spells each kind and how their driver takes values.

`run --out table:NAME` writes through `replacing`: the decisions go into a new,
uniquely named table that is swapped in for NAME only when complete, under a
per-table lock (`claiming`), so NAME survives any failure (docs/run.md, per
engine). `interruptible` runs such work in a worker thread, so that Ctrl-C
reaches the main thread at once and cancels the server's statement.
"""
from __future__ import annotations

import sys
import threading
import uuid
from contextlib import contextmanager, suppress
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, ClassVar, Iterator, TypeVar

from sqlglot import exp

from ..dataset import Dataset, Decision
from ..errors import DataError
from ..instants import utc_naive
from ..model import PolicySet
from ..schema import TABLE_COLUMNS, table_kinds
from ..table_names import qualified_table

T = TypeVar("T")
CANCEL_SECONDS = 0.5  # how often a cancelled run's statement is cancelled again until its worker ends



def table_expression(name: str) -> exp.Table:
    """A warehouse table name, qualified with dots (`crm.touches`, `policylang.table_names`), as quoted
    identifiers: the engines create and read tables by their exact names."""
    return qualified_table(name, lambda part: exp.to_identifier(part, quoted=True))


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
    """Canonical column -> kind for one table as the engines type it (`schema.table_kinds`, an id being
    `integer` or `text` by the data's values)."""
    kinds = table_kinds(table, policy.attributes)
    return {column: id_kind(data, column) if kind == "id" else kind for column, kind in kinds.items()}


def plain(value: Any) -> Any:
    """A driver's value as the interpreter writes it: text for bytes, int for a whole Decimal id."""
    if isinstance(value, (bytes, bytearray)):
        return value.decode()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def instant(value: Any) -> datetime | None:
    """A driver's timestamp as naive UTC (SQLite gives ISO text, some drivers an aware datetime)."""
    if isinstance(value, (bytes, bytearray, str)):
        value = datetime.fromisoformat(plain(value))
    return utc_naive(value) if isinstance(value, datetime) else value


def decision(row: tuple) -> Decision:
    """One row of the decision query as a `Decision`."""
    *values, as_of = row
    return Decision(*map(plain, values), instant(as_of))


def sibling(target: exp.Table, prefix: str) -> exp.Table:
    """A new table name in `target`'s schema, `<prefix>_<12 random hex digits>`: short enough for every
    engine's identifiers, and never the name of a table a killed run left behind."""
    return exp.table_(f"{prefix}_{uuid.uuid4().hex[:12]}", db=target.args.get("db"),
                      catalog=target.args.get("catalog"), quoted=True)


def lock_name(target: exp.Table) -> str:
    """The name two runs writing `target` lock by: its parts, lower case (unquoted names fold case)."""
    return ".".join(part.name.lower() for part in target.parts)


def busy(target: exp.Table) -> DataError:
    """The error of a run that finds another one writing `target`."""
    return DataError(f"another run is writing table `{lock_name(target)}`; wait for it to finish, "
                     "or write another table")


def interrupted(exc: BaseException) -> bool:
    """Was `exc` a driver's answer to Ctrl-C? DuckDB raises `InterruptException` for it."""
    duckdb = sys.modules.get("duckdb")  # imported only when a command used it
    return duckdb is not None and isinstance(exc, duckdb.InterruptException)


def drop_statement(kind: str, target: exp.Table) -> exp.Drop:
    """`DROP <kind> IF EXISTS <target>`."""
    return exp.Drop(tables=[target], kind=kind, exists=True)


def sort_key(decision: Decision) -> tuple:
    """Decisions in a stable order, by candidate id first (NULL and repeated ids included)."""
    return tuple((value is None, type(value).__name__, value if value is not None else 0)
                 for value in decision.as_tuple())


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
        self._cancelled = threading.Event()  # set by `cancel`: nothing is swapped in after it

    @classmethod
    def scratch(cls) -> "Engine":
        """A fresh, empty engine for tests; what it loads vanishes on `close`."""
        return cls.open()  # every engine has an `open` whose defaults give a fresh in-process one

    # --- running SQL -------------------------------------------------------

    def execute(self, sql: str) -> list[tuple]:
        """Run one statement; the rows it returns (none for DDL). A cancelled engine runs nothing more
        (KeyboardInterrupt): what cleans up after a cancel runs through `statement`."""
        self.raise_if_cancelled()
        return self.statement(sql)

    def statement(self, sql: str) -> list[tuple]:
        """Run one statement, cancelled or not; the rows it returns (none for DDL)."""
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql)
            return [tuple(row) for row in cursor.fetchall()] if cursor.description else []
        finally:
            cursor.close()

    def run(self, statement: exp.Expression) -> None:
        self.execute(statement.sql(dialect=self.dialect))

    def decisions(self, sql: str) -> list[Decision]:
        """Run a decision query compiled for this engine's `dialect` (the caller compiles it, and caches it
        when it runs it again); its rows as `Decision`s sorted by candidate."""
        return sorted(map(decision, self.execute(sql)), key=sort_key)

    # --- replacing a table safely -------------------------------------------

    @contextmanager
    def replacing(self, target: exp.Table) -> Iterator[exp.Table]:
        """A new table beside `target` for the block to create; swapped in for `target` (which may not
        exist) when the block completes. Run under `claiming(target)`. Here in one transaction
        (transactional DDL: DuckDB, SQLite, PostgreSQL), so any failure, Ctrl-C or lost connection
        rolls back to `target` as it was and leaves no new table behind."""
        staged = sibling(target, "policylang_new")
        self.run(exp.Transaction())
        try:
            yield staged
            self.raise_if_cancelled()
            self.drop(target)
            self.run(exp.Alter(this=staged, kind="TABLE", actions=[exp.AlterRename(this=exp.table_(
                target.name, quoted=True))]))
            self.run(exp.Commit())
        except BaseException:
            with suppress(*self.errors):  # a lost connection has rolled back already
                self.statement(exp.Rollback().sql(dialect=self.dialect))
            raise

    @contextmanager
    def claiming(self, target: exp.Table) -> Iterator[None]:
        """Hold, for the block, the lock that keeps two runs from writing `target` at once (raising
        `busy(target)` when another run holds it). DuckDB and SQLite lock their database file
        themselves: a second writer gets the driver's error, which `locked` recognises."""
        yield

    @classmethod
    def locked(cls, exc: Exception) -> bool:
        """Does the driver error `exc` say that another connection holds the database?"""
        return False

    # --- Ctrl-C ------------------------------------------------------------

    def interruptible(self, work: Callable[[], T]) -> T:
        """`work()`, run in a worker thread while this (main) thread waits, so that Ctrl-C is seen at
        once, whatever the driver is doing: the running statement is cancelled (`cancel`), the worker
        is waited for (it rolls back and cleans up on the error the cancel causes, on a connection
        still in order), and KeyboardInterrupt is raised."""
        outcome: dict[str, Any] = {}
        done = threading.Event()  # not `Thread.join`: interrupted, it takes a running thread for ended

        def target() -> None:
            try:
                outcome["value"] = work()
            except BaseException as exc:  # handed to the main thread
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=target, name="policylang-engine", daemon=True).start()
        try:
            done.wait()
        except KeyboardInterrupt:
            while not done.is_set():  # again until it ends: a statement may start just after a cancel
                self.cancel()
                done.wait(CANCEL_SECONDS)
            raise
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def cancel(self) -> None:
        """Stop the statement running on this connection (called from another thread); `replacing`
        swaps nothing in after this."""
        self._cancelled.set()
        self.stop_statement()

    def stop_statement(self) -> None:
        """Ask the database to stop the statement running on this connection (DuckDB and SQLite have
        `interrupt`; servers override this)."""
        self.connection.interrupt()

    def raise_if_cancelled(self) -> None:
        """KeyboardInterrupt when the run was cancelled: called before anything is swapped in."""
        if self._cancelled.is_set():
            raise KeyboardInterrupt

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

