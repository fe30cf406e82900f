"""Per-customer history aggregates: every number a rule or score reads from the past.

History is aggregated per customer before it meets the candidates (docs/design.md, "The decision query"):
each aggregate is one CTE grouped by customer that reads only the rows its
measures need, and measures over the same rows share it, one column each:

- windowed counts and cost sums, one CTE per (table, time column, window):
  `pl_touches_sent_7d` holds every 7-day count of touches by `sent_at`, for
  caps, gaps, spend caps and `per CH sent` score lines alike; where the
  target merges windows (PostgreSQL, `Target.merges_windows`), one CTE per
  (table, time column), `pl_touches_sent`, over the longest window its
  columns read, each column (`n_email_7d`) testing its own;
- `stop ... after N unopened` as two aggregates: the latest opened matching
  send time, then the count of matching touches sent after it (only those
  rows pass its WHERE);
- `stop ... after conversion`: converted touches per (customer, campaign).

A `Reader` is one consumer's view (the candidates, or the customers for
scores): reading a measure registers it and returns its value (0 when the
customer has no rows); `Reader.join` then adds the LEFT JOINs it needs.
Touches count only when marketing and sent by T; events when they occurred
in the window.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from policylang.model import GLOBAL, Selector
from policylang.source import Span

from .dialects import Target
from .sources import Rows, all_of, cte, flag, is_null, selects, zero_if_null

KEY = "customer_id"


@dataclass(frozen=True)
class User:
    """A rule or score reading a measure, named in the SQL comments."""

    name: str
    span: Span | None

    def __str__(self) -> str:
        return f"{self.name} ({self.span.file}:{self.span.line})" if self.span else self.name


@dataclass
class Column:
    name: str
    value: exp.Expression
    narrow: exp.Expression | None  # the rows it reads (None: all of the aggregate's rows)
    users: list[User] = field(default_factory=list)


class Aggregate:
    """One CTE: the rows of `rows` passing `filters`, grouped by the customer key (and `keys`). A merged
    windowed aggregate (`window`: its time column) also keeps only the rows in its longest window."""

    def __init__(self, name: str, rows: Rows, filters: list[exp.Expression], keys: dict[str, exp.Expression],
                 joins: tuple = (), window: str | None = None):
        self.name, self.rows, self.filters, self.keys, self.joins = name, rows, filters, keys, joins
        self.columns: dict[tuple, Column] = {}
        self.window, self.hours = window, 0  # the longest window its columns read, in hours

    def column(self, identity: tuple, name: str, build, user: User) -> exp.Column:
        """The column for `identity`, made by `build() -> (value, narrow)` on first use."""
        if identity not in self.columns:
            taken = {c.name for c in self.columns.values()}
            unique = name if name not in taken else f"{name}_{len(self.columns) + 1}"
            self.columns[identity] = Column(unique, *build())
        column = self.columns[identity]
        if user not in column.users:
            column.users.append(user)
        return exp.column(column.name, table=self.name)

    def select(self) -> exp.Select:
        keys = [exp.alias_(value, name) for name, value in self.keys.items()]
        values = []
        for column in self.columns.values():
            aliased = exp.alias_(column.value, column.name, copy=False)
            aliased.add_comments([", ".join(map(str, column.users))])
            values.append(aliased)
        narrows = list(dict.fromkeys(c.narrow for c in self.columns.values()))  # equal ones once
        narrow = exp.or_(*narrows) if narrows and all(n is not None for n in narrows) else None
        query = exp.select(*keys, *values).from_(self.rows.source, copy=False)
        for table, on in self.joins:
            query = query.join(table, on=on, join_type="left", copy=False)
        longest = self.rows.within(self.window, self.hours) if self.window else None
        return query.where(all_of(*self.filters, longest, narrow), copy=False).group_by(*self.keys.values(),
                                                                                      copy=False)


def _words(selector: Selector, scope: str) -> str:
    return "_".join(selector.words + ((scope,) if scope != GLOBAL else ()))


def _named(prefix: str, selector: Selector, scope: str, aggregate: Aggregate, label: str) -> str:
    """A measure's column name: `n_email_cruises`, with the window (`_7d`) in a merged aggregate."""
    return f"{prefix}_{_words(selector, scope)}" + (f"_{label}" if aggregate.window is not None else "")


