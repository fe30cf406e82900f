"""Concrete customers to try on a changed rule: attributes, a history and one candidate.

A scenario is one customer (the attributes a condition can tell apart), a
history (touches, events, consent and preference rows) and one marketing
candidate, all at the fixed instant `AS_OF`. They are built from what the two
versions of a rule look at, so that every threshold is met on both sides of
it:

- attributes: for each attribute the conditions mention, the values that
  stand for all others (`policylang.analyze.finite.candidates`: NULL, each
  literal, its neighbours, the points between, a text no condition names),
  every combination of them (a fixed sample past `MOST_ATTRIBUTE_SETS`), kept
  one per distinct verdict of the rules' conditions (which block holds, which
  tier gives the limit), so a tier re-cut is judged per customer;
- history: k touches matching the candidate, for k around every cap limit and
  stop count, sent just inside and just outside every window; touches that
  were opened, clicked and converted (also, 1 to 20 of them, on each channel
  a score counts); costs at, between and beyond every
  spend amount; events of every cooldown's and score's event type; a
  preferences row of 0 per week; consent rows (none, opt-in, opt-out);
- candidate: each channel (every one for a `marketing` selector), topic (and
  no topic) and business unit the rules' selectors and scopes name, known to
  both sides.

The family is finite and small, not every possible history: a pair it cannot
separate is reported as not decided, never guessed (docs/diff.md).
"""
from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Iterator

from ..compilers.reference.conditions import holds
from ..compilers.reference.customer import Customer

from ..analyze.finite import candidates as standing_values
from ..dataset import Dataset
from ..model import (And, BlockRule, CapRule, Compare, ConsentRule, CooldownRule, DaysSince, GapRule, InList, IsNull,
                     Not, Or, PolicySet, PreferencesRule, Rule, ScoreCompare, ScorePerEvent, ScorePerTouch,
                     ScoreWhen, SegmentRef, SpendCapRule, StopConversionRule, StopUnopenedRule)

AS_OF = datetime(2025, 1, 1, 12, 0)
CUSTOMER = "customer_1"
CAMPAIGN = "campaign_1"
OTHER_TEXT = "(a text no condition names)"
MOST_ATTRIBUTE_SETS = 4096
MOST_TOUCHES = 200
SCORE_COUNTS = (1, 2, 3, 5, 10, 20)  # touches of a channel a score counts, when the candidate's is another


@dataclass(frozen=True)
class Scenario:
    """One customer, their history and one candidate; `attributes` leaves out the NULL ones."""

    attributes: dict = field(hash=False)
    candidate: dict = field(hash=False)
    touches: tuple = ()
    events: tuple = ()
    consents: tuple = ()
    preferences: tuple = ()

    def dataset(self) -> Dataset:
        return Dataset(customers=[{"customer_id": CUSTOMER, **self.attributes}],
                       touches=[dict(t) for t in self.touches], consents=[dict(c) for c in self.consents],
                       preferences=[dict(p) for p in self.preferences], events=[dict(e) for e in self.events],
                       candidates=[dict(self.candidate)])


def ago(hours: int) -> datetime | None:
    """The instant `hours` before `AS_OF` (None when before year 1)."""
    try:
        return AS_OF - timedelta(hours=hours)
    except OverflowError:
        return None


# --- what the rules look at ----------------------------------------------------

@dataclass
class Looks:
    """Everything two versions of a rule (and the scores they use) look at."""

    literals: dict = field(default_factory=dict)  # attribute -> literals compared with it
    windows: set = field(default_factory=set)  # hours
    counts: set = field(default_factory=set)  # cap limits and stop counts
    amounts: set = field(default_factory=set)  # spend amounts
    event_types: set = field(default_factory=set)
    consent: bool = False
    preferences: bool = False
    stamped: bool = False  # opened, clicked or converted touches matter
    score_channels: set = field(default_factory=set)  # channels whose touches a score counts


def looks(rules: list[Rule], policies: list[PolicySet]) -> Looks:
    found = Looks()
    for rule in rules:
        match rule:
            case ConsentRule():
                found.consent = True
            case PreferencesRule():
                found.preferences = True
            case BlockRule(condition=condition):
                _condition(condition, policies, found)
            case CapRule(window=window, tiers=tiers):
                found.windows.add(window.hours)
                found.counts.update(t.limit for t in tiers)
                for tier in tiers:
                    if tier.condition is not None:
                        _condition(tier.condition, policies, found)
            case SpendCapRule(window=window, amount=amount):
                found.windows.add(window.hours)
                found.amounts.add(amount)
            case GapRule(window=window):
                found.windows.add(window.hours)
            case CooldownRule(window=window, event_type=event_type):
                found.windows.add(window.hours)
                found.event_types.add(event_type)
            case StopUnopenedRule(count=count):
                found.counts.add(count)
                found.stamped = True
            case StopConversionRule():
                found.stamped = True
    return found


