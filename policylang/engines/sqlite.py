"""SQLite through Python's `sqlite3`: the smallest embedded engine.

SQLite has no timestamp, decimal or boolean type: timestamps are stored as
TEXT `YYYY-MM-DD HH:MM:SS` (with `.ffffff` only when there are microseconds),
costs as REAL and booleans as 0/1, which is how such tables look in the wild.

A database file is opened read-write, never created unless asked (`create`).
The connection may be used from the worker thread of `Engine.interruptible`,
whose Ctrl-C is `connection.interrupt()`. A second writer waits for SQLite's
lock, then fails with "database is locked", which `locked` recognises.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlglot import exp

from ..instants import timestamp_text  # the text the compiled query compares with
from .base import Engine

BUSY_SECONDS = 5.0  # how long a statement waits for another connection's write lock before "database is locked"


class SQLiteEngine(Engine):
    name = "sqlite"
    dialect = "sqlite"
    errors = (sqlite3.Error,)
    types = {"text": "TEXT", "integer": "INTEGER", "money": "REAL", "decimal": "REAL",
             "boolean": "INTEGER", "timestamp": "TEXT"}

    @classmethod
    def open(cls, path: str = ":memory:", create: bool = True) -> "SQLiteEngine":
        """The database at `path` (`:memory:`: a new one in memory); a missing file is created only
        with `create`, else it is sqlite3's "unable to open database file"."""
        if path != ":memory:":
            path = f"{Path(path).absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
        return cls(sqlite3.connect(path, uri=True, isolation_level=None, check_same_thread=False,
                                   timeout=BUSY_SECONDS))

    @classmethod
    def locked(cls, exc: Exception) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and "database is locked" in str(exc)

    def value(self, value: Any) -> Any:
        if isinstance(value, datetime):
            return timestamp_text(value)
        if isinstance(value, Decimal):
            return float(value)
        return value

    def create_schema(self, table: exp.Table) -> None:
        """A qualified name's schema is an attached in-memory database."""
        schema = table.args["db"].name
        attached = {row[1] for row in self.execute("PRAGMA database_list")}
        if schema not in attached:
            self.run(exp.Attach(this=exp.alias_(exp.Literal.string(":memory:"), table.args["db"])))
