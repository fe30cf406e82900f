"""The resolver (docs/language.md): names, types, structure, rule ids and the resolved model.

Policies are written as text and parsed; every location below is counted by
hand from the text (line and column of the smallest piece that shows the problem).
"""
from decimal import Decimal

import pytest

from policylang import model
from policylang.resolve import resolve
from policylang.syntax.parse import parse_file
from strategies.config import make_config
from spec_example import SPEC_CRUISES, SPEC_GLOBAL

CONFIG = make_config()  # units cruises, hotels; attributes tier, age, balance, vip, last_purchase_at

# Six lines; a statement appended to it is on line 7.
HEAD = """policy global
channels email, sms, direct_mail
topics offers, newsletter
consent email requires opt_in
consent sms allowed unless opt_out
consent direct_mail allowed unless opt_out
"""
CRUISES = "policy business_unit cruises\n"

SPEC_CONFIG = make_config(business_units=("cruises", "hotels", "air"), attributes={
    "loyalty_tier": "text", "last_purchase_at": "timestamp", "lifecycle_stage": "text", "industry": "text",
    "employees": "integer", "country": "text", "cruises_taken": "integer"})


def run(files: dict[str, str], config=CONFIG):
    parsed = []
    for path, text in files.items():
        tree, syntax = parse_file(path, text)
        assert syntax == [], syntax
        parsed.append(tree)
    return resolve(parsed, config)


def with_global(extra: str = "", **units: str) -> dict[str, str]:
    files = {"global.policy": HEAD + extra}
    files.update({f"{unit}.policy": f"policy business_unit {unit}\n{text}" for unit, text in units.items()})
    return files


def findings(files, config=CONFIG):
    policy, diagnostics = run(files, config)
    assert policy is None
    return diagnostics


def only(files, config=CONFIG):
    """The one finding of `files`."""
    diagnostics = findings(files, config)
    assert len(diagnostics) == 1, diagnostics
    return diagnostics[0]


def policy_of(files, config=CONFIG) -> model.PolicySet:
    policy, diagnostics = run(files, config)
    assert diagnostics == []
    return policy


def rule(files, rule_id: str):
    return next(r for r in policy_of(files).rules if r.id == rule_id)


# --- every finding: code and exact location ----------------------------------------

