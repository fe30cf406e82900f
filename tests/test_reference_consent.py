"""Consent (docs/language.md, "Consent"): the row in force (topic, then brand, then recency, opt_out on a
tie), an opt-out never overridden by an older opt-in, and "no answer".

email `requires opt_in`, sms `allowed unless opt_out`; candidates are of unit cruises (the brand).
"""
import pytest

from reference_support import DAY, SECOND, T, candidate, consent_row, data, outcomes, policy

CONSENT = "\n".join(["consent email requires opt_in", "consent sms allowed unless opt_out",
                     "consent push allowed unless opt_out", "consent direct_mail allowed unless opt_out"])
RULES = policy(consent=CONSENT)
EMAIL, SMS = "global.consent_email", "global.consent_sms"


def decide_one(rows, channel="email", topic=None, business_unit="cruises"):
    batch = [candidate("c", channel=channel, topic=topic, business_unit=business_unit)]
    return outcomes(RULES, data(batch, consents=rows))["c"]


def test_no_answer_follows_the_stance():
    assert decide_one([]) == EMAIL
    assert decide_one([], channel="sms") == "send"


def test_a_row_for_every_topic_and_brand_applies():
    assert decide_one([consent_row("opt_in")]) == "send"
    assert decide_one([consent_row("opt_out", channel="sms")], channel="sms") == SMS


def test_another_channel_or_customer_gives_no_answer():
    assert decide_one([consent_row("opt_in", channel="sms"), consent_row("opt_in", customer_id=2)]) == EMAIL


def test_the_most_specific_topic_wins_even_when_older():
    rows = [consent_row("opt_in", updated_at=T - DAY), consent_row("opt_out", topic="offers", updated_at=T - 10 * DAY)]
    assert decide_one(rows, topic="offers") == EMAIL
    assert decide_one(rows, topic="newsletter") == "send"  # the offers row does not match
    assert decide_one(rows, topic=None) == "send"  # a NULL topic matches only NULL-topic rows


def test_a_null_topic_candidate_ignores_topic_rows():
    assert decide_one([consent_row("opt_in", topic="offers")], topic=None) == EMAIL


def test_consent_to_one_brand_never_covers_another():
    assert decide_one([consent_row("opt_in", brand="hotels")]) == EMAIL
    assert decide_one([consent_row("opt_in", brand="cruises")]) == "send"
    assert decide_one([consent_row("opt_in", brand="cruises")], business_unit="hotels") == EMAIL


def test_topic_is_more_specific_than_brand():
    rows = [consent_row("opt_out", topic="offers", updated_at=T - 10 * DAY),
            consent_row("opt_in", brand="cruises", updated_at=T - DAY)]
    assert decide_one(rows, topic="offers") == EMAIL


def test_brand_is_more_specific_than_recency():
    rows = [consent_row("opt_in", brand="cruises", updated_at=T - DAY), consent_row("opt_in", updated_at=T - 30 * DAY),
            consent_row("opt_out", topic="offers", updated_at=T - 2 * DAY)]
    assert decide_one(rows) == "send"
    rows = [consent_row("opt_out", brand="cruises", updated_at=T - 30 * DAY), consent_row("opt_in", updated_at=T - DAY)]
    assert decide_one(rows) == EMAIL


def test_an_opt_out_is_never_overridden_by_an_older_opt_in():
    """"Unsubscribe from all e-mail" stops a topic or brand the customer opted into earlier."""
    older_topic = [consent_row("opt_in", topic="offers", brand="cruises", updated_at=T - 30 * DAY),
                   consent_row("opt_out", updated_at=T - DAY)]
    assert decide_one(older_topic, topic="offers") == EMAIL
    older_brand = [consent_row("opt_in", brand="cruises", updated_at=T - 30 * DAY), consent_row("opt_out", updated_at=T - DAY)]
    assert decide_one(older_brand) == EMAIL
    same_instant = [consent_row("opt_in", brand="cruises", updated_at=T - DAY), consent_row("opt_out", updated_at=T - DAY)]
    assert decide_one(same_instant) == EMAIL  # "at or after"
    undated_in = [consent_row("opt_in", brand="cruises", updated_at=None), consent_row("opt_out", updated_at=None)]
    assert decide_one(undated_in) == EMAIL  # NULL is the oldest: an undated opt-out is at or after it
    sms = [consent_row("opt_in", channel="sms", topic="offers", updated_at=T - 3 * DAY),
           consent_row("unsubscribed", channel="sms", updated_at=T - DAY)]  # an unknown status is an opt-out
    assert decide_one(sms, channel="sms", topic="offers") == SMS


