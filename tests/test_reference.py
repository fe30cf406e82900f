"""docs/language.md, "How a batch is decided" and "Score": the batch as a whole: output rows, greedy order, scopes, check order, scores.

Topic files hold the rules one by one: test_reference_builtins, _consent, _history (block, cooldown,
stop, gap) and _caps (caps, tiers, spend, preferences).
"""
from decimal import Decimal

import pytest

from policylang.compilers.reference import decide
from policylang.dataset import Decision
from reference_support import (DAY, HOUR, T, candidate, consent_row, customer, data, event, outcomes, policy,
                               preference, touch)


def test_one_decision_per_candidate_in_input_order_with_the_policy_version():
    rules = policy("cap email 1 per 7 days")
    batch = [candidate("z", customer_id=2, priority=1), candidate("y", priority=1), candidate("x", priority=1)]
    decisions = decide(rules, data(batch), T)
    assert rules.version and all(d.policy_version == rules.version for d in decisions)
    assert [d.as_tuple()[:4] for d in decisions] == [
        ("z", 2, "send", None), ("y", 1, "suppress", "global.cap_email_7d"), ("x", 1, "send", None)]


def test_an_empty_batch_has_no_decisions():
    assert decide(policy(), data([]), T) == []


# --- greedy order ----------------------------------------------------------------------

GAP = policy("gap email 2 days")


def test_higher_priority_goes_first():
    batch = [candidate("low", priority=1), candidate("high", priority=5), candidate("mid", priority=3)]
    assert outcomes(GAP, data(batch)) == {"low": "global.gap_email", "high": "send", "mid": "global.gap_email"}


def test_equal_priorities_go_by_candidate_id_text_by_code_point():
    batch = [candidate(cid) for cid in ("b", "a", "B")]  # "B" (U+0042) < "a" < "b"
    assert outcomes(GAP, data(batch)) == {"b": "global.gap_email", "a": "global.gap_email", "B": "send"}


def test_integer_ids_order_as_numbers():
    batch = [candidate(10), candidate(9)]
    assert outcomes(GAP, data(batch)) == {10: "global.gap_email", 9: "send"}


def test_customers_do_not_count_against_each_other():
    batch = [candidate("one", customer_id=1), candidate("two", customer_id=2)]
    assert outcomes(policy("cap email 1 per 7 days"), data(batch, touches=[touch(T - DAY, customer_id=3)])) == \
        {"one": "send", "two": "send"}


# --- scope: global rules count every unit, unit rules their own -----------------------------

def test_global_cap_counts_every_units_touches_even_unknown_and_null_ones():
    history = [touch(T - DAY, business_unit="hotels"), touch(T - DAY, business_unit=None),
               touch(T - DAY, business_unit="ferries")]
    assert outcomes(policy("cap email 3 per 7 days"), data([candidate("c")], touches=history)) == \
        {"c": "global.cap_email_7d"}


def test_unit_cap_counts_only_its_own_units_touches():
    rules = policy(cruises="cap email 1 per 7 days")
    hotels_history = [touch(T - DAY, business_unit="hotels")] * 3
    assert outcomes(rules, data([candidate("c")], touches=hotels_history)) == {"c": "send"}
    assert outcomes(rules, data([candidate("c")], touches=[touch(T - DAY)])) == {"c": "cruises.cap_email_7d"}
    hotel_candidate = [candidate("h", business_unit="hotels")]
    assert outcomes(rules, data(hotel_candidate, touches=[touch(T - DAY)] * 3)) == {"h": "send"}  # not its rule


def test_in_batch_sends_count_for_global_rules_across_units_and_for_unit_rules_within_the_unit():
    batch = [candidate("hotel", business_unit="hotels", priority=5), candidate("cruise", priority=1)]
    assert outcomes(policy("cap email 1 per 7 days"), data(batch)) == {"hotel": "send", "cruise": "global.cap_email_7d"}
    assert outcomes(policy(cruises="cap email 1 per 7 days"), data(batch)) == {"hotel": "send", "cruise": "send"}


def test_another_units_rules_do_not_apply():
    assert outcomes(policy(hotels="block email for true"), data([candidate("c")])) == {"c": "send"}


# --- the first failing check, in the order of checks (docs/language.md, "How a batch is decided") ---

ORDERED = policy(
    "cap email 1 per 7 days\n" "gap email 1 day\n" "stop email after 1 unopened\n"
    'cooldown email 7 days after event "complaint"\n' 'block email for tier = "gold"\n' "honor preferences",
    consent="\n".join(["consent email requires opt_in"] +
                      [f"consent {c} allowed unless opt_out" for c in ("sms", "push", "direct_mail")]))
STEPS = ["global.consent_email", "global.block_email", "global.cooldown_email", "global.stop_email_unopened",
         "global.gap_email", "global.cap_email_7d", "global.preferences"]


