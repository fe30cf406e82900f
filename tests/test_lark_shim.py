"""The Lark internals policylang/syntax/lark_shim.py relies on, each named: a Lark release that drops or
changes one fails here with a message that says which, instead of somewhere deep in a parse."""
from __future__ import annotations

import importlib

import lark
import pytest

from policylang.syntax import lark_shim
from policylang.syntax.errors import SyntaxMessages
from policylang.syntax.parse import _lock, _parser, parse_file


def _require(condition: bool, internal: str) -> None:
    if not condition:
        pytest.fail(f"lark {lark.__version__} no longer has {internal}, which policylang/syntax/lark_shim.py relies on; "
                    "adapt the shim (and the `lark` pin in pyproject.toml)", pytrace=False)


@pytest.mark.parametrize("module, name", [
    ("lark.lexer", "_regexp_has_newline"),
    ("lark.lexer", "PatternStr"),
    ("lark.lexer", "Lexer"),
    ("lark.parsers.lalr_analysis", "Shift"),
])
def test_the_module_names_it_imports_exist(module, name):
    _require(hasattr(importlib.import_module(module), name), f"`{module}.{name}`")


def test_regexp_has_newline_tells_line_breaks():
    _require(lark_shim.regexp_has_newline(r"\n[ \t]*") and not lark_shim.regexp_has_newline(r"[ \t]+"),
             "`lark.lexer._regexp_has_newline(regexp)` answering whether a regex can match a line break")


def test_literal_terminals_are_pattern_str():
    with _lock:
        terminals = {t.name: t for t in _parser().lark.terminals}
    _require(lark_shim.literal_text(terminals["CAP"]) == "cap" and lark_shim.literal_text(terminals["NAME"]) is None,
             "`PatternStr` for the grammar's literal terminals only (`TerminalDef.pattern.value`)")


def test_a_bare_token_takes_every_field_the_lexer_sets():
    _require(set(lark_shim.TOKEN_FIELDS) <= set(getattr(lark.Token, "__slots__", ())),
             f"`Token.__slots__` holding {', '.join(lark_shim.TOKEN_FIELDS)}")
    token = lark_shim.bare_token("cap")
    for number, field in enumerate(lark_shim.TOKEN_FIELDS):
        setattr(token, field, number)
    _require(isinstance(token, lark.Token) and token == "cap" and token.end_column == 7,
             "a `Token` made with `str.__new__` whose slots can be set")


def test_custom_lexers_of_interface_2_are_taken():
    _require(getattr(lark_shim.GrammarLexerBase, "__future_interface__", None) == 2
             and issubclass(lark_shim.GrammarLexerBase, lark.lexer.Lexer),
             "custom lexers of `__future_interface__ = 2` (`lex(lexer_state, parser_state)`)")
    pf, diagnostics = parse_file("t.policy", "policy global\nchannels email\n")
    assert diagnostics == [] and pf.statements[0].names[0].value == "email"


def test_a_syntax_error_carries_the_parse_table_it_replays():
    """`UnexpectedInput.state.parse_conf.parse_table.states`, `.position` and `.state_stack`, and
    reductions whose `.expansion` and `.origin.name` the replay pops and follows."""
    with _lock:
        parser = _parser()
        try:
            parser.lark.parse("policy global\ncap email per\n", start="file")
        except lark.exceptions.UnexpectedInput as exc:
            error = exc
        else:
            pytest.fail("the statement should not parse")
    state = error.state
    _require(all(hasattr(state, a) for a in ("position", "state_stack", "parse_conf"))
             and hasattr(state.parse_conf, "parse_table") and hasattr(state.parse_conf.parse_table, "states"),
             "`UnexpectedInput.state` with `position`, `state_stack` and `parse_conf.parse_table.states`")
    assert lark_shim.acceptable_terminals(error) == {"NUMBER"}


def test_the_messages_read_keywords_through_the_shim():
    with _lock:
        messages = SyntaxMessages(_parser().lark)
    assert messages.keywords["cap"] == "CAP" and "," not in messages.keywords
