"""DuckDB, in process: the embedded default engine."""
from __future__ import annotations

import duckdb

from .base import Engine


class DuckDBEngine(Engine):
    name = "duckdb"
    dialect = "duckdb"
    errors = (duckdb.Error,)
    types = {"text": "TEXT", "integer": "BIGINT", "money": "DECIMAL(18, 4)", "decimal": "DECIMAL(38, 10)",
             "boolean": "BOOLEAN", "timestamp": "TIMESTAMP"}

    @classmethod
    def open(cls, path: str = ":memory:") -> "DuckDBEngine":
        return cls(duckdb.connect(path))

    def execute(self, sql: str) -> list[tuple]:
        result = self.connection.execute(sql)
        return result.fetchall() if result.description else []
