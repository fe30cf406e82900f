"""The SQL back end: a policy set as ONE decision query, a sqlglot syntax tree for any dialect.

`compile_policy` returns a SELECT of `candidate_id, customer_id, decision,
rule, policy_version, as_of`, one row per candidate, deciding as the reference
interpreter does (docs/language.md, "How a batch is decided"). `to_sql` writes it in a dialect. The query is a
chain of CTEs, each built by one module:

- `sql.history`: per-customer history aggregates (`pl_touches_sent_7d`, ...);
- `sql.customers`: `pl_customers`, the attributes and scores conditions read;
- `sql.consent`: `pl_consent`, the consent in force per customer, channel,
  topic and brand;
- `sql.preferences`: `pl_preference_set`, `pl_preference_rows`, `pl_preferences`, the slack of the
  customer's own frequency choices;
- `sql.checks`: `pl_base`, every candidate with its history-only verdict and
  what the batch-dependent checks allow;
- `sql.batch`: `pl_ranked` and the recursive `pl_walk` over each customer's
  batch (only when the policy has batch-dependent rules), and the final SELECT;
- `sql.limits`: what the final SELECT needs for the walk to recurse once per
  candidate of a customer on the dialect (or a refusal).
- `sql.plan`: the order of the CTEs, each after those it reads.

Everything is built as expressions, never pasted text, so names and literals
are quoted for the dialect and no policy text can inject SQL; comments name
the rule and `file:line` each part comes from. With `as_of` every window bound
is a literal computed here; without it they are computed from the engine's
current UTC time.
"""
from __future__ import annotations

from datetime import datetime

from sqlglot import exp

from policylang.errors import UsageError
from policylang.gc_pause import gc_paused
from policylang.model import PolicySet

from .batch import BASE, Walk, decisions
from .checks import Base
from .consent import NAME as CONSENT, consent_select
from .customers import NAME as CUSTOMERS, Customers
from .dialects import Target, timestamp_text
from .history import History, Reader
from .limits import lift_recursion_limit
from .plan import in_order
from .preferences import preference_ctes

__all__ = ["compile_policy", "to_sql"]


def compile_policy(policy: PolicySet, dialect: str = "duckdb", as_of: datetime | None = None) -> exp.Expression:
    """The decision query for `policy` in `dialect` at `as_of` (None: the engine's current time)."""
    with gc_paused():
        return _compile(policy, dialect, as_of)


def _compile(policy: PolicySet, dialect: str, as_of: datetime | None) -> exp.Expression:
    target = Target(dialect, as_of)
    history = History(target, policy)
    customers = Customers(target, policy, history)
    base = Base(target, policy, customers, Reader(history))  # reads the measures of every check
    # the stages of the pipeline; the history aggregates are built last, once every measure is read
    # (`History.ctes` refuses a read after that), and `in_order` puts them first
    stages = [[(CUSTOMERS, customers.select())]]  # reads the measures of the scores conditions use
    if base.has_consent:
        stages.append([(CONSENT, consent_select(target, policy))])
    if base.has_preferences:
        stages.append(preference_ctes(target, policy))
    base_select = base.select()
    stages.append([(BASE, base_select)])
    recursive = False
    if base.batch:
        walk = Walk(base)
        if walk.recursive and not target.has_recursion:
            raise UsageError(f"`{dialect}` has no recursive queries, which gap, cap, spend cap and preferences "
                             "rules need to take each customer's candidates in order: compile for another dialect")
        stages.append(walk.ctes([column.alias_or_name for column in base_select.expressions]))
        query, recursive = walk.final(policy.version), walk.recursive
        if recursive:
            lift_recursion_limit(query, target)
    else:
        query = decisions(BASE, exp.column("pre_rule", table="r"), policy.version, target.now())
    stages.insert(0, history.ctes())
    _check_names(policy, [name for stage in stages for name, _ in stage])
    ctes = in_order(stages)
    for name, cte in ctes:
        query = query.with_(name, as_=cte, recursive=recursive, materialized=target.materialized(name) or None,
                            copy=False)  # sqlglot keeps the last recursive flag
    moment = timestamp_text(target.as_of) if target.as_of else "the engine's current UTC time"
    query.args["with_"].add_comments([f"policylang decision query, policy_version {policy.version or '-'}, "
                                      f"as of {moment}"])
    return query


def to_sql(policy: PolicySet, dialect: str = "duckdb", as_of: datetime | None = None, pretty: bool = True) -> str:
    """The decision query as one SQL statement in `dialect`."""
    with gc_paused():
        return compile_policy(policy, dialect, as_of).sql(dialect=dialect, pretty=pretty, copy=False)


def _check_names(policy: PolicySet, ctes: list[str]) -> None:
    """A warehouse table the query reads must not be hidden by one of its own CTEs."""
    clashes = sorted(set(policy.tables.values()) & set(ctes))
    if clashes:
        raise UsageError(f"table `{clashes[0]}` has the name of a step of the decision query: "
                         f"map it under its qualified name (e.g. `schema.{clashes[0]}`) in policylang.yaml")