@pytest.mark.parametrize("fixed", range(len(STEPS)))
def test_the_first_failing_step_is_reported(fixed):
    """A candidate failing every step, with its first `fixed` steps fixed: the next step is reported."""
    sent_at = T - HOUR if fixed < 5 else T - 2 * DAY  # inside the 1-day gap until it is fixed, then only in the cap
    tables = dict(
        consents=[consent_row("opt_in")] if fixed > 0 else [],
        customers=[customer(1, tier="silver" if fixed > 1 else "gold")],
        events=[event("complaint", T - DAY)] if fixed < 3 else [],
        touches=[touch(sent_at, opened_at=sent_at if fixed > 3 else None)] if fixed < 6 else [],
        preferences=[preference(0, 7)],
    )
    assert outcomes(ORDERED, data([candidate("c")], **tables)) == {"c": STEPS[fixed]}


def test_global_rules_come_before_unit_rules_within_a_step():
    rules = policy("cap email 1 per 7 days", cruises="cap email 1 per 1 day")
    assert outcomes(rules, data([candidate("c")], touches=[touch(T - HOUR)])) == {"c": "global.cap_email_7d"}


@pytest.mark.parametrize("first, second", [("count", "budget"), ("budget", "count")])
def test_within_a_step_source_order_decides(first, second):
    text = {"count": "cap direct_mail 1 per 7 days as count", "budget": "cap direct_mail spend 1 per 7 days as budget"}
    rules = policy(f"{text[first]}\n{text[second]}")
    history = [touch(T - HOUR, channel="direct_mail", cost=Decimal("1"))]
    batch = [candidate("c", channel="direct_mail", cost=Decimal("0.5"))]
    assert outcomes(rules, data(batch, touches=history)) == {"c": f"global.{first}"}


# --- scores (docs/language.md, "Score") -----------------------------------------------------------

FIT = policy("block email for score fit < 20 as unfit",
             scores="score fit {\n  +20 when tier = \"gold\"\n  +15 when age >= 30\n  -10 when balance is null\n}")


@pytest.mark.parametrize("attributes, fit", [
    (dict(tier="gold", age=30, balance=Decimal(1)), 35),
    (dict(tier="gold", age=None, balance=None), 10),
    (dict(tier=None, age=40, balance=Decimal(5)), 15),
    (dict(tier="gold", age=29, balance=Decimal(0)), 20),
])
def test_when_lines_sum_over_attributes(attributes, fit):
    outcome = outcomes(FIT, data([candidate("c")], customers=[customer(1, **attributes)]))["c"]
    assert outcome == ("global.unfit" if fit < 20 else "send")


ENGAGEMENT = policy(
    "block email for score engagement < 40 as disengaged",
    scores="score engagement {\n  +5 per email opened within 30 days\n  +10 per email clicked within 30 days\n"
           '  +25 per event "webinar" within 10 days\n}')


def engagement_outcome(touches, events):
    return outcomes(ENGAGEMENT, data([candidate("c")], touches=touches, events=events))["c"]


def test_per_lines_count_touches_and_events_in_their_window():
    engaged = touch(T - 40 * DAY, opened_at=T - 2 * DAY, clicked_at=T - 2 * DAY)  # measured by opened_at/clicked_at
    webinar = event("webinar", T - 9 * DAY)
    assert engagement_outcome([engaged], [webinar]) == "send"  # 5 + 10 + 25 = 40


@pytest.mark.parametrize("touch_fields, webinar_at", [
    (dict(opened_at=T + HOUR, clicked_at=T - 2 * DAY), T - 9 * DAY),  # opened after T: 35
    (dict(opened_at=T - 30 * DAY, clicked_at=T - 2 * DAY), T - 9 * DAY),  # opened at T - 30d, outside: 35
    (dict(opened_at=T - 2 * DAY, clicked_at=T - 2 * DAY), T - 10 * DAY),  # webinar outside its window: 15
    (dict(opened_at=T - 2 * DAY, clicked_at=T - 2 * DAY, message_class="transactional"), T - 9 * DAY),  # 25
    (dict(opened_at=T - 2 * DAY, clicked_at=T - 2 * DAY, channel="sms"), T - 9 * DAY),  # not email: 25
])
def test_per_lines_miss_a_point_outside_their_window(touch_fields, webinar_at):
    engaged = touch(T - 3 * DAY, **touch_fields)
    assert engagement_outcome([engaged], [event("webinar", webinar_at)]) == "global.disengaged"


def test_scores_can_choose_a_tier():
    rules = policy("cap email per 7 days as weekly {\n  score engagement >= 25: 2\n  otherwise: 1\n}",
                   scores='score engagement {\n  +25 per event "webinar" within 10 days\n}')
    history = [touch(T - DAY)]
    assert outcomes(rules, data([candidate("c")], touches=history, events=[event("webinar", T - DAY)])) == {"c": "send"}
    assert outcomes(rules, data([candidate("c")], touches=history)) == {"c": "global.weekly"}


def test_decision_rows_are_decisions():
    assert decide(policy(), data([candidate("c")]), T) == [Decision("c", 1, "send", None, policy().version, T)]
