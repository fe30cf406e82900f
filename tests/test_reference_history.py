"""Block (two-valued conditions), cooldown, both stops and gap: docs/language.md, "Block", "Cooldown",
"Stop … after N unopened", "Stop … after conversion" and "Gap"."""
from datetime import timedelta, timezone
from decimal import Decimal

import pytest

from reference_support import (DAY, HOUR, SECOND, T, candidate, customer, data, event, outcomes, policy,
                               touch)


def decide_for(rules, who=None, channel="email", topic=None, business_unit="cruises", campaign_id=None, **tables):
    batch = [candidate("c", channel=channel, topic=topic, business_unit=business_unit, campaign_id=campaign_id)]
    return outcomes(rules, data(batch, customers=[who or customer(1)], **tables))["c"]


# --- block ---------------------------------------------------------------------

@pytest.mark.parametrize("condition, attributes, blocked", [
    ('tier = "gold"', dict(tier="gold"), True),
    ('tier = "gold"', dict(tier="silver"), False),
    ('tier = "gold"', dict(tier=None), False),
    ('tier = "gold"', dict(tier="Gold"), False),  # exact, case-sensitive
    ('not (tier = "gold")', dict(tier=None), True),  # `not` is plain negation
    ('tier != "gold"', dict(tier=None), False),  # a comparison with NULL is false
    ('tier != "gold"', dict(tier="silver"), True),
    ('tier not in ("gold")', dict(tier=None), False),
    ('tier not in ("gold", "bronze")', dict(tier="silver"), True),
    ('tier in ("gold", "silver")', dict(tier="silver"), True),
    ("tier is null", dict(tier=None), True),
    ("tier is not null", dict(tier=None), False),
    ("vip = true", dict(vip=True), True),
    ("vip = true", dict(vip=False), False),
    ("vip = true", dict(vip=None), False),
    ("vip != true", dict(vip=None), False),
    ("age >= 18 and balance < 10.5", dict(age=18, balance=Decimal("10.49")), True),
    ("age >= 18 and balance < 10.5", dict(age=17, balance=0), False),
    ("age >= 18 and balance < 10.5", dict(age=30, balance=None), False),
    ('age < 18 or tier = "gold"', dict(age=None, tier="gold"), True),
    ("true", {}, True),
    ("false", {}, False),
])
def test_block_for_a_condition(condition, attributes, blocked):
    outcome = decide_for(policy(f"block email for {condition} as no_email"), customer(1, **attributes))
    assert outcome == ("global.no_email" if blocked else "send")


@pytest.mark.parametrize("tier, blocked", [("gold", False), ("silver", True), (None, True)])
def test_block_unless_blocks_when_the_condition_does_not_hold(tier, blocked):
    outcome = decide_for(policy('block email unless tier = "gold"'), customer(1, tier=tier))
    assert outcome == ("global.block_email" if blocked else "send")


@pytest.mark.parametrize("last_purchase_at, blocked", [
    (T - 366 * DAY, True),  # 366 whole days
    (T - 366 * DAY + SECOND, False),  # 365 days and 23:59:59 -> 365
    (T - 365 * DAY - HOUR, False),
    (None, False),
])
def test_days_since_counts_whole_days(last_purchase_at, blocked):
    rules = policy("block email for days_since(last_purchase_at) > 365 as dormant")
    outcome = decide_for(rules, customer(1, last_purchase_at=last_purchase_at))
    assert outcome == ("global.dormant" if blocked else "send")


def test_days_since_is_negative_for_a_time_after_t():
    rules = policy("block email for days_since(last_purchase_at) < 0 as future")
    assert decide_for(rules, customer(1, last_purchase_at=T + HOUR)) == "global.future"  # floor(-1/24) = -1
    assert decide_for(rules, customer(1, last_purchase_at=T)) == "send"


def test_block_only_governs_its_selector():
    rules = policy('segment gold: tier = "gold"\nblock email topic offers for gold')
    gold = customer(1, tier="gold")
    assert decide_for(rules, gold, topic="offers") == "global.block_email_offers"
    assert decide_for(rules, gold, topic="newsletter") == "send"
    assert decide_for(rules, gold, topic=None) == "send"  # a NULL topic matches no topic selector
    assert decide_for(rules, gold, channel="sms", topic="offers") == "send"


