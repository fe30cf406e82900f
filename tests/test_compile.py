"""The SQL back end (compilers/sql/) and `policylang compile`.

- Hand-worked batches: two datasets whose decisions were worked out by hand
  from docs/language.md, "How a batch is decided" (comments give the arithmetic), at least one case per rule kind
  and built-in check, executed on every engine (DuckDB in process; the others
  when available, see conftest) and checked against the reference interpreter.
- The shape of the query: per-customer aggregates shared by the rules that
  read the same rows, no recursion without batch-dependent rules, a recursive
  walk otherwise, a fold on Spark.
- Every dialect sqlglot writes parses the compiled query back; RECURSIVE is
  kept; comments name rules and `file:line`; odd identifiers are quoted.
- Conditions are two-valued and `days_since` counts whole days.
- The command line: dialects, `--as-of`, `-o`, errors.
"""
from __future__ import annotations

import io
import math
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import duckdb
import pytest
import sqlglot
from sqlglot import exp

from conftest import decide_on
from policylang.cli import main
from policylang.compilers.reference import decide
from policylang.compilers.sql import compile_policy, to_sql
from policylang.compilers.sql.conditions import Conditions
from policylang.compilers.sql.dialects import NOT_SQL, Target
from policylang.dataset import Dataset
from policylang.errors import UsageError
from policylang.model import And, Compare, DaysSince, InList, IsNull, Not, Or
from policylang.project import load_texts
from strategies.config import AS_OF, make_config

T = AS_OF
DAY, HOUR = timedelta(days=1), timedelta(hours=1)

HAND_WORKED = {
    "global.policy": """policy global
channels email, sms, push, direct_mail
topics offers, newsletter

consent email allowed unless opt_out
consent sms requires opt_in
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out

segment gold: tier = "gold"
segment lapsed: days_since(last_purchase_at) >= 30
score engagement {
  +10 per email opened within 7 days
  +5 when vip = true
}

block push for lapsed as no_push_lapsed
cooldown marketing 2 days after event "complaint" as after_complaint
stop email topic newsletter after 2 unopened as newsletter_fatigue
gap sms 1 day as sms_gap
cap email per 7 days as email_weekly {
  gold: 3
  score engagement >= 10: 2
  otherwise: 1
}
cap direct_mail spend 0.30 per 30 days as mail_budget
honor preferences
""",
    "cruises.policy": """policy business_unit cruises
stop marketing after conversion as booked
cap marketing 2 per 1 day as cruises_daily
""",
}


def policy_of(texts: dict[str, str], **config):
    project = load_texts(texts, make_config(**config))
    assert project.policy is not None, project.diagnostics
    return project.policy


def customer(customer_id, tier=None, vip=None, last_purchase_at=None):
    return dict(customer_id=customer_id, tier=tier, age=None, balance=None, vip=vip, last_purchase_at=last_purchase_at)


def candidate(candidate_id, customer_id, channel="email", business_unit="hotels", topic=None, campaign_id=None,
              priority=1, cost=None, message_class="marketing"):
    return dict(candidate_id=candidate_id, customer_id=customer_id, channel=channel, business_unit=business_unit,
                campaign_id=campaign_id, topic=topic, message_class=message_class, priority=priority, cost=cost)


def touch(customer_id, channel, sent_at, business_unit="hotels", topic=None, campaign_id=None, cost=None,
          opened_at=None, converted_at=None):
    return dict(customer_id=customer_id, channel=channel, business_unit=business_unit, campaign_id=campaign_id,
                topic=topic, message_class="marketing", sent_at=sent_at, cost=cost, opened_at=opened_at,
                clicked_at=None, converted_at=converted_at)


def consent(customer_id, channel, status, updated_at, topic=None, brand=None):
    return dict(customer_id=customer_id, channel=channel, topic=topic, brand=brand, status=status,
                updated_at=updated_at)


def preference(customer_id, channel, max_count, window_days, topic=None):
    return dict(customer_id=customer_id, channel=channel, topic=topic, max_count=max_count, window_days=window_days)


def event(customer_id, event_type, occurred_at):
    return dict(customer_id=customer_id, event_type=event_type, occurred_at=occurred_at)


