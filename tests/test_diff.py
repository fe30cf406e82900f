"""`policylang.diff.compare` on hand-worked changes: one per rule kind, config changes, renames.

Each case states the direction worked out by hand from docs/language.md and
re-checks every counter-example with the reference interpreter
(`diff_support.recheck`); some also check the counter-example's numbers (a
cap raised from 6 to 7 is proved by a customer with exactly 6 touches).
"""
from __future__ import annotations

import pytest

from diff_support import policy_of, recheck
from policylang.diff.compare import compare

BASE = """policy global
channels email, sms, push
topics offers, newsletter
consent email requires opt_in
consent sms allowed unless opt_out
consent push allowed unless opt_out
segment gold: tier = "gold"
score engagement {
  +10 when vip = true
  +1 per email opened within 30 days
}
cap marketing 6 per 7 days as weekly
cap email per 7 days as email_weekly {
  gold: 5
  otherwise: 3
}
cap push spend 10 per 30 days as push_budget
gap sms 2 days
cooldown marketing 14 days after event "complaint" as quiet
stop email after 8 unopened as fatigue
stop marketing after conversion as booked
block push for age < 18 as minors
block sms for score engagement >= 10 as engaged_sms
honor preferences
"""


def diff(base: str, head: str, **config):
    b, h = policy_of({"global.policy": base}, **config), policy_of({"global.policy": head}, **config)
    return compare(b, h, "base", "head"), b, h


def only_change(base: str, head: str, **config):
    report, b, h = diff(base, head, **config)
    assert len(report.changes) == 1, [(c.subject, c.label) for c in report.changes]
    change = report.changes[0]
    if change.loosening or change.tightening:
        recheck(change, b, h)
    return change


def edited(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new)


@pytest.mark.parametrize(("old", "new", "subject", "label"), [
    ("consent sms allowed unless opt_out", "consent sms requires opt_in", "global.consent_sms", "tightened"),
    ("consent email requires opt_in", "consent email allowed unless opt_out", "global.consent_email", "loosened"),
    ("block push for age < 18", "block push for age < 21", "global.minors", "tightened"),
    ("block push for age < 18", "block push for age < 16", "global.minors", "loosened"),
    ("block push for age < 18", "block push for age > 65", "global.minors", "changed both ways"),
    ("14 days after event", "7 days after event", "global.quiet", "loosened"),
    ('after event "complaint"', 'after event "refund"', "global.quiet", "changed both ways"),
    ("stop email after 8 unopened", "stop email after 5 unopened", "global.fatigue", "tightened"),
    ("stop marketing after conversion", "stop email after conversion", "global.booked", "loosened"),
    ("gap sms 2 days", "gap sms 3 days", "global.gap_sms", "tightened"),
    ("cap marketing 6 per 7 days", "cap marketing 6 per 14 days", "global.weekly", "tightened"),
    ("spend 10 per 30 days", "spend 12.5 per 30 days", "global.push_budget", "loosened"),
    ("  gold: 5\n  otherwise: 3", "  gold: 4\n  otherwise: 4", "global.email_weekly", "changed both ways"),
    ("  gold: 5\n  otherwise: 3", "  gold: 5\n  otherwise: 2", "global.email_weekly", "tightened"),
    ("+10 when vip = true", "+5 when vip = true", "global.engaged_sms", "loosened"),
    ('segment gold: tier = "gold"', 'segment gold: tier in ("gold", "silver")', "global.email_weekly", "loosened"),
    ("honor preferences\n", "", "global.preferences", "removed (loosens)"),
    ("block push for age < 18 as minors\n", "", "global.minors", "removed (loosens)"),
    ("block push for age < 18 as minors\n", "block push for age < 18 as minors\nblock email for vip = false\n",
     "global.block_email", "added (tightens)"),
])
def test_each_rule_kind(old, new, subject, label):
    change = only_change(BASE, edited(old, new))
    assert (change.subject, change.label) == (subject, label)


