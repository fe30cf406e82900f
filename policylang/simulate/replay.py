"""Replaying history under a policy: what `policylang simulate` (and `diff --data`) compute.

`replay(project, start, end)` plays the days `start` to `end` (both included)
as if the policy had been in force, on the engine `run` would use (the
in-process DuckDB over the data files, or `--db URL`); `replay_on(engine,
policy, ...)` does the same on an engine already holding the tables. Each day's
historical marketing touches become that day's candidates, decided as one
batch by the compiled decision query (`compilers/sql/__init__.py`) as of that day's
batch time, against a history made of the touches before the period, the
transactional touches, and what the policy let through on earlier days. The
rules are in docs/simulate.md; the SQL is sqlglot trees; every table written
is a scratch table of this replay (`policylang_sim_<hex>_*`, temporary where
the engine allows), dropped at the end: the user's tables are only read.

Four statements per simulated day (empty the batch, fill it, decide it, add
what was sent to the history); to set up, one to find the touches table's
columns (a few more when it lacks some) and three to create the tables; two to
read the outcomes.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Callable

from sqlglot import exp

from ..errors import DataError, UsageError
from ..model import PolicySet

DAY = timedelta(days=1)
MAX_DAYS = 3660  # ten years of days: a longer replay is a typo
TOUCH_KEYS = ("customer_id", "channel", "business_unit", "topic", "campaign_id", "message_class", "cost",
              "opened_at", "clicked_at", "converted_at")  # with sent_at first: the order candidate ids follow
NEEDED_TOUCH_COLUMNS = ("customer_id", "channel", "business_unit", "message_class", "sent_at", "cost")
FROM_TOUCH = ("customer_id", "channel", "business_unit", "campaign_id", "topic", "cost")  # candidate columns
UNSUPPORTED = ("spark",)  # no INSERT into temporary tables; its fold re-plans per statement
TOUCH_COLUMNS = ("sent_at",) + TOUCH_KEYS


@dataclass(frozen=True)
class Outcome:
    """One historical marketing touch of the period, decided as a candidate of its day."""

    candidate_id: int  # 1-based, in send-time order over the whole period
    customer_id: object
    sent_at: datetime
    business_unit: str | None
    channel: str | None
    topic: str | None
    cost: Decimal  # as recorded; a NULL or negative cost is 0
    decision: str  # "send" | "suppress"
    rule: str | None  # the rule that suppressed it


@dataclass
class Simulation:
    """A replay's result: every marketing candidate's outcome, and what passed through untouched."""

    policy_version: str
    start: date
    end: date  # included
    batch_time: time
    outcomes: list[Outcome] = field(default_factory=list)  # ordered by candidate_id
    transactional: int = 0  # transactional touches of the period (sent, whatever the policy)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def day_of(self, moment: datetime) -> date:
        """The simulated day whose batch holds a touch sent at `moment`."""
        offset = datetime.combine(date.min, self.batch_time) - datetime.min
        return (moment - offset).date()

    def batch_at(self, day: date) -> datetime:
        """The instant the candidates of `day` are decided as of."""
        return datetime.combine(day, self.batch_time)


def replay(project, start: date, end: date, *, db: str | None = None, batch_time: time = time(0),
           priority: str | None = None, on_day: Callable[[int, int], None] | None = None) -> Simulation:
    """Replay `project`'s policy over the days `start` to `end` (included) on the data files (an
    in-process DuckDB) or the database `db`. `priority` names a column of the touches table holding
    each candidate's priority (else 0; `--db` only: data files hold the columns of docs/data.md).
    `on_day(done, total)` is called after each day."""
    from ..commands.run import engine_for, failure, load_data_files
    from ..commands.run_output import Output
    from ..project import require_policy

    policy = require_policy(project)
    check_period(start, end)
    if priority and db is None:
        raise UsageError("`--priority` names a column of a database's touches table: use it with `--db`; "
                         "data files hold only the columns of docs/data.md")
    with engine_for(db) as engine:
        def work() -> Simulation:
            if db is None:
                load_data_files(engine, project.config, policy)
            try:
                return replay_on(engine, policy, start, end, batch_time=batch_time, priority=priority,
                                 on_day=on_day, check=db is not None)
            except engine.errors as exc:
                raise failure(engine, exc, db, Output()) from None
        return engine.interruptible(work)


def check_period(start: date, end: date) -> None:
    """A `UsageError` for a period that ends before it starts, or is longer than `MAX_DAYS`."""
    if end < start:
        raise UsageError(f"--to {end} is before --from {start}: the period runs from --from to --to, both included")
    if (end - start).days + 1 > MAX_DAYS:
        raise UsageError(f"{(end - start).days + 1} days is more than {MAX_DAYS}: replay a shorter period")


def replay_on(engine, policy: PolicySet, start: date, end: date, *, batch_time: time = time(0),
              priority: str | None = None, on_day: Callable[[int, int], None] | None = None,
              check: bool = False) -> Simulation:
    """The replay on `engine`, whose tables (under `policy`'s warehouse names) are only read. `check`:
    check the tables' values first (`data_checks.check_tables`), as `run --db` does."""
    check_period(start, end)
    if engine.name in UNSUPPORTED:
        raise UsageError(f"simulate does not run on {engine.name}: use DuckDB, SQLite, PostgreSQL or MariaDB")
    scratch = Scratch(engine, policy, priority)
    try:
        simulation = Simulation(policy.version, start, end, batch_time)
        scratch.set_up(simulation.batch_at(start), simulation.batch_at(end) + DAY)
        if check:
            from ..data_checks import check_tables

            check_tables(engine, scratch.checked_policy)
        total = simulation.days
        for index in range(total):
            scratch.decide_day(simulation.batch_at(start + index * DAY), first=index == 0)
            if on_day:
                on_day(index + 1, total)
        simulation.outcomes = scratch.outcomes()
        simulation.transactional = scratch.transactional(simulation.batch_at(start), simulation.batch_at(end) + DAY)
        return simulation
    finally:
        scratch.drop()


class Scratch:
    """The replay's scratch tables on one engine and the statements over them."""

    def __init__(self, engine, policy: PolicySet, priority: str | None):
        from ..compilers.sql.dialects import Target
        from ..compilers.sql.reads import policy_reads

        self.engine, self.policy, self.priority = engine, policy, priority
        self.target = Target(engine.dialect, None)
        self.temporary = engine.name != "mariadb"  # MariaDB cannot read a temporary table twice in a query
        prefix = f"policylang_sim_{uuid.uuid4().hex[:12]}"
        self.names = {kind: f"{prefix}_{kind}" for kind in ("touches", "period", "batch", "decided")}
        self.created: list[str] = []
        reads = policy_reads(policy, engine.dialect)
        self.required = sorted(set(NEEDED_TOUCH_COLUMNS) | reads.get("touches", frozenset())
                               | (reads.get("candidates", frozenset()) & set(FROM_TOUCH)))
        self.touch_columns = self.required  # until `set_up` has found which others the table has
        # the decision query reads the scratch history and batch, under canonical column names
        columns = {t: c for t, c in policy.columns.items() if t not in ("touches", "candidates")}
        self.sim_policy = replace(policy, tables={**policy.tables, "touches": self.names["touches"],
                                                  "candidates": self.names["batch"]}, columns=columns)
        self.checked_policy = replace(policy, tables={**policy.tables, "candidates": self.names["batch"]},
                                      columns={**columns, **({"touches": policy.columns["touches"]}
                                                             if "touches" in policy.columns else {})})

    # --- names and pieces ---------------------------------------------------------------------

    def table(self, kind: str, alias: str | None = None) -> exp.Table:
        table = exp.table_(self.names[kind], quoted=True)
        return table.as_(alias, quoted=True) if alias else table

    def source_column(self, column: str, alias: str = "t") -> exp.Column:
        """A column of the user's touches table, by its warehouse name."""
        return exp.column(self.target.identifier(self.policy.column("touches", column)), table=alias)

    def sent_at(self, column: exp.Expression) -> exp.Expression:
        return self.target.timestamp_column(column)

    def within(self, column: exp.Expression, low: datetime, high: datetime) -> exp.Expression:
        """`low <= column < high` for a timestamp column."""
        value = self.sent_at(column)
        return exp.and_(exp.GTE(this=value, expression=self.target.timestamp(low)),
                        exp.LT(this=value.copy(), expression=self.target.timestamp(high)))

    def marketing(self, column: exp.Expression) -> exp.Expression:
        """A touch counts as marketing unless its class is exactly `transactional` (docs/design.md)."""
        transactional = exp.EQ(this=self.target.exact(column), expression=self.target.exact(
            exp.Literal.string("transactional")))
        return exp.or_(exp.Is(this=column.copy(), expression=exp.Null()), exp.not_(transactional))

    def create(self, kind: str, query: exp.Expression) -> None:
        properties = exp.Properties(expressions=[exp.TemporaryProperty()]) if self.temporary else None
        self.created.append(self.names[kind])
        self.engine.run(exp.Create(this=self.table(kind), kind="TABLE", expression=query, properties=properties))

    # --- the statements -----------------------------------------------------------------------

    def present_columns(self, source: exp.Table) -> list[str]:
        """The touch columns the table has: every column the replay needs (else a `DataError`), and
        the others that are there, so that candidate ids follow every column, whatever the policy reads
        (two policies replayed over one table number its touches alike). One query when the table has
        them all (data files always do), one more per optional column otherwise."""
        from ..data_checks import runs

        def has(*columns: str) -> bool:
            return runs(self.engine, source, [self.source_column(c) for c in columns]) is None

        if has(*TOUCH_COLUMNS):
            return list(TOUCH_COLUMNS)
        unreadable = runs(self.engine, source, [exp.Star()])
        if unreadable is not None:
            raise DataError(f"cannot read table `{self.policy.table('touches')}` ({unreadable}); create it, or map "
                            "`touches` under `tables:` in policylang.yaml")
        if not has(*self.required):
            missing = ", ".join(f"`{self.policy.column('touches', c)}`" for c in self.required if not has(c))
            raise DataError(f"table `{self.policy.table('touches')}` has no column {missing}, which simulate "
                            "reads: add it, or map it under `columns:` in policylang.yaml")
        return [c for c in TOUCH_COLUMNS if c in self.required or has(c)]

    def set_up(self, low: datetime, high: datetime) -> None:
        """The history without the period's marketing touches; the period's marketing touches as
        numbered candidates; an empty batch."""
        source = self.target.table(self.policy.table("touches"), "t")
        self.touch_columns = self.present_columns(source)
        in_period = exp.and_(self.marketing(self.source_column("message_class")),
                             self.within(self.source_column("sent_at"), low, high))
        touches = [self.source_column(c).as_(c, quoted=True) for c in self.touch_columns]
        self.create("touches", exp.select(*touches).from_(source).where(exp.not_(in_period)))
        self.create("period", exp.select(self.candidate_id(), *self.candidate_columns(),
                                         *(self.source_column(c).as_(f"pl_touch_{c}", quoted=True)
                                           for c in self.touch_columns))
                    .from_(source.copy()).where(in_period.copy()))
        self.create("batch", exp.select(*(exp.column(c, quoted=True) for c in self.batch_columns()))
                    .from_(self.table("period")).where(exp.false()))

    def candidate_id(self) -> exp.Expression:
        """1, 2, ... over the period's marketing touches by send time, then every other column (ids
        numerically or by code point, NULLs last): the same numbers on every engine."""
        keys = [self.sent_at(self.source_column("sent_at"))]
        for column in TOUCH_KEYS:
            if column in self.touch_columns:
                keys += self.target.id_order(self.source_column(column))
        order = exp.Order(expressions=[exp.Ordered(this=k, desc=False, nulls_first=False) for k in keys])
        number = exp.Window(this=exp.RowNumber(), order=order)
        return exp.cast(number, "bigint").as_("candidate_id", quoted=True)

    def candidate_columns(self) -> list[exp.Expression]:
        """The candidate a touch becomes: its customer, channel, unit, campaign, topic and cost (NULL or
        negative: 0), class `marketing`, and the priority column's value (NULL or none: 0)."""
        columns = [exp.cast(exp.Literal.string("marketing"), "text").as_("message_class", quoted=True)]
        priority = (exp.Coalesce(this=exp.column(self.target.identifier(self.priority), table="t"),
                                 expressions=[exp.Literal.number(0)]) if self.priority else exp.Literal.number(0))
        columns.append(exp.cast(priority, "bigint").as_("priority", quoted=True))
        for column in FROM_TOUCH:
            value = self.source_column(column) if column in self.touch_columns else None
            if column == "cost" and value is not None:
                value = exp.Case(ifs=[exp.If(this=exp.GT(this=value, expression=exp.Literal.number(0)),
                                             true=value.copy())], default=exp.Literal.number(0))
            if value is not None:
                columns.append(value.as_(column, quoted=True))
        return columns

    def batch_columns(self) -> list[str]:
        present = ["candidate_id", "message_class", "priority"] + [c for c in FROM_TOUCH if c in self.touch_columns]
        return present

    def decide_day(self, as_of: datetime, first: bool) -> None:
        """Decide the candidates sent in [as_of, as_of + 1 day) as one batch as of `as_of`; add the sent
        ones to the history."""
        from ..compilers.sql import compile_policy

        period = self.table("period", "p")
        on_day = self.within(exp.column("pl_touch_sent_at", table="p", quoted=True), as_of, as_of + DAY)
        columns = [exp.to_identifier(c, quoted=True) for c in self.batch_columns()]
        self.engine.run(exp.delete(self.table("batch")))
        self.engine.run(exp.insert(exp.select(*(exp.column(c.name, table="p", quoted=True) for c in columns))
                                   .from_(period).where(on_day), self.table("batch"), columns=columns))
        query = compile_policy(self.sim_policy, self.engine.dialect, as_of)
        if first:
            self.create("decided", query)
        else:
            self.engine.run(exp.insert(query, self.table("decided"), copy=False))
        sent = (exp.select(exp.column("candidate_id", table="d", quoted=True)).from_(self.table("decided", "d"))
                .where(exp.EQ(this=exp.column("decision", table="d", quoted=True),
                              expression=exp.Literal.string("send"))))
        kept = exp.select(*(exp.column(f"pl_touch_{c}", table="p", quoted=True) for c in self.touch_columns)) \
            .from_(period.copy()).where(exp.and_(on_day.copy(), exp.In(
                this=exp.column("candidate_id", table="p", quoted=True), query=sent.subquery())))
        self.engine.run(exp.insert(kept, self.table("touches"),
                                   columns=[exp.to_identifier(c, quoted=True) for c in self.touch_columns]))

    def outcomes(self) -> list[Outcome]:
        """Every candidate of the period with its decision, by candidate id."""
        from ..engines.base import instant, plain

        p, d = "p", "d"
        query = (exp.select(exp.column("candidate_id", table=p, quoted=True),
                            *(exp.column(f"pl_touch_{c}", table=p, quoted=True) for c in
                              ("customer_id", "sent_at", "business_unit", "channel")),
                            exp.column("topic", table=p, quoted=True) if "topic" in self.touch_columns
                            else exp.Null(),
                            exp.column("cost", table=p, quoted=True),
                            exp.column("decision", table=d, quoted=True), exp.column("rule", table=d, quoted=True))
                 .from_(self.table("period", p))
                 .join(self.table("decided", d), on=exp.EQ(this=exp.column("candidate_id", table=p, quoted=True),
                                                           expression=exp.column("candidate_id", table=d,
                                                                                 quoted=True)))
                 .order_by(exp.column("candidate_id", table=p, quoted=True)))
        rows = self.engine.execute(query.sql(dialect=self.engine.dialect))
        return [Outcome(int(cid), plain(customer), instant(sent), unit, channel, topic,
                        Decimal(str(cost)) if cost is not None else Decimal(0), decision, rule)
                for cid, customer, sent, unit, channel, topic, cost, decision, rule in rows]

    def transactional(self, low: datetime, high: datetime) -> int:
        """The period's transactional touches (in the history as they were)."""
        source = self.target.table(self.policy.table("touches"), "t")
        query = exp.select(exp.Count(this=exp.Star())).from_(source).where(exp.and_(
            exp.not_(self.marketing(self.source_column("message_class"))),
            self.within(self.source_column("sent_at"), low, high)))
        ((count,),) = self.engine.execute(query.sql(dialect=self.engine.dialect))
        return int(count)

    def drop(self) -> None:
        """Drop the scratch tables this replay created (their names are its own)."""
        from contextlib import suppress

        from ..engines.base import drop_statement

        for name in reversed(self.created):
            with suppress(*self.engine.errors):
                self.engine.statement(drop_statement("TABLE", exp.table_(name, quoted=True)).sql(
                    dialect=self.engine.dialect))