# Customer n's candidates are numbered n01, n02, ...; every candidate is `hotels`, `email`, priority 1
# unless it says otherwise. With no history a lone email passes `email_weekly` (limit 1 for a plain customer).
HAND_DATA = Dataset(
    customers=[customer(n) for n in (2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 26, 27, 28,
                                     29, 30, 31, 32)]
    + [customer(11, last_purchase_at=T - 30 * DAY), customer(12, last_purchase_at=T - 30 * DAY + timedelta(seconds=1)),
       customer(23, tier="gold"), customer(24, tier="Gold"), customer(33, vip=True), customer(34), customer(34),
       customer(35)],
    touches=[
        # 16: newsletter opened (sent T-10d), then two unopened ones; 17: one unopened and one opened after T
        touch(16, "email", T - 10 * DAY, topic="newsletter", opened_at=T - 9 * DAY),
        touch(16, "email", T - 9 * DAY, topic="newsletter"), touch(16, "email", T - 8 * DAY, topic="newsletter"),
        touch(17, "email", T - 10 * DAY, topic="newsletter", opened_at=T - 10 * DAY),
        touch(17, "email", T - 9 * DAY, topic="newsletter"),
        touch(17, "email", T - 8 * DAY, topic="newsletter", opened_at=T + HOUR),
        touch(18, "email", T - 9 * DAY, topic="newsletter"),
        # 19 converted on cruises' `spring` campaign; 20 on hotels' `spring`
        touch(19, "email", T - 2 * DAY, business_unit="cruises", campaign_id="spring", converted_at=T - DAY),
        touch(20, "push", T - 2 * DAY, business_unit="hotels", campaign_id="spring", converted_at=T - DAY),
        touch(21, "sms", T - 23 * HOUR),
        touch(23, "email", T - DAY),
        touch(24, "email", T - 2 * DAY, opened_at=T - DAY),
        # 26: 0.1000 in the window, 5.0000 exactly 30 days ago (outside it)
        touch(26, "direct_mail", T - 10 * DAY, cost=Decimal("0.1000")),
        touch(26, "direct_mail", T - 30 * DAY, cost=Decimal("5.0000")),
        touch(27, "push", T - 3 * DAY),
        touch(31, "push", T - DAY), touch(31, "push", T - 2 * HOUR),
        touch(32, "push", T - HOUR, business_unit="hotels"), touch(32, "push", T - 2 * HOUR, business_unit="cruises"),
    ],
    consents=[
        consent(4, "sms", "opt_in", T - 150 * DAY), consent(4, "sms", "opt_out", T - 500 * DAY, topic="offers"),
        consent(5, "sms", "opt_in", T - DAY, brand="cruises"),
        consent(6, "sms", "opt_in", T - DAY), consent(6, "sms", "opt_out", T - DAY),
        consent(6, "email", "opt_out", T - DAY),
        consent(7, "sms", "opt_in", T + HOUR),
        consent(8, "sms", "opt_in", None), consent(8, "sms", "opt_out", T - 2000 * DAY),
        consent(9, "sms", "opt_in", None),
        consent(10, "sms", "OPT_IN", T - DAY), consent(10, "email", "garbage", T - DAY),
        consent(21, "sms", "opt_in", T - DAY), consent(22, "sms", "opt_in", T - DAY),
        consent(35, "push", "opt_out", T - DAY),
    ],
    preferences=[
        preference(27, "push", 1, 7), preference(28, "push", 0, 7, topic="offers"),
        preference(29, "push", None, 7), preference(30, "push", 1, 1), preference(31, "push", 2, 1),
    ],
    events=[
        event(14, "complaint", T - DAY), event(15, "complaint", T - 2 * DAY), event(15, "complaint", T + HOUR),
    ],
    candidates=[
        candidate(101, 999, message_class="transactional"), candidate(102, 999), candidate(103, None),
        candidate(201, 2, channel="fax"), candidate(202, 2, channel=None), candidate(203, 2, topic="sports"),
        candidate(204, 2, business_unit="air"), candidate(205, 2, business_unit=None), candidate(206, 2, priority=None),
        candidate(207, 2, message_class="promo"), candidate(208, 2, channel="fax", business_unit="air"),
        candidate(209, 2, message_class=None), candidate(210, 2, channel="fax", message_class="transactional"),
        candidate(211, 2),
        candidate(301, 3, channel="sms"),
        candidate(401, 4, channel="sms"), candidate(402, 4, channel="sms", topic="offers"),
        candidate(501, 5, channel="sms"), candidate(502, 5, channel="sms", business_unit="cruises"),
        candidate(601, 6, channel="sms"), candidate(602, 6),
        candidate(701, 7, channel="sms"), candidate(801, 8, channel="sms"), candidate(901, 9, channel="sms"),
        candidate(1001, 10, channel="sms"), candidate(1002, 10),
        candidate(1101, 11, channel="push"), candidate(1201, 12, channel="push"), candidate(1301, 13, channel="push"),
        candidate(1401, 14), candidate(1402, 14, message_class="transactional"), candidate(1501, 15),
        candidate(1601, 16, topic="newsletter"), candidate(1602, 16, topic="offers"),
        candidate(1701, 17, topic="newsletter"), candidate(1801, 18, topic="newsletter"),
        candidate(1901, 19, business_unit="cruises", campaign_id="spring"),
        candidate(1902, 19, channel="push", business_unit="cruises", campaign_id="fall"),
        candidate(1903, 19, channel="push", campaign_id="spring"),
        candidate(1904, 19, channel="direct_mail", business_unit="cruises"),
        candidate(2001, 20, business_unit="cruises", campaign_id="spring"),
        candidate(2101, 21, channel="sms"),
        candidate(2201, 22, channel="sms", priority=5), candidate(2202, 22, channel="sms", priority=5),
        candidate(2203, 22, channel="sms", priority=9),
        candidate(2301, 23), candidate(2302, 23), candidate(2303, 23), candidate(2304, 23),
        candidate(2305, 23, message_class="transactional", priority=99),
        candidate(2401, 24), candidate(2402, 24),
        candidate(2501, 33), candidate(2502, 33),
        candidate(2601, 26, channel="direct_mail", cost=Decimal("0.2000"), priority=9),
        candidate(2602, 26, channel="direct_mail", cost=Decimal("0.0001"), priority=8),
        candidate(2603, 26, channel="direct_mail", cost=None, priority=7),
        candidate(2701, 27, channel="push"),
        candidate(2801, 28, channel="push", topic="offers"), candidate(2802, 28, channel="push", topic="newsletter"),
        candidate(2803, 28, channel="push"),
        candidate(2901, 29, channel="push"),
        candidate(3001, 30, channel="push", priority=2), candidate(3002, 30, channel="push", priority=1),
        candidate(3101, 31, channel="push", priority=2), candidate(3102, 31, channel="push", priority=1),
        candidate(3201, 32, channel="push", business_unit="cruises", priority=3),
        candidate(3202, 32, channel="push", business_unit="cruises", priority=2),
        candidate(3203, 32, channel="push"),
        candidate(3401, 34), candidate(3402, 34, message_class="transactional"),
        candidate(None, 35, channel="push"),
    ],
)

