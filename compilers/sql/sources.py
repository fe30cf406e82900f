"""The input tables as the query reads them: warehouse names, canonical columns.

`Rows` is one of the six tables of docs/data.md under an alias. Indexing it
with a canonical column name gives that column under its warehouse name,
compared exactly when it holds text (`Target.exact`); `raw` gives it as
stored (output ids, numbers), but timestamps as the query compares them
(`Target.timestamp_column`: canonical text on SQLite); `column` gives it
untouched. `selects` is the predicate "this message matches a selector in a
rule's scope", for touches and candidates alike.
"""
from __future__ import annotations

from sqlglot import exp

from policylang.model import GLOBAL, Selector
from policylang.schema import EXACT_COLUMNS, TIMESTAMP_COLUMNS

from .dialects import Target


def all_of(*predicates: exp.Expression | None) -> exp.Expression | None:
    """The conjunction of the predicates that are not None (None when there are none); the
    predicates become its children (fresh trees: nothing is copied)."""
    present = [p for p in predicates if p is not None]
    return exp.and_(*present, copy=False) if present else None


def text(value: str) -> exp.Literal:
    return exp.Literal.string(value)


def flag(predicate: exp.Expression | None, then: exp.Expression | None = None) -> exp.Expression:
    """`CASE WHEN predicate THEN 1 (or then) ELSE 0 END`: a predicate as a value every engine takes."""
    value = then if then is not None else exp.Literal.number(1)
    if predicate is None:
        return value
    return exp.Case(ifs=[exp.If(this=predicate, true=value)], default=exp.Literal.number(0))


def is_null(value: exp.Expression) -> exp.Expression:
    return exp.Is(this=value, expression=exp.Null())


def cte(name: str, alias: str | None = None) -> exp.Table:
    """A reference to one of the query's own CTEs, optionally under an alias."""
    return exp.Table(this=exp.to_identifier(name), alias=alias and exp.TableAlias(this=exp.to_identifier(alias)))


def zero_if_null(value: exp.Expression) -> exp.Expression:
    return exp.Coalesce(this=value, expressions=[exp.Literal.number(0)])


class Rows:
    """One input table under `alias`: `rows["channel"]` is its channel column, compared exactly."""

    def __init__(self, target: Target, policy, table: str, alias: str):
        self.target, self.policy, self.table, self.alias = target, policy, table, alias

    @property
    def source(self) -> exp.Table:
        return self.target.table(self.policy.table(self.table), self.alias)

    def column(self, column: str) -> exp.Column:
        """The column itself, untouched."""
        name = self.policy.column(self.table, column)
        return exp.Column(this=self.target.identifier(name), table=exp.to_identifier(self.alias))

    def raw(self, column: str) -> exp.Expression:
        """The column as stored, but for timestamps, which are read as the query compares them
        (`Target.timestamp_column`)."""
        value = self.column(column)
        return self.target.timestamp_column(value) if column in TIMESTAMP_COLUMNS else value

    def attribute(self, column: str, kind: str) -> exp.Expression:
        """A customer attribute, exact when it is text, comparable when it is a timestamp."""
        value = self.column(column)
        if kind == "timestamp":
            return self.target.timestamp_column(value)
        return self.target.exact(value) if kind == "text" else value

    def __getitem__(self, column: str) -> exp.Expression:
        value = self.raw(column)
        return self.target.exact(value) if column in EXACT_COLUMNS else value

    def equals(self, column: str, value: str) -> exp.Expression:
        return exp.EQ(this=self[column], expression=text(value))

    @property
    def key(self) -> exp.Expression:
        """The customer key every per-customer aggregate is grouped and joined by."""
        return self["customer_id"]

    def marketing(self) -> exp.Expression:
        """A history row counts as marketing unless its class is exactly `transactional` (a NULL
        or misspelt class fails closed: it counts against the caps)."""
        return exp.or_(is_null(self.column("message_class")),
                       exp.NEQ(this=self["message_class"], expression=text("transactional")))

    def happened(self, column: str) -> exp.Expression:
        """`column <= T`: stamped at or before the as-of time (NULL: it did not happen)."""
        return exp.LTE(this=self.raw(column), expression=self.target.now())

    def after(self, column: str, hours: int) -> exp.Expression | None:
        """`column` after the start of the rolling window `(T - hours, T]`; None when the window
        reaches back to the start of history."""
        start = self.target.window_start(hours)
        return None if start is None else exp.GT(this=self.raw(column), expression=start)

    def within(self, column: str, hours: int) -> exp.Expression:
        """`column` in the rolling window `(T - hours, T]`."""
        return all_of(self.after(column, hours), self.happened(column))


def selects(rows: Rows, selector: Selector, scope: str) -> exp.Expression | None:
    """Does a message (touch or candidate) match `selector` and count in `scope`? None: always."""
    return all_of(
        rows.equals("channel", selector.channel) if selector.channel is not None else None,
        rows.equals("topic", selector.topic) if selector.topic is not None else None,
        rows.equals("business_unit", scope) if scope != GLOBAL else None,
    )
