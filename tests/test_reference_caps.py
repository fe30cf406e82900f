"""Count caps, tiers, spend caps (exact decimals) and preferences: docs/language.md, "Cap", "Tiered cap",
"Spend cap" and "Honor preferences"."""
from decimal import Decimal

import pytest

from reference_support import (DAY, HOUR, SECOND, T, candidate, customer, data, outcomes, policy, preference,
                               touch)

CAP2 = policy("cap email 2 per 7 days")
CAPPED = "global.cap_email_7d"


def decide_for(rules, who=None, **tables):
    batch = [candidate("c", channel=tables.pop("channel", "email"), topic=tables.pop("topic", None),
                       cost=tables.pop("cost", None))]
    return outcomes(rules, data(batch, customers=[who or customer(1)], **tables))["c"]


# --- count caps ------------------------------------------------------------------------

@pytest.mark.parametrize("sent, outcome", [
    ((T - 7 * DAY, T), "send"),  # a touch exactly at T - W is outside (T - W, T]
    ((T - 7 * DAY + SECOND, T), CAPPED),  # two inside: 2 >= 2
    ((T + SECOND, T), "send"),  # after T: not sent yet
    ((None, T), "send"),  # no sent_at: in no window
])
def test_cap_window_edges(sent, outcome):
    assert decide_for(CAP2, touches=[touch(s) for s in sent]) == outcome


def test_cap_counts_candidates_sent_earlier_in_the_batch():
    batch = [candidate(n, priority=-n) for n in (1, 2, 3)]
    assert outcomes(CAP2, data(batch, touches=[touch(T - DAY)])) == {1: "send", 2: CAPPED, 3: CAPPED}


def test_a_suppressed_candidate_does_not_count():
    rules = policy("block email topic offers for true\ncap email 2 per 7 days")
    batch = [candidate("offer", topic="offers", priority=3), candidate("a", priority=2), candidate("b", priority=1)]
    assert outcomes(rules, data(batch)) == {"offer": "global.block_email_offers", "a": "send", "b": "send"}


def test_cap_windows_in_hours_and_weeks():
    hours = policy("cap sms 1 per 36 hours")
    assert decide_for(hours, channel="sms", touches=[touch(T - 36 * HOUR, channel="sms")]) == "send"
    assert decide_for(hours, channel="sms", touches=[touch(T - 35 * HOUR, channel="sms")]) == "global.cap_sms_36h"
    weeks = policy("cap email 1 per 2 weeks")
    assert decide_for(weeks, touches=[touch(T - 13 * DAY)]) == "global.cap_email_14d"
    assert decide_for(weeks, touches=[touch(T - 14 * DAY)]) == "send"


def test_topic_selector_counts_only_that_topic():
    rules = policy("cap email topic offers 1 per 7 days")
    others = [touch(T - DAY, topic="newsletter"), touch(T - DAY, topic=None), touch(T - DAY, channel="sms", topic="offers")]
    assert decide_for(rules, topic="offers", touches=others) == "send"
    assert decide_for(rules, topic="offers", touches=[touch(T - DAY, topic="offers")]) == "global.cap_email_offers_7d"
    assert decide_for(rules, topic=None, touches=[touch(T - DAY, topic="offers")]) == "send"  # rule does not apply


def test_marketing_selector_counts_every_channel_and_a_null_one():
    rules = policy("cap marketing 3 per 7 days")
    history = [touch(T - DAY, channel="sms"), touch(T - DAY, channel="push"), touch(T - DAY, channel=None)]
    assert decide_for(rules, touches=history) == "global.cap_marketing_7d"
    assert decide_for(CAP2, touches=[touch(T - DAY, channel=None)] * 2) == "send"  # a NULL channel is no email


def test_caps_count_only_marketing_touches():
    assert decide_for(CAP2, touches=[touch(T - DAY, message_class="transactional")] * 2) == "send"


# --- tiered caps -------------------------------------------------------------------------

TIERED = policy('segment gold: tier = "gold"\nsegment silver: tier = "silver"\n'
                "cap email per 7 days as weekly {\n  gold: 3\n  silver: 2\n  otherwise: 1\n}")


@pytest.mark.parametrize("tier, touches, outcome", [
    ("gold", 2, "send"), ("gold", 3, "global.weekly"),
    ("silver", 1, "send"), ("silver", 2, "global.weekly"),
    ("bronze", 0, "send"), ("bronze", 1, "global.weekly"), (None, 1, "global.weekly"),
])
def test_tier_limits(tier, touches, outcome):
    assert decide_for(TIERED, customer(1, tier=tier), touches=[touch(T - DAY)] * touches) == outcome


def test_the_first_holding_branch_gives_the_limit():
    rules = policy('cap email per 7 days as weekly {\n  vip = true: 1\n  tier = "gold": 5\n}')
    assert decide_for(rules, customer(1, vip=True, tier="gold"), touches=[touch(T - DAY)]) == "global.weekly"
    assert decide_for(rules, customer(1, vip=False, tier="gold"), touches=[touch(T - DAY)] * 4) == "send"


def test_no_branch_holding_and_no_otherwise_means_the_rule_does_not_apply():
    rules = policy('cap email per 7 days as weekly {\n  tier = "gold": 1\n}')
    assert decide_for(rules, customer(1, tier="silver"), touches=[touch(T - DAY)] * 5) == "send"
    assert decide_for(rules, customer(1, tier=None), touches=[touch(T - DAY)] * 5) == "send"
    assert decide_for(rules, customer(1, tier="gold"), touches=[touch(T - DAY)]) == "global.weekly"