HAND_EXPECTED = {
    # transactional: sent, whatever it is; built-ins fail closed, in their order
    101: None, 102: "unknown_customer", 103: "unknown_customer",
    201: "unknown_channel", 202: "unknown_channel", 203: "unknown_topic", 204: "unknown_business_unit",
    205: "unknown_business_unit", 206: "invalid_candidate", 207: "invalid_candidate", 208: "unknown_channel",
    209: "invalid_candidate", 210: None, 211: None,
    # consent: no answer under opt_in; topic-specific opt_out beats a later general opt_in; another
    # brand's opt_in covers nothing; a full tie goes to opt_out; a consent after T is ignored; a NULL
    # updated_at is older than any date; a status other than `opt_in` counts as `opt_out`
    301: "global.consent_sms", 401: None, 402: "global.consent_sms", 501: "global.consent_sms", 502: None,
    601: "global.consent_sms", 602: "global.consent_email", 701: "global.consent_sms",
    801: "global.consent_sms", 901: None, 1001: "global.consent_sms", 1002: "global.consent_email",
    # block: days_since = floor(30d / 24h) = 30 >= 30; 29 days 23:59:59 is 29; NULL is never lapsed
    1101: "global.no_push_lapsed", 1201: None, 1301: None,
    # cooldown (T - 2d, T]: an event 1 day ago counts; one exactly 2 days ago or after T does not
    1401: "global.after_complaint", 1402: None, 1501: None,
    # stop after 2 unopened newsletters: 16 has two after its latest opened; 17 has one plus one
    # opened only after T; 18 has one; offers emails are not governed
    1601: "global.newsletter_fatigue", 1602: None, 1701: "global.newsletter_fatigue", 1801: None,
    # stop after conversion (cruises): only cruises candidates of the converted cruises campaign;
    # cruises_daily then counts 1902 and 1904 (2 candidates: 0 then 1 before them, below 2)
    1901: "cruises.booked", 1902: None, 1903: None, 1904: None, 2001: None,
    # gap sms 1 day: a touch 23h ago; in the batch 2203 (priority 9) goes first, then 2201, 2202
    2101: "global.sms_gap", 2203: None, 2201: "global.sms_gap", 2202: "global.sms_gap",
    # tiered cap: gold (limit 3) with 1 email this week sends 2 more; "Gold" is not gold, but an opened
    # email this week makes engagement 10 (limit 2, 1 already); vip alone is 5 (otherwise: 1)
    2301: None, 2302: None, 2303: "global.email_weekly", 2304: "global.email_weekly", 2305: None,
    2401: None, 2402: "global.email_weekly", 2501: None, 2502: "global.email_weekly",
    # spend 0.30 per 30 days, 0.1000 spent: +0.2000 = 0.30 passes (exactly, no float sum); +0.0001
    # exceeds; a NULL cost is 0 and the suppressed one counted nothing
    2601: None, 2602: "global.mail_budget", 2603: None,
    # preferences: 1 push per 7 days with one sent 3 days ago; 0 push offers (topic rows never match a
    # NULL topic); an unreadable row suppresses; 1 per day in the batch; 2 per day with one touch 2h
    # ago (the one exactly a day ago is outside)
    2701: "global.preferences", 2801: "global.preferences", 2802: None, 2803: None, 2901: "global.preferences",
    3001: None, 3002: "global.preferences", 3101: None, 3102: "global.preferences",
    # cruises_daily counts cruises touches only: 1 + 0 < 2, then 1 + 1 = 2; hotels is not governed
    3201: None, 3202: "cruises.cruises_daily", 3203: None,
    # two customers rows with one id: ambiguous, fails closed (one decision per candidate all the same)
    3401: "unknown_customer", 3402: None,
    # a NULL candidate_id fails closed before its customer's consent is read
    None: "invalid_candidate",
}

