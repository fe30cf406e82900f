"""Findings: what `check` reports and every stage may produce.

A `Diagnostic` is data; `policylang.render` turns a list of them into text,
JSON, GitHub annotations or SARIF. Messages follow one style (docs/messages.md):
lower case, user input in backticks, no trailing full stop, and they say what
to do; `help` adds the fix or a "did you mean".
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Iterable

from .codes import REGISTRY, Severity
from .source import Span


@dataclass(frozen=True)
class Related:
    """A second location a finding points at (the other half of a conflict)."""

    span: Span
    message: str


@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    span: Span | None
    help: str | None = None
    severity: Severity | None = None  # None: the code's default severity
    related: tuple[Related, ...] = ()
    data: dict[str, Any] = field(default_factory=dict, compare=False)  # e.g. a counter-example

    def __post_init__(self):
        if self.code not in REGISTRY:
            raise ValueError(f"unregistered diagnostic code {self.code}")
        if self.severity is None:
            object.__setattr__(self, "severity", REGISTRY[self.code].severity)

    @property
    def name(self) -> str:
        return REGISTRY[self.code].name

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diagnostics)


def sort_key(d: Diagnostic):
    s = d.span
    return (s.file, s.line, s.col, d.code) if s else ("", 0, 0, d.code)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """`did you mean `x`?` for the closest candidate, or None."""
    match = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else None
