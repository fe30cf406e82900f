"""PostgreSQL through psycopg: a server database, as warehouses are run.

Two runs writing one table are kept apart by a session advisory lock keyed by
the table's name (`pg_try_advisory_lock`, released after the swap or when the
session ends); Ctrl-C cancels the running statement with libpq's cancel
request.
"""
from __future__ import annotations

import hashlib
import uuid
from contextlib import contextmanager, suppress
from typing import Iterator

import psycopg
from psycopg.conninfo import make_conninfo
from sqlglot import exp

from .base import Engine, busy, drop_statement, lock_name

LOCAL_URL = "postgresql://postgres@127.0.0.1:5432/test"
# JIT compilation of the decision query costs more than it saves (measured on
# 200,000 candidates: 21 s with JIT, 9 s without), so our sessions turn it off.
SESSION_OPTIONS = "-c jit=off"


class PostgresEngine(Engine):
    name = "postgres"
    dialect = "postgres"
    errors = (psycopg.Error,)
    paramstyle = "format"
    types = {"text": "TEXT", "integer": "BIGINT", "money": "DECIMAL(18, 4)", "decimal": "DECIMAL(38, 10)",
             "boolean": "BOOLEAN", "timestamp": "TIMESTAMP"}

    def __init__(self, connection, scratch_of: tuple[str, str] | None = None):
        super().__init__(connection)
        # Never prepare server-side: a prepared INSERT keeps the parameter types of the table it was
        # first run on, and `load` recreates tables with other id types under the same names.
        connection.prepare_threshold = None
        self._scratch_of = scratch_of  # (server url, database to drop on close)

    @classmethod
    def open(cls, url: str) -> "PostgresEngine":
        return cls(psycopg.connect(url, autocommit=True, connect_timeout=5, options=SESSION_OPTIONS))

    @classmethod
    def scratch(cls, url: str = LOCAL_URL) -> "PostgresEngine":
        """A fresh database on the server at `url`, dropped again on `close`."""
        database = f"policylang_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(_database_ddl("CREATE", database))
        return cls(psycopg.connect(make_conninfo(url, dbname=database), autocommit=True, options=SESSION_OPTIONS),
                   (url, database))

    def load(self, policy, data) -> None:
        with self.connection.transaction():
            super().load(policy, data)

    @contextmanager
    def claiming(self, target: exp.Table) -> Iterator[None]:
        key = exp.Literal.number(advisory_key(lock_name(target)))
        [(taken,)] = self.execute(exp.select(exp.func("pg_try_advisory_lock", key)).sql(dialect=self.dialect))
        if not taken:
            raise busy(target)
        try:
            yield
        finally:
            with suppress(*self.errors):  # a lost session has released it
                self.statement(exp.select(exp.func("pg_advisory_unlock", key)).sql(dialect=self.dialect))

    def stop_statement(self) -> None:
        with suppress(*self.errors):
            self.connection.cancel()

    def close(self) -> None:
        super().close()
        if self._scratch_of:
            url, database = self._scratch_of
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(_database_ddl("DROP", database))


def advisory_key(name: str) -> int:
    """The advisory-lock key of `name`: 63 bits of its SHA-256 (a BIGINT however PostgreSQL reads the
    literal), prefixed so that no other application's keys meet ours by accident."""
    return int.from_bytes(hashlib.sha256(f"policylang:{name}".encode()).digest()[:8], "big") >> 1


def _database_ddl(verb: str, database: str) -> str:
    table = exp.Table(this=exp.to_identifier(database, quoted=True))
    statement = exp.Create(this=table, kind="DATABASE") if verb == "CREATE" else drop_statement("DATABASE", table)
    return statement.sql(dialect="postgres")
