"""In-batch ordering, resolved inside the engine (docs/language.md, "How a batch is decided"): the final SELECT.

Without batch-dependent rules each candidate's decision is `pl_base.pre_rule`.
Otherwise the candidates still in play (marketing, no history-only check
failed) are numbered per customer in the order `priority DESC, candidate_id
ASC` (`pl_ranked`: on PostgreSQL only those, elsewhere every candidate with
`rn` NULL out of play, `Target.ranks_only_in_play`), and a recursive CTE
(`pl_walk`) takes each customer's candidates one at a time. Its row for
candidate n carries, per counter, the running value of the candidates sent
before n (`acc_*`), what n itself adds when sent (`c_*`) and n's verdict
(`rule`, NULL when sent). Step n + 1 adds n's contribution to each running
value when n was sent, then evaluates the batch checks in evaluation order: a
check fails once its running value reaches the candidate's `rem_*` column. The
walk's rows carry the candidate's ids, so the final SELECT reads `pl_decided`:
the candidates out of play UNION ALL the walked ones.

The recursive term joins `pl_ranked` directly (no sub-query, aggregate or
window function: SQLite forbids them there; on PostgreSQL, which sorts the
side it joins at every step, it joins `pl_later`, the candidates after each
customer's first), and every recursive column is
CAST in both terms so its type is the seed's on every engine. Spark re-plans
the whole query at every recursion step, so there the same steps run as a fold
(`aggregate`) over an array of each customer's candidates (`pl_batches`).
"""
from __future__ import annotations

from sqlglot import exp

from .checks import Base, Counter, Test, rule_literal, where
from .sources import all_of, cte, flag, is_null

BASE, RANKED, LATER, BATCHES, WALK, DECIDED = "pl_base", "pl_ranked", "pl_later", "pl_batches", "pl_walk", "pl_decided"
RANKED_ONLY = ("marketing", "priority")  # what puts a candidate in play and orders it: read by `pl_ranked` alone
FOLDING = ("spark", "databricks")  # dialects that walk the batch with a fold instead of a recursive CTE


def decisions(rows: str, rule: exp.Expression, version: str, as_of: exp.Expression) -> exp.Select:
    """candidate_id, customer_id, decision, rule, policy_version, as_of over `rows` (alias r)."""
    decision = exp.Case(ifs=[exp.If(this=is_null(rule.copy()), true=exp.Literal.string("send"))],
                        default=exp.Literal.string("suppress"))
    return exp.select(exp.column("candidate_id", table="r"), exp.column("customer_id", table="r"),
                      exp.alias_(decision, "decision"), exp.alias_(rule, "rule"),
                      exp.alias_(exp.Literal.string(version), "policy_version"),
                      exp.alias_(as_of, "as_of")).from_(cte(rows, "r"))


def _in_play(alias: str) -> exp.Expression:
    return exp.and_(is_null(exp.column("pre_rule", table=alias)),
                    exp.EQ(this=exp.column("marketing", table=alias), expression=exp.Literal.number(1)))


class Frame:
    """Where one step of the walk reads from: the state after the previous candidate (alias
    `previous`, None for a customer's first candidate) and the current candidate (alias `current`)."""

    def __init__(self, current: str, previous: str | None = None, previous_rule: exp.Expression | None = None):
        self.current, self.previous, self.previous_rule = current, previous, previous_rule

    def now(self, name: str) -> exp.Column:
        return exp.column(name, table=self.current)

    def running(self, counter: Counter) -> exp.Expression:
        """The counter's value over the candidates before the current one."""
        if self.previous is None:
            return exp.Literal.number(0)
        added = exp.Case(ifs=[exp.If(this=is_null(self.previous_rule.copy()),
                                     true=exp.column(f"c_{counter.name}", table=self.previous))],
                         default=exp.Literal.number(0))
        return exp.Add(this=exp.column(f"acc_{counter.name}", table=self.previous), expression=added)


