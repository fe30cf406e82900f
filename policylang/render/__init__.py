"""Diagnostics output: `print_diagnostics` writes findings in one of four formats.

`text` (`policylang.render.text`, coloured with rich on a terminal unless
NO_COLOR is set), `json` (`render.json`), `github` workflow commands
(`render.github`) and SARIF 2.1.0 (`render.sarif`). `render` is the pure form:
findings in, text out.
"""
from __future__ import annotations

import os
from typing import IO, Iterable

from ..diagnostics import Diagnostic
from ..source import SourceFile
from .github import render_github
from .json import render_json
from .sarif import render_sarif
from .text import Line, render_text, text_lines

FORMATS = ("text", "json", "github", "sarif")


def render(diagnostics: Iterable[Diagnostic], fmt: str = "text", sources: dict[str, SourceFile] | None = None) -> str:
    """The findings in format `fmt`, without colour."""
    diagnostics = list(diagnostics)
    if fmt == "text":
        return render_text(diagnostics, sources)
    renderers = {"json": render_json, "github": render_github, "sarif": render_sarif}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return renderers[fmt](diagnostics)


def use_color(stream: IO[str], color: bool | None = None) -> bool:
    """An explicit `color` wins; else NO_COLOR (non-empty) turns colour off, FORCE_COLOR on,
    and otherwise colour follows whether `stream` is a terminal."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _print_colored(lines: list[Line], stream: IO[str]) -> None:
    from rich.console import Console
    from rich.text import Text

    is_tty = bool(getattr(stream, "isatty", None) and stream.isatty())
    console = Console(file=stream, force_terminal=True, no_color=False, color_system="auto" if is_tty else "standard",
                      soft_wrap=True, highlight=False, markup=False, emoji=False)
    for line in lines:
        console.print(Text.assemble(*line))


def print_diagnostics(diagnostics: Iterable[Diagnostic], stream: IO[str], sources: dict[str, SourceFile] | None = None,
                      fmt: str = "text", color: bool | None = None) -> None:
    """Write the findings to `stream`; `color` (text only) defaults to `use_color(stream)`."""
    diagnostics = list(diagnostics)
    if fmt == "text" and use_color(stream, color):
        _print_colored(text_lines(diagnostics, sources), stream)
    else:
        out = render(diagnostics, fmt, sources)
        encoding = getattr(stream, "encoding", None)
        if encoding:  # what the stream cannot carry becomes `?` rather than an error
            out = out.encode(encoding, "replace").decode(encoding)
        stream.write(out)
    stream.flush()


def read_sources(diagnostics: Iterable[Diagnostic]) -> dict[str, SourceFile]:
    """The files the findings point at, read from disk, for their source lines
    (a file that cannot be read is left out: its findings show no snippet)."""
    sources = {}
    for d in diagnostics:
        for span in [d.span, *(r.span for r in d.related)]:
            if span is None or span.file in sources:
                continue
            try:
                with open(span.file, encoding="utf-8", errors="replace") as f:
                    sources[span.file] = SourceFile(span.file, f.read())
            except OSError:
                continue
    return sources
