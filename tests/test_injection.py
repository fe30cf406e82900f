"""No policy text or config name can inject SQL: quotes, backslashes, semicolons,
`--`, `/*` and non-ASCII in segment literals, event types, table names,
column renames, attribute names (SQL keywords, as the name rules allow) and a
business unit named like a keyword are plain data on every engine (docs/design.md, "The decision query").
"""
from __future__ import annotations

from datetime import timedelta

from hypothesis import given

from conftest import assert_matches_reference, decide_on
from policylang.dataset import Dataset
from policylang.project import load_texts
from strategies.config import AS_OF, make_config
from strategies.data import datasets

T = AS_OF
ODD = "it's \"q\" \\ ; -- /* ü"  # as data
ODD_POLICY = 'it\'s \\"q\\" \\\\ ; -- /* ü'  # the same, written as a policy string literal
EVENT = "o'brien\"; DROP TABLE touches; --"
EVENT_POLICY = 'o\'brien\\"; DROP TABLE touches; --'

TEXTS = {
    "global.policy": f"""policy global
channels email, sms
topics offers
consent email allowed unless opt_out
consent sms allowed unless opt_out
segment odd: select = "{ODD_POLICY}" or from in (1, 2) and select not in ("/*", "*/")
block email for odd
cooldown sms 3 days after event "{EVENT_POLICY}"
""",
    "order.policy": """policy business_unit order
cap email 1 per 7 days
""",
}
CONFIG = make_config(
    business_units=("order", "cruises"),
    attributes={"select": "text", "from": "integer"},
    tables={"customers": "cust\\omers; --", "touches": 'to"u`ch\'es /* ü', "consents": "consents",
            "preferences": "préférences", "events": "events -- x", "candidates": "candidates; drop table x"},
    columns={"customers": {"select": "sel'ect"}, "touches": {"sent_at": "sent at%s"},
             "candidates": {"channel": 'chan"nel', "business_unit": "bu`unit"}, "events": {"event_type": "type */"}},
)


def policy_set():
    project = load_texts(TEXTS, CONFIG)
    assert project.policy is not None, project.diagnostics
    return project.policy


def customer(customer_id, select=None, from_=None):
    return {"customer_id": customer_id, "select": select, "from": from_}


def candidate(candidate_id, customer_id, channel, business_unit="cruises"):
    return dict(candidate_id=candidate_id, customer_id=customer_id, channel=channel, business_unit=business_unit,
                campaign_id=None, topic=None, message_class="marketing", priority=1, cost=None)


def event(customer_id, event_type, days_ago):
    return dict(customer_id=customer_id, event_type=event_type, occurred_at=T - timedelta(days=days_ago))


DATA = Dataset(
    customers=[customer(1, ODD), customer(2, ODD.replace("\\", "")), customer(3, ODD.upper()), customer(4, "/*", 1)],
    events=[event(1, EVENT, 1), event(2, EVENT.replace("'", ""), 1), event(3, EVENT, 4)],
    candidates=[candidate(11, 1, "email"), candidate(12, 1, "sms"),
                candidate(21, 2, "email"), candidate(22, 2, "sms"),
                candidate(31, 3, "email"), candidate(32, 3, "sms"),
                candidate(41, 4, "email", "order"), candidate(42, 4, "email", "order")])

# Worked out from docs/language.md, "Conditions": only an exact match of the odd literal is `odd` (customer 1);
# customer 4's `from` is 1 but its `select` is in the not-in list, so `and` fails and it is not odd;
# only customer 1 had the odd event within 3 days; unit `order` allows one email a week, so
# candidate 42 (same priority, higher id) is capped by the first.
EXPECTED = {11: "global.block_email", 12: "global.cooldown_sms", 21: "send", 22: "send", 31: "send", 32: "send",
            41: "send", 42: "order.cap_email_7d"}


def test_odd_names_and_literals_are_plain_data(engine):
    policy = policy_set()
    engine.load(policy, DATA)
    assert {d.candidate_id: d.rule or "send" for d in decide_on(engine, policy, AS_OF)} == EXPECTED
    assert_matches_reference(engine, policy, DATA, AS_OF)


def test_odd_names_and_literals_agree_with_the_reference_on_drawn_data(engine, engine_settings):
    policy = policy_set()

    @engine_settings
    @given(datasets(policy))
    def check(data):
        assert_matches_reference(engine, policy, data, AS_OF)

    check()