# --- cooldown --------------------------------------------------------------------

@pytest.mark.parametrize("occurred_at, event_type, cooling", [
    (T - 30 * DAY, "complaint", False),  # the window (T - 30d, T] is open at its start
    (T - 30 * DAY + SECOND, "complaint", True),
    (T, "complaint", True),
    (T + SECOND, "complaint", False),  # has not happened yet
    (None, "complaint", False),
    (T - DAY, "purchase", False),
])
def test_cooldown_window(occurred_at, event_type, cooling):
    rules = policy('cooldown marketing 30 days after event "complaint"')
    outcome = decide_for(rules, events=[event(event_type, occurred_at)], channel="push")
    assert outcome == ("global.cooldown_marketing" if cooling else "send")


def test_cooldown_looks_at_the_customers_own_events_and_its_selector():
    rules = policy('cooldown email topic offers 14 days after event "purchase" as quiet')
    assert decide_for(rules, events=[event("purchase", T - DAY, customer_id=2)], topic="offers") == "send"
    assert decide_for(rules, events=[event("purchase", T - DAY)], topic="offers") == "global.quiet"
    assert decide_for(rules, events=[event("purchase", T - DAY)], topic="newsletter") == "send"


# --- stop after N unopened ------------------------------------------------------------

STOP3 = policy("stop email after 3 unopened")
STOPPED = "global.stop_email_unopened"


def test_stop_counts_every_touch_when_none_was_opened():
    assert decide_for(STOP3, touches=[touch(T - n * DAY) for n in (1, 2, 3)]) == STOPPED
    assert decide_for(STOP3, touches=[touch(T - n * DAY) for n in (1, 2)]) == "send"


def test_stop_counts_touches_sent_after_the_latest_opened_one():
    before = [touch(T - 20 * DAY), touch(T - 15 * DAY)]
    opened = [touch(T - 10 * DAY, opened_at=T - 9 * DAY)]
    after = [touch(T - 5 * DAY), touch(T - 3 * DAY)]
    assert decide_for(STOP3, touches=before + opened + after) == "send"
    assert decide_for(STOP3, touches=before + opened + after + [touch(T - DAY)]) == STOPPED


def test_an_opening_after_t_is_no_opening():
    sent = [touch(T - 3 * DAY), touch(T - 2 * DAY)]
    assert decide_for(STOP3, touches=sent + [touch(T - DAY, opened_at=T + HOUR)]) == STOPPED
    assert decide_for(STOP3, touches=sent + [touch(T - DAY, opened_at=T)]) == "send"


def test_the_latest_opened_touch_is_the_most_recently_sent_one():
    # A was opened last but sent first; B is the most recently sent opened touch: after B come C and D only
    touches = [touch(T - 10 * DAY, opened_at=T - DAY), touch(T - 5 * DAY, opened_at=T - 4 * DAY),
               touch(T - 4 * DAY), touch(T - 3 * DAY)]
    assert decide_for(STOP3, touches=touches) == "send"


def test_touches_sent_after_the_opened_one_count_even_when_sent_before_it_was_opened():
    touches = [touch(T - 10 * DAY, opened_at=T - DAY), touch(T - 4 * DAY), touch(T - 3 * DAY)]
    assert decide_for(policy("stop email after 2 unopened"), touches=touches) == STOPPED


def test_a_touch_sent_with_the_latest_opened_one_is_not_after_it():
    touches = [touch(T - 5 * DAY, opened_at=T - 4 * DAY), touch(T - 5 * DAY), touch(T - 3 * DAY), touch(T - 2 * DAY)]
    assert decide_for(STOP3, touches=touches) == "send"


def test_stop_counts_only_matching_marketing_touches_sent_by_t():
    others = [touch(T - DAY, channel="sms"), touch(T - DAY, message_class="transactional"), touch(T + HOUR),
              touch(None)]
    assert decide_for(STOP3, touches=others + [touch(T - n * DAY) for n in (2, 3)]) == "send"


