"""docs/language.md, "How a batch is decided": transactional candidates, and the fail-closed built-in checks in their order."""
import pytest

from reference_support import DAY, T, candidate, customer, data, outcomes, policy, touch

REQUIRE_EMAIL = "\n".join(["consent email requires opt_in", "consent sms allowed unless opt_out",
                           "consent push allowed unless opt_out", "consent direct_mail allowed unless opt_out"])


def test_transactional_is_sent_whatever_is_wrong_with_it():
    wrong = candidate("t", customer_id=None, channel="fax", topic="sports", business_unit="ferries",
                      message_class="transactional", priority=None)
    assert outcomes(policy("block marketing for true"), data([wrong], customers=[])) == {"t": "send"}


def test_transactional_candidates_and_touches_count_against_nothing():
    rules = policy("cap email 1 per 7 days\ngap email 2 days")
    batch = [candidate("t", message_class="transactional", priority=9), candidate("m", priority=1)]
    history = [touch(T - DAY, message_class="transactional")]
    assert outcomes(rules, data(batch, touches=history)) == {"t": "send", "m": "send"}


@pytest.mark.parametrize("fields, rule", [
    (dict(customer_id=None), "unknown_customer"),
    (dict(customer_id=2), "unknown_customer"),  # no customers row
    (dict(channel=None), "unknown_channel"),
    (dict(channel="fax"), "unknown_channel"),
    (dict(topic="sports"), "unknown_topic"),
    (dict(business_unit=None), "unknown_business_unit"),
    (dict(business_unit="ferries"), "unknown_business_unit"),
    (dict(message_class="promo"), "invalid_candidate"),
    (dict(message_class=None), "invalid_candidate"),
    (dict(priority=None), "invalid_candidate"),
])
def test_each_builtin_fails_closed(fields, rule):
    bad = candidate("c", **fields)
    assert outcomes(policy(), data([bad], customers=[customer(1)])) == {"c": rule}


def test_a_customer_with_several_rows_is_unknown():
    rows = [customer(1, tier="silver"), customer(1, tier="gold"), customer(2)]
    batch = [candidate("twice", customer_id=1), candidate("once", customer_id=2)]
    assert outcomes(policy(), data(batch, customers=rows)) == {"twice": "unknown_customer", "once": "send"}


def test_a_null_topic_is_not_an_unknown_topic():
    assert outcomes(policy(), data([candidate("c", topic=None)])) == {"c": "send"}


@pytest.mark.parametrize("fixed, rule", [
    ((), "unknown_customer"),
    (("customer_id",), "unknown_channel"),
    (("customer_id", "channel"), "unknown_topic"),
    (("customer_id", "channel", "topic"), "unknown_business_unit"),
    (("customer_id", "channel", "topic", "business_unit"), "invalid_candidate"),
])
def test_builtins_are_checked_in_order(fixed, rule):
    wrong = dict(customer_id=7, channel="fax", topic="sports", business_unit="ferries", message_class="promo")
    right = dict(customer_id=1, channel="email", topic="offers", business_unit="cruises", message_class="marketing")
    fields = {k: right[k] if k in fixed else wrong[k] for k in wrong}
    assert outcomes(policy(), data([candidate("c", **fields)], customers=[customer(1)])) == {"c": rule}


def test_builtins_come_before_consent():
    # no consent row under `requires opt_in` would fail consent, but the topic is checked first
    assert outcomes(policy(consent=REQUIRE_EMAIL), data([candidate("c", topic="sports")])) == {"c": "unknown_topic"}


def test_a_candidate_failing_a_builtin_counts_against_nothing():
    batch = [candidate("bad", topic="sports", priority=5), candidate("good", priority=1)]
    assert outcomes(policy("cap email 1 per 7 days"), data(batch)) == {"bad": "unknown_topic", "good": "send"}