def test_raised_cap_is_proved_by_a_customer_at_the_old_limit():
    change = only_change(BASE, edited("cap marketing 6 per 7 days", "cap marketing 7 per 7 days"))
    assert change.label == "loosened" and change.tightening is None
    touches = change.loosening.scenario.touches
    assert len(touches) == 6  # 6 < 7 sends under HEAD; 6 >= 6 suppresses under BASE
    assert change.loosening.base.rule == "global.weekly"


def test_tier_recut_is_judged_per_customer():
    # gold 5 -> 4 tightens for gold customers; otherwise 3 -> 4 loosens for everyone else
    change = only_change(BASE, edited("  gold: 5\n  otherwise: 3", "  gold: 4\n  otherwise: 4"))
    assert change.loosening.scenario.attributes.get("tier") != "gold"
    assert len(change.loosening.scenario.touches) == 3
    assert change.tightening.scenario.attributes["tier"] == "gold"
    assert len(change.tightening.scenario.touches) == 4


def test_same_meaning_reordered_and_renamed_is_no_change():
    head = BASE.replace("gap sms 2 days\n", "").replace("honor preferences\n", "honor preferences\ngap sms 2 days\n")
    head = head.replace("as quiet", "as quiet_after_complaint").replace("segment gold:", "segment best:")
    head = head.replace("  gold: 5", "  best: 5")
    report, _, _ = diff(BASE, head)
    assert report.changes == []
    assert [(p.base.id, p.head.id) for p in report.renamed] == [("global.quiet", "global.quiet_after_complaint")]


def test_same_policy_is_no_change():
    report, _, _ = diff(BASE, BASE)
    assert report.changes == [] and not report.may_loosen


def test_a_rewrite_no_customer_tells_apart_is_not_decided():
    # `age < 18` and `age <= 17` agree on every integer: no counter-example exists, and none is invented
    change = only_change(BASE, edited("block push for age < 18", "block push for age <= 17"))
    assert (change.label, change.loosening, change.tightening) == ("changed, not decided", None, None)
    assert "none of the" in change.reason and change.may_loosen


def test_business_unit_removed_tightens_and_channel_added_loosens():
    b, h = policy_of({"global.policy": BASE}), policy_of({"global.policy": BASE}, business_units=("cruises",))
    report = compare(b, h, "base", "head")
    assert [(c.subject, c.label) for c in report.changes] == [("business unit `hotels`", "removed (tightens)")]
    assert report.changes[0].tightening.head.rule == "unknown_business_unit"
    recheck(report.changes[0], b, h)
    report, b, h = diff(BASE, BASE.replace("channels email, sms, push", "channels email, sms, push, direct_mail")
                        .replace("honor preferences", "consent direct_mail allowed unless opt_out\nhonor preferences"))
    assert [(c.subject, c.label) for c in report.changes] == [
        ("channel `direct_mail`", "added (loosens)"), ("global.consent_direct_mail", "added (not decided)")]
    recheck(report.changes[0], b, h)  # BASE suppresses every direct_mail candidate as an unknown channel,
    # so the new consent rule changes no decision a candidate both sides know could show: not decided


def test_column_remapped_is_reported_not_decided():
    b = policy_of({"global.policy": BASE})
    h = policy_of({"global.policy": BASE}, columns={"customers": {"tier": "loyalty_tier"}})
    report = compare(b, h, "base", "head")
    assert [(c.subject, c.label, c.detail) for c in report.changes] == [
        ("column `customers.tier`", "changed, not decided", "read from `tier`, now from `loyalty_tier`")]
    assert report.may_loosen and "data" in report.changes[0].reason


def test_a_score_counting_another_channel_is_judged_with_touches_of_that_channel():
    # `engaged_sms` blocks SMS at engagement >= 10; counting email opens twice as much reaches 10 with 5 opens,
    # not 10: a customer with 5 opened emails is blocked under HEAD only
    change = only_change(BASE, edited("+1 per email opened", "+2 per email opened"))
    assert (change.subject, change.label) == ("global.engaged_sms", "tightened")
    channels = {t["channel"] for t in change.tightening.scenario.touches}
    assert channels == {"email"} and 5 <= len(change.tightening.scenario.touches) < 10
