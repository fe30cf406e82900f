"""Builds `policylang.ast` nodes while Lark parses: the grammar's callbacks.

Lark calls one method per grammar rule as it reduces (an inline transformer),
so no parse tree is built and nesting never recurses in Python. Every rule
keeps all its tokens, which gives each node a span from its first token to
its last. Findings that leave a statement usable (a count that is not whole,
a bad string escape) are collected in `diagnostics`; findings that make it
unusable (a month duration, conditions nested too deep) raise
`StatementError`, and the statement is dropped.
"""
from __future__ import annotations

import math
import re
from decimal import Decimal

from . import ast
from .diagnostics import Diagnostic
from .lark_shim import Token
from .source import Span

MAX_NESTING = 50  # levels of `and` / `or` / `not`; deeper conditions are PL100

_ESCAPE = re.compile(r"\\(.)")
_CALENDAR_DAYS = {"month": 30, "year": 365}


class StatementError(Exception):
    """A finding that makes the statement being parsed unusable."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


def _tokens(children, *types: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type in types]


def _nodes(children, kind) -> list:
    return [c for c in children if isinstance(c, kind)]


def _alias(children) -> ast.Name | None:
    found = _nodes(children, ast.Name)
    return found[0] if found else None


class AstBuilder:
    """Grammar callbacks plus the state of one parse: file, line offset, findings."""

    def __init__(self):
        self.reset("", 0)

    def reset(self, path: str, line_offset: int) -> None:
        self.path = path
        self.line_offset = line_offset  # the text parsed starts at line 1 + line_offset
        self.diagnostics: list[Diagnostic] = []
        self.comments: list[ast.Comment] = []
        self._depth: dict[int, int] = {}  # id(condition node) -> nesting depth

    # --- positions ------------------------------------------------------------

    def token_span(self, token: Token) -> Span:
        off = self.line_offset
        return Span(self.path, token.line + off, token.column, token.end_line + off, token.end_column)

    def _span(self, children) -> Span:
        """From the start of the first child (a token or a node) to the end of the last."""
        first, last, off = children[0], children[-1], self.line_offset
        line, col = (first.line + off, first.column) if type(first) is Token else (first.span.line, first.span.col)
        if type(last) is Token:
            return Span(self.path, line, col, last.end_line + off, last.end_column)
        return Span(self.path, line, col, last.span.end_line, last.span.end_col)

    # --- lexer callbacks ------------------------------------------------------

    def comment(self, token: Token) -> Token:
        self.comments.append(ast.Comment(token.value.rstrip(), self.token_span(token)))
        return token

    # --- leaves ---------------------------------------------------------------

    def _name(self, token: Token) -> ast.Name:
        return ast.Name(token.value, self.token_span(token))

    def _names(self, children) -> tuple[ast.Name, ...]:
        return tuple(self._name(t) for t in _tokens(children, "NAME"))

    def _number(self, token: Token, what: str | None = None) -> ast.Number:
        """A NUMBER token; `what` names a count, which must be whole (PL103)."""
        return self._signed([token], what)

    def _require_whole(self, number: ast.Number, what: str) -> None:
        if not number.is_whole:
            low, high = math.floor(number.value), math.ceil(number.value)
            self.diagnostics.append(Diagnostic(
                "PL103", f"{what} must be a whole number; write `{low}` or `{high}`, not `{number.text}`",
                number.span))

    def _string(self, token: Token) -> ast.String:
        inner = token.value[1:-1]
        if "\\" not in inner:
            return ast.String(inner, self.token_span(token))
        for match in _ESCAPE.finditer(inner):
            if match.group(1) not in '"\\':
                line, col = token.line + self.line_offset, token.column + 1 + match.start()
                self.diagnostics.append(Diagnostic(
                    "PL104", f"`{match.group(0)}` is not an escape; only `\\\"` and `\\\\` may follow a "
                             "backslash, so write `\\\\` for a backslash", Span(self.path, line, col, line, col + 2)))
        return ast.String(_ESCAPE.sub(r"\1", inner), self.token_span(token))

    # --- file structure -------------------------------------------------------

    def file(self, children):
        header = _nodes(children, ast.Header)[0]
        statements = tuple(c for c in children if not isinstance(c, (Token, ast.Header)))
        return header, statements

    def chunk(self, children):
        return next(c for c in children if not isinstance(c, Token))

    def header(self, children):
        names = _tokens(children, "NAME")
        return ast.Header(self._name(names[0]) if names else None, self._span(children))

    def channels(self, children):
        return ast.Channels(self._names(children), self._span(children))

    def topics(self, children):
        return ast.Topics(self._names(children), self._span(children))

    def consent(self, children):
        return ast.Consent(self._name(children[1]), children[2].type == "REQUIRES", self._span(children))

    def segment(self, children):
        return ast.Segment(self._name(children[1]), children[3], self._span(children))

    # --- scores ---------------------------------------------------------------

    def points(self, children):
        return self._signed(children, "score points")

    @staticmethod
    def _points(number: ast.Number) -> int:
        return int(number.value)  # truncates a fraction already reported (PL103)

    def score(self, children):
        lines = tuple(c for c in children[3:] if not isinstance(c, Token))
        return ast.Score(self._name(children[1]), lines, self._span(children))

    def score_when(self, children):
        return ast.ScoreWhen(self._points(children[0]), children[2], self._span(children))

    def score_per_touch(self, children):
        points, _, channel, measure, _, window = children
        return ast.ScorePerTouch(self._points(points), self._name(channel), measure.value, window, self._span(children))

    def score_per_event(self, children):
        points, _, _, event_type, _, window = children
        return ast.ScorePerEvent(self._points(points), self._string(event_type), window, self._span(children))

    # --- rules ----------------------------------------------------------------

    def selector(self, children):
        names = _tokens(children, "NAME")
        channel = self._name(children[0]) if children[0].type == "NAME" else None
        topic = self._name(names[-1]) if len(children) > 1 else None
        return ast.Selector(channel, topic, self._span(children))

    def duration(self, children):
        amount, unit = children
        unit_name = unit.value.removesuffix("s")
        number = self._number(amount, "a duration")
        span = self._span(children)
        if unit_name in _CALENDAR_DAYS:
            days = number.value * _CALENDAR_DAYS[unit_name]
            raise StatementError(Diagnostic(
                "PL101", f"durations in months or years vary in length; write `{days.normalize():f} days`", span))
        return ast.Duration(number, unit_name, span)

    def alias(self, children):
        return self._name(children[1])

    def cap(self, children):
        return ast.Cap(children[1], self._number(children[2], "a cap limit"), children[4], _alias(children),
                       self._span(children))

    def tiered_cap(self, children):
        tiers = tuple(_nodes(children, ast.Tier))
        return ast.TieredCap(children[1], children[3], tiers, _alias(children), self._span(children))

    def tier(self, children):
        condition = None if isinstance(children[0], Token) else children[0]
        return ast.Tier(condition, self._number(children[2], "a tier limit"), self._span(children))

    def spend_cap(self, children):
        return ast.SpendCap(children[1], self._number(children[3]), children[5], _alias(children), self._span(children))

    def gap(self, children):
        return ast.Gap(children[1], children[2], _alias(children), self._span(children))

    def block(self, children):
        return ast.Block(children[1], children[2].type == "UNLESS", children[3], _alias(children),
                         self._span(children))

    def cooldown(self, children):
        return ast.Cooldown(children[1], children[2], self._string(children[5]), _alias(children),
                            self._span(children))

    def stop_unopened(self, children):
        return ast.StopUnopened(children[1], self._number(children[3], "a stop count"), _alias(children),
                                self._span(children))

    def stop_conversion(self, children):
        return ast.StopConversion(children[1], _alias(children), self._span(children))

    def honor(self, children):
        return ast.HonorPreferences(_alias(children), self._span(children))

    def campaign(self, children):
        stages = tuple(_nodes(children, ast.Stage))
        return ast.Campaign(self._name(children[1]), stages, self._span(children))

    def stage(self, children):
        return ast.Stage(self._name(children[1]), self._name(children[3]), self._number(children[5], "a stage day"),
                         self._span(children))

    # --- conditions -----------------------------------------------------------

    def _nested(self, node, operands):
        depths = self._depth
        depth = 1 + max([depths.get(id(o), 1) for o in operands])
        if depth > MAX_NESTING:
            raise StatementError(Diagnostic(
                "PL100", f"conditions nest deeper than {MAX_NESTING} levels; "
                         "name parts of the condition as segments", node.span))
        self._depth[id(node)] = depth
        return node

    def _flat(self, kind, children):
        operands = children[::2]  # operand, `and` or `or`, operand, ...
        items = []
        for o in operands:
            if type(o) is kind:
                items.extend(o.items)
            else:
                items.append(o)
        return self._nested(kind(tuple(items), self._span(children)), operands)

    def or_cond(self, children):
        return self._flat(ast.Or, children)

    def and_cond(self, children):
        return self._flat(ast.And, children)

    def negation(self, children):
        return self._nested(ast.Not(children[1], self._span(children)), [children[1]])

    def paren(self, children):
        return children[1]

    def compare(self, children):
        return ast.Compare(self._name(children[0]), children[1].value, self.literal(children[2:]),
                           self._span(children))

    def in_list(self, children):
        values = tuple(c for c in children if not isinstance(c, Token))
        negated = children[1].type == "NOT"
        return ast.InList(self._name(children[0]), values, negated, self._span(children))

    def is_null(self, children):
        return ast.IsNull(self._name(children[0]), len(children) == 4, self._span(children))

    def days_since(self, children):
        value = self._signed(children[5:], "a `days_since` value")
        return ast.DaysSince(self._name(children[2]), children[4].value, value, self._span(children))

    def score_compare(self, children):
        return ast.ScoreCompare(self._name(children[1]), children[2].value, self._signed(children[3:]),
                                self._span(children))

    def segment_ref(self, children):
        return ast.SegmentRef(self._name(children[0]), self._span(children))

    def const(self, children):
        return ast.Const(children[0].type == "TRUE", self._span(children))

    def literal(self, children):
        """A literal's tokens: a string, `true` or `false`, or a number with an optional `-`."""
        item = children[0]
        if item.type == "STRING":
            return self._string(item)
        if item.type in ("TRUE", "FALSE"):
            return ast.Bool(item.type == "TRUE", self.token_span(item))
        return self._signed(children)

    def _signed(self, children, what: str | None = None) -> ast.Number:
        """NUMBER with an optional leading `+` or `-` token; `what` names a count, which must be whole (PL103)."""
        if len(children) == 1:
            digits = text = children[0].value
            value = Decimal(digits)
        else:
            digits = children[1].value
            text = children[0].value + digits
            value = -Decimal(digits) if text[0] == "-" else Decimal(digits)
        number = ast.Number(value, text, self._span(children))
        if what is not None and "." in digits:  # digits alone are whole
            self._require_whole(number, what)
        return number
