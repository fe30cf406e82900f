"""One check per kind of rule: what it looks at, and whether the candidate passes.

Each `check_*` function takes a rule, a candidate (a row of the candidates
table) and the `Customer` at T, and yields a `Check` for every verdict the
rule gives on that candidate: none when the rule's selector does not match
it, one per matching `preferences` row for `honor preferences`. A check's
`saw` holds what it counted or chose, by label, so that `policylang explain`
can show the same numbers the decision was made on.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Collection, Iterator

from policylang.model import (GLOBAL, BlockRule, CapRule, ConsentRule, CooldownRule, GapRule, PolicySet,
                              PreferencesRule, Rule, Selector, SegmentRef, SpendCapRule, StopConversionRule,
                              StopUnopenedRule, Tier)
from policylang.rule_kinds import kind_of

from .conditions import holds, seen_scores
from .customer import Customer, cost_of, in_scope

MESSAGE_CLASSES = ("marketing", "transactional")


@dataclass(frozen=True)
class Check:
    """One verdict: `rule` (a rule id, or a built-in's name) passed or failed, having seen `saw`."""

    rule: str
    kind: str  # `built-in`, or the rule's `RuleKind.label` (consent, block, ..., spend cap, preferences)
    passed: bool
    saw: dict[str, object] = field(default_factory=dict)
    limit: object = None  # the number, amount or stance `saw` was held against


def builtin_checks(candidate: dict, customer: Customer, policy: PolicySet, repeated: Collection) -> Iterator[Check]:
    """The fail-closed checks, in order; the first failure ends them. `repeated` holds the candidate
    ids that appear on more than one row of the batch: no one can tell which copy was meant."""
    channel, topic, unit = candidate.get("channel"), candidate.get("topic"), candidate.get("business_unit")
    yield from _first_failure((
        ("unknown_customer", {"customer_id": customer.id}, customer.row is not None),
        ("unknown_channel", {"channel": channel}, channel is not None and channel in policy.channels),
        ("unknown_topic", {"topic": topic}, topic is None or topic in policy.topics),
        ("unknown_business_unit", {"business_unit": unit}, unit is not None and unit in policy.business_units),
        ("invalid_candidate", *_validity(candidate, repeated)),
    ))


def _first_failure(verdicts) -> Iterator[Check]:
    for rule, saw, passed in verdicts:
        yield Check(rule, "built-in", passed, saw)
        if not passed:
            return


def _validity(candidate: dict, repeated: Collection) -> tuple[dict, bool]:
    """What `invalid_candidate` saw, and whether the candidate is valid: a known message class, a
    priority, an id that is not NULL and on no other row of the batch, and a cost that is not negative."""
    message_class, priority = candidate.get("message_class"), candidate.get("priority")
    cid, cost = candidate.get("candidate_id"), candidate.get("cost")
    problems = [problem for problem, bad in (
        (f"message_class {message_class!r}", message_class not in MESSAGE_CLASSES),
        ("priority NULL", priority is None),
        ("candidate_id NULL", cid is None),
        ("candidate_id on several rows", cid is not None and cid in repeated),
        (f"cost {cost} is negative", cost is not None and cost < 0),
    ) if bad]
    return {"problem": "; ".join(problems) or "none"}, not problems


def _check(rule: Rule, passed: bool, saw: dict, limit: object = None) -> Check:
    """A verdict of `rule`, labelled as its kind is (`RuleKind.label`)."""
    return Check(rule.id, kind_of(rule).label, passed, saw, limit)


def _selects(selector: Selector, candidate: dict) -> bool:
    return selector.matches(candidate["channel"], candidate.get("topic"))


# --- consent (docs/language.md, "Consent") -------------------------------------

def consent_status(row: dict) -> str:
    """A row's status; anything but `opt_in` counts as `opt_out` (bad data fails closed)."""
    return "opt_in" if row.get("status") == "opt_in" else "opt_out"


def _matching_consents(customer: Customer, candidate: dict) -> list[dict]:
    """The consent rows for the candidate's channel, topic and brand (its business unit): topic equal
    or NULL, brand equal or NULL."""
    channel, topic, brand = candidate["channel"], candidate.get("topic"), candidate["business_unit"]
    return [row for row in customer.consents
            if row.get("channel") == channel
            and (row.get("topic") is None or row["topic"] == topic)
            and (row.get("brand") is None or row["brand"] == brand)]


def _moment(row: dict) -> tuple:
    """A row's `updated_at` as a sort key: NULL is older than any date."""
    return (row.get("updated_at") is not None, row.get("updated_at") or datetime.min)


def effective_consent(customer: Customer, candidate: dict) -> tuple[dict | None, dict | None]:
    """(the row in force, the opt-out overriding it) for the candidate. The row in force is the
    matching row with the most specific topic, then the most specific brand, then the latest
    `updated_at`; a full tie goes to `opt_out`. An opt-out is never overridden by an older opt-in:
    when that row is `opt_in`, the latest matching `opt_out` row at or after it overrides it
    (None when there is none). (None, None): the customer gave no answer."""
    matching = _matching_consents(customer, candidate)
    row = max(matching, default=None, key=lambda r: (
        r.get("topic") is not None, r.get("brand") is not None, _moment(r), consent_status(r) == "opt_out"))
    if row is None or consent_status(row) == "opt_out":
        return row, None
    later_outs = [r for r in matching if consent_status(r) == "opt_out" and _moment(r) >= _moment(row)]
    return row, max(later_outs, default=None, key=_moment)


def check_consent(rule: ConsentRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    if candidate["channel"] != rule.channel:
        return
    row, overriding = effective_consent(customer, candidate)
    if row is None:
        status, saw = None, {"consent": "no answer"}
    else:
        status = "opt_out" if overriding else consent_status(row)
        saw = {"consent": status, "row topic": row.get("topic") or "every topic",
               "row brand": row.get("brand") or "every brand", "updated at": row.get("updated_at")}
        if overriding:
            saw |= {"overridden by": f"opt_out of {overriding.get('topic') or 'every topic'}, "
                                     f"{overriding.get('brand') or 'every brand'}",
                    "opt_out updated at": overriding.get("updated_at")}
    passed = status == "opt_in" if rule.requires_opt_in else status != "opt_out"
    yield _check(rule, passed, saw, "requires opt_in" if rule.requires_opt_in else "unless opt_out")


# --- block, cooldown, stop (history only) -------------------------------------

def check_block(rule: BlockRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    if _selects(rule.selector, candidate):
        blocked = holds(rule.condition, customer)
        saw = {"block condition": "holds" if blocked else "does not hold"} | seen_scores([rule.condition], customer)
        yield _check(rule, not blocked, saw)


def check_cooldown(rule: CooldownRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    if not _selects(rule.selector, candidate):
        return
    bounds = customer.window(rule.window.hours)
    events = [e["occurred_at"] for e in customer.events
              if e.get("event_type") == rule.event_type and e["occurred_at"] in bounds]
    yield _check(rule, not events,
                {"window": bounds, f"`{rule.event_type}` events": len(events), "latest": max(events, default=None)})


def check_stop_unopened(rule: StopUnopenedRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    """Fails when N or more matching touches were sent strictly after the most recently sent
    opened one (all of them, when none was opened); opened means `opened_at <= T`."""
    if not _selects(rule.selector, candidate):
        return
    touches, _ = customer.matching(rule.selector, rule.scope)
    latest_opened = max((t["sent_at"] for t in touches if customer.happened(t.get("opened_at"))), default=None)
    unopened = sum(1 for t in touches if latest_opened is None or t["sent_at"] > latest_opened)
    yield _check(rule, unopened < rule.count,
                {"latest opened (sent at)": latest_opened or "none opened", "unopened since": unopened}, rule.count)


def check_stop_conversion(rule: StopConversionRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    """Fails when a touch in the rule's scope of the candidate's campaign, whatever its channel
    or topic, converted by T. A NULL campaign_id never matches."""
    if not _selects(rule.selector, candidate):
        return
    campaign = candidate.get("campaign_id")
    converted = [] if campaign is None else [
        t["converted_at"] for t in customer.touches
        if in_scope(t, rule.scope) and t.get("campaign_id") == campaign and customer.happened(t.get("converted_at"))]
    yield _check(rule, not converted,
                {"campaign": "NULL: matches no conversion" if campaign is None else campaign,
                 "converted at": max(converted, default=None) or "not converted"})


# --- gap and caps (history plus this batch) ------------------------------------

def check_gap(rule: GapRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    if not _selects(rule.selector, candidate):
        return
    bounds = customer.window(rule.window.hours)
    touches, sent = customer.matching_in(rule.selector, rule.scope, bounds)
    yield _check(rule, not touches and not sent,
                {"window": bounds, "touches in window": len(touches), "sent in batch": len(sent),
                 "latest touch": max((t["sent_at"] for t in touches), default=None)})


def _count_against(rule: Rule, customer: Customer, selector: Selector, scope: str, hours: int, limit: int,
                   saw: dict) -> Check:
    """A count cap: fails when the matching touches in the window plus the matching candidates
    already sent in this batch number `limit` or more."""
    bounds = customer.window(hours)
    touches, sent = customer.matching_in(selector, scope, bounds)
    count = len(touches) + len(sent)
    saw = saw | {"window": bounds, "touches in window": len(touches), "sent in batch": len(sent), "count": count}
    return _check(rule, count < limit, saw, limit)


def _tier_label(tier: Tier) -> str:
    if tier.condition is None:
        return "otherwise"
    if isinstance(tier.condition, SegmentRef):
        return tier.condition.segment_id
    return f"branch at line {tier.span.line}"


def check_cap(rule: CapRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    """The first tier whose condition holds gives the limit; with none holding the rule does not apply."""
    if not _selects(rule.selector, candidate):
        return
    tier = next((t for t in rule.tiers if t.condition is None or holds(t.condition, customer)), None)
    scores = seen_scores((t.condition for t in rule.tiers), customer)
    if tier is None:
        yield _check(rule, True, {"tier": "none holds: the rule does not apply"} | scores)
        return
    saw = {"tier": _tier_label(tier)} | scores if rule.is_tiered else {}
    yield _count_against(rule, customer, rule.selector, rule.scope, rule.window.hours, tier.limit, saw)


def check_spend(rule: SpendCapRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    """Fails when the matching touches' cost in the window, plus the candidates already sent in
    this batch, plus this candidate's cost exceeds the amount; NULL costs count as 0."""
    if not _selects(rule.selector, candidate):
        return
    bounds = customer.window(rule.window.hours)
    touches, sent = customer.matching_in(rule.selector, rule.scope, bounds)
    history, batch, this = sum(map(cost_of, touches)), sum(map(cost_of, sent)), cost_of(candidate)
    total = history + batch + this
    yield _check(rule, total <= rule.amount,
                {"window": bounds, "spent in window": history, "sent in batch": batch, "this candidate": this,
                 "total": total}, rule.amount)


# --- preferences (docs/language.md, "Honor preferences") ---------------------------

def _preference_selector(row: dict) -> Selector | None:
    """The messages a preferences row counts; None for a row without a channel (it matches nothing)."""
    return None if row.get("channel") is None else Selector(row["channel"], row.get("topic"))


def _row_problem(row: dict) -> str | None:
    max_count, window_days = row.get("max_count"), row.get("window_days")
    if max_count is None or max_count < 0:
        return f"max_count is {'NULL' if max_count is None else max_count}"
    if window_days is None or window_days <= 0:
        return f"window_days is {'NULL' if window_days is None else window_days}"
    return None


def check_preferences(rule: PreferencesRule, candidate: dict, customer: Customer) -> Iterator[Check]:
    """Each of the customer's preferences rows matching the candidate is a cap of `max_count` per
    `window_days`, counting the channel (and topic) across every business unit; a row that cannot
    be read as a cap suppresses every candidate it matches."""
    rows = [(row, selector) for row in customer.preferences
            if (selector := _preference_selector(row)) is not None and _selects(selector, candidate)]
    if not rows:
        yield _check(rule, True, {"preferences rows": "none match"})
    for row, selector in rows:
        saw = {"preference": str(selector)}
        problem = _row_problem(row)
        if problem:
            yield _check(rule, False, saw | {"invalid row": problem})
        else:
            yield _count_against(rule, customer, selector, GLOBAL,
                                 row["window_days"] * 24, row["max_count"], saw)


CHECKS = {
    ConsentRule: check_consent,
    BlockRule: check_block,
    CooldownRule: check_cooldown,
    StopUnopenedRule: check_stop_unopened,
    StopConversionRule: check_stop_conversion,
    GapRule: check_gap,
    CapRule: check_cap,
    SpendCapRule: check_spend,
    PreferencesRule: check_preferences,
}
