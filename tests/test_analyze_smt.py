"""The z3 encoding of conditions (docs/language.md, "NULL and two-valued logic"): two-valued logic
with NULL, whole days, exact decimals, bounded scores; counter-examples decoded as attribute values."""
from decimal import Decimal

import pytest
from reference_support import policy

from policylang.analyze.smt import Space

SCORES = """score fit {
  +20 when tier = "gold"
  +15 when age >= 100
  -10 when balance is null
}
score engagement {
  +5 per email opened within 30 days
  -5 per email opened within 90 days
}"""


def space_with(**segments: str):
    """A Space over a policy whose global segments are `segments` (name: condition text)."""
    lines = "\n".join(f"segment {name}: {text}" for name, text in segments.items())
    policy_set = policy(lines, scores=SCORES)
    space = Space(policy_set)
    return space, {name: space.formula(policy_set.segments[f"global.{name}"].condition) for name in segments}


@pytest.mark.parametrize("condition, possible", [
    ('not (tier = "gold") and not (tier != "gold")', True),  # a NULL tier: both comparisons are false
    ('tier = "gold" and tier = "silver"', False),
    ('tier in ("gold", "silver") and tier not in ("gold")', True),
    ("tier not in (\"gold\") and tier is null", False),  # `not in` is false for NULL
    ("days_since(last_purchase_at) > 30 and days_since(last_purchase_at) < 31", False),  # whole days
    ("days_since(last_purchase_at) >= 30 and days_since(last_purchase_at) <= 30", True),
    ("days_since(last_purchase_at) < 0", True),  # a timestamp after T
    ("days_since(last_purchase_at) > 3 or days_since(last_purchase_at) <= 3", True),
    ("not (days_since(last_purchase_at) > 3 or days_since(last_purchase_at) <= 3)", True),  # NULL
    ("balance > 1.5 and balance < 1.5001", True),  # exact decimals
    ("balance >= 1.5 and balance < 1.5 ", False),
    ("age > 2 and age < 3", False),  # integers have no value between
    ("score fit > 34.5 and score fit < 35", False),  # scores are whole sums
    ("vip = true and vip != true", False),
    ("vip != true and vip != false", False),  # only NULL, for which both are false
    ("score fit > 35", False),  # 20 + 15 at most
    ("score fit >= 35", True),
    ("score fit < -10", False),
    ("score engagement > 0", False),  # a 90-day window counts every open a 30-day one does
    ("score engagement < -100", True),
])
def test_satisfiability(condition, possible):
    space, formulas = space_with(c=condition)
    assert (not space.impossible(formulas["c"])) == possible
    assert (space.example(formulas["c"]) is not None) == possible


def test_a_null_attribute_is_shown_as_none():
    space, f = space_with(c='not (tier = "gold") and not (tier != "gold")')
    assert space.example(f["c"]) == {"tier": None}


def test_a_text_no_condition_mentions_is_made_up_distinct_from_the_literals():
    space, f = space_with(c='tier != "gold" and tier != "other"')
    value = space.example(f["c"])["tier"]
    assert value not in ("gold", "other", None)


def test_decimal_and_timestamp_values_are_exact():
    space, f = space_with(c="balance > 1.5 and balance < 1.5001 and days_since(last_purchase_at) = 400")
    example = space.example(f["c"])
    assert Decimal("1.5") < example["balance"] < Decimal("1.5001")
    assert example["days_since(last_purchase_at)"] == 400


def test_score_counts_are_shown_and_consistent():
    space, f = space_with(c="score engagement = -10")
    example = space.example(f["c"])
    short, long = (example.get(f"email opened within {n} days", 0) for n in (30, 90))  # a count not shown is 0
    assert 0 <= short <= long and 5 * short - 5 * long == -10


def test_conflict_names_the_parts_that_cannot_hold_together():
    space, f = space_with(gold='tier = "gold"', silver='tier = "silver"', old="age > 60")
    parts = [("gold", f["gold"]), ("old", f["old"]), ("silver", f["silver"])]
    assert sorted(space.conflict(space.z3.BoolVal(True), parts)) == ["gold", "silver"]
    assert space.conflict(space.z3.BoolVal(True), parts[:2]) is None


def test_first_match_regions_exclude_earlier_branches():
    space, f = space_with(gold='tier = "gold"', any_tier="tier is not null")
    gold_region, rest_region = space.first_match([space.policy.segments["global.gold"].condition,
                                                  space.policy.segments["global.any_tier"].condition])
    assert space.example(rest_region)["tier"] not in ("gold", None)
    assert space.impossible(rest_region, f["gold"])


def test_a_witness_shows_the_attributes_its_values_were_read_for():
    """Formulas that hold for everyone leave `age` out of z3's model; the term's value is then
    read with a completed model, and the customer shown must be that completed one."""
    space, f = space_with(young="age < 30")
    z3 = space.z3
    customer, (value,) = space.witness([z3.Or(f["young"], z3.Not(f["young"]))], [z3.If(f["young"], 0, 1)])
    assert "age" in customer
    young = customer["age"] is not None and customer["age"] < 30
    assert value == (0 if young else 1)
