"""Syntax errors in the user's words: Lark's exceptions turned into PL100 findings.

Lark reports what it expected as terminal names (`NUMBER`, `PER`, `_NL`);
`SyntaxMessages` maps them to what a user reads ("a number", "`per`", "the end
of the line") and says what was found instead.
"""
from __future__ import annotations

import re

from ..diagnostics import Diagnostic
from .lark_shim import (Lark, Token, UnexpectedCharacters, UnexpectedInput, UnexpectedToken, acceptable_terminals,
                        literal_text)
from ..source import Span

_DESCRIBED = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a quoted string",
    "OP": "a comparison operator (`=`, `!=`, `<`, `<=`, `>`, `>=`)",
    "_NL": "the end of the line",
    "$END": "the end of the file",
}
_UNITS = {"HOUR", "HOURS", "DAY", "DAYS", "WEEK", "WEEKS"}
_CALENDAR_UNITS = {"MONTH", "MONTHS", "YEAR", "YEARS"}
_UNIT_TEXT = "a time unit (`hours`, `days` or `weeks`)"
_WORD = re.compile(r"[A-Za-z0-9_]+")


class SyntaxMessages:
    """Readable PL100 findings for one grammar."""

    def __init__(self, lark: Lark):
        self._text = dict(_DESCRIBED)
        self.keywords: dict[str, str] = {}  # reserved word -> its terminal name
        for terminal in lark.terminals:
            literal = literal_text(terminal)
            if literal is not None:
                self._text[terminal.name] = f"`{literal}`"
                if literal.isidentifier():
                    self.keywords[literal] = terminal.name

    def _expected(self, names) -> str:
        names = set(names) - _CALENDAR_UNITS
        items = []
        if _UNITS <= names:
            names -= _UNITS
            items.append(_UNIT_TEXT)
        # descriptions ("a number") first, then keywords and punctuation, then line and file ends
        items += sorted((self._text.get(n, n) for n in names),
                        key=lambda t: (not t.startswith("a "), t.startswith("the "), t))
        if len(items) == 1:
            return f"expected {items[0]}"
        return "expected one of " + ", ".join(items)

    def _found(self, token: Token) -> str:
        if token.type in ("_NL", "$END"):
            return _DESCRIBED[token.type]
        return f"`{token.value}`"

    def diagnostic(self, exc: UnexpectedInput, path: str, line_offset: int, text: str) -> Diagnostic:
        """The PL100 finding for a Lark exception raised while parsing `text`."""
        if isinstance(exc, UnexpectedToken):
            return self._unexpected_token(exc, path, line_offset)
        line = exc.line + line_offset
        span = Span(path, line, exc.column, line, exc.column + 1)
        if isinstance(exc, UnexpectedCharacters):
            return Diagnostic("PL100", self._unexpected_character(exc, text), span)
        return Diagnostic("PL100", "the statement is incomplete; finish it or remove it", span)

    def _unexpected_token(self, exc: UnexpectedToken, path: str, line_offset: int) -> Diagnostic:
        token = exc.token
        line = token.line + line_offset
        if token.type in ("_NL", "$END"):
            span = Span(path, line, token.column, line, token.column + 1)
        else:
            span = Span(path, line, token.column, token.end_line + line_offset, token.end_column)
        expected = acceptable_terminals(exc)
        if token.type == "$END" and "RBRACE" in expected:
            return Diagnostic("PL100", "this block is not closed; end it with `}` on a line of its own", span)
        message = f"{self._expected(expected)}, found {self._found(token)}"
        if token.value in self.keywords and "NAME" in expected:
            message += f"; `{token.value}` is a reserved word and cannot be a name"
        return Diagnostic("PL100", message, span)

    def _unexpected_character(self, exc: UnexpectedCharacters, text: str) -> str:
        char = exc.char
        if char == '"':
            return "this string is not closed; end it with `\"` on the same line"
        if char.isalpha() and char.isascii() and char.isupper():
            start = exc.pos_in_stream
            while start > 0 and _WORD.fullmatch(text[start - 1]):
                start -= 1
            word = _WORD.match(text, start).group(0)
            return f"keywords and names are lower case; write `{word.lower()}`"
        shown = char if char.isprintable() else repr(char)[1:-1]
        return f"unexpected character `{shown}`; {self._expected(acceptable_terminals(exc))}"

