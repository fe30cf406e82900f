"""The resolver's findings: one collector with the message shapes shared by its parts
(unknown names with "did you mean", duplicate definitions)."""
from __future__ import annotations

from typing import Iterable

from ..diagnostics import Diagnostic, Related, did_you_mean, sort_key
from ..source import Span
from ..syntax import ast


def location(span: Span, seen_from: Span) -> str:
    """`line N` within the same file, else `file:line:col`."""
    return f"line {span.line}" if span.file == seen_from.file else span.where


class Report:
    def __init__(self):
        self.diagnostics: list[Diagnostic] = []

    def error(self, code: str, message: str, span: Span | None, help: str | None = None,
              related: tuple[Related, ...] = ()) -> None:
        self.diagnostics.append(Diagnostic(code, message, span, help=help, related=related))

    def unknown(self, kind: str, name: ast.Name, known: Iterable[str], fix: str, help: str | None = None) -> None:
        """PL210 at `name`: `fix` says what a valid name is; the help suggests the closest one."""
        self.error("PL210", f"unknown {kind} `{name.value}`; use {fix}", name.span,
                   help=did_you_mean(name.value, known) or help)

    def duplicate(self, kind: str, name: ast.Name, first: Span, code: str = "PL207", fix: str = "rename or remove one") -> None:
        """`name` repeats a definition made at `first`; both locations are reported."""
        self.error(code, f"{kind} `{name.value}` is defined twice (first at {location(first, name.span)}); {fix}",
                   name.span, related=(Related(first, f"first {kind} `{name.value}`"),))

    def first(self, seen: dict[str, Span], kind: str, name: ast.Name, **duplicate) -> bool:
        """Record `name` in `seen` (name -> where first defined) and say True, or report it as a duplicate."""
        if name.value in seen:
            self.duplicate(kind, name, seen[name.value], **duplicate)
            return False
        seen[name.value] = name.span
        return True

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.diagnostics, key=sort_key)
