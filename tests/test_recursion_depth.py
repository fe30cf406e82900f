"""A customer with 1,000 candidates in one batch is decided on every engine and dialect.

The batch walk takes one step per candidate of a customer (docs/design.md,
"Recursion limits per dialect"). On every engine we run, a customer with
1,000 marketing candidates competing for a marketing cap, an e-mail cap, an
SMS gap and a direct-mail spend cap, next to a second customer, is decided as
the reference interpreter decides it. For dialects we only compile, the SQL
is parsed back: T-SQL lifts its limit with `OPTION (MAXRECURSION 0)`, MySQL 8
with a `SET_VAR` hint, and Trino, Presto and Athena, whose limit no query can
lift, are refused. MariaDB's own limit (`max_recursive_iterations`, 1,000) is
a session setting the query cannot change: past it MariaDB drops the rest of
the customer's candidates, recorded below as an expected failure.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import sqlglot
from sqlglot import exp

from conftest import assert_matches_reference
from policylang.compilers.sql import to_sql
from policylang.errors import UsageError
from reference_support import DAY, HOUR, T, candidate, data, outcomes, policy, touch

POLICY = policy("cap marketing 400 per 7 days\ncap email 100 per 7 days\ngap sms 1 day\n"
                "cap direct_mail spend 40.00 per 30 days")
BATCH = 1_000
CHANNELS = ("email", "sms", "direct_mail", "push")
HISTORY = [touch(T - 2 * DAY), touch(T - 3 * DAY, channel="sms"),
           touch(T - 10 * DAY, channel="direct_mail", cost=Decimal("5.00")),
           touch(T - 2 * HOUR, customer_id=2, channel="sms")]
SECOND_CUSTOMER = [("email", None), ("email", None), ("sms", None), ("sms", None), ("direct_mail", Decimal("70.00"))]


def big_batch(size: int):
    """`size` marketing candidates of customer 1 (ids 1 to `size`) on four channels, priorities
    interleaved (0 to 6), direct mail costing 0.25 to 0.45; customer 2's five after them; a touch
    per rule in the history."""
    def cost(n: int) -> Decimal | None:
        return Decimal("0.25") + n % 3 * Decimal("0.1") if CHANNELS[n % 4] == "direct_mail" else None

    crowd = [candidate(n, channel=CHANNELS[n % 4], priority=n % 7, cost=cost(n)) for n in range(1, size + 1)]
    second = [candidate(size + n, customer_id=2, channel=channel, priority=n, cost=cost)
              for n, (channel, cost) in enumerate(SECOND_CUSTOMER, 1)]
    return data(crowd + second, touches=HISTORY)


def test_the_batch_reaches_every_rule_deep_into_the_walk():
    """The dataset is worth running: every rule suppresses someone, and the marketing cap first
    bites after hundreds of steps, so a walk cut short would decide differently."""
    decided = outcomes(POLICY, big_batch(BATCH))
    ranked = sorted(range(1, BATCH + 1), key=lambda n: (-(n % 7), n))
    assert {decided[n] for n in ranked} == {
        "send", "global.cap_marketing_7d", "global.cap_email_7d", "global.gap_sms", "global.spend_direct_mail_30d"}
    first_capped = next(step for step, n in enumerate(ranked, 1) if decided[n] == "global.cap_marketing_7d")
    assert first_capped > 700 and decided[ranked[-1]] == "global.cap_marketing_7d"


def test_a_customer_with_1000_candidates_is_decided_as_the_reference_decides(engine):
    assert_matches_reference(engine, POLICY, big_batch(BATCH), T)


@pytest.mark.engine
def test_mariadb_decides_past_its_session_iteration_limit(engine_pool):
    """MariaDB stops a recursive CTE after max_recursive_iterations (1,000 by default) with only a
    warning, and the compiled query cannot raise it: policylang's session does."""
    mariadb = engine_pool.get("mariadb")
    assert_matches_reference(mariadb, POLICY, big_batch(2 * BATCH), T)


# --- dialects we compile for but do not run ------------------------------------------------

def compiled(dialect: str, as_of=T) -> exp.Select:
    """The decision query for `dialect`, written and parsed back in it."""
    return sqlglot.parse_one(to_sql(POLICY, dialect, as_of), read=dialect)


@pytest.mark.parametrize("as_of", [T, None])
def test_tsql_lifts_maxrecursion(as_of):
    options = compiled("tsql", as_of).args.get("options")
    assert [(o.this.name, o.expression.to_py()) for o in options] == [("MAXRECURSION", 0)]


@pytest.mark.parametrize("as_of", [T, None])
def test_mysql_raises_the_depth_for_the_statement(as_of):
    hint = compiled("mysql", as_of).args["hint"]
    (set_var,) = hint.expressions
    (setting,) = set_var.expressions
    assert set_var.name.upper() == "SET_VAR"
    assert (setting.this.name, setting.expression.to_py()) == ("cte_max_recursion_depth", 4_294_967_295)


@pytest.mark.parametrize("dialect", ["trino", "athena", "presto"])
def test_trino_and_athena_are_refused_naming_the_limit(dialect):
    with pytest.raises(UsageError, match=rf"`{dialect}` .*`max_recursion_depth`.* one step per candidate"):
        to_sql(POLICY, dialect, T)


@pytest.mark.parametrize("dialect", ["trino", "tsql", "mysql"])
def test_a_policy_that_does_not_walk_the_batch_needs_nothing(dialect):
    query = sqlglot.parse_one(to_sql(policy("cooldown marketing 3 days after event \"complaint\""), dialect, T),
                              read=dialect)
    assert not query.args.get("options") and not query.args.get("hint")


@pytest.mark.parametrize("dialect", ["duckdb", "postgres", "sqlite", "snowflake", "bigquery", "spark"])
def test_other_dialects_get_no_option_or_hint(dialect):
    query = compiled(dialect)
    assert not query.args.get("options") and not query.args.get("hint")
