"""Apache Spark through PySpark in local mode: the distributed engine.

One session per process (Spark allows no more): `local[2]`, no UI, quiet
logging, session time zone UTC, and a warehouse in a temporary folder removed
on `close`. It is tuned for many small queries: one shuffle partition, no
adaptive execution and no whole-stage code generation (compiling Java for each
query costs seconds that test-sized data never wins back). Tables are loaded through Arrow, whose
UTC timestamps PySpark converts exactly (its own datetime conversion would
apply the machine's local time zone). An unqualified table is a temporary
view; a qualified one a table in its database.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from datetime import datetime
from typing import Any

import pyarrow as pa
from pyspark.errors import PySparkException
from sqlglot import exp

from ..instants import utc_naive
from .base import Engine, drop_statement

ARROW_TYPES = {"text": pa.string(), "integer": pa.int64(), "money": pa.decimal128(18, 4),
               "decimal": pa.decimal128(38, 10), "boolean": pa.bool_(), "timestamp": pa.timestamp("us", tz="UTC")}
STAGING_VIEW = "policylang_staging"
# Errors only. `org.apache` gets its own level, equal to the root's, or Spark's shell start-up
# announces that it "sets the default log level".
QUIET_LOG4J = """\
rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %p %c{1}: %m%n
logger.apache.name = org.apache
logger.apache.level = error
"""


def naive_utc(value: Any) -> Any:
    """Arrow's timestamps (aware, in the session's UTC) as the naive UTC every engine returns."""
    return utc_naive(value) if isinstance(value, datetime) else value


class SparkEngine(Engine):
    name = "spark"
    dialect = "spark"
    errors = (PySparkException,)
    types = {"text": "STRING", "integer": "BIGINT", "money": "DECIMAL(18, 4)", "decimal": "DECIMAL(38, 10)",
             "boolean": "BOOLEAN", "timestamp": "TIMESTAMP"}

    def __init__(self, session, workdir: str):
        super().__init__(session)
        self._workdir = workdir

    @classmethod
    def open(cls, master: str = "local[2]") -> "SparkEngine":
        from pyspark.sql import SparkSession

        workdir = tempfile.mkdtemp(prefix="policylang-spark-")
        log4j = os.path.join(workdir, "log4j2.properties")
        with open(log4j, "w") as f:
            f.write(QUIET_LOG4J)
        session = (SparkSession.builder.master(master).appName("policylang")
                   .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile=file:{log4j}")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.sql.shuffle.partitions", "1")
                   .config("spark.sql.adaptive.enabled", "false")
                   .config("spark.sql.codegen.wholeStage", "false")
                   .config("spark.sql.warehouse.dir", os.path.join(workdir, "warehouse"))
                   .getOrCreate())
        return cls(session, workdir)

    def execute(self, sql: str) -> list[tuple]:
        table = self.connection.sql(sql).toArrow()
        return [tuple(map(naive_utc, row)) for row in zip(*(c.to_pylist() for c in table.columns))]

    def write(self, table: exp.Table, columns: list[exp.Identifier], kinds: list[str], rows: list[tuple]) -> None:
        schema = pa.schema([(c.name, ARROW_TYPES[k]) for c, k in zip(columns, kinds)])
        frame = self.connection.createDataFrame(pa.Table.from_pylist(
            [dict(zip(schema.names, row)) for row in rows], schema=schema))
        if not table.args.get("db"):
            frame.createOrReplaceTempView(table.sql(dialect=self.dialect))
            return
        self.create_schema(table)
        self.drop(table)
        frame.createOrReplaceTempView(STAGING_VIEW)
        self.run(exp.Create(this=table, kind="TABLE", expression=exp.select("*").from_(STAGING_VIEW)))

    def drop(self, table: exp.Table) -> None:
        kind = "TABLE" if table.args.get("db") else "VIEW"
        self.run(drop_statement(kind, table))

    def close(self) -> None:
        self.connection.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)