def _condition(condition, policies: list[PolicySet], found: Looks) -> None:
    match condition:
        case Compare(attr, _, _, value):
            found.literals.setdefault(attr, set()).add(value)
        case InList(attr, _, values, _):
            found.literals.setdefault(attr, set()).update(values)
        case IsNull(attr, _):
            found.literals.setdefault(attr, set())
        case DaysSince(attr, _, value):
            found.literals.setdefault(attr, set()).add(value)
        case SegmentRef(_, inner) | Not(inner):
            _condition(inner, policies, found)
        case And(operands) | Or(operands):
            for operand in operands:
                _condition(operand, policies, found)
        case ScoreCompare(name, _, _):
            for policy in policies:
                for line in policy.scores[name].lines if name in policy.scores else ():
                    _score_line(line, policies, found)


def _score_line(line, policies: list[PolicySet], found: Looks) -> None:
    match line:
        case ScoreWhen(condition=condition):
            _condition(condition, policies, found)
        case ScorePerTouch(window=window, channel=channel):
            found.windows.add(window.hours)
            found.stamped = True
            found.score_channels.add(channel)
        case ScorePerEvent(event_type=event_type, window=window):
            found.windows.add(window.hours)
            found.event_types.add(event_type)


# --- attributes ----------------------------------------------------------------

def _values(kind: str, literals: set) -> list:
    """The values of an attribute that stand for all of them (NULL first)."""
    if kind == "text":
        return [None, *sorted(literals), OTHER_TEXT]
    if kind == "boolean":
        return [None, False, True]
    if kind == "timestamp":  # literals are `days_since` counts: a moment an hour into each day
        return [None, *(ago(24 * days + 1) for days in standing_values("integer", literals))]
    if kind == "decimal":
        return [None, *standing_values("decimal", {Decimal(v) for v in literals})]
    return [None, *standing_values("integer", literals)]


def attribute_sets(found: Looks, sides: list[tuple[Rule | None, PolicySet]]) -> list[dict]:
    """Customers' attributes, one per distinct verdict of the rules' conditions on either side."""
    kinds = {}
    for _, policy in sides:
        kinds.update({a: k for a, k in policy.attributes.items() if a in found.literals})
    names = sorted(kinds)
    choices = [_values(kinds[a], found.literals[a]) for a in names]
    combos = itertools.product(*choices)
    total = 1
    for c in choices:
        total *= len(c)
    if total > MOST_ATTRIBUTE_SETS:  # a fixed sample, the all-NULL customer first
        rng = random.Random(0)
        combos = itertools.chain([tuple(None for _ in names)],
                                 (tuple(rng.choice(c) for c in choices) for _ in range(MOST_ATTRIBUTE_SETS)))
    kept: dict = {}
    for combo in combos:
        attributes = {a: v for a, v in zip(names, combo) if v is not None}
        kept.setdefault(_verdicts(attributes, sides), attributes)
    return list(kept.values()) or [{}]


def _verdicts(attributes: dict, sides: list[tuple[Rule | None, PolicySet]]) -> tuple:
    """Which block holds and which tier applies, for each rule on its own side."""
    verdicts = []
    for rule, policy in sides:
        customer = Customer(CUSTOMER, {"customer_id": CUSTOMER, **attributes}, AS_OF, policy)
        if isinstance(rule, BlockRule):
            verdicts.append(holds(rule.condition, customer))
        elif isinstance(rule, CapRule):
            verdicts.append(next((i for i, t in enumerate(rule.tiers)
                                  if t.condition is None or holds(t.condition, customer)), None))
    return tuple(verdicts)


# --- candidates and histories --------------------------------------------------

