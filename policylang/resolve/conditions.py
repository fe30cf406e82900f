"""Binding and typing conditions: attributes from the config, global scores, and
segments of every scope, inlined as `model.SegmentRef`, with cycle detection.

A business unit's conditions see its own segments and the global ones; global
conditions see global segments only. A score's `when` lines may not compare a
score, directly or through a segment (PL212): scores come from attributes and
history, so they never depend on each other.
"""
from __future__ import annotations

from decimal import Decimal

from .. import model
from ..model import GLOBAL
from ..syntax import ast
from ..syntax.fmt import literal as literal_text
from .report import Report

FALSE = model.Const(False)  # stands in for a condition that failed to resolve

# What a literal compared with an attribute of each type must be: (AST type, phrase for the message).
LITERALS = {
    "text": (ast.String, "a quoted string"),
    "integer": (ast.Number, "a whole number"),
    "decimal": (ast.Number, "a number"),
    "boolean": (ast.Bool, "`true` or `false`"),
}
ATTRIBUTE_FIX = "an attribute declared under `attributes:` in policylang.yaml"


def uses_score(condition: model.Condition) -> bool:
    """Does the resolved condition compare a score anywhere, segments included?"""
    if isinstance(condition, model.ScoreCompare):
        return True
    if isinstance(condition, (model.And, model.Or)):
        return any(uses_score(c) for c in condition.operands)
    if isinstance(condition, model.Not):
        return uses_score(condition.operand)
    if isinstance(condition, model.SegmentRef):
        return uses_score(condition.condition)
    return False