CASES = {
    # statements in the wrong kind of file
    "channels in a unit": (with_global(cruises="channels push\n"), "PL200", "cruises.policy:2:1"),
    "topics in a unit": (with_global(cruises="topics promos\n"), "PL200", "cruises.policy:2:1"),
    "consent in a unit": (with_global(cruises="consent email requires opt_in\n"), "PL200", "cruises.policy:2:1"),
    "score in a unit": (with_global(cruises="score s {\n  +1 when true\n}\n"), "PL200", "cruises.policy:2:1"),
    "preferences in a unit": (with_global(cruises="honor preferences\n"), "PL200", "cruises.policy:2:1"),
    "campaign in global": (with_global("campaign c {\n  stage a: email day 0\n}\n"), "PL201", "global.policy:7:1"),
    # files and scopes
    "second global": ({"a.policy": HEAD, "b.policy": "policy global\n"}, "PL202", "b.policy:1:1"),
    "unit twice": ({"g.policy": HEAD, "c1.policy": CRUISES, "c2.policy": CRUISES}, "PL203", "c2.policy:1:22"),
    "unknown unit": ({"g.policy": HEAD, "c.policy": "policy business_unit cruise\n"}, "PL204", "c.policy:1:22"),
    "no global": ({"c.policy": CRUISES}, "PL205", "c.policy:1:1"),
    "no consent stance": ({"g.policy": "policy global\nchannels email, sms\nconsent email requires opt_in\n"},
                          "PL206", "g.policy:2:17"),
    # duplicate definitions
    "segment twice": (with_global("segment a: true\nsegment a: false\n"), "PL207", "global.policy:8:9"),
    "score twice": (with_global("score s {\n  +1 when true\n}\nscore s {\n  +2 when true\n}\n"),
                    "PL207", "global.policy:10:7"),
    "consent twice": (with_global("consent email allowed unless opt_out\n"), "PL207", "global.policy:7:9"),
    "channel listed twice": ({"g.policy": "policy global\nchannels email, email\nconsent email requires opt_in\n"},
                             "PL207", "g.policy:2:17"),
    "channel in two lists": ({"g.policy": "policy global\nchannels email\nchannels email\n"
                                          "consent email requires opt_in\n"}, "PL207", "g.policy:3:10"),
    "topic twice": (with_global("topics offers\n"), "PL207", "global.policy:7:8"),
    "unit reuses a global segment": (with_global('segment gold: tier = "gold"\n', cruises="segment gold: age > 3\n"),
                                     "PL207", "cruises.policy:2:9"),
    "campaign twice": (with_global(cruises="campaign c {\n  stage a: email day 0\n}\n"
                                           "campaign c {\n  stage a: email day 0\n}\n"), "PL207", "cruises.policy:5:10"),
    "stage twice": (with_global(cruises="campaign c {\n  stage a: email day 0\n  stage a: email day 2\n}\n"),
                    "PL207", "cruises.policy:4:9"),
    # rule ids
    "derived id twice": (with_global("gap email 1 day\ngap email 2 days\n"), "PL208", "global.policy:8:1"),
    "alias takes a derived id": (with_global("gap email 1 day\ncap sms 1 per 1 day as gap_email\n"),
                                 "PL208", "global.policy:8:24"),
    "flat and tiered cap": (with_global("cap email 3 per 7 days\ncap email per 1 week {\n  otherwise: 2\n}\n"),
                            "PL208", "global.policy:8:1"),
    # segment cycles
    "two-segment cycle": (with_global("segment a: b\nsegment b: a\n"), "PL209", "global.policy:7:9"),
    "self reference": (with_global("segment a: a or vip = true\n"), "PL209", "global.policy:7:9"),
    "cycle in a unit": (with_global(cruises="segment a: not b\nsegment b: a and age > 1\n"),
                        "PL209", "cruises.policy:2:9"),
    # unknown names
    "channel in a selector": (with_global("gap emial 1 day\n"), "PL210", "global.policy:7:5"),
    "channel in consent": ({"g.policy": "policy global\nchannels email\nconsent email requires opt_in\n"
                                        "consent emial requires opt_in\n"}, "PL210", "g.policy:4:9"),
    "channel in a score": (with_global("score s {\n  +5 per emial opened within 90 days\n}\n"),
                           "PL210", "global.policy:8:10"),
    "channel in a stage": (with_global(cruises="campaign c {\n  stage a: emial day 0\n}\n"),
                           "PL210", "cruises.policy:3:12"),
    "topic": (with_global("cap email topic newslettr 3 per 7 days\n"), "PL210", "global.policy:7:17"),
    "segment": (with_global("block email for gol\n"), "PL210", "global.policy:7:17"),
    "another unit's segment": (with_global(cruises="segment fans: age > 3\n", hotels="block email for fans\n"),
                               "PL210", "hotels.policy:2:17"),
    "score": (with_global("score fit {\n  +1 when true\n}\nsegment s: score fitt > 3\n"),
              "PL210", "global.policy:10:18"),
    "attribute": (with_global('segment s: teir = "gold"\n'), "PL210", "global.policy:7:12"),
    # scores built from scores
    "score compares a score": (with_global("score a {\n  +1 when true\n}\nscore b {\n  +1 when score a > 0\n}\n"),
                               "PL212", "global.policy:11:11"),
    "score uses a score through a segment": (
        with_global("segment low: score a < 1\nscore a {\n  +1 when true\n}\nscore b {\n  +1 when low\n}\n"),
        "PL212", "global.policy:12:11"),
    # types
    "text with a number": (with_global("segment s: tier = 3\n"), "PL300", "global.policy:7:19"),
    "ordering on text": (with_global('segment s: tier > "a"\n'), "PL300", "global.policy:7:12"),
    "ordering on a boolean": (with_global("segment s: vip < true\n"), "PL300", "global.policy:7:12"),
    "boolean with a string": (with_global('segment s: vip = "yes"\n'), "PL300", "global.policy:7:18"),
    "integer with a fraction": (with_global("segment s: age > 2.5\n"), "PL300", "global.policy:7:18"),
    "decimal list with a string": (with_global('segment s: balance in (1, "x")\n'), "PL300", "global.policy:7:27"),
    "boolean in a list": (with_global("segment s: vip in (true)\n"), "PL300", "global.policy:7:12"),
    "text with a boolean in a tier": (with_global("cap email per 7 days {\n  tier = true: 3\n}\n"),
                                      "PL300", "global.policy:8:10"),
    "timestamp compared": (with_global("segment s: last_purchase_at > 3\n"), "PL301", "global.policy:7:12"),
    "timestamp in a list": (with_global("segment s: last_purchase_at in (1)\n"), "PL301", "global.policy:7:12"),
    "days_since of text": (with_global("segment s: days_since(tier) > 3\n"), "PL302", "global.policy:7:23"),
    # values
    "empty gap": (with_global("gap email 0 days\n"), "PL303", "global.policy:7:11"),
    "empty cap window": (with_global("cap email 3 per 0 hours\n"), "PL303", "global.policy:7:17"),
    "empty score window": (with_global('score s {\n  +1 per event "x" within 0 days\n}\n'),
                           "PL303", "global.policy:8:27"),
    "spend precision": (with_global("cap direct_mail spend 1.00001 per 30 days\n"), "PL304", "global.policy:7:23"),
    "otherwise first": (with_global("cap email per 7 days {\n  otherwise: 3\n  vip = true: 5\n}\n"),
                        "PL305", "global.policy:8:3"),
}


