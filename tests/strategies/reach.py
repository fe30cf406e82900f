"""What a drawn case reaches: the classes of hard cases it contains (docs/testing.md, "Reach").

`classes(policy, data, as_of)` names, for one drawn case, the shapes in its
data (a touch at a window's edge, a full consent tie, an exact duplicate row,
a NULL in a column...) and what the reference interpreter made of it (which
kinds of rule suppressed a candidate, whether a decision counted candidates
sent earlier in the batch). The differential test reports them as Hypothesis
events (`--hypothesis-show-statistics`); tests/test_reach.py holds the share
of draws that reach each class to a written floor.

`candidate_outcomes` sorts each candidate into one of `OUTCOMES`, so the
share of candidates that never reach a policy rule (transactional ones, and
those a built-in check fails) can be held to a ceiling.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Iterable

from policylang.compilers.reference import explain
from policylang.compilers.reference.checks import consent_status
from policylang.dataset import Dataset
from policylang.model import (BUILTIN_RULES, BlockRule, CapRule, ConsentRule, CooldownRule, GapRule, PolicySet,
                              PreferencesRule, SpendCapRule, StopConversionRule, StopUnopenedRule, TABLE_COLUMNS)

from .data import MICROSECOND, facts

RULE_KINDS = {ConsentRule: "consent", BlockRule: "block", CooldownRule: "cooldown",
              StopUnopenedRule: "stop unopened", StopConversionRule: "stop conversion", GapRule: "gap",
              CapRule: "cap", SpendCapRule: "spend cap", PreferencesRule: "preferences"}
BATCH_KINDS = ("gap", "cap", "spend cap", "preferences")  # the checks that count this batch's sends
OUTCOMES = ("transactional", "built-in", "consent", "other rule", "sent")
EDGES = {-MICROSECOND: "a microsecond before a window start", timedelta(0): "at a window start",
         MICROSECOND: "a microsecond inside a window start"}


def rule_kind(rule) -> str:
    if isinstance(rule, CapRule) and rule.is_tiered:
        return "tiered cap"
    return RULE_KINDS[type(rule)]


def _edge_classes(policy: PolicySet, data: Dataset, as_of: datetime) -> set[str]:
    starts = {as_of - timedelta(hours=h) for h in facts(policy).window_hours}
    found = set()
    for table, column, noun in (("touches", "sent_at", "touch"), ("events", "occurred_at", "event")):
        for row in data.table(table):
            moment = row.get(column)
            if moment is None:
                continue
            if moment == as_of:
                found.add(f"{noun} at T")
            found.update(f"{noun} {where}" for delta, where in EDGES.items() if moment - delta in starts)
    return found


def _consent_classes(consents: list[dict]) -> set[str]:
    found = set()
    by_key: dict[tuple, list[dict]] = {}
    for row in consents:
        by_key.setdefault((row["customer_id"], row["channel"]), []).append(row)
    for rows in by_key.values():
        moments = lambda status: [r.get("updated_at") or datetime.min for r in rows if consent_status(r) == status]
        ins, outs = moments("opt_in"), moments("opt_out")
        if ins and outs and max(outs) >= min(ins):
            found.add("consent: an opt-out at or after an opt-in")
        if ins and outs and min(outs) < max(ins):
            found.add("consent: an opt-in after an opt-out")
        spots = Counter((r["topic"], r["brand"], r.get("updated_at")) for r in rows)
        statuses = {(r["topic"], r["brand"], r.get("updated_at"), consent_status(r)) for r in rows}
        if len(statuses) > len(spots):
            found.add("consent: a full tie")
        if any(r["topic"] is not None for r in rows) and any(r["brand"] is not None for r in rows):
            found.add("consent: a topic row and a brand row")
    return found


def _data_classes(data: Dataset) -> set[str]:
    found = {"ids: text" if any(isinstance(c["customer_id"], str) for c in data.customers) else "ids: integer"}
    for table in TABLE_COLUMNS:
        rows = data.table(table)
        keys = Counter(tuple(sorted(row.items(), key=lambda item: item[0])) for row in rows)
        if any(n > 1 for n in keys.values()):
            found.add(f"duplicate row: {table}")
        found.update(f"NULL {table}.{column}" for row in rows for column, value in row.items()
                     if value is None and column != "customer_id")
    priorities = Counter((c["customer_id"], c["priority"]) for c in data.candidates
                         if c.get("message_class") == "marketing")
    if any(n > 1 for n in priorities.values()):
        found.add("priority tie")
    return found | _consent_classes(data.consents)


def candidate_outcomes(traces) -> Iterable[str]:
    """One of OUTCOMES per candidate trace."""
    for trace in traces:
        rule = trace.decision.rule
        if trace.candidate.get("message_class") == "transactional":
            yield "transactional"
        elif rule in BUILTIN_RULES:
            yield "built-in"
        elif rule is None:
            yield "sent"
        else:
            yield "consent" if trace.deciding.kind == "consent" else "other rule"


def _decision_classes(policy: PolicySet, traces) -> set[str]:
    kinds = {rule.id: rule_kind(rule) for rule in policy.rules}
    found = set()
    for trace in traces:
        deciding = trace.deciding
        if deciding is None or deciding.rule not in kinds:
            continue
        kind = kinds[deciding.rule]
        found.add(f"suppressed by {kind}")
        if kind in BATCH_KINDS and deciding.saw.get("sent in batch"):
            found.add("suppressed counting earlier sends of the batch")
    if any(trace.decision.rule is None and trace.checks for trace in traces):
        found.add("a marketing candidate sent")
    return found


def classes(policy: PolicySet, data: Dataset, as_of: datetime) -> tuple[set[str], list[str]]:
    """(the classes this case reaches, one outcome per candidate)."""
    traces = explain(policy, data, as_of)
    reached = _data_classes(data) | _edge_classes(policy, data, as_of) | _decision_classes(policy, traces)
    return reached, list(candidate_outcomes(traces))