class Conditions:
    """Resolves conditions for one policy set; segments are resolved once and memoised."""

    def __init__(self, report: Report, attributes: dict[str, str],
                 segments: dict[str, dict[str, ast.Segment]], scores: dict[str, ast.Score]):
        self.report = report
        self.attributes = attributes
        self.segments = segments  # scope -> name -> definition
        self.scores = scores
        self.resolved: dict[tuple[str, str], model.Condition] = {}
        self.active: list[tuple[str, str]] = []  # segments being resolved, outermost first

    # --- segments ---------------------------------------------------------------

    def defining_scope(self, scope: str, name: str) -> str | None:
        """Where the segment `name` seen from `scope` is defined, or None."""
        if scope != GLOBAL and name in self.segments.get(scope, {}):
            return scope
        return GLOBAL if name in self.segments.get(GLOBAL, {}) else None

    def segment(self, scope: str, name: str) -> model.Condition:
        """The resolved definition of the segment `name` defined in `scope`."""
        key = (scope, name)
        if key in self.resolved:
            return self.resolved[key]
        if key in self.active:
            cycle = [n for _, n in self.active[self.active.index(key):]] + [name]
            first = self.segments[scope][cycle[0]].name
            self.report.error("PL209", f"segment cycle `{' → '.join(cycle)}`; define one of these segments "
                              "without referring to the others", first.span)
            return FALSE
        self.active.append(key)
        condition = self.condition(self.segments[scope][name].condition, scope)
        self.active.pop()
        self.resolved[key] = condition
        return condition

    # --- conditions ---------------------------------------------------------------

    def condition(self, node: ast.Condition, scope: str, score: str | None = None) -> model.Condition:
        """Resolve `node` as written in `scope`; `score` names the score whose line it is, if any."""
        if isinstance(node, (ast.Or, ast.And)):
            operands = tuple(self.condition(item, scope, score) for item in node.items)
            return model.Or(operands) if isinstance(node, ast.Or) else model.And(operands)
        if isinstance(node, ast.Not):
            return model.Not(self.condition(node.item, scope, score))
        if isinstance(node, ast.Const):
            return model.Const(node.value)
        if isinstance(node, ast.SegmentRef):
            return self.segment_ref(node, scope, score)
        if isinstance(node, ast.ScoreCompare):
            return self.score_compare(node, score)
        if isinstance(node, ast.DaysSince):
            return self.days_since(node)
        kind = self.attribute(node.attr)
        if kind is None:
            return FALSE
        if isinstance(node, ast.IsNull):
            return model.IsNull(node.attr.value, node.negated)
        if kind == "timestamp":
            attr = node.attr.value
            self.report.error("PL301", f"`{attr}` is a timestamp; compare `days_since({attr})` "
                              f"or test `{attr} is null`", node.attr.span)
            return FALSE
        if isinstance(node, ast.InList):
            return self.in_list(node, kind)
        return self.compare(node, kind)

    def attribute(self, name: ast.Name) -> str | None:
        """The type of a declared attribute; PL210 (and None) for an undeclared one."""
        kind = self.attributes.get(name.value)
        if kind is None:
            self.report.unknown("attribute", name, self.attributes, ATTRIBUTE_FIX)
        return kind

    def segment_ref(self, node: ast.SegmentRef, scope: str, score: str | None) -> model.Condition:
        name = node.name.value
        where = self.defining_scope(scope, name)
        if where is None:
            visible = set(self.segments.get(GLOBAL, {})) | (set(self.segments.get(scope, {})) if scope != GLOBAL else set())
            hint = f"`{name}` is an attribute; compare it, e.g. `{name} = ...`" if name in self.attributes else None
            fix = "a segment defined in the global file" + ("" if scope == GLOBAL else " or in this file")
            self.report.unknown("segment", node.name, visible, fix, help=hint)
            return FALSE
        condition = self.segment(where, name)
        if score is not None and uses_score(condition):
            self.report.error("PL212", f"segment `{name}` compares a score, so score `{score}` cannot use it; "
                              "build the score from attributes and history only", node.name.span)
        return model.SegmentRef(f"{where}.{name}", condition)

    def score_compare(self, node: ast.ScoreCompare, score: str | None) -> model.Condition:
        name = node.score.value
        if name not in self.scores:
            self.report.unknown("score", node.score, self.scores, "a score defined in the global file")
            return FALSE
        if score is not None:
            self.report.error("PL212", f"score `{score}` cannot compare score `{name}`; "
                              "build the score from attributes and history only", node.span)
        return model.ScoreCompare(name, node.op, node.value.value)

    def days_since(self, node: ast.DaysSince) -> model.Condition:
        kind = self.attribute(node.attr)
        if kind is None:
            return FALSE
        if kind != "timestamp":
            self.report.error("PL302", f"`{node.attr.value}` is {kind}, not a timestamp; pass a timestamp attribute "
                              "to `days_since`", node.attr.span)
            return FALSE
        return model.DaysSince(node.attr.value, node.op, int(node.value.value))

    def compare(self, node: ast.Compare, kind: str) -> model.Condition:
        value = self.literal(node.value, node.attr.value, kind)
        if node.op not in ("=", "!=") and kind in ("text", "boolean"):
            fix = "`=`, `!=`, `in` or `not in`" if kind == "text" else "`=` or `!=`"
            self.report.error("PL300", f"`{node.op}` does not apply to {kind} attribute `{node.attr.value}`; use {fix}",
                              node.span)
            return FALSE
        return FALSE if value is None else model.Compare(node.attr.value, kind, node.op, value)

    def in_list(self, node: ast.InList, kind: str) -> model.Condition:
        attr = node.attr.value
        if kind == "boolean":
            self.report.error("PL300", f"`in` does not apply to boolean attribute `{attr}`; "
                              f"write `{attr} = true` or `{attr} = false`", node.span)
            return FALSE
        values = tuple(self.literal(v, attr, kind) for v in node.values)
        return FALSE if None in values else model.InList(attr, kind, values, node.negated)

    def literal(self, node: ast.Literal, attr: str, kind: str) -> str | int | Decimal | bool | None:
        """The literal's value when it fits the attribute's type; PL300 (and None) otherwise."""
        expected, phrase = LITERALS[kind]
        if not isinstance(node, expected) or (kind == "integer" and not node.is_whole):
            self.report.error("PL300", f"`{attr}` is {kind} and cannot be compared with `{literal_text(node)}`; "
                              f"compare it with {phrase}", node.span)
            return None
        return int(node.value) if kind == "integer" else node.value