# Text ids: candidates order by code point ('B' < 'a' < 'b'); 'A', 'a' and 'a ' are three customers;
# "Gold" is not "gold". Customer 'a' (otherwise: 1 email a week) sends only its first email, 'B';
# 'A' is gold (limit 3) and sends both; 'a ' has no customers row.
TEXT_DATA = Dataset(
    customers=[customer("A", tier="gold"), customer("a", tier="Gold")],
    candidates=[candidate("b", "a"), candidate("a", "a"), candidate("B", "a"),
                candidate("A1", "A"), candidate("A2", "A"), candidate("z", "a ")],
)
TEXT_EXPECTED = {"B": None, "a": "global.email_weekly", "b": "global.email_weekly", "A1": None, "A2": None,
                 "z": "unknown_customer"}
CASES = {"hand-worked": (HAND_DATA, HAND_EXPECTED), "text ids": (TEXT_DATA, TEXT_EXPECTED)}


def _differences(decisions, expected: dict) -> list[str]:
    got = {d.candidate_id: d.rule for d in decisions}
    wrong = [f"{cid!r}: expected {want or 'send'}, got {got.get(cid, '(no row)')}"
             for cid, want in expected.items() if got.get(cid, "(no row)") != want]
    return wrong + [f"{cid!r}: unexpected row" for cid in got if cid not in expected]


@pytest.mark.parametrize("case", sorted(CASES))
def test_hand_worked_decisions_on_every_engine(case, engine):
    policy = policy_of(HAND_WORKED)
    data, expected = CASES[case]
    engine.load(policy, data)
    decisions = decide_on(engine, policy, T)
    assert not _differences(decisions, expected), "\n".join(_differences(decisions, expected))
    assert len(decisions) == len(data.candidates)  # one row per candidate
    assert all(d.decision == ("send" if d.rule is None else "suppress") for d in decisions)
    assert {d.policy_version for d in decisions} == {policy.version}


@pytest.mark.parametrize("case", sorted(CASES))
def test_reference_interpreter_agrees_with_the_hand_worked_decisions(case):
    data, expected = CASES[case]
    decisions = decide(policy_of(HAND_WORKED), data, T)
    assert not _differences(decisions, expected), "\n".join(_differences(decisions, expected))


def test_an_as_of_time_with_microseconds_keeps_them_on_every_engine(engine):
    moment = T + timedelta(milliseconds=500)
    policy = policy_of(HAND_WORKED)
    data = Dataset(
        customers=[customer(n) for n in (1, 2, 3, 4)],
        consents=[consent(1, "sms", "opt_in", T + timedelta(milliseconds=250)),
                  consent(2, "sms", "opt_in", T + timedelta(milliseconds=750)),
                  consent(3, "sms", "opt_in", T - DAY), consent(4, "sms", "opt_in", T - DAY)],
        touches=[touch(3, "sms", moment - DAY), touch(4, "sms", moment - DAY + timedelta(microseconds=1))],
        candidates=[candidate(n, n, "sms") for n in (1, 2, 3, 4)])
    # consent 250 ms before the as-of time is in force, 250 ms after it is not; the gap's window
    # (T - 1 day, T] excludes a touch exactly a day before T and includes one a microsecond later
    expected = {1: None, 2: "global.consent_sms", 3: None, 4: "global.sms_gap"}
    engine.load(policy, data)
    decisions = decide_on(engine, policy, moment)
    assert not _differences(decisions, expected), "\n".join(_differences(decisions, expected))


CLOCK_POLICY = {"global.policy": """policy global
channels email, push
topics offers
consent email allowed unless opt_out
consent push allowed unless opt_out
segment lapsed: days_since(last_purchase_at) >= 3
block push for lapsed
gap email 1 day
honor preferences
"""}


