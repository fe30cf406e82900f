"""Policy text to syntax tree: `parse_file` and `parse_bytes`.

The Lark parser is built once per process, on first use. A file is parsed in
one pass; when that fails, it is split into statements (a line, or a block up
to its closing `}`) and each is parsed on its own, so one run reports every
broken statement and returns the statements that did parse. Nothing raises:
every problem is a `Diagnostic` (PL100-PL105).
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic
from ..gc_pause import gc_paused
from ..grammar import GRAMMAR_FILE
from ..rule_kinds import statement_words
from ..source import Span
from . import ast
from .build import AstBuilder, StatementError
from .errors import SyntaxMessages
from .lark_shim import LARK_VERSION, Lark, UnexpectedInput
from .lexer import GrammarLexer

_BOM = b"\xef\xbb\xbf"
_HEADER_HELP = "start the file with `policy global` or `policy business_unit NAME`"
# strings (closed or not) and comments, which hide braces and keywords
_NOT_CODE = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#.*')
# inside an unclosed block, a line like this starts the next statement
# (the words that start a statement: those of the rule kinds, and of the other statements)
_STATEMENT_START = re.compile(
    r"\s*(?:(?:" + "|".join(("policy", "channels", "topics", "segment", "campaign") + statement_words()) + r")\b"
    r"|score\s+[a-z_][a-z0-9_]*\s*\{)")
_POLICY_WORD = re.compile(r"\s*policy\b")


@dataclass
class _Parser:
    lark: Lark
    builder: AstBuilder
    messages: SyntaxMessages


_lock = threading.Lock()  # the builder holds the state of one parse at a time


@functools.cache
def _parser() -> _Parser:
    """The one parser of the process, built on first use (call it holding `_lock`)."""
    builder = AstBuilder()
    grammar = GRAMMAR_FILE.read_text(encoding="utf-8")
    lark = Lark(grammar, parser="lalr", lexer=GrammarLexer, start=["file", "chunk"], keep_all_tokens=True,
                transformer=builder, lexer_callbacks={"COMMENT": builder.comment}, cache=cache_file(grammar))
    return _Parser(lark, builder, SyntaxMessages(lark))


def cache_file(grammar: str) -> str | bool:
    """Where Lark keeps the grammar's LALR tables between runs, which saves building them in every
    process: a file per grammar, Lark and Python version in the user's cache folder
    (`$XDG_CACHE_HOME/policylang`, else `~/.cache/policylang`). False, no cache, when that folder
    cannot be made; Lark itself rebuilds the tables when the file cannot be read or written."""
    key = hashlib.sha256(f"{grammar}{LARK_VERSION}{sys.version_info[:2]}".encode()).hexdigest()[:16]
    try:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policylang"
        folder.mkdir(parents=True, exist_ok=True)
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return False
    return str(folder / f"grammar-{key}.lark")


def reserved_words() -> tuple[str, ...]:
    """The keywords of the language, which cannot be names."""
    with _lock:
        return tuple(sorted(_parser().messages.keywords))


def parse_bytes(path: str, data: bytes) -> tuple[ast.PolicyFile, list[Diagnostic]]:
    """Decode UTF-8 (a leading byte-order mark is skipped) and parse; PL105 when undecodable."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8", "replace")) + 1
        return ast.PolicyFile(path, None, ()), [Diagnostic(
            "PL105", f"byte `0x{data[exc.start]:02x}` is not UTF-8 text; save the file as UTF-8",
            Span(path, line, col, line, col + 1))]
    return parse_file(path, text)


def parse_file(path: str, text: str) -> tuple[ast.PolicyFile, list[Diagnostic]]:
    """Parse one policy file; the diagnostics are syntax findings, in file order."""
    if not text.endswith("\n"):
        text += "\n"
    with _lock, gc_paused():
        return _parse_text(_parser(), path, text)


def _parse_text(parser: _Parser, path: str, text: str) -> tuple[ast.PolicyFile, list[Diagnostic]]:
    parser.builder.reset(path, 0)
    try:
        header, statements = parser.lark.parse(text, start="file")
    except (UnexpectedInput, StatementError):
        return _parse_statements(parser, path, text)
    return ast.PolicyFile(path, header, statements, tuple(parser.builder.comments)), list(parser.builder.diagnostics)


def _split(lines: list[str]) -> list[tuple[int, int, int]]:
    """Statements as (first line, end line, line of the statement's code), 0-based.

    Each piece also holds the comment and blank lines before it; the last one
    holds those after it. A block runs to the line that closes its braces, or
    stops before a line that starts a statement when its `}` is missing.
    """
    pieces: list[tuple[int, int, int]] = []
    first = i = 0
    while i < len(lines):
        code = _NOT_CODE.sub("", lines[i])
        if not code.strip():
            i += 1
            continue
        start, depth = i, code.count("{") - code.count("}")
        i += 1
        while depth > 0 and i < len(lines) and not _STATEMENT_START.match(lines[i]):
            code = _NOT_CODE.sub("", lines[i])
            depth += code.count("{") - code.count("}")
            i += 1
        pieces.append((first, i, start))
        first = i
    if pieces:
        pieces[-1] = (pieces[-1][0], len(lines), pieces[-1][2])
    return pieces


def _parse_statements(parser: _Parser, path: str, text: str) -> tuple[ast.PolicyFile, list[Diagnostic]]:
    """The recovery path: parse statement by statement, collecting every error."""
    lines = text.split("\n")
    header, statements, comments, diagnostics = None, [], [], []
    pieces = _split(lines)
    if not pieces:
        diagnostics.append(Diagnostic("PL102", f"the file is empty; {_HEADER_HELP}", Span(path, 1, 1, 1, 1)))
    for index, (first, end, code_line) in enumerate(pieces):
        piece = "\n".join(lines[first:end]) + "\n"
        parser.builder.reset(path, first)
        try:
            node = parser.lark.parse(piece, start="chunk")
        except UnexpectedInput as exc:
            node = None
            diagnostics.append(parser.messages.diagnostic(exc, path, first, piece))
        except StatementError as exc:
            node = None
            diagnostics.append(exc.diagnostic)
        diagnostics.extend(parser.builder.diagnostics)
        comments.extend(parser.builder.comments)
        is_header = isinstance(node, ast.Header) or (node is None and _POLICY_WORD.match(lines[code_line]))
        if index == 0 and not is_header:
            col = len(lines[code_line]) - len(lines[code_line].lstrip()) + 1
            diagnostics.append(Diagnostic("PL102", f"the file has no `policy` header; {_HEADER_HELP}",
                                          Span(path, code_line + 1, col, code_line + 1, col + 1)))
        if isinstance(node, ast.Header):
            if index == 0:
                header = node
            else:
                diagnostics.append(Diagnostic(
                    "PL100", "a file has one `policy` header, on its first line; remove this one", node.span))
        elif node is not None:
            statements.append(node)
    diagnostics.sort(key=lambda d: (d.span.line, d.span.col))
    return ast.PolicyFile(path, header, tuple(statements), tuple(comments)), diagnostics