@pytest.mark.parametrize("files, code, where", CASES.values(), ids=CASES.keys())
def test_finding_code_and_location(files, code, where):
    diagnostic = only(files)
    assert (diagnostic.code, diagnostic.span.where) == (code, where)
    message = diagnostic.message
    assert message[0].islower() or message[0] == "`"
    assert not message.endswith(".") and ";" in message  # says what is wrong; then what to do


def test_unknown_name_messages_suggest_the_closest():
    diagnostic = only(with_global("gap emial 1 day\n"))
    assert diagnostic.message == "unknown channel `emial`; use a channel declared with `channels` in the global file"
    assert diagnostic.help == "did you mean `email`?"
    assert only(with_global("cap email topic newslettr 3 per 7 days\n")).help == "did you mean `newsletter`?"
    assert only(with_global('segment s: teir = "gold"\n')).help == "did you mean `tier`?"
    assert only(with_global("segment gold: true\nblock email for gol\n")).help == "did you mean `gold`?"
    assert only(with_global("score fit {\n  +1 when true\n}\nsegment s: score fitt > 3\n")).help == \
        "did you mean `fit`?"
    assert only({"g.policy": HEAD, "c.policy": "policy business_unit cruise\n"}).help == "did you mean `cruises`?"


def test_an_attribute_used_as_a_segment_says_so():
    diagnostic = only(with_global("block email for vip\n"))
    assert (diagnostic.code, diagnostic.message) == \
        ("PL210", "unknown segment `vip`; use a segment defined in the global file")
    assert "`vip` is an attribute" in diagnostic.help


def test_every_use_of_an_unknown_name_is_reported():
    where = [d.span.where for d in findings(with_global("gap emial 1 day\nblock emial for true\n"))]
    assert where == ["global.policy:7:5", "global.policy:8:7"]


