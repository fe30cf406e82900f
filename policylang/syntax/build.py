"""Builds `policylang.syntax.ast` nodes while Lark parses: the grammar's callbacks.

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
import operator
import re
from decimal import Decimal

from ..diagnostics import Diagnostic
from ..source import Span
from . import ast
from .lark_shim import Token

MAX_NESTING = 50  # levels of `and` / `or` / `not`; deeper conditions are PL100

_ESCAPE = re.compile(r"\\(.)")
_MEASURES = ("SENT", "OPENED", "CLICKED", "CONVERTED")  # the words of the grammar's `_measure`
_CALENDAR_DAYS = {"month": 30, "year": 365}


class StatementError(Exception):
    """A finding that makes the statement being parsed unusable."""

    def __init__(self, diagnostic: Diagnostic):
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


# Children are picked by what they are, never by position: a token by its terminal (`NAME`,
# `NUMBER`, the keyword `UNLESS`), a node by its class. Every rule keeps all its tokens
# (`keep_all_tokens`), so keywords are among them.

def _tokens(children, *types: str) -> list[Token]:
    return [c for c in children if type(c) is Token and c.type in types]


def _token(children, kind: str) -> Token | None:
    """The rule's first token of terminal `kind` (None when it has none)."""
    for c in children:
        if type(c) is Token and c.type == kind:
            return c
    return None


def _has(children, kind: str) -> bool:
    """Does the rule hold a token of terminal `kind` (an optional keyword)?"""
    return _token(children, kind) is not None


def _nodes(children, kind) -> list:
    return [c for c in children if isinstance(c, kind)]


def _node(children, kind):
    """The rule's first child node of class `kind` (None when it has none)."""
    for c in children:
        if isinstance(c, kind):
            return c
    return None


_TERMINAL = operator.attrgetter("type")


def _terminals(tokens) -> list[str]:
    """The terminal of each token of a rule made of tokens only, to find one with `list.index` (the
    condition callbacks run for every condition of a file: this is their fast way)."""
    return list(map(_TERMINAL, tokens))


def _operand(children):
    """The one child node of a rule (`not C`, `(C)`)."""
    (node,) = [c for c in children if type(c) is not Token]
    return node


