"""Hypothesis strategies for table data: small `Dataset`s aimed at one policy set.

`datasets(policy)` draws a batch (1-4 customers with 1-5 candidates each, and
a few candidates of unknown or NULL customers) with the history it is decided
against, built to land on every boundary SPEC 5 draws:

- timestamps exactly at `T - W` (T the as-of time), a microsecond inside
  it, at `T`, and a microsecond and a day after `T`, for every window the
  policy uses (rules, score lines, preference rows) and every `days_since`
  threshold; timestamps
  are drawn from a small per-dataset pool, so ties are common;
- opened/clicked/converted stamps before and after `T`, NULL or not;
- NULLs in every nullable column; NULL priority; ties in priority;
- unknown customers, channels, units and topics, among them case variants of
  declared names (`Email`, `email `), which only an exact comparison keeps
  apart; transactional and invalid message classes;
- consent rows at every specificity (topic, brand) with tied `updated_at`, bad
  statuses and NULL dates; preference rows with NULL topic or channel,
  `max_count` 0 and bad values, now and then two equal ones; now and then two
  customers rows of one id; costs with 4 decimals that sum exactly to the
  policy's spend amounts, and negative ones;
- in a messy batch, now and then a repeated or NULL candidate id; touches of
  a class that is not exactly `transactional` (`MARKETING`, NULL, `promo`);
- attribute values on both sides of every literal the policy compares with.

Ids are integers, or (`text_ids=True`, drawn now and then when None) text with
mixed case and trailing spaces, which orders by code point (`"B" < "a"`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Iterator

from hypothesis import strategies as st

from policylang.dataset import Dataset
from policylang.model import (And, CapRule, Compare, Condition, CooldownRule, DaysSince, GapRule, InList, Not, Or,
                              PolicySet, ScorePerEvent, ScorePerTouch, ScoreWhen, SegmentRef, SpendCapRule)

from .config import AS_OF, EVENT_TYPES, TIERS

MICROSECOND, DAY = timedelta(microseconds=1), timedelta(days=1)
PREFERENCE_WINDOW_DAYS = (1, 2, 7, 30)
CENT = Decimal("0.0001")


@dataclass
class Facts:
    """What a policy set compares against, gathered once so data can sit on its edges."""

    window_hours: set[int] = field(default_factory=lambda: {d * 24 for d in PREFERENCE_WINDOW_DAYS})
    days: dict[str, set[int]] = field(default_factory=dict)  # timestamp attribute -> days_since thresholds
    literals: dict[str, set] = field(default_factory=dict)  # attribute -> values it is compared with
    event_types: set[str] = field(default_factory=lambda: set(EVENT_TYPES))
    amounts: set[Decimal] = field(default_factory=set)  # spend cap amounts


def _walk(condition: Condition | None) -> Iterator[Condition]:
    if condition is None:
        return
    yield condition
    if isinstance(condition, (And, Or)):
        for operand in condition.operands:
            yield from _walk(operand)
    elif isinstance(condition, Not):
        yield from _walk(condition.operand)
    elif isinstance(condition, SegmentRef):
        yield from _walk(condition.condition)


def _conditions(policy: PolicySet) -> Iterator[Condition]:
    roots = [s.condition for s in policy.segments.values()]
    roots += [line.condition for s in policy.scores.values() for line in s.lines if isinstance(line, ScoreWhen)]
    roots += [getattr(rule, "condition", None) for rule in policy.rules]
    roots += [tier.condition for rule in policy.rules if isinstance(rule, CapRule) for tier in rule.tiers]
    for root in roots:
        yield from _walk(root)


def facts(policy: PolicySet) -> Facts:
    found = Facts()
    for rule in policy.rules:
        if isinstance(rule, (CapRule, SpendCapRule, GapRule, CooldownRule)):
            found.window_hours.add(rule.window.hours)
        if isinstance(rule, CooldownRule):
            found.event_types.add(rule.event_type)
        if isinstance(rule, SpendCapRule):
            found.amounts.add(rule.amount)
    for line in (line for s in policy.scores.values() for line in s.lines):
        if isinstance(line, (ScorePerTouch, ScorePerEvent)):
            found.window_hours.add(line.window.hours)
        if isinstance(line, ScorePerEvent):
            found.event_types.add(line.event_type)
    for condition in _conditions(policy):
        if isinstance(condition, DaysSince):
            found.days.setdefault(condition.attr, set()).add(condition.value)
        elif isinstance(condition, Compare):
            found.literals.setdefault(condition.attr, set()).add(condition.value)
        elif isinstance(condition, InList):
            found.literals.setdefault(condition.attr, set()).update(condition.values)
    return found


# --- values ------------------------------------------------------------------

def _edges(t: datetime, hours: set[int]) -> list[datetime]:
    """Both sides of every window's start, and of the as-of time `t`."""
    starts = [t - timedelta(hours=h) for h in sorted(hours)]
    return [*starts, *(s + MICROSECOND for s in starts), t, t + MICROSECOND, t + DAY]


