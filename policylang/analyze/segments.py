"""Segments and scores that cannot hold: empty segments (PL513), score lines that never add (PL514),
segments equal to another under a different name (PL515).

- A segment no customer matches: its condition never holds. The message names the parts of it
  that contradict each other (an unsatisfiable core of its conjuncts, as for a vacuous block);
  when that is one score comparison, it states the score's maximum (for `>`, `>=`) or minimum
  (for `<`, `<=`), found by z3's optimiser over every customer.
- A `when` line of a score whose condition never holds adds its points to no customer. (`per`
  lines count history, which any customer may have.)
- Two segments a rule can see together (both global, or a global and a unit's, or one unit's)
  that every customer matches both or neither of: the later is reported, with the earlier as its
  note (information: a second name may be deliberate). Empty segments are PL513's, not this.
  Segments a known customer tells apart need no proof, so only segments that agree on a few
  customers found so far are compared pairwise.

Only segments and scores in use are looked at: those a rule's condition (a block's, a tier
branch's) uses, directly or through other segments and scores. An unused one changes no
decision, and a policy file may define thousands (a generated 1 MB file defines 8,090).

Every verdict is `Space.never` (a known customer, the finite search, else z3): exact.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import (GLOBAL, And, BlockRule, CapRule, Condition, Not, Or, PolicySet, ScoreCompare, ScoreWhen, Segment,
                     SegmentRef)
from .blocks import pieces
from .describe import condition_text, listing
from .smt import lazy_space

WITNESSES = 32  # known customers that split the segments into groups before any proof


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)
    segment_ids, score_names = used(policy)
    findings, kept = [], []
    for segment in (policy.segments[i] for i in policy.segments if i in segment_ids):
        if space().never(holding=[segment.condition]):
            findings.append(_empty(space(), segment))
        else:
            kept.append(segment)
    for score in (policy.scores[name] for name in policy.scores if name in score_names):
        for n, line in enumerate(score.lines, start=1):
            if isinstance(line, ScoreWhen) and space().never(holding=[line.condition]):
                findings.append(Diagnostic(
                    "PL514", f"line {n} of score `{score.name}` (`{line.points:+d} when "
                             f"{condition_text(line.condition)}`) never adds: its condition never holds; "
                             "fix the condition or remove the line",
                    line.span, data={"score": score.name, "line": n}))
    for b, same in _equal_pairs(space, kept):
        findings.append(Diagnostic(
            "PL515", f"segment `{b.name}` matches exactly the customers `{same.name}` matches; "
                     f"use `{same.name}` and remove `{b.name}`, unless the second name is deliberate",
            b.span, related=(Related(same.span, f"`{same.name}` is defined here"),),
            data={"segment": b.id, "equal_to": same.id}))
    return findings


def _equal_pairs(space, kept: list[Segment]) -> list[tuple[Segment, Segment]]:
    """(segment, the first earlier segment visible with it that matches the same customers).

    Only segments that agree on every customer can be equal: segments are grouped by their value
    for up to `WITNESSES` of the customers found so far, and compared, with a proof, only within a
    group."""
    if len(kept) < 2:
        return []
    s = space()
    known = s.customers.all
    witnesses = known[::max(1, len(known) // WITNESSES)]
    groups: dict[tuple, list[Segment]] = {}
    for segment in kept:
        test = s.test(segment.condition)
        groups.setdefault(tuple(test(c) for c in witnesses), []).append(segment)
    pairs = []
    for group in groups.values():
        for k, b in enumerate(group):
            same = next((a for a in group[:k] if _visible(a, b) and _equal(s, a, b)), None)
            if same is not None:
                pairs.append((b, same))
    return sorted(pairs, key=lambda pair: kept.index(pair[0]))


def used(policy: PolicySet) -> tuple[set[str], set[str]]:
    """The ids of the segments and the names of the scores that a rule's condition uses, directly
    or through segments and scores."""
    segment_ids: set[str] = set()
    score_names: set[str] = set()

    def walk(condition: Condition) -> None:
        match condition:
            case SegmentRef(segment_id, inner):
                if segment_id not in segment_ids:
                    segment_ids.add(segment_id)
                    walk(inner)
            case ScoreCompare(name, _, _):
                if name not in score_names:
                    score_names.add(name)
                    for line in policy.scores[name].lines:
                        if isinstance(line, ScoreWhen):
                            walk(line.condition)
            case Not(operand):
                walk(operand)
            case And(operands) | Or(operands):
                for operand in operands:
                    walk(operand)

    for rule in policy.rules:
        if isinstance(rule, BlockRule):
            walk(rule.condition)
        elif isinstance(rule, CapRule):
            for tier in rule.tiers:
                if tier.condition is not None:
                    walk(tier.condition)
    return segment_ids, score_names


def _visible(a: Segment, b: Segment) -> bool:
    return a.scope == GLOBAL or a.scope == b.scope


def _equal(s, a: Segment, b: Segment) -> bool:
    return s.never(holding=[a.condition], failing=[b.condition]) and s.never(holding=[b.condition],
                                                                            failing=[a.condition])


def _empty(s, segment: Segment) -> Diagnostic:
    parts = pieces(segment.condition, And)
    core = s.conflict(s.z3.BoolVal(True), [(p, s.formula(p)) for p in parts]) or parts
    if len(core) == 1 and isinstance(core[0], ScoreCompare):
        reason = f"`{condition_text(core[0])}` never holds{_bound(s, core[0])}"
    elif len(core) == 1:
        reason = f"`{condition_text(core[0])}` never holds"
    else:
        reason = f"{listing([f'`{condition_text(c)}`' for c in core])} cannot all hold for one customer"
    return Diagnostic("PL513", f"segment `{segment.name}` matches no customer: {reason}; fix its condition "
                               "or remove it", segment.span,
                      data={"segment": segment.id, "conflicting": [condition_text(c) for c in core]})


def _bound(s, compare: ScoreCompare) -> str:
    """`: the score is at most 35` (or at least, for `<` and `<=`), or nothing for `=` and `!=`."""
    if compare.op not in (">", ">=", "<", "<="):
        return ""
    z3, term = s.z3, s.score(compare.score)
    optimiser = z3.Optimize()
    optimiser.add(s.solver.assertions())  # the base constraints: counts at least 0, ordered by window
    most = compare.op in (">", ">=")
    handle = optimiser.maximize(term) if most else optimiser.minimize(term)
    if optimiser.check() != z3.sat:
        return ""
    value = handle.value()
    return f": the score is at {'most' if most else 'least'} {value}" if z3.is_int_value(value) else ""