class Walk:
    """The ranked batch, the walk over each customer's candidates and the final SELECT for `base`."""

    def __init__(self, base: Base):
        self.base = base
        self.counters: list[Counter] = list(base.counters.values())

    def ranked(self, columns: list[str]) -> exp.Select:
        """The candidates with `rn`, their place in their customer's batch when in play: only those
        where the target ranks only them (`Target.ranks_only_in_play`), else every candidate, `rn`
        NULL for those out of play (which `pre_rule` decides alone)."""
        b = lambda name: exp.column(name, table="b")
        order = [exp.Ordered(this=b("priority"), desc=True)]
        order += [exp.Ordered(this=key) for key in self.base.target.id_order(b("candidate_id"))]
        kept = [b(c) for c in columns if c not in RANKED_ONLY]
        if self.base.target.ranks_only_in_play:  # `pre_rule` is NULL in play: not kept
            number = exp.Window(this=exp.RowNumber(), partition_by=[b("ckey")], order=exp.Order(expressions=order))
            # `CASE ... END > 0`, not the plain test: without statistics on a CTE, PostgreSQL takes an
            # inequality for a third of the rows (the plain test for 5 of 200,000, and could then
            # choose a nested loop for the walk's steps)
            in_play = exp.GT(this=flag(_in_play("b")), expression=exp.Literal.number(0))
            return exp.select(*[c for c in kept if c.name != "pre_rule"], exp.alias_(number, "rn")).from_(
                cte(BASE, "b")).where(in_play)
        number = exp.Window(this=exp.RowNumber(), partition_by=[b("ckey"), flag(_in_play("b"))],
                            order=exp.Order(expressions=order))
        rn = exp.Case(ifs=[exp.If(this=_in_play("b"), true=number)])
        return exp.select(*kept, exp.alias_(rn, "rn")).from_(cte(BASE, "b"))

    def _value(self, test: Test, frame: Frame) -> exp.Expression:
        """The running value `test` compares: its counter's, or that of the first counter matching
        the current candidate."""
        (selector, counter), *_ = test.counters
        if selector is None or frame.previous is None:
            return frame.running(counter)
        branches = []
        for selector, counter in test.counters:
            matches = all_of(exp.EQ(this=frame.now("channel"), expression=exp.Literal.string(selector.channel)),
                             exp.EQ(this=frame.now("topic"), expression=exp.Literal.string(selector.topic))
                             if selector.topic is not None else None)
            branches.append(exp.If(this=matches, true=frame.running(counter)))
        return exp.Case(ifs=branches)

    def verdict(self, frame: Frame) -> exp.Expression:
        """The first batch check the current candidate fails (NULL: it is sent)."""
        branches = []
        for check in self.base.batch:
            fails = exp.or_(*[exp.GTE(this=self._value(test, frame), expression=frame.now(test.remaining))
                              for test in check.tests], copy=False)
            branches.append(exp.If(this=fails, true=rule_literal(check.rule.id, where(check.rule))))
        return exp.cast(exp.Case(ifs=branches), "text", copy=False)

    @property
    def recursive(self) -> bool:
        """Whether the walk is a recursive CTE (else a fold)."""
        return self.base.target.name not in FOLDING

    def ctes(self, columns: list[str]) -> list[tuple[str, exp.Expression]]:
        walk = Recursion(self) if self.recursive else Fold(self)
        return [(RANKED, self.ranked(columns))] + walk.ctes() + [(DECIDED, self.decided())]

    def decided(self) -> exp.Union:
        """`pl_decided`: every candidate's id, customer and rule, the candidates out of play (their
        `pre_rule`) UNION ALL the walked ones, so no join spans the whole batch."""
        r = lambda name: exp.column(name, table="r")
        ids = [r("candidate_id"), r("customer_id")]
        # out of play: `pl_base`'s other rows where `pl_ranked` holds only those in play, else `rn` NULL
        source, out = ((BASE, exp.not_(_in_play("r"))) if self.base.target.ranks_only_in_play  # never NULL
                       else (RANKED, is_null(r("rn"))))
        out_of_play = exp.select(*ids, exp.alias_(r("pre_rule"), "rule")).from_(cte(source, "r")).where(out)
        if self.recursive:
            return exp.union(out_of_play, exp.select(*ids, r("rule")).from_(cte(WALK, "r")), distinct=False)
        on = exp.and_(exp.EQ(this=exp.column("ckey", table="w"), expression=r("ckey")),
                      exp.EQ(this=exp.column("rn", table="w"), expression=r("rn")))
        walked = exp.select(*ids, exp.column("rule", table="w")).from_(cte(RANKED, "r")).join(cte(WALK, "w"), on=on)
        return exp.union(out_of_play, walked, distinct=False)

    def final(self, version: str) -> exp.Select:
        return decisions(DECIDED, exp.column("rule", table="r"), version, self.base.target.now())


