"""The `github` format of `check`: GitHub Actions workflow commands, one per finding.

`::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=PL210 unknown-name::message`
(`::warning` for warnings, `::notice` for info). Escaping follows the Actions
toolkit: `%`, CR and LF in the message; those and `:` and `,` in properties.
Help and related locations follow the message on lines of their own.
"""
from __future__ import annotations

from ..codes import Severity
from ..diagnostics import Diagnostic
from .paths import relative_path

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic) -> str:
    props = []
    if d.span:
        s = d.span
        props += [("file", relative_path(s.file)), ("line", s.line), ("col", s.col),
                  ("endLine", s.end_line), ("endColumn", s.end_col)]
    props.append(("title", f"{d.code} {d.name}"))
    text = [d.message]
    if d.help:
        text.append(f"help: {d.help}")
    text += [f"note: {r.message} ({relative_path(r.span.file)}:{r.span.line}:{r.span.col})" for r in d.related]
    joined = ",".join(f"{key}={escape_property(str(value))}" for key, value in props)
    return f"::{COMMAND[d.severity]} {joined}::{escape_data(chr(10).join(text))}"


def render_github(diagnostics: list[Diagnostic]) -> str:
    return "".join(annotation(d) + "\n" for d in diagnostics)
