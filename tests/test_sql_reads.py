"""`compilers.sql.reads`: the columns a query reads, traced through its scopes to the warehouse tables,
for hand-written query shapes and for the compiled decision query."""
from __future__ import annotations

import pytest
import sqlglot

from policylang.compilers.sql.reads import columns_read, policy_reads
from policylang.project import load_texts, require_policy
from strategies.config import make_config

GLOBAL = "policy global\nchannels email\ntopics offers\nconsent email allowed unless opt_out\n"


def policy_of(text: str = GLOBAL, **config):
    return require_policy(load_texts({"global.policy": text}, make_config(**config)))


@pytest.mark.parametrize("sql, reads", [
    ("SELECT t.cost FROM crm.touches AS t", {"touches": {"cost"}}),
    ("SELECT cost, channel FROM crm.touches", {"touches": {"cost", "channel"}}),
    ("WITH a AS (SELECT * FROM crm.touches) SELECT a.sent_ts FROM a", {"touches": {"sent_at"}}),
    ("WITH a AS (SELECT t.*, 1 AS one FROM crm.touches AS t) SELECT a.topic, a.one FROM a", {"touches": {"topic"}}),
    ("WITH a AS (SELECT c.topic AS x FROM candidates AS c) SELECT a.x FROM a", {"candidates": {"topic"}}),
    ("SELECT c.priority FROM candidates AS c WHERE EXISTS "
     "(SELECT 1 FROM events AS e WHERE e.customer_id = c.customer_id)",
     {"candidates": {"priority", "customer_id"}, "events": {"customer_id"}}),
    ("SELECT x FROM (SELECT brand AS x FROM consents UNION ALL SELECT topic FROM preferences) AS u",
     {"consents": {"brand"}, "preferences": {"topic"}}),
    ("WITH RECURSIVE w AS (SELECT 1 AS n UNION ALL SELECT w.n + 1 FROM w) SELECT w.n FROM w", {}),
    ("SELECT touches.cost FROM touches", {}),  # `touches` is not a warehouse table of this policy
])
def test_reads_are_traced_to_the_warehouse_tables(sql, reads):
    policy = policy_of(tables={"touches": "crm.touches"} | {t: t for t in ("customers", "consents", "preferences",
                                                                            "events", "candidates")},
                       columns={"touches": {"sent_at": "sent_ts"}})
    assert columns_read(sqlglot.parse_one(sql, read="duckdb"), policy) == {t: frozenset(c) for t, c in reads.items()}


def test_the_decision_query_reads_what_its_rules_need():
    plain = policy_reads(policy_of())
    assert "campaign_id" not in plain["candidates"] and "touches" not in plain
    conversion = policy_reads(policy_of(GLOBAL + "stop email after conversion\n"))
    assert {"campaign_id"} <= conversion["candidates"] and {"campaign_id", "converted_at"} <= conversion["touches"]


def test_renamed_and_qualified_names_map_back_to_canonical_ones():
    policy = policy_of(GLOBAL + "gap email 1 day\n", tables={"touches": "crm.sent"} | {
        t: t for t in ("customers", "consents", "preferences", "events", "candidates")},
                       columns={"touches": {"sent_at": "sent_ts"}, "candidates": {"topic": "subject"}})
    reads = policy_reads(policy, "postgres")
    assert "sent_at" in reads["touches"] and "topic" in reads["candidates"]
    assert "sent_ts" not in reads["touches"] and "subject" not in reads["candidates"]
