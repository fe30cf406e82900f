"""Hypothesis strategies for table data: small `Dataset`s aimed at one policy set.

`datasets(policy)` draws a batch (1-4 customers with 1-5 candidates each) and
the history it is decided against, built *around the policy and the batch*
(docs/testing.md lists the classes drawn and how often each is reached):

- timestamps at every window's edges, `T - W - 1µs`, `T - W` and
  `T - W + 1µs`, and at `T`, `T + 1µs` and a day after `T`, for every window
  the policy uses (rules, score lines, preference rows) and every
  `days_since` threshold; drawn from a small per-dataset pool, so equal
  stamps are common;
- history that matches the batch: most touches, consent rows, preference rows
  and events copy a candidate's customer, channel, unit, topic and campaign,
  so they count against its rules; a customer's candidates share a channel
  and unit more often than not, competing for one cap, gap and spend budget;
  priorities tie often;
- consent rows that conflict in topic and brand (a topic row beside a brand
  row), in time (an opt-out at or after an opt-in) and in status at one
  instant (a full tie); undated rows, unknown statuses;
- exact duplicate rows in every table (for customers and candidates, where a
  duplicate is a data fault, only in a messy batch);
- NULLs in every nullable column; integer or text ids (mixed case, trailing
  spaces, code-point order);
- costs with 4 decimals that sum exactly to the policy's spend amounts, and
  negative ones in history; attribute values on both sides of every literal
  the policy compares with.

Candidates no rule looks at (transactional ones) and ones a built-in check
fails (unknown customer, channel, topic or unit; a NULL or repeated id; NULL
priority; a bad class; a negative cost) are kept to a few per cent: about one
candidate in forty is transactional, and only a *messy* batch (`messy=True`,
or about one draw in 40 when None) has built-in faults, one or two of them.
The built-ins have their own tests (tests/test_fail_closed.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Iterator

from hypothesis import strategies as st

from policylang.compilers.reference import explain
from policylang.dataset import Dataset
from policylang.model import (And, CapRule, Compare, Condition, CooldownRule, DaysSince, GapRule, InList, Not, Or,
                              PolicySet, PreferencesRule, ScorePerEvent, ScorePerTouch, ScoreWhen, SegmentRef,
                              Selector, SpendCapRule, StopUnopenedRule)

from .config import AS_OF, EVENT_TYPES, TIERS

MICROSECOND, HOUR, DAY = timedelta(microseconds=1), timedelta(hours=1), timedelta(days=1)
PREFERENCE_WINDOW_DAYS = (1, 2, 7, 30)
CENT = Decimal("0.0001")


@dataclass
class Facts:
    """What a policy set compares against, gathered once so data can sit on its edges."""

    window_hours: set[int] = field(default_factory=set)  # rules', score lines' and preference rows' windows
    days: dict[str, set[int]] = field(default_factory=dict)  # timestamp attribute -> days_since thresholds
    literals: dict[str, set] = field(default_factory=dict)  # attribute -> values it is compared with
    event_types: set[str] = field(default_factory=lambda: set(EVENT_TYPES))
    amounts: set[Decimal] = field(default_factory=set)  # spend cap amounts
    cooldowns: set[tuple[str, int]] = field(default_factory=set)  # (event type, window hours) of each cooldown
    touch_lines: set[tuple[str, str, int]] = field(default_factory=set)  # (channel, measure, hours) per-touch lines
    unopened: set[tuple[Selector, int]] = field(default_factory=set)  # `stop SELECTOR after N unopened`


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
        if isinstance(rule, PreferencesRule):
            found.window_hours.update(d * 24 for d in PREFERENCE_WINDOW_DAYS)
        if isinstance(rule, (CapRule, SpendCapRule, GapRule, CooldownRule)):
            found.window_hours.add(rule.window.hours)
        if isinstance(rule, CooldownRule):
            found.event_types.add(rule.event_type)
            found.cooldowns.add((rule.event_type, rule.window.hours))
        if isinstance(rule, SpendCapRule):
            found.amounts.add(rule.amount)
        if isinstance(rule, StopUnopenedRule):
            found.unopened.add((rule.selector, rule.count))
    for line in (line for s in policy.scores.values() for line in s.lines):
        if isinstance(line, (ScorePerTouch, ScorePerEvent)):
            found.window_hours.add(line.window.hours)
        if isinstance(line, ScorePerEvent):
            found.event_types.add(line.event_type)
        if isinstance(line, ScorePerTouch):
            found.touch_lines.add((line.channel, line.measure, line.window.hours))
    for condition in _conditions(policy):
        if isinstance(condition, DaysSince):
            found.days.setdefault(condition.attr, set()).add(condition.value)
        elif isinstance(condition, Compare):
            found.literals.setdefault(condition.attr, set()).add(condition.value)
        elif isinstance(condition, InList):
            found.literals.setdefault(condition.attr, set()).update(condition.values)
    return found


# --- values ------------------------------------------------------------------

def _mix(*weighted: tuple[int, st.SearchStrategy]) -> st.SearchStrategy:
    """One of the strategies, each in proportion to its weight (`st.one_of` draws a branch per
    distinct strategy, so repeating one in it does not weigh it)."""
    options = [strategy for weight, strategy in weighted for _ in range(weight)]
    return st.sampled_from(range(len(options))).flatmap(lambda i: options[i])


def _edges(t: datetime, hours: set[int]) -> list[datetime]:
    """Every window's start (twice) and a microsecond either side of it; the as-of time `t`, a
    microsecond and a day after it."""
    starts = [t - timedelta(hours=h) for h in sorted(hours)]
    return [s + d for s in starts for d in (-MICROSECOND, timedelta(0), timedelta(0), MICROSECOND)] + [
        t, t + MICROSECOND, t + DAY]


def instants(t: datetime, hours: set[int]) -> st.SearchStrategy[datetime]:
    """Window edges (two draws in three), or any time from 400 days before `t` to 2 days after it,
    mostly the last two weeks."""
    seconds = st.one_of(st.integers(-2 * 86400, 15 * 86400), st.integers(-2 * 86400, 400 * 86400))
    anywhere = st.builds(lambda s, us: t.replace(microsecond=0) - timedelta(seconds=s, microseconds=us),
                         seconds, st.sampled_from([0, 0, 1, 500000]))
    return _mix((2, st.sampled_from(_edges(t, hours))), (1, anywhere))


def money(amounts: set[Decimal]) -> st.SearchStrategy[Decimal]:
    """Costs with 4 decimals, among them whole fractions of each spend amount and one step off it."""
    exact = {Decimal(0), CENT, Decimal("0.9999"), Decimal(1)}
    for amount in amounts:
        exact |= {amount, amount - CENT, (amount / 2).quantize(CENT), (amount / 4).quantize(CENT)}
    return st.one_of(st.sampled_from(sorted(v for v in exact if v >= 0)),
                     st.decimals(min_value=0, max_value=50, places=4))


def landing_costs(draw, amounts: set[Decimal]) -> st.SearchStrategy[Decimal | None]:
    """Costs, drawn once per dataset, that add up to exactly one spend amount A: A itself, and a split
    of it, `x` and `A - x`, beside NULL and 0 (so a budget is reached on the dot, where "exceeds" and
    "reaches" part)."""
    if not amounts:
        return st.none()
    amount = draw(st.sampled_from(sorted(amounts)))
    part = draw(st.sampled_from(sorted({CENT, (amount / 2).quantize(CENT), (amount / 3).quantize(CENT)})))
    return st.sampled_from([None, Decimal(0), amount, *((part, amount - part) if part <= amount else ())])


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


# --- the dataset -------------------------------------------------------------

MESSAGE_KEYS = ("customer_id", "channel", "business_unit", "topic", "campaign_id")


def _rows(draw, row: st.SearchStrategy, most: int) -> list[dict]:
    """0 to `most` rows (any count equally likely, where Hypothesis lists favour short ones)."""
    count = draw(st.integers(0, most))
    return draw(st.lists(row, min_size=count, max_size=count))


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


def _null_one_in(n: int, values: st.SearchStrategy) -> st.SearchStrategy:
    """`values`, or NULL about one time in `n`."""
    return _mix((n - 1, values), (1, st.none()))


def _echo(candidates: list[dict], anything: st.SearchStrategy) -> st.SearchStrategy:
    """A candidate's customer, channel, unit, topic and campaign three times in four, else `anything`."""
    echoed = st.sampled_from(candidates).map(lambda c: {k: c[k] for k in MESSAGE_KEYS})
    return _mix((3, echoed), (1, anything)) if candidates else anything


