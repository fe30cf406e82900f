"""The human format of `check`: ruff-like findings with source snippets.

Each finding is a header `file:line:col: error[PL210]: message`, the source
line with a caret span under the finding's span, an `= help:` line, its
related locations as `note:`s with their own snippet, and an `= docs:` link
to its section of docs/findings.md; a summary line closes the
output. Lines come out as styled segments so that one code path serves plain
text and colour (`policylang.render` paints them with rich on a terminal).
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache
from typing import Iterable

from ..codes import Severity
from ..diagnostics import Diagnostic
from ..links import help_uri
from ..source import SourceFile, Span

Segment = tuple[str, "str | None"]  # (text, rich style or None)
Line = list[Segment]

MAX_SNIPPET = 160  # longer source lines are shown as a window around the span
_CONTEXT = 60  # characters of the window before the span's start

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "bold yellow", Severity.INFO: "bold blue"}
_NOTE_STYLE = "bold cyan"
_GUTTER_STYLE = "bold blue"
_COUNT_WORDS = ((Severity.ERROR, "error", "errors"), (Severity.WARNING, "warning", "warnings"), (Severity.INFO, "info", "info"))


_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")  # controls but tab, lone surrogates
_NOT_TAB = re.compile("[^\t]")


def printable(text: str) -> str:
    """`text` with control characters (tab aside) and lone surrogates shown as U+FFFD,
    so no input can drive the terminal or fail to encode."""
    return _UNPRINTABLE.sub("\ufffd", text)


@lru_cache(maxsize=16)
def _lines(text: str) -> list[str]:
    """The lines of a source text, split once per text however many findings it has."""
    return text.split("\n")


def source_line(source: SourceFile, line: int) -> str | None:
    """Line `line` (1-based) as the parser counts lines: split at `\\n` only, a trailing `\\r` dropped."""
    lines = _lines(source.text)
    if not 0 < line <= len(lines):
        return None
    return lines[line - 1].removesuffix("\r")


def _caret_range(span: Span, text: str) -> tuple[int, int]:
    """0-based start and width of the carets; a multi-line span is underlined to the end of its first line."""
    start = max(span.col - 1, 0)
    end = span.end_col - 1 if span.end_line == span.line else len(text)
    return start, max(end - start, 1)


def _window(text: str, start: int, width: int) -> tuple[str, int, int]:
    """Cut an over-long line to `MAX_SNIPPET` characters around the carets, marking cuts with `…`."""
    if len(text) <= MAX_SNIPPET:
        return text, start, width
    begin = max(0, min(start - _CONTEXT, len(text) - MAX_SNIPPET))
    shown = text[begin:begin + MAX_SNIPPET]
    lead = "…" if begin else ""
    tail = "…" if begin + MAX_SNIPPET < len(text) else ""
    caret_start = start - begin + len(lead)
    return lead + shown + tail, caret_start, max(1, min(width, len(lead) + len(shown) - caret_start))


def _cells(c: str) -> int:
    """Terminal columns of one character: 0 for combining marks, 2 for East Asian wide ones."""
    if unicodedata.combining(c) or unicodedata.category(c) in ("Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _blank(text: str) -> str:
    """Blanks as wide on screen as `text`, its tabs kept, so carets line up under it."""
    if text.isascii():
        return _NOT_TAB.sub(" ", text)
    return "".join(c if c == "\t" else " " * _cells(c) for c in text)


def snippet(span: Span, source: SourceFile | None, style: str) -> list[Line]:
    """The source line under `span` and its carets, or nothing when the line is not at hand."""
    text = source_line(source, span.line) if source is not None else None
    if text is None:
        return []
    start, width = _caret_range(span, text)
    shown, start, width = _window(printable(text), start, width)
    number = str(span.line)
    pad = " " * len(number)
    indent = _blank(shown[:start]) + " " * max(0, start - len(shown))
    past_end = max(0, start + width - max(start, len(shown)))  # carets beyond the line's last character
    carets = max(1, len(_blank(shown[start:start + width]).replace("\t", " ")) + past_end)
    return [
        [(f"{number} | ", _GUTTER_STYLE), (shown, None)],
        [(f"{pad} | ", _GUTTER_STYLE), (indent, None), ("^" * carets, style)],
    ]


def _header(span: Span | None, label: str, style: str, message: str) -> Line:
    where = f"{printable(span.where)}: " if span else "policylang: "
    return [(where, "bold"), (label, style), (f": {printable(message)}", None)]


def diagnostic_lines(d: Diagnostic, sources: dict[str, SourceFile]) -> list[Line]:
    """One finding: header, snippet, help, related notes and the link to its docs."""
    style = SEVERITY_STYLE[d.severity]
    lines = [_header(d.span, f"{d.severity.value}[{d.code}]", style, d.message)]
    if d.span:
        lines += snippet(d.span, sources.get(d.span.file), style)
    pad = " " * (len(str(d.span.line)) + 1) if d.span else "  "
    if d.help:
        lines.append([(pad, None), ("= help", _NOTE_STYLE), (f": {printable(d.help)}", None)])
    for rel in d.related:
        lines.append(_header(rel.span, "note", _NOTE_STYLE, rel.message))
        lines += snippet(rel.span, sources.get(rel.span.file), _NOTE_STYLE)
    lines.append([(pad, None), ("= docs", _NOTE_STYLE), (f": {help_uri(d.code)}", None)])
    return lines


def summary(diagnostics: Iterable[Diagnostic], n_files: int) -> str:
    """`2 errors, 1 warning in 4 files`, or `all checks passed`."""
    counts = Counter(d.severity for d in diagnostics)
    parts = [f"{counts[sev]} {one if counts[sev] == 1 else many}" for sev, one, many in _COUNT_WORDS if counts[sev]]
    if not parts:
        return "all checks passed"
    where = f" in {n_files} file{'' if n_files == 1 else 's'}" if n_files else ""
    return ", ".join(parts) + where


def text_lines(diagnostics: list[Diagnostic], sources: dict[str, SourceFile] | None = None) -> list[Line]:
    """Every finding, a blank line after each, and the summary. The file count is the number
    of source files checked when `sources` is given, else the files the findings name."""
    if sources is None:
        n_files = len({s.file for d in diagnostics for s in (d.span, *(r.span for r in d.related)) if s})
    else:
        n_files = len(sources)
    lines: list[Line] = []
    for d in diagnostics:
        lines += diagnostic_lines(d, sources or {})
        lines.append([])
    present = {d.severity for d in diagnostics}
    style = next((SEVERITY_STYLE[sev] for sev, _, _ in _COUNT_WORDS if sev in present), "bold green")
    lines.append([(summary(diagnostics, n_files), style)])
    return lines


def render_text(diagnostics: list[Diagnostic], sources: dict[str, SourceFile] | None = None) -> str:
    """The text format without colour."""
    return "".join("".join(text for text, _ in line) + "\n" for line in text_lines(diagnostics, sources))