_CONDITION = ast.Condition.__args__


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
        header = _node(children, ast.Header)
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
        return ast.Consent(self._name(_token(children, "NAME")), _has(children, "REQUIRES"), self._span(children))

    def segment(self, children):
        return ast.Segment(self._name(_token(children, "NAME")), _operand(children), self._span(children))

    # --- scores ---------------------------------------------------------------

    def points(self, children):
        return self._signed(children, "score points")

    @staticmethod
    def _points(number: ast.Number) -> int:
        return int(number.value)  # truncates a fraction already reported (PL103)

    def score(self, children):
        lines = tuple(c for c in children if type(c) is not Token)
        return ast.Score(self._name(_token(children, "NAME")), lines, self._span(children))

    def score_when(self, children):
        return ast.ScoreWhen(self._points(_node(children, ast.Number)), _node(children, _CONDITION),
                             self._span(children))

    def score_per_touch(self, children):
        (measure,) = _tokens(children, *_MEASURES)
        return ast.ScorePerTouch(self._points(_node(children, ast.Number)), self._name(_token(children, "NAME")),
                                 measure.value, _node(children, ast.Duration), self._span(children))

    def score_per_event(self, children):
        return ast.ScorePerEvent(self._points(_node(children, ast.Number)), self._string(_token(children, "STRING")),
                                 _node(children, ast.Duration), self._span(children))

    # --- rules ----------------------------------------------------------------

    def selector(self, children):
        names = [self._name(t) for t in _tokens(children, "NAME")]
        channel = None if _has(children, "MARKETING") else names.pop(0)
        topic = names[0] if _has(children, "TOPIC") else None
        return ast.Selector(channel, topic, self._span(children))

    def duration(self, children):
        amount = _token(children, "NUMBER")
        (unit,) = [c for c in children if c is not amount]
        unit_name = unit.value.removesuffix("s")
        number = self._number(amount, "a duration")
        span = self._span(children)
        if unit_name in _CALENDAR_DAYS:
            days = number.value * _CALENDAR_DAYS[unit_name]
            raise StatementError(Diagnostic(
                "PL101", f"durations in months or years vary in length; write `{days.normalize():f} days`", span))
        return ast.Duration(number, unit_name, span)

    def alias(self, children):
        return self._name(_token(children, "NAME"))

    def cap(self, children):
        return ast.Cap(_node(children, ast.Selector), self._number(_token(children, "NUMBER"), "a cap limit"),
                       _node(children, ast.Duration), _node(children, ast.Name), self._span(children))

    def tiered_cap(self, children):
        return ast.TieredCap(_node(children, ast.Selector), _node(children, ast.Duration),
                             tuple(_nodes(children, ast.Tier)), _node(children, ast.Name), self._span(children))

    def tier(self, children):
        return ast.Tier(_node(children, _CONDITION), self._number(_token(children, "NUMBER"), "a tier limit"),
                        self._span(children))

    def spend_cap(self, children):
        return ast.SpendCap(_node(children, ast.Selector), self._number(_token(children, "NUMBER")),
                            _node(children, ast.Duration), _node(children, ast.Name), self._span(children))

    def gap(self, children):
        return ast.Gap(_node(children, ast.Selector), _node(children, ast.Duration), _node(children, ast.Name),
                       self._span(children))

    def block(self, children):
        return ast.Block(_node(children, ast.Selector), _has(children, "UNLESS"), _node(children, _CONDITION),
                         _node(children, ast.Name), self._span(children))

    def cooldown(self, children):
        return ast.Cooldown(_node(children, ast.Selector), _node(children, ast.Duration),
                            self._string(_token(children, "STRING")), _node(children, ast.Name), self._span(children))

    def stop_unopened(self, children):
        return ast.StopUnopened(_node(children, ast.Selector), self._number(_token(children, "NUMBER"), "a stop count"),
                                _node(children, ast.Name), self._span(children))

    def stop_conversion(self, children):
        return ast.StopConversion(_node(children, ast.Selector), _node(children, ast.Name), self._span(children))

    def honor(self, children):
        return ast.HonorPreferences(_node(children, ast.Name), self._span(children))

    def campaign(self, children):
        stages = tuple(_nodes(children, ast.Stage))
        return ast.Campaign(self._name(_token(children, "NAME")), stages, self._span(children))

    def stage(self, children):
        name, channel = _tokens(children, "NAME")
        return ast.Stage(self._name(name), self._name(channel), self._number(_token(children, "NUMBER"), "a stage day"),
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
        operands, items = [], []
        for o in children:
            if type(o) is Token:  # `and` or `or`, between the operands
                continue
            operands.append(o)
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
        operand = _operand(children)
        return self._nested(ast.Not(operand, self._span(children)), [operand])

    def paren(self, children):
        return _operand(children)

    def compare(self, children):
        terminals = _terminals(children)
        op = terminals.index("OP")
        return ast.Compare(self._name(children[terminals.index("NAME")]), children[op].value,
                           self._literal(children[op + 1:], terminals[op + 1:]), self._span(children))

    def in_list(self, children):
        values = tuple(c for c in children if type(c) is not Token)
        return ast.InList(self._name(_token(children, "NAME")), values, _has(children, "NOT"), self._span(children))

    def is_null(self, children):
        terminals = _terminals(children)
        return ast.IsNull(self._name(children[terminals.index("NAME")]), "NOT" in terminals, self._span(children))

    def days_since(self, children):
        terminals = _terminals(children)
        op = terminals.index("OP")
        return ast.DaysSince(self._name(children[terminals.index("NAME")]), children[op].value,
                             self._signed(children[op + 1:], "a `days_since` value", terminals[op + 1:]),
                             self._span(children))

    def score_compare(self, children):
        terminals = _terminals(children)
        op = terminals.index("OP")
        return ast.ScoreCompare(self._name(children[terminals.index("NAME")]), children[op].value,
                                self._signed(children[op + 1:]), self._span(children))

    def segment_ref(self, children):
        return ast.SegmentRef(self._name(children[_terminals(children).index("NAME")]), self._span(children))

    def const(self, children):
        return ast.Const("TRUE" in _terminals(children), self._span(children))

    def literal(self, children):
        """A literal's tokens: a string, `true` or `false`, or a number with an optional `-`."""
        return self._literal(children, _terminals(children))

    def _literal(self, children, terminals: list[str]):
        if "STRING" in terminals:
            return self._string(children[terminals.index("STRING")])
        if "NUMBER" in terminals:
            return self._signed(children, terminals=terminals)
        (word,) = children  # `true` or `false`
        return ast.Bool(word.type == "TRUE", self.token_span(word))

    def _signed(self, children, what: str | None = None, terminals: list[str] | None = None) -> ast.Number:
        """NUMBER with an optional leading `+` or `-` token; `what` names a count, which must be whole (PL103).
        `terminals`: those of `children`, when the caller has them."""
        terminals = terminals or _terminals(children)
        digits = children[terminals.index("NUMBER")].value
        negative = "MINUS" in terminals
        text = "-" + digits if negative else "+" + digits if "PLUS" in terminals else digits
        value = -Decimal(digits) if negative else Decimal(digits)
        number = ast.Number(value, text, self._span(children))
        if what is not None and "." in digits:  # digits alone are whole
            self._require_whole(number, what)
        return number
