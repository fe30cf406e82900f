"""DuckDB, in process: the embedded default engine.

A database file is open in one process at a time (DuckDB locks it): a second
run on it fails to connect, which `locked` recognises. Ctrl-C is
`connection.interrupt()`, which ends the statement with `InterruptException`.
"""
from __future__ import annotations

import duckdb

from .base import Engine

FILE_LOCKED = "Could not set lock on file"  # DuckDB's message when another process has the file open


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"
    errors = (duckdb.Error,)
    types = {"text": "TEXT", "integer": "BIGINT", "money": "DECIMAL(18, 4)", "decimal": "DECIMAL(38, 10)",
             "boolean": "BOOLEAN", "timestamp": "TIMESTAMP"}

    @classmethod
    def open(cls, path: str = ":memory:") -> "DuckDBEngine":
        return cls(duckdb.connect(path))

    @classmethod
    def locked(cls, exc: Exception) -> bool:
        return FILE_LOCKED in str(exc)

    def statement(self, sql: str) -> list[tuple]:
        result = self.connection.execute(sql)
        return result.fetchall() if result.description else []