def instants(t: datetime, hours: set[int]) -> st.SearchStrategy[datetime]:
    """Window edges, or any time from 400 days before `t` to 2 days after it, mostly the last two weeks."""
    seconds = st.one_of(st.integers(-2 * 86400, 15 * 86400), st.integers(-2 * 86400, 400 * 86400))
    anywhere = st.builds(lambda s, us: t.replace(microsecond=0) - timedelta(seconds=s, microseconds=us),
                         seconds, st.sampled_from([0, 0, 1, 500000]))
    return st.one_of(st.sampled_from(_edges(t, hours)), anywhere)


def money(amounts: set[Decimal]) -> st.SearchStrategy[Decimal]:
    """Costs with 4 decimals, among them whole fractions of each spend amount and one step off it."""
    exact = {Decimal(0), CENT, Decimal("0.9999"), Decimal(1)}
    for amount in amounts:
        exact |= {amount, amount - CENT, (amount / 2).quantize(CENT), (amount / 4).quantize(CENT)}
    return st.one_of(st.sampled_from(sorted(v for v in exact if v >= 0)),
                     st.decimals(min_value=0, max_value=50, places=4))


def _around(kind: str, literals: set) -> list:
    """Attribute values equal to, and just either side of, each literal."""
    if kind == "text":
        return sorted({*TIERS, "", "Gold", *(v for v in literals if isinstance(v, str))})
    if kind == "boolean":
        return [True, False]
    step = CENT if kind == "decimal" else 1
    base = {Decimal(0) if kind == "decimal" else 0}
    for v in literals:
        if isinstance(v, (int, Decimal)) and not isinstance(v, bool):
            base |= {v - step, v, v + step}
    return sorted(int(v) if kind == "integer" else Decimal(v) for v in base)


def attribute_values(t: datetime, kind: str, literals: set, days: set[int], stamps) -> st.SearchStrategy:
    if kind == "timestamp":
        edges = sorted({t - d * DAY + delta for d in days for delta in (-MICROSECOND, timedelta(0), MICROSECOND)})
        values = st.one_of(st.sampled_from(edges), stamps) if edges else stamps
    else:
        values = st.sampled_from(_around(kind, literals))
    return st.one_of(st.none(), values)


def _lookalikes(names) -> list[str]:
    """A declared name in other case (`Email`) and with a trailing space (`email `): both unknown, since
    names are compared exactly (MariaDB's default collation ignores case and trailing spaces)."""
    return [v for n in sorted(names)[:1] for v in (n[0].upper() + n[1:], n + " ")]