# --- spend caps ----------------------------------------------------------------------------

BUDGET = policy("cap direct_mail spend 0.3 per 30 days as budget")


def mail(sent_at, cost):
    return touch(sent_at, channel="direct_mail", cost=None if cost is None else Decimal(cost))


@pytest.mark.parametrize("history, cost, outcome", [
    (("0.1", "0.1"), "0.1", "send"),  # exactly 0.3, where floats would sum to 0.30000000000000004
    (("0.1", "0.1"), "0.1001", "global.budget"),
    ((None, "0.1"), "0.2", "send"),  # a NULL cost counts as 0, in history too
    (("0.3",), None, "send"),
    (("0.3",), "0.0001", "global.budget"),
])
def test_spend_is_compared_exactly(history, cost, outcome):
    touches = [mail(T - DAY, c) for c in history]
    assert decide_for(BUDGET, channel="direct_mail", cost=cost and Decimal(cost), touches=touches) == outcome


def test_spend_window_edges():
    assert decide_for(BUDGET, channel="direct_mail", cost=Decimal("0.1"), touches=[mail(T - 30 * DAY, "1")]) == "send"
    assert decide_for(BUDGET, channel="direct_mail", cost=Decimal("0.1"),
                      touches=[mail(T - 30 * DAY + SECOND, "1")]) == "global.budget"
    assert decide_for(BUDGET, channel="direct_mail", cost=Decimal("0.1"), touches=[mail(T + SECOND, "1")]) == "send"


def test_spend_counts_sent_candidates_and_this_candidates_cost():
    rules = policy("cap direct_mail spend 1.00 per 30 days as budget")
    costs = {"a": "0.40", "b": "0.40", "c": "0.40", "d": "0.20"}
    batch = [candidate(cid, channel="direct_mail", cost=Decimal(c), priority=-i) for i, (cid, c) in enumerate(costs.items())]
    # a 0.40, b 0.80, c would make 1.20 (suppressed, counts nothing), d makes 1.00
    assert outcomes(rules, data(batch)) == {"a": "send", "b": "send", "c": "global.budget", "d": "send"}


def test_spend_counts_only_marketing_touches():
    history = [touch(T - DAY, channel="direct_mail", cost=Decimal("5"), message_class="transactional")]
    assert decide_for(BUDGET, channel="direct_mail", cost=Decimal("0.3"), touches=history) == "send"


# --- preferences -----------------------------------------------------------------------------

PREFS = policy("honor preferences")
PREFERRED = "global.preferences"


def test_preferences_are_ignored_without_honor_preferences():
    assert decide_for(policy(), preferences=[preference(0, 7)]) == "send"


def test_a_null_topic_row_counts_the_whole_channel_across_units():
    history = [touch(T - DAY, topic="offers"), touch(T - 2 * DAY, business_unit="hotels")]
    assert decide_for(PREFS, topic="newsletter", preferences=[preference(2, 7)], touches=history) == PREFERRED
    assert decide_for(PREFS, topic="newsletter", preferences=[preference(3, 7)], touches=history) == "send"


def test_a_topic_row_matches_only_that_topic():
    row = [preference(1, 7, topic="offers")]
    assert decide_for(PREFS, topic=None, preferences=row, touches=[touch(T - DAY, topic="offers")]) == "send"
    assert decide_for(PREFS, topic="newsletter", preferences=row, touches=[touch(T - DAY, topic="offers")]) == "send"
    assert decide_for(PREFS, topic="offers", preferences=row, touches=[touch(T - DAY, topic="newsletter")]) == "send"
    assert decide_for(PREFS, topic="offers", preferences=row, touches=[touch(T - DAY, topic="offers")]) == PREFERRED


def test_max_count_zero_means_never():
    assert decide_for(PREFS, preferences=[preference(0, 7)]) == PREFERRED
    assert decide_for(PREFS, channel="sms", preferences=[preference(0, 7)]) == "send"  # another channel


@pytest.mark.parametrize("max_count, window_days", [(None, 7), (-1, 7), (3, 0), (3, None), (3, -2)])
def test_an_unreadable_row_fails_closed(max_count, window_days):
    assert decide_for(PREFS, preferences=[preference(max_count, window_days)]) == PREFERRED
    assert decide_for(PREFS, channel="sms", preferences=[preference(max_count, window_days)]) == "send"


def test_preference_window_edges():
    row = [preference(1, 1)]
    assert decide_for(PREFS, preferences=row, touches=[touch(T - DAY)]) == "send"
    assert decide_for(PREFS, preferences=row, touches=[touch(T - DAY + SECOND)]) == PREFERRED


def test_preferences_count_the_batch_across_units():
    batch = [candidate("hotel", business_unit="hotels", priority=2), candidate("cruise")]
    assert outcomes(PREFS, data(batch, preferences=[preference(1, 7)])) == {"hotel": "send", "cruise": PREFERRED}


def test_a_row_without_a_channel_matches_nothing():
    assert decide_for(PREFS, preferences=[preference(0, 7, channel=None)]) == "send"


def test_another_customers_row_does_not_apply():
    assert decide_for(PREFS, preferences=[preference(0, 7, customer_id=2)]) == "send"
