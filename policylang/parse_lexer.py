"""The lexer the Lark parser runs with, generated from the grammar's own terminals.

The grammar's terminals never compete for the same text: each starts with its
own kind of character, and every word lexes as NAME, after which a reserved
word becomes its keyword (`cap` -> CAP). So one compiled regex over all
terminals yields exactly the tokens Lark's contextual lexer would, and in
every position, which makes keywords reserved everywhere. It runs about twice
as fast, which is what keeps a 1 MB policy file well under a second.
"""
from __future__ import annotations

import re

from lark import Token
from lark.exceptions import UnexpectedCharacters
from lark.lexer import Lexer, PatternStr

WORD = "NAME"  # the terminal every word lexes as before keywords are picked out
_PUNCTUATION = "PUNCTUATION"  # the regex group of all non-word string terminals


class GrammarLexer(Lexer):
    """A Lark lexer (interface 2) over `lexer_conf.terminals`: ignored terminals
    are skipped after their lexer callbacks run (comments are collected so)."""

    __future_interface__ = 2

    def __init__(self, lexer_conf):
        self.keywords: dict[str, str] = {}
        self.punctuation: dict[str, str] = {}
        groups = []
        for terminal in lexer_conf.terminals:
            pattern = terminal.pattern
            if isinstance(pattern, PatternStr):
                table = self.keywords if pattern.value.isidentifier() else self.punctuation
                table[pattern.value] = terminal.name
            else:
                groups.append(f"(?P<{terminal.name}>{pattern.to_regexp()})")
        symbols = sorted(self.punctuation, key=len, reverse=True)
        groups.append(f"(?P<{_PUNCTUATION}>{'|'.join(map(re.escape, symbols))})")
        self._match = re.compile("|".join(groups)).match
        self.ignore = frozenset(lexer_conf.ignore)
        self.callbacks = dict(lexer_conf.callbacks)
        self.terminals_by_name = lexer_conf.terminals_by_name

    def lex(self, lexer_state, parser_state):
        source = lexer_state.text
        text, pos, end = source.text, source.start, source.end
        line, line_start = 1, 0
        match, keywords, punctuation = self._match, self.keywords, self.punctuation
        ignore, callbacks = self.ignore, self.callbacks
        while pos < end:
            found = match(text, pos, end)
            if found is None:
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1, state=parser_state,
                                           terminals_by_name=self.terminals_by_name)
            kind, value, stop = found.lastgroup, found.group(), found.end()
            newlines = value.count("\n")
            if kind in ignore and kind not in callbacks:
                if newlines:
                    line, line_start = line + newlines, pos + value.rfind("\n") + 1
                pos = stop
                continue
            if kind == WORD:
                kind = keywords.get(value, WORD)
            elif kind == _PUNCTUATION:
                kind = punctuation[value]
            if newlines:
                end_line, end_col = line + newlines, len(value) - value.rfind("\n")
            else:
                end_line, end_col = line, stop - line_start + 1
            token = Token(kind, value, pos, line, pos - line_start + 1, end_line, end_col, stop)
            if kind in callbacks:
                token = callbacks[kind](token)
            if newlines:
                line, line_start = end_line, pos + value.rfind("\n") + 1
            pos = stop
            if kind not in ignore:
                lexer_state.last_token = token
                yield token
