"""MariaDB (and MySQL) through pymysql: a server with a different SQL dialect.

Tables use the server's default collation, which compares text
case-insensitively; the compiled query must not rely on it. Timestamps are
DATETIME(6) (TIMESTAMP there converts time zones and stops in 2038); booleans
are TINYINT 0/1.

DDL is not transactional here: `replacing` swaps the new table in with one
atomic `RENAME TABLE`, two runs writing one table are kept apart by
`GET_LOCK`, and Ctrl-C sends `KILL QUERY` from a second connection (pymysql
cannot cancel its own statement).
"""
from __future__ import annotations

import hashlib
import uuid
from contextlib import contextmanager, suppress
from typing import Iterator

import pymysql
from sqlglot import exp

from .base import Engine, busy, drop_statement, lock_name, sibling

LOCAL = dict(host="127.0.0.1", port=3306, user="root", password="", database="test")
MAX_RECURSION = 4_294_967_295  # the largest `max_recursive_iterations` MariaDB takes


class MariaDBEngine(Engine):
    name = "mariadb"
    dialect = "mysql"
    errors = (pymysql.MySQLError,)
    paramstyle = "format"
    types = {"text": "TEXT", "integer": "BIGINT", "money": "DECIMAL(18, 4)", "decimal": "DECIMAL(38, 10)",
             "boolean": "BOOLEAN", "timestamp": "DATETIME(6)"}

    def __init__(self, connection, params: dict, scratch: bool = False):
        super().__init__(connection)
        self._params = params  # what `connection` was opened with, for a second connection (`side`)
        self._scratch = scratch
        self._schemas: set[str] = set()  # databases made for qualified names, dropped with a scratch one

    @classmethod
    def open(cls, *, host: str, port: int, user: str, password: str, database: str | None,
             scratch: bool = False) -> "MariaDBEngine":
        params = dict(host=host, port=port, user=user, password=password, database=database,
                      charset="utf8mb4", autocommit=True, connect_timeout=5)
        engine = cls(pymysql.connect(**params), params, scratch)
        engine.lift_recursion_limit()
        return engine

    def lift_recursion_limit(self) -> None:
        """MariaDB stops a recursive CTE after `max_recursive_iterations` (1,000 by default) with
        only a warning, so a customer with more candidates would lose decisions: the session lifts
        it (docs/design.md, "Recursion limits per dialect"). MySQL 8 has no such variable (the
        compiled query raises its own limit with a hint), so an unknown variable is left alone."""
        limit = exp.Set(expressions=[exp.SetItem(kind="SESSION", this=exp.EQ(
            this=exp.column("max_recursive_iterations"), expression=exp.Literal.number(MAX_RECURSION)))])
        with suppress(pymysql.err.OperationalError, pymysql.err.InternalError):
            self.run(limit)

    @classmethod
    def scratch(cls, **server) -> "MariaDBEngine":
        """A fresh utf8mb4 database on the server, dropped again on `close`."""
        engine = cls.open(**{**LOCAL, **server, "database": None}, scratch=True)
        database = f"policylang_{uuid.uuid4().hex[:12]}"
        engine.create_database(database)
        engine.connection.select_db(database)
        engine._params["database"] = database
        return engine

    def create_database(self, name: str) -> None:
        self.run(exp.Create(this=exp.Table(this=exp.to_identifier(name, quoted=True)), kind="DATABASE",
                            properties=exp.Properties(expressions=[
                                exp.CharacterSetProperty(this=exp.var("utf8mb4"), default=True)])))
        self._schemas.add(name)

    def create_schema(self, table: exp.Table) -> None:
        """A qualified name's schema is a database; one made here is dropped with the scratch one."""
        name = table.args["db"].name
        exists = exp.select("1").from_("information_schema.schemata").where(
            exp.column("schema_name").eq(exp.Literal.string(name)))
        if not self.execute(exists.sql(dialect=self.dialect)):
            self.create_database(name)

    @contextmanager
    def replacing(self, target: exp.Table) -> Iterator[exp.Table]:
        """A new table beside `target` for the block to create; swapped in when the block completes by
        one atomic `RENAME TABLE` (the old table renamed aside, then dropped), dropped on any failure.
        Run under `claiming(target)`."""
        staged = sibling(target, "policylang_new")
        try:
            yield staged
            self.raise_if_cancelled()
            self.swap(staged, target)
        except BaseException:
            self.discard(staged)
            raise

    def discard(self, staged: exp.Table) -> None:
        """Drop `staged` after a failure: on this connection (a killed statement leaves it usable), or
        on a second one when this one was lost (a killed session)."""
        drop = drop_statement("TABLE", staged).sql(dialect=self.dialect)
        try:
            self.statement(drop)
        except self.errors:
            with suppress(pymysql.MySQLError, OSError), self.side() as cursor:
                cursor.execute(drop)

    def swap(self, staged: exp.Table, target: exp.Table) -> None:
        """`staged` renamed to `target` in one statement; an existing `target` renamed aside in the
        same statement, then dropped."""
        if not self.exists(target):
            self.run(rename_tables([(staged, target)]))
            return
        aside = sibling(target, "policylang_old")
        self.run(rename_tables([(target, aside), (staged, target)]))
        self.statement(drop_statement("TABLE", aside).sql(dialect=self.dialect))  # swapped: finish, cancelled or not

    def exists(self, table: exp.Table) -> bool:
        """Is there a table `table` (in the current database when it names none)?"""
        schema = exp.Literal.string(table.db) if table.db else exp.Anonymous(this="DATABASE")
        query = exp.select(exp.Literal.number(1)).from_("information_schema.tables").where(
            exp.column("table_schema").eq(schema), exp.column("table_name").eq(exp.Literal.string(table.name)))
        return bool(self.execute(query.sql(dialect=self.dialect)))

    @contextmanager
    def claiming(self, target: exp.Table) -> Iterator[None]:
        [(database,)] = self.execute(exp.select(exp.Anonymous(this="DATABASE")).sql(dialect=self.dialect))
        qualified = lock_name(target) if target.db else f"{(database or '').lower()}.{lock_name(target)}"
        name = exp.Literal.string(f"policylang_{hashlib.sha256(qualified.encode()).hexdigest()[:40]}")  # <= 64
        [(taken,)] = self.execute(exp.select(exp.Anonymous(this="GET_LOCK", expressions=[
            name, exp.Literal.number(0)])).sql(dialect=self.dialect))
        if taken != 1:
            raise busy(target)
        try:
            yield
        finally:
            with suppress(*self.errors):  # a lost connection has released it
                self.statement(exp.select(exp.Anonymous(this="RELEASE_LOCK", expressions=[name])).sql(
                    dialect=self.dialect))

    def stop_statement(self) -> None:
        kill = exp.Kill(this=exp.Literal.number(self.connection.thread_id()), kind="QUERY")
        with suppress(pymysql.MySQLError, OSError), self.side() as cursor:
            cursor.execute(kill.sql(dialect=self.dialect))

    @contextmanager
    def side(self) -> Iterator:
        """A cursor on a second connection to the same database, for what this one cannot do itself."""
        with pymysql.connect(**self._params) as connection, connection.cursor() as cursor:
            yield cursor

    def close(self) -> None:
        if self._scratch:
            for name in self._schemas:
                self.run(drop_statement("DATABASE", exp.Table(this=exp.to_identifier(name, quoted=True))))
        super().close()


def rename_tables(pairs: list[tuple[exp.Table, exp.Table]]) -> exp.Command:
    """`RENAME TABLE a TO b, c TO d`, atomic on MariaDB and MySQL. sqlglot has no node for several
    pairs: the command is written from the names as sqlglot quotes them."""
    names = ", ".join(f"{old.sql(dialect='mysql')} TO {new.sql(dialect='mysql')}" for old, new in pairs)
    return exp.Command(this="RENAME", expression=f"TABLE {names}")