class Recursion:
    """`pl_walk` as a recursive CTE: a seed row per customer's first candidate, then one step per
    candidate joining the next one of `pl_ranked`."""

    def __init__(self, walk: Walk):
        self.walk = walk

    def _step(self, frame: Frame) -> exp.Select:
        counters = self.walk.counters
        columns = [frame.now(name) for name in ("candidate_id", "customer_id", "ckey", "rn")]
        columns += [frame.now(f"c_{c.name}") for c in counters]
        columns += [exp.alias_(exp.cast(frame.running(c), "bigint", copy=False), f"acc_{c.name}", copy=False)
                    for c in counters]
        return exp.select(*columns, exp.alias_(self.walk.verdict(frame), "rule", copy=False))

    def ctes(self) -> list[tuple[str, exp.Expression]]:
        rn = lambda: exp.column("rn", table="r")
        seed = self._step(Frame("r")).from_(cte(RANKED, "r"), copy=False).where(
            exp.EQ(this=rn(), expression=exp.Literal.number(1)), copy=False)
        on = exp.and_(exp.EQ(this=exp.column("ckey", table="r"), expression=exp.column("ckey", table="w")),
                      exp.EQ(this=rn(), expression=exp.Add(
                          this=exp.column("rn", table="w"), expression=exp.Literal.number(1))))
        # PostgreSQL sorts what the step joins at every step: there it joins only the later candidates
        later = self.walk.base.target.steps_over_later_candidates
        step = (self._step(Frame("r", "w", exp.column("rule", table="w"))).from_(cte(WALK, "w"), copy=False)
                .join(cte(LATER if later else RANKED, "r"), on=on, copy=False))
        ctes = [(WALK, exp.union(seed, step, distinct=False, copy=False))]
        if later:
            ctes.append((LATER, exp.select(exp.Star()).from_(cte(RANKED, "r")).where(
                exp.GT(this=rn(), expression=exp.Literal.number(1)))))
        return ctes


class Fold:
    """`pl_walk` as a fold (Spark's `aggregate` over each customer's candidates, collected in order
    into `pl_batches`): one pass, no recursion. The state holds each counter's value and
    contribution as of the previous candidate and the verdicts so far."""

    STATE, CANDIDATE = "state", "cand"

    def __init__(self, walk: Walk):
        self.walk = walk

    def ctes(self) -> list[tuple[str, exp.Expression]]:
        r = lambda name: exp.column(name, table="r")
        batch = exp.ArraySort(this=exp.ArrayAgg(this=exp.Struct(expressions=[  # sorted by rn, the first field
            exp.PropertyEQ(this=exp.to_identifier(f), expression=r(f)) for f in self._fields()])))
        batches = exp.select(r("ckey"), exp.alias_(batch, "batch")).from_(cte(RANKED, "r")).group_by(r("ckey"))
        if not self.walk.base.target.ranks_only_in_play:
            batches = batches.where(exp.not_(is_null(r("rn"))))
        return [(BATCHES, batches), (WALK, self._walk())]

    def _fields(self) -> list[str]:
        base = self.walk.base
        names = ["rn"] + (["channel", "topic"] if base.has_preferences else [])
        names += [test.remaining for check in base.batch for test in check.tests]
        return names + [f"c_{c.name}" for c in self.walk.counters]

    def _walk(self) -> exp.Select:
        counters = self.walk.counters
        bigint = lambda value: exp.cast(value, "bigint")
        verdicts = exp.DataType(this=exp.DataType.Type.ARRAY, nested=True, expressions=[exp.DataType(
            this=exp.DataType.Type.STRUCT, nested=True, expressions=[
                exp.ColumnDef(this=exp.to_identifier("rn"), kind=exp.DataType.build("bigint")),
                exp.ColumnDef(this=exp.to_identifier("rule"), kind=exp.DataType.build("text"))])])
        field = lambda name, value: exp.PropertyEQ(this=exp.to_identifier(name), expression=value)
        start = exp.Struct(expressions=[field(f"acc_{c.name}", bigint(exp.Literal.number(0))) for c in counters]
                           + [field(f"c_{c.name}", bigint(exp.Literal.number(0))) for c in counters]
                           + [field("out", exp.cast(exp.Array(expressions=[]), verdicts))])
        state = lambda name: exp.column(name, table=self.STATE)
        last = exp.Dot(this=exp.Bracket(this=state("out"), expressions=[exp.Literal.number(-1)], offset=1, safe=True),
                       expression=exp.to_identifier("rule"))
        frame = Frame(self.CANDIDATE, self.STATE, last)
        verdict = exp.Struct(expressions=[field("rn", bigint(frame.now("rn"))), field("rule", self.walk.verdict(frame))])
        step = exp.Struct(expressions=[field(f"acc_{c.name}", bigint(frame.running(c))) for c in counters]
                          + [field(f"c_{c.name}", bigint(frame.now(f"c_{c.name}"))) for c in counters]
                          + [field("out", exp.Concat(expressions=[state("out"), exp.Array(expressions=[verdict])]))])
        fold = exp.Reduce(
            this=exp.column("batch", table="b"), initial=start,
            merge=exp.Lambda(this=step, expressions=[exp.to_identifier(self.STATE), exp.to_identifier(self.CANDIDATE)]),
            finish=exp.Lambda(this=state("out"), expressions=[exp.to_identifier(self.STATE)]))
        return exp.select(exp.column("ckey", table="b"), exp.Inline(this=fold)).from_(cte(BATCHES, "b"))
