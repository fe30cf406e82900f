"""The AST builder picks a rule's children by terminal or node class, never by position: a grammar edit
that puts a new keyword in front of them builds the same tree (policylang/syntax/build.py)."""
from __future__ import annotations

import re

import pytest

from policylang.grammar import GRAMMAR_FILE
from policylang.syntax.build import AstBuilder
from policylang.syntax.lark_shim import Lark
from policylang.syntax.lexer import GrammarLexer
from policylang.syntax.parse import parse_file
from spec_example import SPEC_CRUISES, SPEC_GLOBAL

# (grammar text, the same with a new keyword `named` in front of the children, and in the policy text)
EDITS = [
    ('segment: "segment" NAME', 'segment: "segment" "named" NAME', r"^segment ", "segment named "),
    ('cap: "cap" selector NUMBER', 'cap: "cap" "named" selector NUMBER', r"^cap (\S+ \d)", r"cap named \1"),
    ('tiered_cap: "cap" selector "per"', 'tiered_cap: "cap" "named" selector "per"', r"^cap (\S+ per)",
     r"cap named \1"),
    ('spend_cap: "cap" selector', 'spend_cap: "cap" "named" selector', r"^cap (\S+ spend)", r"cap named \1"),
    ('block: "block" selector', 'block: "block" "named" selector', r"^block ", "block named "),
    ('gap: "gap" selector', 'gap: "gap" "named" selector', r"^gap ", "gap named "),
    ('stop_unopened: "stop" selector', 'stop_unopened: "stop" "named" selector', r"^stop (.*unopened)",
     r"stop named \1"),
    ('cooldown: "cooldown" selector', 'cooldown: "cooldown" "named" selector', r"^cooldown ", "cooldown named "),
    ('consent: "consent" NAME', 'consent: "consent" "named" NAME', r"^consent (\S+ requires)", r"consent named \1"),
    ('stage: "stage" NAME', 'stage: "stage" "named" NAME', r"^(\s+)stage ", r"\1stage named "),
    ('"days_since" "(" NAME', '"days_since" "(" "named" NAME', r"days_since\(", "days_since(named "),
    ('| NAME OP (STRING', '| "named" NAME OP (STRING', r"(?<!score )\b(\w+) (>=|<|=) ",
     r"named \1 \2 "),
    ('| NAME "is" "not"?', '| "named" NAME "is" "not"?', r"(\w+) is null", r"named \1 is null"),
    ('points: ("+" | "-")? NUMBER', 'points: "named" ("+" | "-")? NUMBER', r"^(\s+)([+-]\d)", r"\1named \2"),
]


@pytest.mark.parametrize("grammar_text, edited, pattern, replacement", EDITS, ids=[e[0] for e in EDITS])
def test_a_new_keyword_in_front_of_the_children_builds_the_same_tree(grammar_text, edited, pattern, replacement):
    grammar = GRAMMAR_FILE.read_text()
    assert grammar.count(grammar_text) == 1
    lark = Lark(grammar.replace(grammar_text, edited), parser="lalr", lexer=GrammarLexer, start=["file", "chunk"],
                keep_all_tokens=True, transformer=AstBuilder())
    for text in (SPEC_GLOBAL, SPEC_CRUISES):
        written = re.sub(pattern, replacement, text, flags=re.M)
        if written == text:
            continue
        expected, diagnostics = parse_file("p.policy", text)
        assert diagnostics == []
        assert lark.parse(written + "\n", start="file") == (expected.header, expected.statements)