def _score_touches(people: st.SearchStrategy, as_of: datetime, lines: set) -> st.SearchStrategy[dict]:
    """Touches for a per-touch score line (`+N per CH MEASURE within W`): of its channel, with the
    measure stamped at the window's start `T - W` (out of it), a microsecond either side, or an hour before."""
    def touch(person: dict, line: tuple, delta: timedelta) -> dict:
        channel, measure, hours = line
        moment = as_of - timedelta(hours=hours) + delta
        stamps = dict.fromkeys(("opened_at", "clicked_at", "converted_at")) | {f"{measure}_at": moment}
        sent_at = moment if measure == "sent" else moment - HOUR
        return person | stamps | dict(channel=channel, message_class="marketing", sent_at=sent_at, cost=None)
    return st.builds(touch, people, st.sampled_from(sorted(lines)),
                     st.sampled_from([timedelta(0), -MICROSECOND, MICROSECOND, -HOUR]))


def _cooldown_events(people: st.SearchStrategy, as_of: datetime, cooldowns: set) -> st.SearchStrategy[dict]:
    """Events of a cooldown's type at its window's start `T - W` (out of it), a microsecond or an hour
    inside it, in its middle (None), or in the hour before it (where a window an hour too long would
    count them)."""
    def event(person, cooldown: tuple, delta: timedelta | None) -> dict:
        event_type, hours = cooldown
        window = timedelta(hours=hours)
        return dict(customer_id=person, event_type=event_type,
                    occurred_at=as_of - (window / 2 if delta is None else window - delta))
    return st.builds(event, people, st.sampled_from(sorted(cooldowns)),
                     st.sampled_from([timedelta(0), -MICROSECOND, MICROSECOND, HOUR, None, -HOUR / 2, -HOUR]))


