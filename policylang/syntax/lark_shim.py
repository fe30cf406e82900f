"""Every use of Lark beyond its documented interface, in one place.

The parser relies on a few Lark internals (pyproject.toml pins `lark` below
its next major version): how a terminal written as a literal is told apart
from a regex (`PatternStr`), Lark's own test for a regex that can match a
line break (`_regexp_has_newline`), a `Token` built without `Token.__new__`
(the lexer's hot loop sets its slots directly), custom lexers of interface 2
(`__future_interface__`), and the LALR parse table an `UnexpectedInput`
carries, which `acceptable_terminals` replays to say what could come next.
tests/test_lark_shim.py names each of them and fails with a clear message
when a Lark release drops one. Everything else imports Lark through here.
"""
from __future__ import annotations

import functools

from lark import Lark, Token
from lark import __version__ as LARK_VERSION
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.lexer import Lexer, PatternStr, _regexp_has_newline
from lark.parsers.lalr_analysis import Shift

__all__ = ["LARK_VERSION", "Lark", "Token", "UnexpectedCharacters", "UnexpectedInput", "UnexpectedToken",
           "GrammarLexerBase", "literal_text", "regexp_has_newline", "bare_token", "acceptable_terminals"]

# the slots of a Token the lexer sets on a `bare_token`
TOKEN_FIELDS = ("type", "value", "start_pos", "end_pos", "line", "column", "end_line", "end_column")

# A Token with only its text: `Token.__new__` (keyword handling, deprecation checks) skipped, as
# the lexer's loop sets `TOKEN_FIELDS` itself. A C-level call, so it costs no Python frame per token.
bare_token = functools.partial(str.__new__, Token)


class GrammarLexerBase(Lexer):
    """A custom Lark lexer of interface 2: `__init__(lexer_conf)`, `lex(lexer_state, parser_state)`."""

    __future_interface__ = 2


def literal_text(terminal) -> str | None:
    """The text of a terminal written as a literal in the grammar (`"cap"`, `","`); None for a regex."""
    pattern = terminal.pattern
    return pattern.value if isinstance(pattern, PatternStr) else None


def regexp_has_newline(regexp: str) -> bool:
    """Can `regexp` match a line break? (Lark's own test, so lines are counted as Lark counts them.)"""
    return _regexp_has_newline(regexp)


def acceptable_terminals(exc: UnexpectedInput) -> set[str]:
    """The terminals the parser could really take next. The LALR state that
    failed merges the lookaheads of every context, so run each candidate
    through the parse table's reductions until it shifts or fails."""
    state = exc.state
    if state is None:
        return set(getattr(exc, "expected", None) or getattr(exc, "allowed", None) or ())
    states = state.parse_conf.parse_table.states
    return {t for t in states[state.position] if t.isupper() and _shifts(states, list(state.state_stack), t)}


def _shifts(states, stack: list, terminal: str) -> bool:
    while True:
        action, arg = states[stack[-1]].get(terminal, (None, None))
        if action is None:
            return False
        if action is Shift:
            return True
        if arg.expansion:
            del stack[-len(arg.expansion):]
        stack.append(states[stack[-1]][arg.origin.name][1])