def test_without_as_of_the_engine_clock_decides(engine):
    """Bounds computed by each engine from its current UTC time (margins of hours around them)."""
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    policy = policy_of(CLOCK_POLICY)
    data = Dataset(
        customers=[customer(1, last_purchase_at=now - 4 * DAY), customer(2, last_purchase_at=now - 2 * DAY)]
        + [customer(n) for n in (3, 4, 5, 6)],
        touches=[touch(3, "email", now - 20 * HOUR), touch(4, "email", now - 30 * HOUR),
                 touch(5, "push", now - 30 * HOUR), touch(6, "push", now - 30 * HOUR)],
        preferences=[preference(5, "push", 1, 2), preference(6, "push", 1, 1)],
        candidates=[candidate(11, 1, "push"), candidate(21, 2, "push"), candidate(31, 3), candidate(41, 4),
                    candidate(51, 5, "push"), candidate(61, 6, "push")])
    # lapsed: 4 days >= 3, 2 days not; gap 1 day: 20h ago counts, 30h ago not; 1 push per 2 days
    # with one 30h ago fails, 1 per day does not
    expected = {11: "global.block_push", 21: None, 31: "global.gap_email", 41: None, 51: "global.preferences",
                61: None}
    engine.load(policy, data)
    decisions = decide_on(engine, policy, None)
    assert not _differences(decisions, expected), "\n".join(_differences(decisions, expected))
    assert not _differences(decide(policy, data, now), expected)


# --- the shape of the query ------------------------------------------------------

def cte_names(query: exp.Expression) -> list[str]:
    return [cte.alias for cte in query.args["with_"].expressions]


def test_rules_reading_the_same_rows_share_one_aggregate_per_window():
    query = compile_policy(policy_of(HAND_WORKED), "duckdb", T)
    names = cte_names(query)
    # email_weekly (7d), engagement's opens (7d), sms_gap (1d), cruises_daily (1d), mail_budget (30d),
    # after_complaint (2d): one aggregate per (table, time column, window); the stop rules get two
    assert {n for n in names if n.startswith(("pl_touches", "pl_events"))} == {
        "pl_touches_opened_7d", "pl_touches_sent_7d", "pl_touches_sent_1d", "pl_touches_sent_30d",
        "pl_events_occurred_2d"}
    one_day = next(cte.this for cte in query.args["with_"].expressions if cte.alias == "pl_touches_sent_1d")
    assert [c.alias for c in one_day.expressions] == ["customer_id", "n_sms", "n_marketing_cruises"]
    assert {"pl_last_opened", "pl_unopened", "pl_converted", "pl_consent", "pl_preferences"} <= set(names)


def test_postgres_reads_each_table_and_time_column_once_for_every_window():
    """On PostgreSQL, which scans the whole table for each aggregate, the windowed counts of one table
    and time column are one aggregate over the longest window, each column testing its own."""
    query = compile_policy(policy_of(HAND_WORKED), "postgres", T)
    windowed = {c.alias: c.this for c in query.args["with_"].expressions
                if c.alias.startswith(("pl_touches", "pl_events"))}
    assert set(windowed) == {"pl_touches_opened", "pl_touches_sent", "pl_events_occurred"}
    sent = windowed["pl_touches_sent"]
    names = [c.alias for c in sent.expressions]
    assert {"n_email_7d", "n_sms_1d", "n_marketing_cruises_1d", "cost_direct_mail_30d"} <= set(names)
    moment = lambda at: f"CAST('{at:%Y-%m-%d %H:%M:%S}' AS TIMESTAMP)"
    # the rows of the longest window (30 days), and each column the rows of its own
    assert f"t.sent_at > {moment(T - timedelta(days=30))} AND t.sent_at <= {moment(T)}" in {
        node.sql() for node in sent.args["where"].this.flatten()}
    seven = next(c for c in sent.expressions if c.alias == "n_email_7d").this.find(exp.GT)
    assert seven.sql() == f"t.sent_at > {moment(T - timedelta(days=7))}"


def test_history_is_aggregated_per_customer_never_per_candidate():
    query = compile_policy(policy_of(HAND_WORKED), "duckdb", T)
    for cte in query.args["with_"].expressions:
        if cte.alias.startswith(("pl_touches", "pl_events", "pl_last", "pl_unopened")):
            assert [g.sql() for g in cte.this.args["group"].expressions] == [
                f"{cte.this.args['from_'].this.alias}.customer_id"]
    # no sub-query: consent is picked per candidate in one join (pl_consent)
    assert not list(query.find_all(exp.Subquery))


def test_the_unopened_count_groups_only_the_sends_after_the_latest_open():
    """`pl_unopened`'s WHERE keeps only the counted rows (sent after the latest opened send, or
    every send when none was opened), so the sends before it never reach the GROUP BY."""
    query = compile_policy(policy_of(HAND_WORKED), "duckdb", T)
    unopened = next(c.this for c in query.args["with_"].expressions if c.alias == "pl_unopened")
    where = unopened.args["where"].this
    assert any(isinstance(node, exp.GT) and node.this.name == "sent_at" and node.expression.table == "pl_last_opened"
               for node in where.walk())
    assert any(isinstance(node, exp.Is) and node.this.table == "pl_last_opened" for node in where.walk())