@st.composite
def _unopened_run(draw, candidates: list[dict], stops: set[tuple[Selector, int]], past, opened) -> list[dict]:
    """For a `stop SELECTOR after N unopened` and a candidate it applies to, N touches echoing the
    candidate, sent a microsecond, an hour or a day apart up to a time at or before T, none opened but
    perhaps the last (by `opened`, mostly after T): the rule on the edge of firing. None when no
    candidate is selected by a stop rule."""
    selector, count = draw(st.sampled_from(sorted(stops, key=repr)))
    selected = [c for c in candidates if selector.matches(c["channel"], c["topic"])]
    if not selected:
        return []
    about = {k: draw(st.sampled_from(selected))[k] for k in MESSAGE_KEYS}
    last, step = draw(past), draw(st.sampled_from([MICROSECOND, HOUR, DAY]))
    run = [dict(about, message_class="marketing", sent_at=last - n * step, cost=None, opened_at=None,
                clicked_at=None, converted_at=None) for n in reversed(range(count))]
    run[-1]["opened_at"] = draw(opened)
    return run


def _with_duplicate(draw, rows: list[dict]) -> list[dict]:
    """`rows`, one time in three with an exact copy of one of them added."""
    if rows and draw(st.integers(0, 2)) == 0:
        rows.insert(draw(st.integers(0, len(rows))), dict(draw(st.sampled_from(rows))))
    return rows


