"""Properties of `policylang.diff.compare` over generated policies (`strategies.policies`).

- a policy compared with itself (parsed twice) has no change;
- a change that only tightens (a lower cap or spend amount, a longer window,
  a lower stop count, a stricter consent stance, an added block) is never
  reported as loosening, and each of its counter-examples holds;
- after any edit, tightening or loosening (the above, their reverse, a rule
  removed), every counter-example the diff claims is re-decided here by the
  reference interpreter (`diff_support.recheck`) as it claims.

Example counts are bounded (`scaled_settings`): CI stays fast.
"""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, strategies as st

from conftest import scaled_settings
from diff_support import recheck
from policylang.diff.compare import compare
from policylang.model import (BlockRule, CapRule, ConsentRule, CooldownRule, GapRule, IsNull, Selector, SpendCapRule,
                              StopUnopenedRule, Window)
from policylang.project import load_texts
from strategies.config import make_config
from strategies.policies import policy_sets

EXAMPLES = 25


def load(texts: dict[str, str]):
    return load_texts(texts, make_config()).policy


def _tightened(rule, step: int):
    """`rule` made stricter by `step` (>= 1), or None when its kind has no stricter form here."""
    match rule:
        case CapRule(tiers=tiers):
            return replace(rule, tiers=tuple(replace(t, limit=max(0, t.limit - step)) for t in tiers))
        case SpendCapRule(amount=amount):
            return replace(rule, amount=max(Decimal(0), amount - step))
        case GapRule(window=w) | CooldownRule(window=w):
            return replace(rule, window=Window(w.hours + 24 * step))
        case StopUnopenedRule(count=count):
            return replace(rule, count=max(0, count - step))
        case ConsentRule():
            return replace(rule, requires_opt_in=True)
    return None


def _loosened(rule, step: int):
    match rule:
        case CapRule(tiers=tiers):
            return replace(rule, tiers=tuple(replace(t, limit=t.limit + step) for t in tiers))
        case SpendCapRule(amount=amount):
            return replace(rule, amount=amount + step)
        case GapRule(window=w) | CooldownRule(window=w) if w.hours > step:
            return replace(rule, window=Window(w.hours - step))
        case StopUnopenedRule(count=count):
            return replace(rule, count=count + step)
        case ConsentRule():
            return replace(rule, requires_opt_in=False)
    return None


@st.composite
def edited(draw, tighten_only: bool):
    """(base policy, head policy): a generated policy and an edit of some of its rules."""
    base = load(draw(policy_sets()))
    rules = list(base.rules)
    edits = ("tighten",) if tighten_only else ("tighten", "loosen", "remove")
    for index in draw(st.lists(st.integers(0, max(0, len(rules) - 1)), max_size=3, unique=True)):
        if not rules or index >= len(rules):
            break
        kind, step = draw(st.sampled_from(edits)), draw(st.integers(1, 3))
        if kind == "remove":
            rules[index] = None
            continue
        changed = (_tightened if kind == "tighten" else _loosened)(rules[index], step)
        rules[index] = changed or rules[index]
    if draw(st.booleans()):
        channel = draw(st.sampled_from(base.channels))
        rules.append(BlockRule("global.added_block", "global", 10_000, base.rules[0].span if base.rules else None,
                               Selector(channel, None), IsNull("tier", negated=False)))
    # the added block goes last: the order of the rules names the rule that suppresses, never the decision
    return base, replace(base, rules=tuple(r for r in rules if r is not None))


@scaled_settings(EXAMPLES)
@given(policy_sets())
def test_a_policy_has_no_change_from_itself(texts):
    report = compare(load(texts), load(texts), "base", "head")
    assert report.changes == [] and report.renamed == [] and not report.may_loosen


@scaled_settings(EXAMPLES)
@given(edited(tighten_only=True))
def test_a_change_that_only_tightens_is_never_a_loosening(policies):
    base, head = policies
    report = compare(base, head, "base", "head")
    for change in report.changes:
        assert change.loosening is None and change.effect != "loosens", change.label
        if change.tightening:
            recheck(change, base, head)


@scaled_settings(EXAMPLES)
@given(edited(tighten_only=False))
def test_every_counter_example_is_decided_as_claimed(policies):
    base, head = policies
    for change in compare(base, head, "base", "head").changes:
        if change.loosening or change.tightening:
            recheck(change, base, head)
        else:
            assert change.effect == "not decided" and change.reason
