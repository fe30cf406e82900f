"""Pairing the rules of two policy sets: by id, then by meaning, then by kind and selector.

A rule's *meaning* is what it does, with everything that only names or places
it left out: its id, source position and span, and the names of the segments
and scores it uses (a segment stands for its condition, a score for its lines).
Rules are paired first by id; a rule left over on one side is paired with one
of the same meaning on the other (a rename: no change); what is still left is
paired with a rule of the same scope, kind and selector (a cap whose window
changed gets a new derived id, `cap_email_7d` to `cap_email_14d`, but is the
same cap changed). Whatever remains is added or removed.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model import PolicySet, Rule, ScoreCompare, SegmentRef

NAMING_FIELDS = frozenset({"id", "position", "span", "segment_id"})


@dataclass(frozen=True)
class Pair:
    """A rule of BASE and its counterpart in HEAD; one of them is None for a removed or added rule."""

    base: Rule | None
    head: Rule | None

    @property
    def rule_id(self) -> str:
        return (self.head or self.base).id


def meaning(value, policy: PolicySet):
    """`value` (a rule, condition, tier, score line...) as a hashable tuple of what it means in `policy`."""
    if isinstance(value, SegmentRef):
        return meaning(value.condition, policy)
    if isinstance(value, ScoreCompare):
        score = policy.scores[value.score]
        return ("score", meaning(score.lines, policy), value.op, value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__,) + tuple(
            (f.name, meaning(getattr(value, f.name), policy)) for f in dataclasses.fields(value)
            if f.name not in NAMING_FIELDS)
    if isinstance(value, (tuple, list)):
        return tuple(meaning(v, policy) for v in value)
    return value


def _shape(rule: Rule) -> tuple:
    """What makes two rules the same rule changed: scope, kind and selector."""
    return (rule.scope, type(rule).__name__, getattr(rule, "selector", None), getattr(rule, "channel", None))


def pair_rules(base: PolicySet, head: PolicySet) -> tuple[list[Pair], list[Pair]]:
    """(changed pairs, renamed pairs): every rule of either side whose meaning changed, was added or was
    removed, in HEAD's evaluation order then BASE's; and the rules renamed with their meaning kept."""
    head_by_id = {r.id: r for r in head.rules}
    base_by_id = {r.id: r for r in base.rules}
    pairs = [Pair(base_by_id[r.id], r) for r in head.rules if r.id in base_by_id]
    left_base = [r for r in base.rules if r.id not in head_by_id]
    left_head = [r for r in head.rules if r.id not in base_by_id]
    renamed = []
    for key in (meaning, lambda rule, policy: _shape(rule)):
        waiting: dict = {}
        for rule in left_base:
            waiting.setdefault(key(rule, base), []).append(rule)
        still = []
        for rule in left_head:
            match = waiting.get(key(rule, head))
            if match:
                found = Pair(match.pop(0), rule)
                (renamed if _same(found, base, head) else pairs).append(found)
            else:
                still.append(rule)
        left_head = still
        left_base = [r for rules in waiting.values() for r in rules]
    pairs += [Pair(None, r) for r in left_head] + [Pair(r, None) for r in left_base]
    changed = [p for p in pairs if p.base is None or p.head is None or not _same(p, base, head)]
    return changed, renamed


def _same(pair: Pair, base: PolicySet, head: PolicySet) -> bool:
    return meaning(pair.base, base) == meaning(pair.head, head)
