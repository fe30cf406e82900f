"""How findings quote policy: conditions and rules printed back in policy syntax, windows in
the units a user writes, and the preference finding's fallback location."""
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from reference_support import policy
from strategies.config import make_config
from strategies.policies import policy_sets

from policylang.analyze import preferences
from policylang.analyze.describe import condition_text, customer_text, listing, rule_text, window_text
from policylang.model import PreferenceCenter, Window
from policylang.project import load_texts, require_policy


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=policy_sets())
def test_a_printed_condition_reads_back_as_the_same_condition(texts):
    original = require_policy(load_texts(texts, make_config()))
    segments = [s for s in original.segments.values() if s.scope == "global"]
    if not segments:
        return
    copies = "".join(f"segment copy_{s.name}: {condition_text(s.condition)}\n" for s in segments)
    reread = require_policy(load_texts(texts | {"global.policy": texts["global.policy"] + copies}, make_config()))
    for s in segments:
        assert reread.segments[f"global.copy_{s.name}"].condition == s.condition


def test_rules_are_quoted_as_written():
    rules = policy('cap email topic offers 3 per 2 weeks\ncap direct_mail spend 25.00 per 365 days\n'
                   'gap sms 36 hours\ncooldown marketing 1 day after event "complaint"\n'
                   'stop email after 8 unopened\nstop marketing after conversion\n'
                   'block push for tier = "gold" or not vip = true\n'
                   'cap email per 7 days as tiered {\n  tier = "gold": 5\n}').rules
    assert [rule_text(r) for r in rules if r.id != "global.consent_email" and "consent" not in r.id] == [
        'block push for tier = "gold" or not (vip = true)',
        'cooldown marketing 1 day after event "complaint"',
        "stop email after 8 unopened",
        "stop marketing after conversion",
        "gap sms 36 hours",
        "cap email topic offers 3 per 14 days",
        "cap direct_mail spend 25.00 per 365 days",
        "cap email per 7 days {...}",
    ]


def test_windows_customers_and_lists_read_naturally():
    assert [window_text(Window(h)) for h in (24, 168, 1, 36)] == ["1 day", "7 days", "1 hour", "36 hours"]
    assert customer_text({}) == "any customer"
    assert customer_text({"tier": "a\"b", "age": None}) == 'a customer with tier = "a\\"b", age is null'
    assert listing(["a"]) == "a" and listing(["a", "b", "c"], word="or") == "a, b or c"
    assert listing([str(n) for n in range(8)], limit=5) == "0, 1, 2, 3, 4 and 3 more"


def test_without_config_locations_the_preference_finding_points_at_the_global_file():
    asked = replace(policy(), preference_center=PreferenceCenter(topics=("offers",), frequency=True))
    findings = preferences.check(asked)
    assert [(f.code, f.span.file, f.span.line, f.data["asked"]) for f in findings] == [
        ("PL507", "global.policy", 1, "frequency"), ("PL507", "global.policy", 1, "topics.offers")]
    assert all(f.related == () for f in findings)


def test_a_preference_centre_that_asks_nothing_needs_no_rule():
    assert preferences.check(policy()) == []