@st.composite
def _consent_story(draw, about: dict, policy: PolicySet, stamp, past) -> list[dict]:
    """Consent rows about one candidate's (customer, channel, topic, unit): none (no answer) one time in
    eight, else a first row in force at T (`past`), mostly an opt-in for every topic and brand, and up
    to two rows that conflict with it."""
    if draw(st.integers(0, 7)) == 7:
        return []
    key = dict(customer_id=about["customer_id"], channel=about["channel"])
    other_units = [u for u in policy.business_units if u != about["business_unit"]] or ["air"]
    first = dict(key, topic=draw(st.sampled_from([None, None, None, about["topic"]])),
                 brand=draw(st.sampled_from([None, None, None, about["business_unit"]])),
                 status=draw(st.sampled_from(["opt_in"] * 7 + ["opt_out"])),
                 updated_at=draw(_null_one_in(8, past)))
    flipped = "opt_out" if first["status"] == "opt_in" else "opt_in"
    topic = about["topic"] or draw(st.sampled_from(policy.topics))
    conflicts = {
        "full tie": [dict(first, status=flipped)],
        "opt-out a day before, at or after, any topic": [dict(
            first, topic=None, brand=None, status="opt_out", updated_at=draw(stamp) if first["updated_at"] is None
            else first["updated_at"] + draw(st.sampled_from([-DAY, timedelta(0), DAY])))],
        "topic row": [dict(first, topic=topic, brand=None,
                           status=draw(st.sampled_from(["opt_in", "opt_in", "opt_out"])), updated_at=draw(stamp))],
        "brand row": [dict(first, topic=None, brand=draw(st.sampled_from([about["business_unit"], *other_units])),
                           status=draw(st.sampled_from(["opt_in", "opt_in", "opt_out"])), updated_at=draw(stamp))],
        "topic row and brand row of opposite status": _topic_against_brand(draw, first, topic, about, past),
        "odd status": [dict(first, status=draw(st.sampled_from(["pending", None, "OPT_IN"])))],
    }
    count = draw(st.sampled_from([0, 0, 0, 1, 1, 2]))
    chosen = draw(st.lists(st.sampled_from(sorted(conflicts)), min_size=count, max_size=count, unique=True))
    return [first, *(row for name in chosen for row in conflicts[name])]


def _topic_against_brand(draw, first: dict, topic: str, about: dict, past) -> list[dict]:
    """A row for the candidate's topic (any brand) and one for its brand (any topic), one `opt_in` and
    the other an older `opt_out`: the topic row is in force (docs/language.md, "Consent"), and the
    older opt-out does not override it, so which one is taken decides."""
    later = draw(past)
    earlier = later - draw(st.sampled_from([MICROSECOND, HOUR, DAY]))
    out_on_topic = draw(st.booleans())
    return [dict(first, topic=topic, brand=None, status="opt_out" if out_on_topic else "opt_in",
                 updated_at=earlier if out_on_topic else later),
            dict(first, topic=None, brand=about["business_unit"], status="opt_in" if out_on_topic else "opt_out",
                 updated_at=later if out_on_topic else earlier)]


def _faults(policy: PolicySet, unknown: list) -> dict[str, st.SearchStrategy]:
    """What a messy batch does to a candidate: each makes a built-in check fail."""
    return {
        "unknown customer": st.fixed_dictionaries({"customer_id": st.sampled_from([*unknown, None])}),
        "unknown channel": st.fixed_dictionaries(
            {"channel": st.sampled_from(["fax", None, *_lookalikes(policy.channels)])}),
        "unknown topic": st.fixed_dictionaries({"topic": st.sampled_from(["misc", *_lookalikes(policy.topics)])}),
        "unknown unit": st.fixed_dictionaries(
            {"business_unit": st.sampled_from(["air", None, *_lookalikes(policy.business_units)])}),
        "bad class": st.fixed_dictionaries({"message_class": st.sampled_from(["promo", None, "MARKETING"])}),
        "NULL priority": st.just({"priority": None}),
        "negative cost": st.fixed_dictionaries({"cost": st.sampled_from([-CENT, Decimal("-5")])}),
        "NULL id": st.just({"candidate_id": None}),
    }