def test_a_customer_who_resubscribes_after_an_opt_out_gets_that_topic():
    rows = [consent_row("opt_out", updated_at=T - 30 * DAY), consent_row("opt_in", topic="offers", updated_at=T - DAY)]
    assert decide_one(rows, topic="offers") == "send"
    assert decide_one(rows, topic="newsletter") == EMAIL
    undated_out = [consent_row("opt_out", updated_at=None), consent_row("opt_in", brand="cruises", updated_at=T - DAY)]
    assert decide_one(undated_out) == "send"  # an undated opt-out is older than any dated opt-in
    other_brand = [consent_row("opt_in", brand="cruises", updated_at=T - 30 * DAY),
                   consent_row("opt_out", brand="hotels", updated_at=T - DAY)]
    assert decide_one(other_brand) == "send"  # another brand's opt-out does not match
    after_t = [consent_row("opt_in", brand="cruises", updated_at=T - DAY), consent_row("opt_out", updated_at=T + SECOND)]
    assert decide_one(after_t) == "send"  # an opt-out after T has not happened yet


@pytest.mark.parametrize("older, newer, expected", [("opt_out", "opt_in", "send"), ("opt_in", "opt_out", EMAIL)])
def test_then_the_latest_row_wins(older, newer, expected):
    assert decide_one([consent_row(older, updated_at=T - 5 * DAY), consent_row(newer, updated_at=T - DAY)]) == expected


@pytest.mark.parametrize("channel, rule", [("email", EMAIL), ("sms", SMS)])
def test_a_full_tie_goes_to_opt_out(channel, rule):
    rows = [consent_row(status, channel=channel, topic="offers", brand="cruises", updated_at=T - DAY)
            for status in ("opt_in", "opt_out", "opt_in")]
    assert decide_one(rows, channel=channel, topic="offers") == rule


def test_rows_after_t_are_ignored_and_a_row_at_t_counts():
    assert decide_one([consent_row("opt_out", updated_at=T - 2 * DAY), consent_row("opt_in", updated_at=T + SECOND)]) == EMAIL
    assert decide_one([consent_row("opt_out", updated_at=T - 2 * DAY), consent_row("opt_in", updated_at=T)]) == "send"
    assert decide_one([consent_row("opt_in", updated_at=T + SECOND)]) == EMAIL  # no answer yet
    assert decide_one([consent_row("opt_out", channel="sms", updated_at=T + SECOND)], channel="sms") == "send"


def test_a_row_without_updated_at_is_in_force_and_oldest():
    assert decide_one([consent_row("opt_in", updated_at=None)]) == "send"
    assert decide_one([consent_row("opt_out", updated_at=None), consent_row("opt_in", updated_at=T - 100 * DAY)]) == "send"
    assert decide_one([consent_row("opt_in", updated_at=None), consent_row("opt_out", updated_at=T - 100 * DAY)]) == EMAIL


@pytest.mark.parametrize("status", ["OPT_IN", "yes", None])
def test_an_unknown_status_counts_as_opt_out(status):
    assert decide_one([consent_row(status, channel="sms")], channel="sms") == SMS
    assert decide_one([consent_row(status)]) == EMAIL


def test_explain_shows_the_opt_out_that_overrides_an_older_opt_in():
    from policylang.compilers.reference import explain

    rows = [consent_row("opt_in", topic="offers", updated_at=T - 30 * DAY),
            consent_row("opt_out", brand="cruises", updated_at=T - DAY)]
    [trace] = explain(RULES, data([candidate("c", topic="offers")], consents=rows), T)
    consent = next(c for c in trace.checks if c.rule == EMAIL)
    assert not consent.passed and consent.saw["consent"] == "opt_out"
    assert consent.saw["row topic"] == "offers"  # the row in force, then the one overriding it
    assert consent.saw["overridden by"] == "opt_out of every topic, cruises"
    assert consent.saw["opt_out updated at"] == T - DAY