HISTORY_ONLY = {"global.policy": HAND_WORKED["global.policy"].split("gap sms")[0]}


def test_without_batch_dependent_rules_there_is_no_recursion():
    sql = to_sql(policy_of(HISTORY_ONLY), "duckdb", T)
    assert "RECURSIVE" not in sql and "pl_walk" not in sql and "pl_ranked" not in sql


def test_batch_dependent_rules_walk_each_customer_recursively():
    query = compile_policy(policy_of(HAND_WORKED), "postgres", T)
    walk = next(cte.this for cte in query.args["with_"].expressions if cte.alias == "pl_walk")
    assert isinstance(walk, exp.Union) and not walk.args.get("distinct")
    seed, step = walk.this, walk.expression
    assert seed.args["where"].this.sql() == "r.rn = 1"
    ranked = next(cte.this for cte in query.args["with_"].expressions if cte.alias == "pl_ranked")
    # in play only, behind a test PostgreSQL estimates at a third of the rows: a plain filter looked tiny to it
    assert ranked.args["where"].this.sql() == "CASE WHEN b.pre_rule IS NULL AND b.marketing = 1 THEN 1 ELSE 0 END > 0"
    assert "pl_walk" in {t.name for t in step.find_all(exp.Table)}
    # joined on keys only: a filter there made PostgreSQL misjudge the rows and pick a nested loop
    assert step.args["joins"][0].args["on"].sql() == "r.ckey = w.ckey AND r.rn = w.rn + 1"
    assert "WITH RECURSIVE" in to_sql(policy_of(HAND_WORKED), "postgres", T)


def test_spark_walks_each_customer_with_a_fold_not_recursion():
    sql = to_sql(policy_of(HAND_WORKED), "spark", T)
    assert "RECURSIVE" not in sql and "pl_batches" in sql and "AGGREGATE(" in sql
    assert sqlglot.parse_one(sql, read="spark").find(exp.Reduce) is not None


def writable_dialects():
    from policylang.commands.compile import known_dialects

    return known_dialects()


RECURSIVE_KEYWORD = {"tsql", "fabric"}  # recursion without the keyword
FOLDING = {"spark", "databricks"}
NO_RECURSION = {"hive", "spark2"}
TOO_SHALLOW = {"trino", "athena", "presto", "dune"}  # a recursion limit no query can lift (test_recursion_depth.py)


@pytest.mark.parametrize("dialect", writable_dialects())
def test_every_dialect_parses_the_compiled_query_back(dialect):
    policy = policy_of(HAND_WORKED)
    if dialect in NO_RECURSION | TOO_SHALLOW:  # only a policy without batch-dependent rules compiles there
        with pytest.raises(UsageError, match=f"`{dialect}` (has no recursive queries|stops a recursive query)"):
            to_sql(policy, dialect, T)
        policy = policy_of(HISTORY_ONLY)
    for as_of in (T, None):
        sql = to_sql(policy, dialect, as_of)
        parsed = sqlglot.parse(sql, read=dialect)
        assert len(parsed) == 1 and isinstance(parsed[0], exp.Query)
        assert [e.alias_or_name for e in parsed[0].expressions] == [
            "candidate_id", "customer_id", "decision", "rule", "policy_version", "as_of"]
        has_keyword = "WITH RECURSIVE" in sql
        assert has_keyword == (dialect not in RECURSIVE_KEYWORD | FOLDING | NO_RECURSION | TOO_SHALLOW)


def test_dialects_sqlglot_only_reads_are_not_offered():
    assert set(NOT_SQL).isdisjoint(writable_dialects())
    assert {"duckdb", "postgres", "mysql", "sqlite", "spark", "snowflake", "bigquery", "tsql"} <= set(
        writable_dialects())


def test_comments_name_every_rule_and_where_it_is_written():
    policy = policy_of(HAND_WORKED)
    sql = to_sql(policy, "duckdb", T)
    for rule in policy.rules:
        assert f"{rule.id} ({rule.span.file}:{rule.span.line})" in sql
    assert "'global.sms_gap' /* global.sms_gap (global.policy:20) */" in sql  # `gap sms` is line 20 above


def test_as_of_makes_every_bound_a_literal_and_without_it_the_engine_clock_is_used():
    policy = policy_of(HAND_WORKED)
    with_as_of, without = to_sql(policy, "duckdb", T), to_sql(policy, "duckdb", None)
    assert "CURRENT_TIMESTAMP" not in with_as_of and "'2026-05-25 12:00:00'" in with_as_of  # T - 7 days
    assert "CURRENT_TIMESTAMP AT TIME ZONE 'UTC'" in without and "INTERVAL" in without
    sqlite = to_sql(policy, "sqlite", T)  # SQLite keeps timestamps as text: canonical text compares right
    assert "CAST('2026" not in sqlite and "'2026-05-25 12:00:00.000000'" in sqlite


