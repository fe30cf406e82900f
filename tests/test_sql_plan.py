"""The decision query's CTEs come after the CTEs they read, in a deterministic order (compilers/sql/plan.py),
and a measure read after the history aggregates are built is refused instead of silently missing."""
from __future__ import annotations

import pytest
from sqlglot import exp

from policylang.compilers.sql import compile_policy
from policylang.compilers.sql.dialects import Target
from policylang.compilers.sql.history import History, Reader, User
from policylang.compilers.sql.plan import in_order, reads
from policylang.model import Selector
from reference_support import T, policy


def select_from(*tables: str) -> exp.Select:
    query = exp.select("x").from_(tables[0])
    for table in tables[1:]:
        query = query.join(table)
    return query


def names(ctes) -> list[str]:
    return [name for name, _ in ctes]


def test_a_cte_comes_after_the_ctes_it_reads_whatever_the_declared_order():
    stages = [[("b", select_from("a")), ("a", select_from("touches"))], [("c", select_from("b", "d"))],
              [("d", select_from("events"))]]
    ordered = names(in_order(stages))
    assert ordered.index("a") < ordered.index("b") < ordered.index("c")
    assert ordered.index("d") < ordered.index("c")


def test_ties_go_to_the_earlier_stage_then_the_shallower_cte_then_the_first_declared():
    # stage 0: `deep` reads `first`; `second` reads only tables, so it goes before `deep` though declared after it
    stages = [[("first", select_from("touches")), ("deep", select_from("first")), ("second", select_from("events"))],
              [("customers", select_from("deep"))], [("consent", select_from("consents"))]]
    assert names(in_order(stages)) == ["first", "second", "deep", "customers", "consent"]


def test_a_table_under_a_schema_or_the_cte_itself_is_no_dependency():
    query = exp.union(select_from("walk"), exp.select("x").from_(exp.table_("base", db="crm")), distinct=False)
    assert reads("walk", query, {"walk", "base"}) == set()
    assert reads("other", query, {"walk", "base"}) == {"walk"}


def test_ctes_reading_each_other_in_a_circle_are_a_planning_error():
    with pytest.raises(AssertionError, match="circle"):
        in_order([[("a", select_from("b")), ("b", select_from("a"))]])


def test_a_measure_read_after_the_history_aggregates_are_built_is_refused():
    policy_set = policy("gap email 2 days")
    history = History(Target("duckdb", T), policy_set)
    reader = Reader(history)
    user = User("global.gap_email", policy_set.rules[-1].span)
    reader.count(Selector("email", None), "global", 48, "2d", user)
    assert names(history.ctes()) == ["pl_touches_sent_2d"]
    with pytest.raises(AssertionError, match="after the history aggregates were built"):
        reader.count(Selector("email", None), "global", 24, "1d", user)


def test_the_unopened_count_follows_the_latest_opened_touch_and_every_other_aggregate():
    """The order the golden files hold: the aggregates in the order first read, the one that joins another
    after all that read only tables."""
    policy_set = policy("stop email after 3 unopened\ngap email 2 days")
    query = compile_policy(policy_set, "duckdb", T)
    ctes = [c.alias for c in query.args["with_"].expressions]
    assert ctes[:3] == ["pl_last_opened", "pl_touches_sent_2d", "pl_unopened"]