class History:
    """Every aggregate the query needs, planned as measures are read."""

    def __init__(self, target: Target, policy):
        self.target, self.policy = target, policy
        self.aggregates: dict[tuple, Aggregate] = {}
        self.closed = False  # set once the aggregates are built (`ctes`)

    def touches(self, alias: str = "t") -> Rows:
        return Rows(self.target, self.policy, "touches", alias)

    def aggregate(self, identity: tuple, make) -> Aggregate:
        if self.closed:
            raise AssertionError("a measure was read after the history aggregates were built")
        if identity not in self.aggregates:
            self.aggregates[identity] = make()
        return self.aggregates[identity]

    def windowed(self, table: str, time_column: str, hours: int, label: str) -> tuple[Aggregate, exp.Expression | None]:
        """The aggregate of `table` rows whose `time_column` lies in `(T - hours, T]`, and the test a
        column of it must add for that window: None, unless the target merges the windows of one table
        and time column into one aggregate (`Target.merges_windows`), whose rows are those of the
        longest window its columns read."""
        merged = self.target.merges_windows

        def make() -> Aggregate:
            rows = Rows(self.target, self.policy, table, table[0])
            filters = [] if merged else [rows.within(time_column, hours)]
            if table == "touches":
                filters = [rows.marketing()] + ([] if time_column == "sent_at" else [rows.happened("sent_at")]) + filters
            name = f"pl_{table}_{time_column.removesuffix('_at')}" + ("" if merged else f"_{label}")
            return Aggregate(name, rows, filters, {KEY: rows.key}, window=time_column if merged else None)

        aggregate = self.aggregate(("window", table, time_column) + (() if merged else (hours,)), make)
        if not merged:
            return aggregate, None
        aggregate.hours = max(aggregate.hours, hours)
        return aggregate, aggregate.rows.after(time_column, hours)

    def last_opened(self) -> Aggregate:
        def make() -> Aggregate:
            rows = self.touches()
            return Aggregate("pl_last_opened", rows, [rows.marketing(), rows.happened("sent_at"),
                                                      rows.happened("opened_at")], {KEY: rows.key})

        return self.aggregate(("last_opened",), make)

    def unopened(self) -> Aggregate:
        def make() -> Aggregate:
            rows = self.touches()
            latest = self.last_opened().name
            on = exp.EQ(this=exp.column(KEY, table=latest), expression=rows.key)
            return Aggregate("pl_unopened", rows, [rows.marketing(), rows.happened("sent_at")], {KEY: rows.key},
                             joins=((cte(latest), on),))

        return self.aggregate(("unopened",), make)

    def converted(self) -> Aggregate:
        def make() -> Aggregate:
            rows = self.touches()
            filters = [rows.marketing(), rows.happened("sent_at"), rows.happened("converted_at"),
                       exp.not_(is_null(rows.raw("campaign_id")))]
            return Aggregate("pl_converted", rows, filters, {KEY: rows.key, "campaign_id": rows["campaign_id"]})

        return self.aggregate(("converted",), make)

    def ctes(self) -> list[tuple[str, exp.Select]]:
        """The aggregates, in the order first read (`sql.plan.in_order` puts the one an aggregate joins
        before it). Built once every measure is read: a read after this is refused."""
        self.closed = True
        return [(a.name, a.select()) for a in self.aggregates.values()]