def _messy(draw, policy: PolicySet, candidates: list[dict], unknown: list) -> list[dict]:
    """The batch with one or two faults: a built-in failure, a repeated id, or an exact duplicate row."""
    faults = _faults(policy, unknown)
    for fault in draw(st.lists(st.sampled_from([*sorted(faults), "repeated id", "duplicate row"]),
                               min_size=1, max_size=2)):
        index = draw(st.integers(0, len(candidates) - 1))
        if fault == "duplicate row":
            candidates.insert(index, dict(candidates[index]))
        elif fault == "repeated id":
            candidates[index] = dict(candidates[index], candidate_id=candidates[-1]["candidate_id"])
        else:
            candidates[index] = candidates[index] | draw(faults[fault])
    return candidates


@st.composite
def datasets(draw, policy: PolicySet, text_ids: bool | None = None, as_of: datetime = AS_OF,
             messy: bool | None = None) -> Dataset:
    """A dataset for `policy` decided at `as_of`; ids are text when `text_ids`, the batch has built-in
    faults when `messy` (each drawn when None)."""
    if text_ids is None:
        text_ids = draw(st.sampled_from([False, False, True]))
    if messy is None:
        messy = draw(st.sampled_from([False] * 39 + [True]))  # rare choices last: Hypothesis favours the first
    found = facts(policy)
    known, unknown, candidate_ids, campaigns = _id_pools(draw, text_ids)
    pool = draw(st.lists(instants(as_of, found.window_hours), min_size=1, max_size=5))
    stamp = st.one_of(st.sampled_from(pool), instants(as_of, found.window_hours))
    maybe_stamp = st.one_of(st.none(), stamp)
    after_t = st.sampled_from([as_of + MICROSECOND, as_of + DAY])  # opened or converted, but not yet at T
    spend = landing_costs(draw, found.amounts)
    channels, units, topics = list(policy.channels), list(policy.business_units), [None, *policy.topics]

    def customer_row(cid) -> dict:
        return dict(customer_id=cid, **{
            attr: draw(attribute_values(as_of, kind, found.literals.get(attr, set()), found.days.get(attr, set()),
                                        stamp)) for attr, kind in policy.attributes.items()})

    customers = [customer_row(cid) for cid in known]

    # the batch: each customer's candidates mostly share one channel and unit, so they compete
    owners = [cid for cid in known for _ in range(draw(st.integers(1, 5)))]
    ids = draw(st.lists(candidate_ids, min_size=len(owners), max_size=len(owners), unique=True))
    focus = {cid: (draw(st.sampled_from(channels)), draw(st.sampled_from(units))) for cid in known}
    candidates = [dict(
        candidate_id=cid, customer_id=owner,
        channel=draw(st.sampled_from([focus[owner][0]] * 2 + channels)),
        business_unit=draw(st.sampled_from([focus[owner][1]] * 2 + units)),
        campaign_id=draw(st.sampled_from([None, *campaigns])), topic=draw(st.sampled_from(topics)),
        message_class=draw(st.sampled_from(["marketing"] * 39 + ["transactional"])),
        priority=draw(st.sampled_from([1, 1, 2, 0, -1])), cost=draw(st.one_of(st.none(), money(found.amounts), spend)))
        for cid, owner in zip(ids, owners)]
    if messy and draw(st.integers(0, 3)) == 3:
        customers.append(customer_row(known[-1]))  # two rows for one customer_id: ambiguous
    if messy:
        candidates = _messy(draw, policy, candidates, unknown)
    clean = [c for c in candidates if c["customer_id"] in known]  # what history is drawn around

    someone = _weighted(known, [*unknown, None])
    anything = st.fixed_dictionaries(dict(
        customer_id=someone, channel=_weighted(channels, ["fax", None]), business_unit=_weighted(units, ["air", None]),
        topic=_weighted(topics, ["misc"]), campaign_id=st.sampled_from([None, *campaigns])))
    history_cost = _weighted([None, *sorted(found.amounts | {CENT, Decimal(1)})], [-CENT, Decimal("-5")])
    touch = st.tuples(_echo(clean, anything), st.fixed_dictionaries(dict(
        message_class=_weighted(["marketing"] * 3 + ["transactional"], ["promo", None, "MARKETING"]),
        sent_at=_null_one_in(10, stamp), cost=history_cost | money(found.amounts) | spend,
        opened_at=_mix((4, st.none()), (2, stamp), (1, after_t)), clicked_at=maybe_stamp,
        converted_at=_mix((3, st.none()), (2, stamp), (1, after_t))))).map(lambda p: p[0] | p[1])
    if found.touch_lines:
        touch = _mix((4, touch), (1, _score_touches(_echo(clean, anything), as_of, found.touch_lines)))
    touches = _rows(draw, touch, 16)
    past = st.one_of(st.sampled_from([s for s in pool if s <= as_of] or [as_of]), stamp.filter(lambda s: s <= as_of))
    if found.unopened and clean:
        touches += draw(_unopened_run(clean, found.unopened, past, _mix((3, after_t), (1, st.none()), (1, past))))
    touches = _with_duplicate(draw, touches)

    stories = {(c["customer_id"], c["channel"]): c for c in reversed(clean)}  # one per customer and channel
    consents = [row for about in stories.values() for row in draw(_consent_story(about, policy, stamp, past))]
    consents += _rows(draw, st.fixed_dictionaries(dict(
        customer_id=someone, channel=_weighted(channels, [None]), topic=_weighted(topics, _lookalikes(policy.topics)),
        brand=_weighted([None, *units], ["air", *_lookalikes(policy.business_units)]),
        status=_weighted(["opt_in"] * 5 + ["opt_out"], ["pending", None]), updated_at=maybe_stamp)), 1)
    consents = _with_duplicate(draw, consents)

    preference = st.tuples(_echo(clean, anything), st.fixed_dictionaries(dict(
        topic=st.sampled_from(["kept", "kept", "none", "any"]), other_topic=st.sampled_from(policy.topics),
        channel_kept=st.sampled_from([True] * 5 + [False]), max_count=st.sampled_from([1, 2, 3, 1, 2, 0, None, -1]),
        window_days=st.sampled_from([*PREFERENCE_WINDOW_DAYS, *PREFERENCE_WINDOW_DAYS, 0, None, None, -1]))))
    preferences = _with_duplicate(draw, [
        dict(customer_id=m["customer_id"], channel=m["channel"] if p["channel_kept"] else None,
             topic={"kept": m["topic"], "none": None, "any": p["other_topic"]}[p["topic"]], max_count=p["max_count"], window_days=p["window_days"]) for m, p in _rows(draw, preference, 4)])

    event_type = _weighted(sorted(found.event_types), ["other", "Complaint", None])
    event_owner = _weighted([c["customer_id"] for c in clean] or known, [*unknown, None])
    event = st.fixed_dictionaries(dict(customer_id=event_owner, event_type=event_type,
                                       occurred_at=_null_one_in(8, stamp)))
    if found.cooldowns:
        event = _mix((1, event), (1, _cooldown_events(event_owner, as_of, found.cooldowns)))
    events = _with_duplicate(draw, _rows(draw, event, 5))
    data = Dataset(customers=customers, touches=touches, consents=consents, preferences=preferences,
                   events=events, candidates=candidates)
    if found.amounts and draw(st.booleans()):
        _land_on_a_spend_amount(draw, policy, data, as_of)
    return data


def _land_on_a_spend_amount(draw, policy: PolicySet, data: Dataset, as_of: datetime) -> None:
    """One candidate that reaches a spend cap gets the cost that makes the cap's total exactly its
    amount (what the window and the batch already spent, taken from the reference interpreter's
    `explain`): a budget reached on the dot, which passes (docs/language.md, "Spend cap")."""
    landings = []
    for index, trace in enumerate(explain(policy, data, as_of)):
        for check in trace.checks:
            if check.kind == "spend cap":
                rest = check.limit - check.saw["spent in window"] - check.saw["sent in batch"]
                landings += [(index, rest)] if rest >= 0 else []
            if not check.passed:
                break
    if landings:
        index, rest = draw(st.sampled_from(landings))
        data.candidates[index] = dict(data.candidates[index], cost=rest)
