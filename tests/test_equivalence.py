"""The compiled SQL decides exactly as the reference interpreter, on every engine (docs/language.md,
"How a batch is decided"; docs/testing.md).

Hypothesis draws a policy set and a dataset aimed at that policy's edges and
at the batch (`strategies.data`) and each engine must return the
interpreter's decisions row for row. Policy sets are drawn
(`strategies.policies.policy_sets`) or taken from six written by hand that
cover every rule kind, condition form and score line between them: `rules`
(every rule kind, global and business-unit), `counts` (caps, spend caps and
gaps that the batch itself fills), `history` (stops and cool-downs, unmasked
by consent), `preferences` (the customers' own caps, unmasked by other rules),
`scores` (per-touch score lines whose every touch moves a decision's threshold)
and `conditions` (every condition form, tiers, scores of every
measure). Each case reports the classes it reaches (`strategies.reach`) as
Hypothesis events; tests/test_reach.py holds their shares to a floor, and
tests/mutants.py checks that this test alone catches a list of planted bugs.
Batches with built-in faults, rare in the main strategy, have a test of their own.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache

import pytest
from hypothesis import event, given, target
from hypothesis import strategies as st

from conftest import assert_matches_reference, decide_on, scaled_settings
from policylang.dataset import Dataset
from policylang.model import TABLE_COLUMNS, PolicySet
from policylang.project import load_texts
from strategies.config import AS_OF, make_config
from strategies.data import datasets
from strategies.policies import policy_sets
from strategies.reach import classes

DECLARATIONS = """channels email, sms, push, direct_mail
topics offers, newsletter
"""
POLICIES = {
"rules": {
"global.policy": "policy global\n" + DECLARATIONS + """consent email requires opt_in
consent sms requires opt_in
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
segment gold: tier in ("gold", "silver") and vip = true
segment dormant: days_since(last_purchase_at) > 30
score engagement {
  +5 per email opened within 7 days
  +10 per email clicked within 30 days
  +20 per event "purchase" within 30 days
  -3 when balance < 10.5
}
block sms for dormant
cooldown marketing 3 days after event "complaint"
stop email after 2 unopened
gap push 1 day
cap marketing 3 per 7 days
cap email per 7 days as email_tiers {
  gold: 2
  score engagement >= 10: 1
}
cap direct_mail spend 2.50 per 30 days
honor preferences
""",
"cruises.policy": """policy business_unit cruises
segment adult: age >= 18
block email unless adult
stop marketing after conversion
cap email topic offers 1 per 36 hours
gap marketing 12 hours
""",
"hotels.policy": """policy business_unit hotels
cap marketing per 2 days {
  tier is null: 1
  otherwise: 2
}
cooldown email topic newsletter 1 week after event "purchase"
stop sms after 1 unopened
""",
},
"counts": {
"global.policy": "policy global\n" + DECLARATIONS + """consent email allowed unless opt_out
consent sms allowed unless opt_out
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
cap marketing 2 per 1 day
cap email topic newsletter spend 1.5 per 7 days
gap sms 2 hours
""",
"hotels.policy": """policy business_unit hotels
cap direct_mail spend 0.75 per 2 days
cap push 1 per 4 hours
""",
},
"history": {
"global.policy": "policy global\n" + DECLARATIONS + """consent email allowed unless opt_out
consent sms allowed unless opt_out
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
stop email after 1 unopened
stop marketing topic offers after 2 unopened
cooldown sms 2 days after event "complaint"
""",
"cruises.policy": """policy business_unit cruises
stop marketing after conversion
cooldown marketing 36 hours after event "purchase"
""",
"hotels.policy": """policy business_unit hotels
stop push after conversion
stop direct_mail after 1 unopened
""",
},
"preferences": {
"global.policy": "policy global\n" + DECLARATIONS + """consent email allowed unless opt_out
consent sms allowed unless opt_out
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
honor preferences
""",
},
"scores": {
"global.policy": "policy global\n" + DECLARATIONS + """consent email allowed unless opt_out
consent sms allowed unless opt_out
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
score engagement {
  +10 per email opened within 3 days
  +10 per sms clicked within 1 week
  +10 per push converted within 36 hours
  -10 per direct_mail sent within 1 day
  +10 per email sent within 12 hours
}
block sms for score engagement >= 10
block direct_mail for score engagement < 0
cap email per 1 day {
  score engagement >= 20: 0
  otherwise: 3
}
""",
},
"conditions": {
"global.policy": "policy global\n" + DECLARATIONS + """consent email requires opt_in
consent sms allowed unless opt_out
consent push requires opt_in
consent direct_mail allowed unless opt_out
segment odd: not (tier = "gold") or (age != 30 and balance >= 100.25)
segment picky: tier not in ("bronze") and last_purchase_at is not null
score fit {
  +15 when vip = false
  +5 per sms sent within 2 days
  +7 per push converted within 14 days
  -1 per email clicked within 1 day
}
block marketing for odd and score fit > 14
block push unless picky or false
cap sms per 1 week {
  days_since(last_purchase_at) <= 7: 1
  age is null: 0
  otherwise: 2
}
honor preferences
""",
},
}


@cache
def build(texts: tuple[tuple[str, str], ...]) -> PolicySet:
    project = load_texts(dict(texts), make_config())
    assert project.policy is not None, project.diagnostics
    return project.policy


# as-of times: the usual one, and ones with microseconds (window bounds keep them on every engine)
AS_OFS = (AS_OF, AS_OF, AS_OF + timedelta(microseconds=500000), AS_OF - timedelta(microseconds=1))


@st.composite
def cases(draw, messy: bool | None = None) -> tuple[dict[str, str], datetime, Dataset]:
    """(policy texts, as-of time, dataset); a batch with built-in faults when `messy` (drawn when None)."""
    texts = draw(st.one_of(st.sampled_from([POLICIES[name] for name in sorted(POLICIES)]), policy_sets()))
    as_of = draw(st.sampled_from(AS_OFS))
    return texts, as_of, draw(datasets(build(tuple(sorted(texts.items()))), as_of=as_of, messy=messy))


def decides_as_the_reference(engine, case) -> None:
    """The differential check, reporting what the case reaches as Hypothesis events (strategies.reach)
    and steering towards cases where many candidates get past consent to the other rules."""
    texts, as_of, data = case
    policy = build(tuple(sorted(texts.items())))
    reached, outcomes = classes(policy, data, as_of)
    for name in sorted(reached):
        event(name)
    target(float(sum(outcome in ("other rule", "sent") for outcome in outcomes)), label="candidates past consent")
    assert_matches_reference(engine, policy, data, as_of)


# the differential test's examples per engine under the `ci` profile (docs/testing.md); others scale them
EXAMPLES = {"duckdb": 300, "sqlite": 150, "postgres": 200, "mariadb": 100, "spark": 15}


def test_engine_decides_as_the_reference_interpreter(engine):
    @scaled_settings(EXAMPLES[engine.name])
    @given(cases())
    def check(case):
        decides_as_the_reference(engine, case)

    check()


def test_engine_decides_messy_batches_as_the_reference_interpreter(engine):
    """Batches with built-in faults (unknown names, NULL or repeated ids...), which the main strategy keeps rare."""
    @scaled_settings(max(1, EXAMPLES[engine.name] // 4))
    @given(cases(messy=True))
    def check(case):
        decides_as_the_reference(engine, case)

    check()


# --- edges worked out by hand (docs/language.md), on every engine ------------------------------

EDGES = {"global.policy": "policy global\n" + DECLARATIONS + """consent email allowed unless opt_out
consent sms allowed unless opt_out
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
cap email 1 per 1 day
cap direct_mail spend 0.3 per 7 days
gap sms 2 days
"""}
DAY, SECOND, MICRO = timedelta(days=1), timedelta(seconds=1), timedelta(microseconds=1)


def row(table: str, **values) -> dict:
    defaults = dict(channel="email", business_unit="cruises", message_class="marketing", priority=1)
    return {column: values.get(column, defaults.get(column)) for column in TABLE_COLUMNS[table]}


def edge_case(customers, candidates, touches=()) -> Dataset:
    return Dataset(customers=[row("customers", customer_id=c) for c in customers],
                   candidates=[row("candidates", candidate_id=i, customer_id=c, **kw) for i, c, kw in candidates],
                   touches=[row("touches", customer_id=c, **kw) for c, kw in touches])


EDGE_CASES = {
    # text ids order by code point, "B" before "a"; "ab", "Ab" and "ab " are three customers;
    # `Email` and `email ` are no channels
    "code point order and exact text": (
        edge_case(["ab", "Ab", "ab "], [("a", "ab", {}), ("B", "ab", {}), ("b", "Ab", {}), ("b ", "ab ", {}),
                                        ("c", "ab", {"channel": "Email"}), ("d", "ab", {"channel": "email "})]),
        {"B": "send", "a": "global.cap_email_1d", "b": "send", "b ": "send", "c": "unknown_channel",
         "d": "unknown_channel"}),
    # the window (T - 2 days, T]: its start is out, a microsecond later in, T in, after T not yet
    "window edges": (
        edge_case([1, 2, 3, 4], [(i, i, {"channel": "sms"}) for i in (1, 2, 3, 4)],
                  [(1, dict(channel="sms", sent_at=AS_OF - 2 * DAY)),
                   (2, dict(channel="sms", sent_at=AS_OF - 2 * DAY + MICRO)),
                   (3, dict(channel="sms", sent_at=AS_OF + MICRO)),
                   (4, dict(channel="sms", sent_at=AS_OF))]),
        {1: "send", 2: "global.gap_sms", 3: "send", 4: "global.gap_sms"}),
    # 0.1 + 0.1 + 0.1 is exactly 0.3, which does not exceed 0.3 (a float sum would); one more 0.0001 does
    "exact spend": (
        edge_case([1], [(1, 1, dict(channel="direct_mail", cost=Decimal("0.1"), priority=2)),
                        (2, 1, dict(channel="direct_mail", cost=Decimal("0.0001")))],
                  [(1, dict(channel="direct_mail", sent_at=AS_OF - DAY, cost=Decimal("0.1"))),
                   (1, dict(channel="direct_mail", sent_at=AS_OF - SECOND, cost=Decimal("0.1")))]),
        {1: "send", 2: "global.spend_direct_mail_7d"}),
}


@pytest.mark.parametrize("name", EDGE_CASES)
def test_edges_worked_out_by_hand(engine, name):
    data, expected = EDGE_CASES[name]
    policy = build(tuple(EDGES.items()))
    engine.load(policy, data)
    assert {d.candidate_id: d.rule or "send" for d in decide_on(engine, policy, AS_OF)} == expected
    assert_matches_reference(engine, policy, data, AS_OF)
