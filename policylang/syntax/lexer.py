"""The lexer the Lark parser runs with, generated from the grammar's own terminals.

The grammar's terminals never compete for the same text: each starts with its
own kind of character, and every word lexes as NAME, after which a reserved
word becomes its keyword (`cap` -> CAP). So one compiled regex over all
terminals yields exactly the tokens Lark's contextual lexer would, and in
every position, which makes keywords reserved everywhere. The regex also
skips the ignored terminals that have no callback (white space) in front of
each token, so every match yields a token; it runs several times as fast as
Lark's lexer.
"""
from __future__ import annotations

import re

from .lark_shim import GrammarLexerBase, UnexpectedCharacters, bare_token, literal_text, regexp_has_newline

WORD = "NAME"  # the terminal every word lexes as before keywords are picked out
_PUNCTUATION = "PUNCTUATION"  # the regex group of all non-word string terminals
_SKIPPED = "skipped"  # the regex group of the blanks before a token (no terminal name is lower case)


class GrammarLexer(GrammarLexerBase):
    """A Lark lexer (interface 2) over `lexer_conf.terminals`: ignored terminals
    are skipped after their lexer callbacks run (comments are collected so)."""

    def __init__(self, lexer_conf):
        self.keywords: dict[str, str] = {}
        self.punctuation: dict[str, str] = {}
        self.ignore = frozenset(lexer_conf.ignore)
        self.callbacks = dict(lexer_conf.callbacks)
        self.terminals_by_name = lexer_conf.terminals_by_name
        groups, skipped = [], []
        for terminal in lexer_conf.terminals:
            pattern, literal = terminal.pattern, literal_text(terminal)
            if literal is not None:
                table = self.keywords if literal.isidentifier() else self.punctuation
                table[literal] = terminal.name
            elif self._skippable(terminal.name, pattern.to_regexp()):
                skipped.append(pattern.to_regexp())
            else:
                groups.append(f"(?P<{terminal.name}>{pattern.to_regexp()})")
        symbols = sorted(self.punctuation, key=len, reverse=True)
        groups.append(f"(?P<{_PUNCTUATION}>{'|'.join(map(re.escape, symbols))})")
        # (?=(?P<s>X))(?P=s) matches X atomically: no backtracking into a long run of blanks
        skip = f"(?=(?P<{_SKIPPED}>(?:{'|'.join(skipped)})*))(?P={_SKIPPED})" if skipped else ""
        self._skip = re.compile(skip).match
        self._match = re.compile(skip + f"(?:{'|'.join(groups)})").match
        # only these kinds of token can hold a line break
        self.multiline = frozenset(t.name for t in lexer_conf.terminals if regexp_has_newline(t.pattern.to_regexp()))

    def _skippable(self, name: str, regexp: str) -> bool:
        """Can the terminal be skipped in front of tokens: ignored, no callback, and no line break to count?"""
        return name in self.ignore and name not in self.callbacks and not regexp_has_newline(regexp)

    def lex(self, lexer_state, parser_state):
        source = lexer_state.text
        text, pos, end = source.text, source.start, source.end
        line, line_start = 1, 0
        match, keywords, punctuation = self._match, self.keywords, self.punctuation
        ignore, callbacks, multiline = self.ignore, self.callbacks, self.multiline
        while pos < end:
            found = match(text, pos, end)
            if found is None:
                pos = self._skip(text, pos, end).end()
                if pos == end:
                    return
                raise UnexpectedCharacters(text, pos, line, pos - line_start + 1, state=parser_state,
                                           terminals_by_name=self.terminals_by_name)
            kind = found.lastgroup
            start, stop = found.span(kind)
            value = text[start:stop]
            if kind == WORD:
                kind = keywords.get(value, WORD)
            elif kind == _PUNCTUATION:
                kind = punctuation[value]
            token = bare_token(value)
            token.type, token.value, token.start_pos, token.end_pos = kind, value, start, stop
            token.line, token.column = line, start - line_start + 1
            if kind in multiline and "\n" in value:
                line += value.count("\n")
                line_start = start + value.rfind("\n") + 1
            token.end_line, token.end_column = line, stop - line_start + 1
            pos = stop
            if kind in callbacks:
                token = callbacks[kind](token)
            if kind not in ignore:
                yield token