def test_duplicates_point_at_the_first_definition():
    diagnostic = only(with_global('segment gold: tier = "gold"\n', cruises="segment gold: age > 3\n"))
    assert [r.span.where for r in diagnostic.related] == ["global.policy:7:9"]
    assert diagnostic.message.startswith("segment `gold` is defined twice (first at global.policy:7:9)")
    diagnostic = only({"g.policy": HEAD, "c1.policy": CRUISES, "c2.policy": CRUISES})
    assert [r.span.where for r in diagnostic.related] == ["c1.policy:1:22"]
    diagnostic = only(with_global("segment a: true\nsegment a: false\n"))
    assert diagnostic.message.startswith("segment `a` is defined twice (first at line 7)")


def test_second_global_names_the_first():
    diagnostic = only({"a.policy": HEAD, "b.policy": "policy global\n"})
    assert "`a.policy`" in diagnostic.message
    assert [r.span.where for r in diagnostic.related] == ["a.policy:1:1"]


def test_duplicate_rule_id_asks_for_as():
    diagnostic = only(with_global("gap email 1 day\ngap email 2 days\n"))
    assert diagnostic.message == ("rule id `global.gap_email` is already used by the rule at line 7; "
                                  "name this rule with `as NAME`")
    assert [r.span.where for r in diagnostic.related] == ["global.policy:7:1"]


def test_cycle_is_named():
    assert only(with_global("segment a: b\nsegment b: c\nsegment c: a\n")).message.startswith(
        "segment cycle `a → b → c → a`;")
    assert only(with_global("segment a: a or vip = true\n")).message.startswith("segment cycle `a → a`;")


def test_missing_consent_message():
    diagnostic = only({"g.policy": "policy global\nchannels email, sms\nconsent email requires opt_in\n"})
    assert diagnostic.message == ("channel `sms` has no consent stance; add `consent sms requires opt_in` "
                                  "or `consent sms allowed unless opt_out`")


def test_type_messages():
    assert only(with_global("segment s: tier = 3\n")).message == \
        "`tier` is text and cannot be compared with `3`; compare it with a quoted string"
    assert only(with_global('segment s: tier > "a"\n')).message == \
        "`>` does not apply to text attribute `tier`; use `=`, `!=`, `in` or `not in`"
    assert only(with_global("segment s: last_purchase_at > 3\n")).message.startswith(
        "`last_purchase_at` is a timestamp; compare `days_since(last_purchase_at)`")


def test_same_rule_id_in_two_scopes_is_fine():
    policy = policy_of(with_global("gap email 1 day\n", cruises="gap email 2 days\n"))
    assert [r.id for r in policy.rules if isinstance(r, model.GapRule)] == ["global.gap_email", "cruises.gap_email"]


def test_a_unit_missing_from_the_config_is_still_checked():
    codes = [(d.code, d.span.where) for d in findings({"g.policy": HEAD, "f.policy": "policy business_unit ferries\n"
                                                                                     "gap emial 1 day\n"})]
    assert codes == [("PL204", "f.policy:1:22"), ("PL210", "f.policy:2:5")]


def test_preference_topics_must_be_declared():
    config = make_config(preference_topics=("offers", "promos"))
    diagnostic = only(with_global(), config)
    assert (diagnostic.code, diagnostic.message) == \
        ("PL210", "unknown topic `promos`; use a topic declared with `topics` in the global file")


# --- rule ids (docs/language.md, "Rule ids") ------------------------------------------