class Reader:
    """One consumer's reads of `history`; `join` adds the LEFT JOINs they need."""

    def __init__(self, history: History):
        self.history = history
        self.used: list[Aggregate] = []

    def _read(self, aggregate: Aggregate, identity: tuple, name: str, build, user: User) -> exp.Expression:
        if aggregate not in self.used:
            self.used.append(aggregate)
        return zero_if_null(aggregate.column(identity, name, build, user))

    def count(self, selector: Selector, scope: str, hours: int, label: str, user: User,
              time_column: str = "sent_at") -> exp.Expression:
        """Marketing touches matching `selector` in `scope` with `time_column` in the window."""
        aggregate, window = self.history.windowed("touches", time_column, hours, label)
        narrow = all_of(window, selects(aggregate.rows, selector, scope))
        build = lambda: (exp.Sum(this=flag(narrow)) if narrow is not None else exp.Count(this=exp.Star()), narrow)
        return self._read(aggregate, ("count", selector, scope, hours), _named("n", selector, scope, aggregate, label),
                          build, user)

    def cost(self, selector: Selector, scope: str, hours: int, label: str, user: User) -> exp.Expression:
        """The summed cost (scaled to integers) of those touches."""
        aggregate, window = self.history.windowed("touches", "sent_at", hours, label)
        narrow = all_of(window, selects(aggregate.rows, selector, scope))
        cost = self.history.target.scaled_cost(aggregate.rows.raw("cost"))
        build = lambda: (exp.Sum(this=flag(narrow, cost) if narrow is not None else cost), narrow)
        return self._read(aggregate, ("cost", selector, scope, hours), _named("cost", selector, scope, aggregate, label),
                          build, user)

    def events(self, event_type: str, hours: int, label: str, user: User) -> exp.Expression:
        aggregate, window = self.history.windowed("events", "occurred_at", hours, label)
        match = all_of(window, aggregate.rows.equals("event_type", event_type))
        name = f"n_event_{len(aggregate.columns) + 1}"
        return self._read(aggregate, ("event", event_type, hours), name, lambda: (exp.Sum(this=flag(match)), match),
                          user)

    def unopened(self, selector: Selector, scope: str, user: User) -> exp.Expression:
        """Matching touches sent strictly after the latest opened matching one (all when none was)."""
        words = _words(selector, scope)
        latest = self.history.last_opened()
        match = selects(latest.rows, selector, scope)
        sent = latest.rows.raw("sent_at")
        latest_sent = exp.Case(ifs=[exp.If(this=match, true=sent)]) if match is not None else sent
        opened = latest.column(("latest", selector, scope), f"latest_{words}", lambda: (exp.Max(this=latest_sent), match),
                               user)
        aggregate = self.history.unopened()
        rows = aggregate.rows
        after = exp.or_(is_null(opened.copy()), exp.GT(this=rows.raw("sent_at"), expression=opened), copy=False)
        counted = all_of(selects(rows, selector, scope), after)
        # the rows it reads are the counted ones only, so fewer rows reach the GROUP BY
        build = lambda: (exp.Sum(this=flag(counted)), counted.copy())
        return self._read(aggregate, ("unopened", selector, scope), f"n_{words}", build, user)

    def converted(self, scope: str, user: User) -> exp.Expression:
        """1 when a touch of the candidate's campaign in `scope` converted by T, else 0."""
        aggregate = self.history.converted()
        narrow = aggregate.rows.equals("business_unit", scope) if scope != GLOBAL else None
        build = lambda: (exp.Max(this=flag(narrow)), narrow)
        return self._read(aggregate, ("converted", scope), f"converted_{scope}", build, user)

    def join(self, query: exp.Select, key: exp.Expression, campaign: exp.Expression | None = None) -> exp.Select:
        """`query` LEFT JOINed to every aggregate read, on the customer key (and campaign)."""
        for aggregate in self.used:
            on = exp.EQ(this=exp.column(KEY, table=aggregate.name), expression=key.copy())
            if "campaign_id" in aggregate.keys:
                on = exp.and_(on, exp.EQ(this=exp.column("campaign_id", table=aggregate.name),
                                         expression=campaign.copy()))
            query = query.join(cte(aggregate.name), on=on, join_type="left", copy=False)
        return query