def shapes(rules: list[Rule], base: PolicySet, head: PolicySet) -> list[tuple]:
    """(channel, topic, business unit) of the candidates to try: those the rules name, known to both sides."""
    channels = [c for c in head.channels if c in base.channels]
    topics = [t for t in head.topics if t in base.topics]
    units = [u for u in head.business_units if u in base.business_units]
    named_channels = {getattr(r, "channel", None) or getattr(getattr(r, "selector", None), "channel", None)
                      for r in rules} - {None}
    named_topics = {getattr(getattr(r, "selector", None), "topic", None) for r in rules} - {None}
    named_units = {r.scope for r in rules if not r.is_global}
    every_channel = any(isinstance(r, PreferencesRule) or getattr(getattr(r, "selector", None), "channel", 0) is None
                        for r in rules)  # `marketing`: any channel may be the one the rest of the policy lets through
    pick = channels if every_channel else [c for c in channels if c in named_channels] or channels[:1]
    topic_choices = [None, *(t for t in topics if t in named_topics)]
    unit_choices = [u for u in units if u in named_units] or units[:1]
    return list(itertools.product(pick, topic_choices, unit_choices))


def _touch(shape: tuple, hours: int, cost=None, stamped: bool = False) -> dict | None:
    sent = ago(hours)
    if sent is None:
        return None
    channel, topic, unit = shape
    moment = sent if stamped else None
    return {"customer_id": CUSTOMER, "channel": channel, "business_unit": unit, "campaign_id": CAMPAIGN,
            "topic": topic, "message_class": "marketing", "sent_at": sent, "cost": cost,
            "opened_at": moment, "clicked_at": moment, "converted_at": moment}


def _offsets(found: Looks) -> list[int]:
    """Hours before `AS_OF`: just inside and just outside every window, and an hour ago."""
    return sorted({1} | {h - 1 for h in found.windows if h > 1} | set(found.windows) | {h + 1 for h in found.windows})


def histories(found: Looks, shape: tuple) -> Iterator[tuple[tuple, tuple, tuple, object]]:
    """(touches, events, preferences, candidate cost) around every threshold the rules have."""
    yield (), (), (), None
    offsets = _offsets(found)
    counts = sorted({1} | {n + d for n in found.counts for d in (-1, 0, 1) if 0 < n + d <= MOST_TOUCHES})
    for stamped in (False, True) if found.stamped else (False,):
        for n in counts:
            for hours in offsets:
                touch = _touch(shape, hours, stamped=stamped)
                if touch is not None:
                    yield (touch,) * n, (), (), None
    for channel in sorted(found.score_channels - {shape[0]}):  # what a score counts, on another channel
        for n in SCORE_COUNTS:
            for hours in offsets:
                touch = _touch((channel, None, shape[2]), hours, stamped=True)
                if touch is not None:
                    yield (touch,) * n, (), (), None
    if found.amounts:
        amounts = sorted(found.amounts)
        totals = sorted({Decimal(0), *amounts, *((a + b) / 2 for a, b in zip(amounts, amounts[1:])),
                         amounts[-1] + 1})
        for total in totals:
            yield (), (), (), total
            for hours in offsets:
                touch = _touch(shape, hours, cost=total)
                if touch is not None:
                    yield (touch,), (), (), Decimal(0)
    for event_type in sorted(found.event_types):
        for hours in offsets:
            moment = ago(hours)
            if moment is not None:
                event = {"customer_id": CUSTOMER, "event_type": event_type, "occurred_at": moment}
                for n in (1, 3):
                    yield (), (event,) * n, (), None
    if found.preferences:
        row = {"customer_id": CUSTOMER, "channel": shape[0], "topic": None, "max_count": 0, "window_days": 7}
        yield (), (), (row,), None
        yield (_touch(shape, 1),), (), (dict(row, max_count=1),), None


def consents(found: Looks, channel: str) -> list[tuple]:
    """Consent rows to try: none, an opt-in, an opt-out when consent changed; else an opt-in, so that the
    whole policy may send."""
    row = {"customer_id": CUSTOMER, "channel": channel, "topic": None, "brand": None, "status": "opt_in",
           "updated_at": ago(24)}
    if found.consent:
        return [(), (row,), (dict(row, status="opt_out"),)]
    return [(row,)]


def scenarios(rules: list[Rule], sides: list[tuple[Rule | None, PolicySet]], base: PolicySet,
              head: PolicySet) -> Iterator[Scenario]:
    """Every scenario for two versions of a rule (`sides`: each version with its policy)."""
    found = looks(rules, [base, head])
    people = attribute_sets(found, sides)
    for shape in shapes(rules, base, head):
        channel, topic, unit = shape
        for touches, events, preferences, cost in histories(found, shape):
            candidate = {"candidate_id": "candidate_1", "customer_id": CUSTOMER, "channel": channel,
                         "business_unit": unit, "campaign_id": CAMPAIGN, "topic": topic,
                         "message_class": "marketing", "priority": 0, "cost": cost}
            for attributes in people:
                for rows in consents(found, channel):
                    yield Scenario(attributes, candidate, touches, events, rows, preferences)
