"""The compiled SQL decides exactly as the reference interpreter, on every engine (SPEC 5, 9).

Hypothesis draws a policy set and a dataset aimed at that policy's edges
(`strategies.data`) and each engine must return the interpreter's decisions
row for row. Policy sets are drawn (`strategies.policies.policy_sets`) or taken
from three written by hand that cover every rule kind, condition form and
score line between them: `rules` (every rule kind, global and business-unit),
`counts` (caps, spend caps and gaps that the batch itself fills), `history`
(stops and cool-downs, unmasked by consent) and `conditions` (every condition
form, tiers, scores of every measure).
"""
from __future__ import annotations

from functools import cache

from hypothesis import given
from hypothesis import strategies as st

from conftest import assert_matches_reference
from policylang.model import PolicySet
from policylang.project import load_texts
from strategies.config import AS_OF, make_config
from strategies.data import datasets
from strategies.policies import policy_sets

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


@st.composite
def cases(draw) -> tuple[dict[str, str], object]:
    texts = draw(st.one_of(st.sampled_from([POLICIES[name] for name in sorted(POLICIES)]), policy_sets()))
    return texts, draw(datasets(build(tuple(sorted(texts.items())))))


def test_engine_decides_as_the_reference_interpreter(engine, engine_settings):
    @engine_settings
    @given(cases())
    def check(case):
        texts, data = case
        assert_matches_reference(engine, build(tuple(sorted(texts.items()))), data, AS_OF)

    check()
