"""What the decision query spells differently per dialect, beyond what sqlglot transpiles.

A `Target` is one dialect and one as-of time. It builds the as-of instant T
and window bounds (literals computed here when the as-of time is known, so no
engine does interval arithmetic; the engine's current UTC time otherwise),
timestamp literals, exact text comparison (MariaDB/MySQL compare text
case-insensitively and pad spaces by default: text is compared as BINARY
there), the code-point order of text ids, and identifiers for the
warehouse's table and column names.
"""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, no_recursive_cte_sql
from sqlglot.tokens import Tokenizer

from policylang.instants import timestamp_text, utc_naive
from policylang.model import MAX_WINDOW_HOURS, window_start
from policylang.table_names import qualified_table

HOUR = timedelta(hours=1)
EXACT_BINARY = ("mysql",)  # dialects whose default text comparison is not exact
MYSQL_FAMILY = ("mysql", "doris", "starrocks", "singlestore")
# CTEs computed once on PostgreSQL (`AS MATERIALIZED`): it inlines a CTE read once, so `pl_base`'s
# history-only verdict was evaluated again for each reference in the ranking, and `pl_last_opened`
# was rebuilt, with a full scan of the touches, by every parallel worker of `pl_unopened`
MATERIALIZED = {"postgres": frozenset({"pl_base", "pl_last_opened"})}
LATER_STEPS = ("postgres",)
# dialects whose ranking holds only the candidates in play, the others read from `pl_base` again: a
# window over fewer rows, where `pl_base` is computed once anyway (PostgreSQL: MATERIALIZED above)
RANKS_ONLY_IN_PLAY = ("postgres",)
# dialects where the windowed counts of one table and time column share one aggregate over the longest
# window, each column testing its own: PostgreSQL scans the whole table for every aggregate (nothing
# prunes by time without an index), where DuckDB skips the row groups outside a narrow window
MERGED_WINDOWS = ("postgres",)
NOT_SQL = ("dax", "prql")  # sqlglot reads these languages but cannot write them
PLAIN_NAME = re.compile(r"[a-z_][a-z0-9_]*")
COST_SCALE = 10_000  # costs have at most 4 decimal places: compared as integers of 1/10000


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