def test_stop_ignores_the_batch():
    batch = [candidate(n, priority=n) for n in (1, 2, 3)]
    assert outcomes(policy("stop email after 1 unopened"), data(batch)) == {1: "send", 2: "send", 3: "send"}


def test_unit_stop_counts_its_units_touches_global_stop_every_units():
    unit = policy(cruises="stop email after 2 unopened")
    hotels = [touch(T - n * DAY, business_unit="hotels") for n in (1, 2)]
    assert decide_for(unit, touches=hotels) == "send"
    assert decide_for(unit, touches=[touch(T - n * DAY) for n in (1, 2)]) == "cruises.stop_email_unopened"
    everywhere = [touch(T - DAY, business_unit="hotels"), touch(T - 2 * DAY, business_unit=None)]
    assert decide_for(policy("stop email after 2 unopened"), touches=everywhere) == STOPPED


# --- stop after conversion ------------------------------------------------------------------

BOOKED = "cruises.stop_after_booking"


@pytest.fixture(scope="module")
def conversion_rules():
    return policy(cruises="stop marketing after conversion as stop_after_booking")


@pytest.mark.parametrize("converting, outcome", [
    (dict(channel="sms", topic="newsletter", converted_at=T - DAY), BOOKED),  # whatever its channel or topic
    (dict(converted_at=T), BOOKED),
    (dict(converted_at=T + SECOND), "send"),
    (dict(converted_at=None), "send"),
    (dict(campaign_id="autumn", converted_at=T - DAY), "send"),
    (dict(business_unit="hotels", converted_at=T - DAY), "send"),  # out of the unit's scope
    (dict(message_class="transactional", converted_at=T - DAY), "send"),  # rules count marketing touches only
])
def test_stop_after_conversion(conversion_rules, converting, outcome):
    converted = touch(T - 3 * DAY, **{"campaign_id": "spring", **converting})
    assert decide_for(conversion_rules, touches=[converted], campaign_id="spring", channel="push") == outcome


def test_a_null_campaign_never_matches(conversion_rules):
    assert decide_for(conversion_rules, touches=[touch(T - 3 * DAY, converted_at=T - DAY)]) == "send"


def test_global_conversion_stop_counts_every_unit():
    converted = touch(T - 3 * DAY, business_unit="hotels", campaign_id="spring", converted_at=T - DAY)
    assert decide_for(policy("stop marketing after conversion"), touches=[converted], campaign_id="spring") == \
        "global.stop_marketing_conversion"


# --- gap -----------------------------------------------------------------------------

GAP = policy("gap email 2 days")


@pytest.mark.parametrize("sent_at, spaced", [
    (T - 2 * DAY, True), (T - 2 * DAY + SECOND, False), (T, False), (T + SECOND, True),
])
def test_gap_window(sent_at, spaced):
    assert decide_for(GAP, touches=[touch(sent_at)]) == ("send" if spaced else "global.gap_email")


def test_gap_counts_a_matching_candidate_sent_earlier_in_the_batch():
    batch = [candidate("first", priority=2), candidate("push", channel="push", priority=3), candidate("second")]
    assert outcomes(GAP, data(batch)) == {"first": "send", "push": "send", "second": "global.gap_email"}


def test_unit_gap_ignores_another_units_touches_and_candidates():
    rules = policy(cruises="gap email 2 days")
    batch = [candidate("hotel", business_unit="hotels", priority=2), candidate("cruise")]
    history = [touch(T - DAY, business_unit="hotels")]
    assert outcomes(rules, data(batch, touches=history)) == {"hotel": "send", "cruise": "send"}
    assert outcomes(rules, data(batch, touches=[touch(T - DAY)])) == {"hotel": "send", "cruise": "cruises.gap_email"}


def test_an_aware_as_of_is_read_in_utc():
    aware = (T + 2 * HOUR).replace(tzinfo=timezone(timedelta(hours=2)))  # the instant T
    history = [touch(T - 2 * DAY + HOUR)]  # inside (T - 2d, T], outside a window ending at T + 2h
    assert outcomes(GAP, data([candidate("c")], touches=history), as_of=aware) == {"c": "global.gap_email"}