def test_odd_warehouse_names_are_quoted_and_read_as_written():
    policy = policy_of(HAND_WORKED, tables={"touches": 'crm.my "odd" touches', "customers": "People",
                                            "candidates": "order"},
                       columns={"touches": {"sent_at": "sent at"}, "customers": {"tier": "select"}})
    for dialect in ("duckdb", "postgres", "mysql", "tsql", "snowflake"):
        parsed = sqlglot.parse_one(to_sql(policy, dialect, T), read=dialect)
        tables = {(t.db, t.name) for t in parsed.find_all(exp.Table)}
        assert {("crm", 'my "odd" touches'), ("", "People"), ("", "order")} <= tables
        columns = {c.name for c in parsed.find_all(exp.Column)}
        assert {"sent at", "select"} <= columns and "sent_at" not in columns


def test_a_table_named_like_a_step_of_the_query_is_refused():
    with pytest.raises(UsageError, match="pl_base"):
        compile_policy(policy_of(HAND_WORKED, tables={"candidates": "pl_base"}), "duckdb", T)


def test_odd_names_run_on_duckdb():
    from policylang.engines.duckdb import DuckDBEngine

    policy = policy_of(HAND_WORKED, tables={"touches": 'my "odd" touches', "customers": "People"},
                       columns={"touches": {"sent_at": "sent at"}, "customers": {"tier": "select"}})
    with DuckDBEngine.open() as engine:
        engine.load(policy, TEXT_DATA)
        assert not _differences(decide_on(engine, policy, T), TEXT_EXPECTED)


# --- conditions -------------------------------------------------------------------

ROWS = [("gold", T - 30 * DAY), ("silver", T - 30 * DAY + timedelta(microseconds=1)), (None, None),
        ("Gold", T + DAY - timedelta(seconds=1)), ("gold", T - DAY), ("silver", T)]


def evaluate(condition) -> list[bool]:
    """The condition's truth for each of ROWS, evaluated by DuckDB from the compiled predicate."""
    target = Target("duckdb", T)
    columns = {"tier": exp.column("tier", table="v"), "last_purchase_at": exp.column("at", table="v")}
    predicate = Conditions(target, columns.__getitem__, None).predicate(condition)
    values = exp.values([(i, tier, at) for i, (tier, at) in enumerate(ROWS)], alias="v", columns=["i", "tier", "at"])
    query = exp.select(exp.Case(ifs=[exp.If(this=predicate, true=exp.true())], default=exp.false())).from_(
        values).order_by("i")
    return [row[0] for row in duckdb.sql(query.sql("duckdb")).fetchall()]


def test_conditions_are_two_valued():
    gold = Compare("tier", "text", "=", "gold")
    assert evaluate(gold) == [True, False, False, False, True, False]
    assert evaluate(Not(gold)) == [False, True, True, True, False, True]  # NULL tier: not (tier = "gold") holds
    assert evaluate(Compare("tier", "text", "!=", "gold")) == [False, True, False, True, False, True]
    assert evaluate(InList("tier", "text", ("gold", "silver"), True)) == [False, False, False, True, False, False]
    assert evaluate(Not(InList("tier", "text", ("gold",), True))) == [True, False, True, False, True, False]
    assert evaluate(Not(And((gold, IsNull("last_purchase_at", True))))) == [False, True, True, True, False, True]
    assert evaluate(Not(Or((gold, IsNull("tier", False))))) == [False, True, False, True, False, True]


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize("days", [-1, 0, 29, 30])
def test_days_since_counts_whole_days_back_from_t(op, days):
    compare = {"=": int.__eq__, "!=": int.__ne__, "<": int.__lt__, "<=": int.__le__, ">": int.__gt__,
               ">=": int.__ge__}[op]
    expected = [at is not None and compare(math.floor((T - at) / DAY), days) for _, at in ROWS]
    assert evaluate(DaysSince("last_purchase_at", op, days)) == expected
    assert evaluate(Not(DaysSince("last_purchase_at", op, days))) == [
        not e for e in expected]


# --- the command line ---------------------------------------------------------------