@pytest.mark.parametrize("statement, name", [
    ("cap marketing 6 per 7 days", "cap_marketing_7d"),
    ("cap marketing per 7 days {\n  vip = true: 5\n  otherwise: 3\n}", "cap_marketing_7d"),
    ("cap email topic newsletter 3 per 7 days", "cap_email_newsletter_7d"),
    ("stop email topic newsletter after 3 unopened", "stop_email_newsletter_unopened"),
    ("cap direct_mail spend 25.00 per 365 days", "spend_direct_mail_365d"),
    ("gap email 2 days", "gap_email"),
    ("block sms for vip = true", "block_sms"),
    ('cooldown marketing 30 days after event "complaint"', "cooldown_marketing"),
    ("stop email after 8 unopened", "stop_email_unopened"),
    ("stop marketing after conversion", "stop_marketing_conversion"),
    ("honor preferences", "preferences"),
    ("cap email 3 per 2 weeks", "cap_email_14d"),
    ("cap email 3 per 36 hours", "cap_email_36h"),
    ("cap email 3 per 48 hours", "cap_email_2d"),
    ("gap email 36 hours", "gap_email"),
    ("gap email 2 days as spacing", "spacing"),
    ("cap email per 7 days as weekly {\n  otherwise: 3\n}", "weekly"),
])
def test_rule_ids(statement, name):
    policy = policy_of(with_global(statement + "\n"))
    assert [r.id for r in policy.rules if not isinstance(r, model.ConsentRule)] == [f"global.{name}"]


def test_consent_ids():
    assert [r.id for r in policy_of(with_global()).rules] == \
        ["global.consent_email", "global.consent_sms", "global.consent_direct_mail"]


def test_unit_rules_are_scoped():
    policy = policy_of(with_global(cruises="cap email 2 per 7 days\n"))
    cap = policy.rules[-1]
    assert (cap.id, cap.scope, cap.is_global) == ("cruises.cap_email_7d", "cruises", False)


# --- the resolved model ------------------------------------------------------------------

def test_spec_example_resolves_clean_in_evaluation_order():
    policy = policy_of({"global.policy": SPEC_GLOBAL, "cruises.policy": SPEC_CRUISES}, SPEC_CONFIG)
    assert [r.id for r in policy.rules] == [
        "global.consent_email", "global.consent_sms", "global.consent_push", "global.consent_direct_mail",
        "global.no_cold_leads", "cruises.block_sms",
        "global.cooldown_marketing",
        "global.email_fatigue", "cruises.stop_after_booking",
        "global.gap_email",
        "global.weekly_pressure", "global.email_weekly", "global.mail_budget", "cruises.cap_email_7d",
        "cruises.cap_direct_mail_30d",
        "global.preferences",
    ]
    assert policy.channels == ("email", "sms", "push", "direct_mail")
    assert policy.topics == ("offers", "newsletter", "service")
    assert policy.business_units == ("cruises", "hotels", "air")
    assert set(policy.segments) == {"global.high_affinity", "global.dormant", "global.cold_lead",
                                    "cruises.past_cruiser"}
    assert list(policy.scores) == ["fit", "engagement"]
    assert policy.scores["engagement"].lines == (
        model.ScorePerTouch(5, "email", "opened", model.Window(90 * 24)),
        model.ScorePerTouch(10, "email", "clicked", model.Window(90 * 24)),
        model.ScorePerEvent(25, "webinar_attended", model.Window(180 * 24)),
    )
    assert policy.scores["fit"].lines[2] == model.ScoreWhen(-10, model.IsNull("country", False))
    (campaign,) = policy.campaigns
    assert (campaign.name, campaign.business_unit) == ("spring_sale", "cruises")
    assert [(s.name, s.channel, s.day) for s in campaign.stages] == \
        [("announce", "email", 0), ("reminder", "email", 3), ("last_call", "email", 9)]