class Target:
    """One dialect at one as-of time (None: the engine's current time)."""

    def __init__(self, dialect: str, as_of: datetime | None):
        self.dialect = Dialect.get_or_raise(dialect)
        self.name = dialect.lower()
        self.as_of = utc_naive(as_of) if as_of is not None else None
        self._keywords = set(Tokenizer.KEYWORDS) | set(self.dialect.tokenizer_class.KEYWORDS) | {
            k.upper() for k in self.dialect.generator_class.RESERVED_KEYWORDS}

    def materialized(self, cte: str) -> bool:
        """Must the engine compute this CTE of the query once, whatever it would inline?"""
        return cte in MATERIALIZED.get(self.name, ())

    @property
    def steps_over_later_candidates(self) -> bool:
        """Should each step of the batch walk join only the candidates after a customer's first
        (`pl_later`)? PostgreSQL sorts the whole ranked batch for every step otherwise."""
        return self.name in LATER_STEPS

    @property
    def ranks_only_in_play(self) -> bool:
        """Should `pl_ranked` hold only the candidates in play (NULL `rn` for the others otherwise)?
        Elsewhere the second read of `pl_base` would materialise it, all its columns (DuckDB: 230 MB)."""
        return self.name in RANKS_ONLY_IN_PLAY

    @property
    def merges_windows(self) -> bool:
        """Should the windowed aggregates of one table and time column be one (`History.windowed`)?"""
        return self.name in MERGED_WINDOWS

    @property
    def has_recursion(self) -> bool:
        """Does the dialect have recursive CTEs (sqlglot knows which do not)?"""
        return self.dialect.generator_class.TRANSFORMS.get(exp.With) is not no_recursive_cte_sql

    # --- time ----------------------------------------------------------------

    @property
    def text_timestamps(self) -> bool:
        """Does the dialect keep timestamps as ISO text (SQLite)? Then every timestamp the query
        compares, read or written, is canonical text `YYYY-MM-DD HH:MM:SS.ffffff`, which orders as
        the instants do (`timestamp_column`)."""
        return self.name == "sqlite"

    def timestamp(self, moment: datetime) -> exp.Expression:
        """A timestamp literal (canonical text where timestamps are text)."""
        if self.text_timestamps:
            return exp.Literal.string(moment.isoformat(sep=" ", timespec="microseconds"))
        text = exp.Literal.string(timestamp_text(moment))
        if self.name in MYSQL_FAMILY:  # a bare DATETIME drops the microseconds
            return exp.cast(text, exp.DataType.build("datetime(6)", dialect="mysql"))
        return exp.cast(text, "timestamptz" if self.name == "bigquery" else "timestamp")

    def timestamp_column(self, value: exp.Expression) -> exp.Expression:
        """A timestamp read from a table, as the query compares it. SQLite text in either ISO form
        (`2025-06-30 05:30:00` or `2025-06-30T05:30:00`, with 0 to 6 fraction digits: other text is a
        data error found before the query runs) becomes the canonical text."""
        if not self.text_timestamps:
            return value
        has_fraction = exp.GT(this=_fn("INSTR", value.copy(), exp.Literal.string(".")), expression=exp.Literal.number(0))
        zeros = exp.Case(ifs=[exp.If(this=has_fraction, true=exp.Literal.string("000000"))],
                         default=exp.Literal.string(".000000"))
        spaced = _fn("REPLACE", value, exp.Literal.string("T"), exp.Literal.string(" "))
        return exp.Substring(this=exp.DPipe(this=spaced, expression=zeros), start=exp.Literal.number(1),
                             length=exp.Literal.number(26))

    def _sqlite_now(self, *modifiers: exp.Expression) -> exp.Expression:
        """SQLite's current UTC time, shifted by `modifiers`, as canonical text (milliseconds, padded)."""
        now = _fn("STRFTIME", exp.Literal.string("%Y-%m-%d %H:%M:%f"), exp.Literal.string("now"), *modifiers)
        return exp.DPipe(this=now, expression=exp.Literal.string("000"))

    def now(self) -> exp.Expression:
        """The as-of instant T."""
        if self.as_of is not None:
            return self.timestamp(self.as_of)
        current = exp.CurrentTimestamp()
        match self.name:
            case _ if self.name in MYSQL_FAMILY:
                return exp.UtcTimestamp(this=exp.Literal.number(6))
            case "tsql":
                return _fn("SYSUTCDATETIME")
            case "snowflake":
                return exp.CurrentTimestamp(sysdate=True)
            case "sqlite":
                return self._sqlite_now()
            case "spark" | "spark2" | "databricks" | "hive" | "bigquery" | "redshift":
                return current
        return exp.AtTimeZone(this=current, zone=exp.Literal.string("UTC"))

    def shifted(self, hours: int) -> exp.Expression | None:
        """T minus `hours` (negative: later than T); None when no engine can represent it (beyond
        year 1 to 9999 at a known as-of time; more than `MAX_WINDOW_HOURS` either way at the engine's)."""
        if self.as_of is not None:
            try:
                return self.timestamp(self.as_of - hours * HOUR)
            except OverflowError:
                return None
        if abs(hours) > MAX_WINDOW_HOURS:
            return None
        if self.text_timestamps:
            return self._sqlite_now(exp.Literal.string(f"{-hours:+d} hours"))
        return exp.TimestampAdd(this=self.now(), expression=exp.Literal.number(-hours), unit=exp.var("HOUR"))

    def window_start(self, hours: int) -> exp.Expression | None:
        """The start of the rolling window `(T - hours, T]`; None when it reaches back to the start of
        history (`policylang.model.window_start`, which the interpreter uses)."""
        if self.as_of is not None:
            start = window_start(self.as_of, hours)
            return None if start is None else self.timestamp(start)
        return None if hours > MAX_WINDOW_HOURS else self.shifted(hours)

    def before_days(self, days: exp.Expression) -> exp.Expression:
        """T minus a number of days read from the data (a preferences row's `window_days`, at most
        `MAX_WINDOW_HOURS` / 24: the caller treats a longer window as unbounded)."""
        if not self.text_timestamps:
            return exp.TimestampAdd(this=self.now(), expression=exp.Neg(this=days), unit=exp.var("DAY"))
        modifier = exp.DPipe(this=exp.cast(exp.Neg(this=days), "text"), expression=exp.Literal.string(" days"))
        if self.as_of is None:
            return self._sqlite_now(modifier)
        # DATETIME() drops the fraction: shift the whole seconds, then put T's fraction back
        seconds = self.as_of.replace(microsecond=0)
        shifted = _fn("DATETIME", exp.Literal.string(timestamp_text(seconds)), modifier)
        return exp.DPipe(this=shifted, expression=exp.Literal.string(f".{self.as_of.microsecond:06d}"))

    # --- values ----------------------------------------------------------------

    def exact(self, value: exp.Expression) -> exp.Expression:
        """`value` as compared, grouped and joined exactly (case- and space-sensitive)."""
        return exp.cast(value, "binary") if self.name in EXACT_BINARY else value

    def scaled_cost(self, cost: exp.Expression) -> exp.Expression:
        """A cost as an exact integer of 1/10000 units; NULL and a negative cost count as 0 (a
        negative cost never frees budget; one on a marketing candidate suppresses it before this is
        read). ROUND only absorbs a REAL engine's binary error: more than 4 decimal places is a data
        error found before the query runs (docs/language.md, "Data that cannot be right")."""
        scaled = exp.cast(exp.Round(this=exp.Mul(this=cost, expression=exp.Literal.number(COST_SCALE))), "bigint")
        return exp.Case(ifs=[exp.If(this=exp.GT(this=cost.copy(), expression=exp.Literal.number(0)), true=scaled)],
                        default=exp.Literal.number(0))

    def id_order(self, value: exp.Expression) -> list[exp.Expression]:
        """Ascending sort keys ordering an id column numerically when it holds integers and by code
        point when it holds text, whichever type the warehouse gave it."""
        if self.name == "postgres":
            integer = exp.In(this=exp.cast(_fn("pg_typeof", value.copy()), "text"), expressions=[
                exp.Literal.string(t) for t in ("smallint", "integer", "bigint", "numeric")])
            number = exp.cast(exp.cast(value.copy(), "text"), "decimal")
            text = exp.Collate(this=exp.cast(value.copy(), "text"), expression=exp.to_identifier("C", quoted=True))
            return [exp.Case(ifs=[exp.If(this=integer, true=number)]), text]
        if self.name in EXACT_BINARY:
            integer = exp.EQ(this=_fn("CHARSET", value.copy()), expression=exp.Literal.string("binary"))
            return [exp.Case(ifs=[exp.If(this=integer, true=value.copy())]), self.exact(value.copy())]
        return [value]

    # --- names -------------------------------------------------------------------

    def identifier(self, name: str) -> exp.Identifier:
        """A warehouse name: unquoted when it is a plain lower-case word (so it resolves as the
        warehouse folds unquoted names), quoted exactly as written otherwise."""
        plain = PLAIN_NAME.fullmatch(name) is not None and name.upper() not in self._keywords
        return exp.to_identifier(name, quoted=not plain)

    def table(self, name: str, alias: str) -> exp.Table:
        """A possibly qualified table name (`crm.touches`) under `alias`."""
        return qualified_table(name, self.identifier, alias)