def _weighted(common: list, rare: list) -> st.SearchStrategy:
    """One of `common`, or about one time in ten one of `rare` (unknown and NULL values)."""
    if not rare:
        return st.sampled_from(common)
    return st.sampled_from(common * -(-9 * len(rare) // max(len(common), 1)) + rare)


def _message_fields(policy: PolicySet, known: list, unknown: list, campaigns: list, messy: bool) -> dict:
    """Strategies for the columns touches and candidates share; unknown and NULL values only when `messy`."""
    def pick(common: list, rare: list) -> st.SearchStrategy:
        return _weighted(common, rare if messy else [])

    return dict(
        customer_id=pick(known, [*unknown, None]),
        channel=pick(list(policy.channels), ["fax", None, *_lookalikes(policy.channels)]),
        business_unit=pick(list(policy.business_units), ["air", None, *_lookalikes(policy.business_units)]),
        topic=pick([None, *policy.topics], ["misc", *_lookalikes(policy.topics)]),
        campaign_id=st.sampled_from([None, *campaigns]),
        message_class=pick(["marketing"] * 3 + ["transactional"], ["promo", None]))


# --- the dataset -------------------------------------------------------------

def _rows(draw, columns: dict[str, st.SearchStrategy], most: int) -> list[dict]:
    """0 to `most` rows (any count equally likely, where Hypothesis lists favour short ones)."""
    count = draw(st.integers(0, most))
    return draw(st.lists(st.fixed_dictionaries(columns), min_size=count, max_size=count))


def _id_pools(draw, text_ids: bool):
    if text_ids:
        customers = ["c1", "C1", "ab", "Ab", "ab ", "x'y", "ü"]
        candidates = st.text(alphabet="aAbBz9é ", min_size=1, max_size=3)
        campaigns = ["spring", "Spring", "fall"]
    else:
        customers = list(range(1, 8))
        candidates = st.integers(1, 60)
        campaigns = [1, 2, 3]
    known = draw(st.lists(st.sampled_from(customers), min_size=1, max_size=4, unique=True))
    unknown = [c for c in customers if c not in known][:1]
    return known, unknown, candidates, campaigns


@st.composite
def datasets(draw, policy: PolicySet, text_ids: bool | None = None, as_of: datetime = AS_OF) -> Dataset:
    """A dataset for `policy` decided at `as_of`; ids are text when `text_ids` (drawn when None)."""
    if text_ids is None:
        text_ids = draw(st.sampled_from([False, False, False, True]))
    found = facts(policy)
    known, unknown, candidate_ids, campaigns = _id_pools(draw, text_ids)
    pool = draw(st.lists(instants(as_of, found.window_hours), min_size=1, max_size=5))
    stamp = st.one_of(st.sampled_from(pool), instants(as_of, found.window_hours))
    maybe_stamp = st.one_of(st.none(), stamp)
    costs = st.one_of(st.none(), money(found.amounts))
    messy_costs = _weighted([None, *sorted(found.amounts | {CENT, Decimal(1)})], [-CENT, Decimal("-5")]) | costs

    history = _message_fields(policy, known, unknown, campaigns, messy=True)
    customer = history["customer_id"]
    messy = draw(st.sampled_from([False, False, True]))  # a clean batch names known customers, channels...

    def customer_row(cid) -> dict:
        return dict(customer_id=cid, **{
            attr: draw(attribute_values(as_of, kind, found.literals.get(attr, set()), found.days.get(attr, set()),
                                        stamp)) for attr, kind in policy.attributes.items()})

    customers = [customer_row(cid) for cid in known]
    if messy and draw(st.booleans()):
        customers.append(customer_row(known[0]))  # two rows for one customer_id: ambiguous

    history["message_class"] = _weighted(["marketing"] * 3 + ["transactional"], ["promo", None, "MARKETING"])
    touches = _rows(draw, dict(**history, sent_at=st.one_of(st.none(), *[stamp] * 9), cost=messy_costs,
                               opened_at=maybe_stamp, clicked_at=maybe_stamp, converted_at=maybe_stamp), 16)
    consents = _rows(draw, dict(
        customer_id=customer, channel=_weighted(list(policy.channels), [None]),
        topic=_weighted([None, *policy.topics], _lookalikes(policy.topics)),
        brand=_weighted([None, *policy.business_units], ["air", *_lookalikes(policy.business_units)]),
        status=_weighted(["opt_in", "opt_in", "opt_out"], ["pending", None]), updated_at=maybe_stamp), 10)
    preferences = _rows(draw, dict(
        customer_id=customer, channel=_weighted(list(policy.channels), [None]),
        topic=st.sampled_from([None, *policy.topics]),
        max_count=st.sampled_from([0, 1, 2, 3, None, -1]),
        window_days=st.sampled_from([*PREFERENCE_WINDOW_DAYS, 0, None, -1])), 6)
    if preferences and draw(st.booleans()):
        preferences.append(dict(draw(st.sampled_from(preferences))))  # equal rows are one cap
    events = _rows(draw, dict(
        customer_id=customer, event_type=_weighted(sorted(found.event_types), ["other", "Complaint"]),
        occurred_at=maybe_stamp), 5)

    batch_customers = [cid for cid in known for _ in range(draw(st.integers(1, 5)))]
    if messy:
        batch_customers += draw(st.lists(st.sampled_from([*unknown, None]), max_size=2))
    ids = draw(st.lists(candidate_ids, min_size=len(batch_customers), max_size=len(batch_customers), unique=True))
    if messy and len(ids) > 1 and draw(st.booleans()):  # a repeated or NULL id: every marketing copy fails closed
        ids[draw(st.integers(1, len(ids) - 1))] = draw(st.sampled_from([None, ids[0]]))
    batch = {**_message_fields(policy, known, unknown, campaigns, messy),
             "priority": _weighted([1, 2, 0, -1], [None] if messy else []), "cost": messy_costs if messy else costs}
    del batch["customer_id"]
    candidates = [dict(candidate_id=cid, customer_id=owner, **draw(st.fixed_dictionaries(batch)))
                  for cid, owner in zip(ids, draw(st.permutations(batch_customers)))]
    return Dataset(customers=customers, touches=touches, consents=consents, preferences=preferences,
                   events=events, candidates=candidates)