def test_spec_example_rules_in_detail():
    policy = policy_of({"global.policy": SPEC_GLOBAL, "cruises.policy": SPEC_CRUISES}, SPEC_CONFIG)
    rules = {r.id: r for r in policy.rules}
    high_affinity = model.SegmentRef("global.high_affinity",
                                     model.InList("loyalty_tier", "text", ("gold", "platinum"), False))
    dormant = model.SegmentRef("global.dormant", model.DaysSince("last_purchase_at", ">", 365))
    weekly = rules["global.email_weekly"]
    assert (weekly.selector, weekly.window, weekly.is_tiered) == (model.Selector("email", None), model.Window(168), True)
    assert [(t.condition, t.limit) for t in weekly.tiers] == [(high_affinity, 5), (dormant, 1), (None, 3)]
    flat = rules["global.weekly_pressure"]
    assert ([(t.condition, t.limit) for t in flat.tiers], flat.is_tiered) == ([(None, 6)], False)
    assert rules["global.mail_budget"].amount == Decimal("25.00")
    assert rules["global.mail_budget"].window == model.Window(365 * 24)
    assert rules["global.no_cold_leads"].condition == model.SegmentRef("global.cold_lead", model.And((
        model.Compare("lifecycle_stage", "text", "=", "lead"), model.ScoreCompare("fit", "<", Decimal(40)))))
    assert rules["cruises.block_sms"].condition == model.Not(model.SegmentRef(
        "cruises.past_cruiser", model.Compare("cruises_taken", "integer", ">=", 1)))
    assert rules["global.email_fatigue"].count == 8
    assert rules["global.cooldown_marketing"].event_type == "complaint"
    assert rules["global.cooldown_marketing"].window == model.Window(30 * 24)
    assert rules["global.gap_email"].window == model.Window(48)
    assert rules["global.consent_email"].requires_opt_in and not rules["global.consent_push"].requires_opt_in


def test_segments_are_inlined_through_other_segments():
    policy = policy_of(with_global('segment gold: tier = "gold"\n', cruises="segment rich: gold and balance > 1000.5\n"
                                                                           "block email for not rich\n"))
    gold = model.SegmentRef("global.gold", model.Compare("tier", "text", "=", "gold"))
    rich = model.SegmentRef("cruises.rich", model.And((gold, model.Compare("balance", "decimal", ">", Decimal("1000.5")))))
    assert policy.rules[-1].condition == model.Not(rich)
    assert policy.segments["cruises.rich"] == model.Segment("cruises.rich", "cruises", "rich", rich.condition,
                                                            policy.segments["cruises.rich"].span)


def test_typed_literals():
    policy = policy_of(with_global("block email for age in (18, 21) or vip != false or balance < -1.5 "
                                   "or tier not in (\"a\") or last_purchase_at is not null\n"))
    assert policy.rules[-1].condition == model.Or((
        model.InList("age", "integer", (18, 21), False), model.Compare("vip", "boolean", "!=", False),
        model.Compare("balance", "decimal", "<", Decimal("-1.5")), model.InList("tier", "text", ("a",), True),
        model.IsNull("last_purchase_at", True)))


def test_evaluation_order_is_step_then_global_then_source_order():
    policy = policy_of(with_global("cap email 3 per 7 days\ngap sms 1 day\nblock email for false\n"
                                   "cap sms 2 per 1 day\n",
                                   cruises="cap email 1 per 1 day\nblock sms for true\n"))
    assert [r.id for r in policy.rules][3:] == [
        "global.block_email", "cruises.block_sms", "global.gap_sms",
        "global.cap_email_7d", "global.cap_sms_1d", "cruises.cap_email_1d"]


def test_config_passes_through():
    config = make_config(tables={**make_config().tables, "touches": "crm.touches"},
                         columns={"touches": {"sent_at": "sent_ts"}})
    policy = policy_of(with_global(), config)
    assert policy.table("touches") == "crm.touches" and policy.column("touches", "sent_at") == "sent_ts"
    assert policy.attributes == CONFIG.attributes and policy.business_units == ("cruises", "hotels")


def test_version_is_recorded():
    files = [parse_file("g.policy", HEAD)[0]]
    assert resolve(files, CONFIG, "abc123")[0].version == "abc123"