def run_cli(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = main(["compile", *argv])
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def project(tmp_path):
    (tmp_path / "policylang.yaml").write_text("business_units: [cruises, hotels]\ndialect: postgres\n"
                                              "attributes:\n  tier: text\n  vip: boolean\n"
                                              "  last_purchase_at: timestamp\n")
    (tmp_path / "policies").mkdir()
    for name, text in HAND_WORKED.items():
        (tmp_path / "policies" / name).write_text(text)
    return tmp_path


def test_compile_prints_one_statement_in_the_configured_dialect(project):
    code, out, err = run_cli(str(project), "--as-of", "2026-06-01T14:00:00+02:00")
    assert (code, err) == (0, "")
    assert not out.rstrip().endswith(";") and len(sqlglot.parse(out, read="postgres")) == 1
    assert "CAST('2026-06-01 12:00:00' AS TIMESTAMP)" in out  # the offset is converted to UTC
    assert "CURRENT_TIMESTAMP" not in out


def test_compile_writes_the_chosen_dialect_to_a_file(project, tmp_path):
    target = tmp_path / "decisions.sql"
    code, out, _ = run_cli(str(project), "--dialect", "BigQuery", "-o", str(target))
    assert (code, out) == (0, "")
    sqlglot.parse_one(target.read_text(), read="bigquery")
    assert "CURRENT_TIMESTAMP()" in target.read_text()


@pytest.mark.parametrize("argv, message", [
    (["--dialect", "cobol"], "`cobol` (`--dialect`) is not a SQL dialect policylang can write: use one of athena,"),
    (["--dialect", "prql"], "is not a SQL dialect policylang can write"),
    (["--as-of", "yesterday"], "`yesterday` is not an ISO 8601 time"),
    (["-o", "/nonexistent/folder/q.sql"], "cannot write `/nonexistent/folder/q.sql`"),
])
def test_compile_usage_errors_exit_2_and_say_what_to_do(project, argv, message):
    code, out, err = run_cli(str(project), *argv)
    assert code == 2 and out == "" and message in err and "Traceback" not in err


def test_compile_stops_on_policy_errors(project):
    (project / "policies" / "global.policy").write_text("policy global\ncap emial 3 per 7 days\n")
    code, out, err = run_cli(str(project))
    assert code == 1 and out == "" and "emial" in err


def test_postgres_computes_the_batch_verdicts_and_latest_opens_once():
    """PostgreSQL inlines a CTE read once (re-evaluating `pre_rule` per reference, rebuilding
    `pl_last_opened` in every parallel worker): those two are `MATERIALIZED` there, and only there."""
    policy = policy_of(HAND_WORKED)
    materialized = lambda dialect: {cte.alias for cte in compile_policy(policy, dialect, T).args["with_"].expressions
                                    if cte.args.get("materialized")}
    assert materialized("postgres") == {"pl_base", "pl_last_opened"}
    assert "AS MATERIALIZED" in to_sql(policy, "postgres", T)
    for dialect in ("duckdb", "sqlite", "mysql", "spark"):
        assert not materialized(dialect), dialect


def test_postgres_ranks_only_the_candidates_in_play_with_an_estimate_it_can_use():
    """On PostgreSQL `pl_ranked` holds the candidates in play only (a window over fewer rows; `pl_base`
    is materialised there anyway) behind `CASE ... END > 0`, which it estimates at a third of the rows;
    the out-of-play decisions come from `pl_base`. Elsewhere every candidate is ranked, `rn` NULL out of play."""
    policy = policy_of(HAND_WORKED)

    def ctes(dialect: str) -> dict:
        return {c.alias: c.this for c in compile_policy(policy, dialect, T).args["with_"].expressions}

    postgres = ctes("postgres")
    where = postgres["pl_ranked"].args["where"].this
    assert isinstance(where, exp.GT) and isinstance(where.this, exp.Case) and where.expression.name == "0"
    assert "pre_rule" not in {c.alias_or_name for c in postgres["pl_ranked"].expressions}
    assert postgres["pl_decided"].this.args["from_"].this.name == "pl_base"
    for dialect in ("duckdb", "sqlite", "mysql"):
        others = ctes(dialect)
        assert "where" not in others["pl_ranked"].args, dialect
        assert others["pl_decided"].this.args["from_"].this.name == "pl_ranked", dialect


def test_postgres_walk_steps_join_only_the_later_candidates():
    """Each recursive step joins `pl_later` (rn > 1) on PostgreSQL, the whole `pl_ranked` elsewhere."""
    policy = policy_of(HAND_WORKED)

    def step_joins(dialect: str) -> str:
        walk = next(c.this for c in compile_policy(policy, dialect, T).args["with_"].expressions if c.alias == "pl_walk")
        return walk.expression.args["joins"][0].this.name

    assert step_joins("postgres") == "pl_later"
    later = next(c.this for c in compile_policy(policy, "postgres", T).args["with_"].expressions
                 if c.alias == "pl_later")
    assert later.args["where"].this.sql() == "r.rn > 1"
    for dialect in ("duckdb", "sqlite", "mysql"):
        assert step_joins(dialect) == "pl_ranked", dialect
