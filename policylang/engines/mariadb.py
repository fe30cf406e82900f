"""MariaDB (and MySQL) through pymysql: a server with a different SQL dialect.

Tables use the server's default collation, which compares text
case-insensitively; the compiled query must not rely on it. Timestamps are
DATETIME(6) (TIMESTAMP there converts time zones and stops in 2038); booleans
are TINYINT 0/1.
"""
from __future__ import annotations

import uuid

import pymysql
from sqlglot import exp

from .base import Engine, drop_statement

LOCAL = dict(host="127.0.0.1", port=3306, user="root", password="", database="test")


class MariaDBEngine(Engine):
    name = "mariadb"
    dialect = "mysql"
    errors = (pymysql.MySQLError,)
    paramstyle = "format"
    types = {"text": "TEXT", "integer": "BIGINT", "money": "DECIMAL(18, 4)", "decimal": "DECIMAL(38, 10)",
             "boolean": "BOOLEAN", "timestamp": "DATETIME(6)"}

    def __init__(self, connection, scratch: bool = False):
        super().__init__(connection)
        self._scratch = scratch
        self._schemas: set[str] = set()  # databases made for qualified names, dropped with a scratch one

    @classmethod
    def open(cls, *, host: str, port: int, user: str, password: str, database: str | None,
             scratch: bool = False) -> "MariaDBEngine":
        connection = pymysql.connect(host=host, port=port, user=user, password=password, database=database,
                                     charset="utf8mb4", autocommit=True, connect_timeout=5)
        return cls(connection, scratch)

    @classmethod
    def scratch(cls, **server) -> "MariaDBEngine":
        """A fresh utf8mb4 database on the server, dropped again on `close`."""
        engine = cls.open(**{**LOCAL, **server, "database": None}, scratch=True)
        database = f"policylang_{uuid.uuid4().hex[:12]}"
        engine.create_database(database)
        engine.connection.select_db(database)
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

    def close(self) -> None:
        if self._scratch:
            for name in self._schemas:
                self.run(drop_statement("DATABASE", exp.Table(this=exp.to_identifier(name, quoted=True))))
        super().close()
