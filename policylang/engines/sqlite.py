"""SQLite through Python's `sqlite3`: the smallest embedded engine.

SQLite has no timestamp, decimal or boolean type: timestamps are stored as
TEXT `YYYY-MM-DD HH:MM:SS` (with `.ffffff` only when there are microseconds),
costs as REAL and booleans as 0/1, which is how such tables look in the wild.
"""
from __future__ import annotations

import sqlite3
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlglot import exp

from ..compilers.sql_dialects import timestamp_text  # the text the compiled query compares with
from .base import Engine


class SQLiteEngine(Engine):
    name = "sqlite"
    dialect = "sqlite"
    errors = (sqlite3.Error,)
    types = {"text": "TEXT", "integer": "INTEGER", "money": "REAL", "decimal": "REAL",
             "boolean": "INTEGER", "timestamp": "TEXT"}

    @classmethod
    def open(cls, path: str = ":memory:") -> "SQLiteEngine":
        return cls(sqlite3.connect(path, isolation_level=None))

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
