"""Every check on one candidate, as columns of `pl_base` (docs/language.md, "How a batch is decided").

`pl_base` is the candidates joined to what is known about them at T: the
customer (`pl_customers`), consent in force, preference slack and the
per-customer history aggregates. Its columns:

- `pre_rule`: the first failing check among those that never depend on the
  batch (built-ins, and the kinds `RuleKind.batch` marks so: consent, block,
  cooldown, stop), NULL when all pass or
  the candidate is transactional (`marketing` = 0: no check applies);
- for each batch-dependent check (gap, caps, spend caps, preferences), a
  `rem_*` column: how much of this customer's batch may still be sent before
  the check fails, NULL when the check does not apply. Each check fails once
  a running value of the batch reaches it: for a cap `N - touches in
  window`, for a gap 1 (0 when a touch is in the window), for a spend cap
  `amount - spent - this cost + 1` (costs in integer 1/10000 units), for
  preferences the tightest matching row's slack;
- for each running value (`Counter`), `c_*`: what this candidate adds to it
  when sent (1, or its cost, when it matches the counter's selector and scope).

Rules that count the same messages share a counter. `sql.batch` walks each
customer's batch with the counters.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from policylang.model import (BUILTIN_RULES, GLOBAL, BlockRule, CapRule, ConsentRule, CooldownRule, GapRule,
                              PolicySet, PreferencesRule, Rule, Selector, SpendCapRule, StopConversionRule,
                              StopUnopenedRule)
from policylang.rule_kinds import is_batch

from .consent import consent_fails, consent_join
from .customers import NAME as CUSTOMERS, Customers
from .dialects import COST_SCALE, Target
from .history import Reader, User
from .preferences import CHANNEL_WIDE, TOPICAL, preference_joins
from .sources import Rows, all_of, cte, flag, is_null, selects, text

ZERO, ONE = exp.Literal.number(0), exp.Literal.number(1)


@dataclass(frozen=True)
class Counter:
    """A running value of the batch: the count (or cost) of sent candidates matching `selector` in `scope`."""

    name: str
    selector: Selector
    scope: str
    cost: bool


@dataclass(frozen=True)
class Test:
    """Fails when the running value reaches `pl_base.<remaining>`. The running value is `counters[0]`'s
    when it has no selector, else that of the first counter whose selector matches the candidate."""

    counters: tuple[tuple[Selector | None, Counter], ...]
    remaining: str


@dataclass(frozen=True)
class BatchCheck:
    rule: Rule
    tests: tuple[Test, ...]


def where(rule: Rule) -> str:
    """`id (file:line)`, the comment naming where a rule is written."""
    return str(User(rule.id, rule.span))


def rule_literal(rule_id: str, comment: str) -> exp.Literal:
    literal = text(rule_id)
    literal.add_comments([comment])
    return literal


def _undeclared(value: exp.Expression, names) -> exp.Expression:
    """`value` (not NULL) is none of `names`."""
    if not names:
        return exp.true()
    return exp.not_(exp.In(this=value, expressions=[text(n) for n in names]))


class Base:
    """Builds `pl_base` for `policy`."""

    def __init__(self, target: Target, policy: PolicySet, customers: Customers, reader: Reader):
        self.target, self.policy, self.customers, self.reader = target, policy, customers, reader
        self.c = Rows(target, policy, "candidates", "c")
        self.counters: dict[tuple, Counter] = {}
        self.remaining: dict[str, exp.Expression] = {}
        self.batch: list[BatchCheck] = []
        self.pre: list[tuple[exp.Expression, exp.Literal]] = list(self._builtins())
        for rule in policy.rules:
            if not is_batch(rule):
                self.pre.append((self._fails(rule), rule_literal(rule.id, where(rule))))
            else:
                self.batch.append(self._batch_check(rule))

    @property
    def has_consent(self) -> bool:
        return any(isinstance(r, ConsentRule) for r in self.policy.rules)

    @property
    def has_preferences(self) -> bool:
        return any(isinstance(r, PreferencesRule) for r in self.policy.rules)

    # --- checks that never depend on the batch ------------------------------------

    def _builtins(self):
        c, policy = self.c, self.policy
        tests = (
            is_null(exp.column("customer_id", table="cu")),
            exp.or_(is_null(c.raw("channel")), _undeclared(c["channel"], policy.channels)),
            exp.and_(exp.not_(is_null(c.raw("topic"))), _undeclared(c["topic"], policy.topics)),
            exp.or_(is_null(c.raw("business_unit")), _undeclared(c["business_unit"], policy.business_units)),
            self._invalid(),
        )
        for rule_id, test in zip(BUILTIN_RULES, tests):
            yield test, rule_literal(rule_id, "built-in check")

    def _invalid(self) -> exp.Expression:
        """`invalid_candidate`: a message class other than `marketing` (transactional ones never get
        here), a NULL priority, a candidate id that is NULL or on another row of the batch, or a
        negative cost (docs/language.md, "Data that cannot be right")."""
        c = self.c
        copies = exp.Window(this=exp.Count(this=exp.Star()), partition_by=[c["candidate_id"]])
        return exp.or_(is_null(c.raw("message_class")), exp.NEQ(this=c["message_class"], expression=text("marketing")),
                       is_null(c.raw("priority")), is_null(c.raw("candidate_id")), exp.GT(this=copies, expression=ONE),
                       exp.LT(this=c.raw("cost"), expression=ZERO))

    def _applies(self, rule) -> exp.Expression | None:
        return selects(self.c, rule.selector, rule.scope)

    def _fails(self, rule: Rule) -> exp.Expression:
        user = User(rule.id, rule.span)
        read = self.reader
        match rule:
            case ConsentRule():
                return consent_fails(rule, self.c)
            case BlockRule(condition=condition):
                failing = self.customers.conditions.predicate(condition)
            case CooldownRule(window=window, event_type=event_type):
                failing = exp.GT(this=read.events(event_type, window.hours, window.label, user), expression=ZERO)
            case StopUnopenedRule(selector=selector, count=count):
                failing = exp.GTE(this=read.unopened(selector, rule.scope, user),
                                  expression=exp.Literal.number(count))
            case StopConversionRule():
                failing = exp.EQ(this=read.converted(rule.scope, user), expression=ONE)
            case _:
                raise TypeError(f"not a history-only rule: {rule!r}")
        return all_of(self._applies(rule), failing)

    # --- checks against the batch ---------------------------------------------------

    def counter(self, selector: Selector, scope: str, cost: bool = False) -> Counter:
        key = (selector, scope, cost)
        if key not in self.counters:
            words = "_".join(selector.words + ((scope,) if scope != GLOBAL else ()))
            name = f"{'spent' if cost else 'sent'}_{words}"
            taken = {c.name for c in self.counters.values()}
            self.counters[key] = Counter(name if name not in taken else f"{name}_{len(taken) + 1}",
                                         selector, scope, cost)
        return self.counters[key]

    def contribution(self, counter: Counter) -> exp.Expression:
        """What a sent candidate adds to `counter`."""
        matches = selects(self.c, counter.selector, counter.scope)
        if counter.cost:
            return flag(matches, self.target.scaled_cost(self.c.raw("cost")))
        return flag(matches)

    def _remaining(self, rule: Rule, value: exp.Expression, applies: exp.Expression | None, part: str = "") -> str:
        name = f"rem_{rule.id.replace('.', '_')}{part}"
        name = name if name not in self.remaining else f"{name}_{len(self.remaining) + 1}"
        column = exp.Case(ifs=[exp.If(this=applies, true=value)]) if applies is not None else value
        self.remaining[name] = column
        return name

    def _single(self, rule: Rule, value: exp.Expression, cost: bool = False) -> BatchCheck:
        counter = self.counter(rule.selector, rule.scope, cost)
        return BatchCheck(rule, (Test(((None, counter),), self._remaining(rule, value, self._applies(rule))),))

    def _batch_check(self, rule: Rule) -> BatchCheck:
        user = User(rule.id, rule.span)
        match rule:
            case GapRule(selector=selector, window=window):
                touched = exp.GT(this=self.reader.count(selector, rule.scope, window.hours, window.label, user),
                                 expression=ZERO)
                return self._single(rule, exp.Case(ifs=[exp.If(this=touched, true=ZERO)], default=ONE))
            case CapRule(selector=selector, window=window):
                count = self.reader.count(selector, rule.scope, window.hours, window.label, user)
                return self._single(rule, exp.Sub(this=self._limit(rule), expression=count))
            case SpendCapRule(selector=selector, window=window, amount=amount):
                spent = self.reader.cost(selector, rule.scope, window.hours, window.label, user)
                budget = exp.Literal.number(int(amount * COST_SCALE) + 1)
                value = exp.Sub(this=exp.Sub(this=budget, expression=spent),
                                expression=self.target.scaled_cost(self.c.raw("cost")))
                return self._single(rule, value, cost=True)
            case PreferencesRule():
                return self._preferences(rule)
        raise TypeError(f"not a batch rule: {rule!r}")

    def _limit(self, rule: CapRule) -> exp.Expression:
        """The cap's limit for this customer: the first tier that holds (NULL: none does)."""
        if not rule.is_tiered:
            return exp.Literal.number(rule.tiers[0].limit)
        branches = [exp.If(this=self.customers.conditions.predicate(t.condition), true=exp.Literal.number(t.limit))
                    for t in rule.tiers if t.condition is not None]
        otherwise = next((exp.Literal.number(t.limit) for t in rule.tiers if t.condition is None), None)
        return exp.Case(ifs=branches, default=otherwise)

    def _preferences(self, rule: PreferencesRule) -> BatchCheck:
        """A test against the channel-wide rows and one against the (channel, topic) rows, each
        counting what the batch sent on the candidate's channel (and topic)."""
        channels = [Selector(ch, None) for ch in self.policy.channels]
        topics = [Selector(ch, t) for ch in self.policy.channels for t in self.policy.topics]
        tests = []
        for alias, selectors, part in ((CHANNEL_WIDE, channels, "_channel"), (TOPICAL, topics, "_topic")):
            if selectors:
                counters = tuple((s, self.counter(s, GLOBAL)) for s in selectors)
                tests.append(Test(counters, self._remaining(rule, exp.column("slack", table=alias), None, part)))
        return BatchCheck(rule, tuple(tests))

    # --- the CTE ----------------------------------------------------------------------

    def select(self) -> exp.Select:
        c = self.c
        pre_rule = exp.Case(ifs=[exp.If(this=c.equals("message_class", "transactional"), true=exp.Null())]
                                + [exp.If(this=test, true=literal) for test, literal in self.pre])
        columns = [
            exp.alias_(c.raw("candidate_id"), "candidate_id"),
            exp.alias_(c.raw("customer_id"), "customer_id"),
            exp.alias_(c.key, "ckey"),
            exp.alias_(c.raw("priority"), "priority"),
            exp.alias_(exp.Case(ifs=[exp.If(this=c.equals("message_class", "transactional"), true=ZERO)], default=ONE),
                       "marketing"),
            exp.alias_(pre_rule, "pre_rule", copy=False),
        ]
        if self.has_preferences:
            columns += [exp.alias_(c["channel"], "channel"), exp.alias_(c["topic"], "topic")]
        columns += [exp.alias_(value, name, copy=False) for name, value in self.remaining.items()]
        columns += [exp.alias_(self.contribution(counter), f"c_{counter.name}", copy=False)
                    for counter in self.counters.values()]
        customer = exp.and_(exp.EQ(this=exp.column("customer_id", table="cu"), expression=c.key),
                            exp.EQ(this=exp.column("copies", table="cu"), expression=ONE))
        query = exp.select(*columns).from_(c.source, copy=False).join(cte(CUSTOMERS, "cu"), on=customer,
                                                                      join_type="left", copy=False)
        if self.has_consent:
            query = consent_join(query, c)
        if self.has_preferences:
            query = preference_joins(query, c)
        return self.reader.join(query, c.key, campaign=c["campaign_id"])
