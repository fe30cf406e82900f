"""`check`'s lint semantics, as ruff's: every finding fails unless the project allows it.

The project allows a finding in policylang.yaml's `lint:` section (`ignore`
drops a code, `warn` shows it without failing, `per_file_ignores` drops codes
in the files a glob matches, relative to the project folder) or inline, with a
comment `# policylang: ignore[PL501] -- reason` on the line the finding is
reported at (a comment alone on its line covers the next line that holds a
statement). Only warnings and info can be allowed: an error means the policy
does not compile. The comments are checked too: a malformed one is PL600, one
without a reason PL601 (it still suppresses), and a code that suppresses
nothing PL602, reported only when the analysis ran. docs/findings.md,
"Allowing a finding", is the user's page for all of it.
"""
from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .codes import REGISTRY, Severity
from .config import Lint
from .diagnostics import Diagnostic, sort_key
from .source import Span

MARK = re.compile(r"#\s*policylang\s*:")
IGNORE = re.compile(r"#\s*policylang\s*:\s*ignore\[(?P<codes>[^\]]*)\]\s*(?:--(?P<reason>.*))?\Z")
OWN = "PL6"  # the suppressions' own codes, which no suppression can silence


@dataclass(frozen=True)
class Suppression:
    span: Span  # the comment
    line: int  # the line whose findings it drops
    codes: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    shown: list[Diagnostic]  # what `check` prints: a finding that fails is shown as an error
    failing: list[Diagnostic]


def judge(findings: list[Diagnostic], project, analysed: bool, strict: bool = False) -> Verdict:
    """The findings `check` shows and those that fail it, under the project's `lint:` section and
    inline suppressions; `analysed`: the analysis ran, so an unused suppression is known to be one;
    `strict`: the `warn` codes fail too."""
    lint, root = (project.config.lint, project.config.root) if project.config is not None else (Lint(), None)
    suppressions, own = read_suppressions(project.files, project.sources)
    used: set[tuple[Suppression, str]] = set()
    kept = []
    for d in findings:
        hits = [s for s in suppressions if not d.is_error and d.span and s.span.file == d.span.file
                and s.line == d.span.line and d.code in s.codes]
        used.update((s, d.code) for s in hits)
        if not hits:
            kept.append(d)
    if analysed:
        own += [Diagnostic("PL602", f"`{code}` is not reported on line {s.line}; remove it from the suppression", s.span)
                for s in suppressions for code in s.codes if (s, code) not in used]
    shown, failing = [], []
    for d in sorted(kept + own, key=sort_key):
        if not d.is_error and (d.code in lint.ignore or _ignored_in_file(d, lint, root)):
            continue
        allowed = d.code in lint.warn
        if not allowed:
            d = replace(d, severity=Severity.ERROR)
        shown.append(d)
        if strict or not allowed:
            failing.append(d)
    return Verdict(shown, failing)


def _ignored_in_file(d: Diagnostic, lint: Lint, root) -> bool:
    if d.span is None or not lint.per_file_ignores:
        return False
    path = Path(os.path.relpath(d.span.file, root)).as_posix()
    return any(d.code in codes and fnmatch.fnmatchcase(path, glob) for glob, codes in lint.per_file_ignores)


def read_suppressions(files, sources) -> tuple[list[Suppression], list[Diagnostic]]:
    """The inline suppressions of the policy files, and the findings about malformed ones."""
    suppressions, findings = [], []
    for file in files:
        source = sources.get(file.path)
        lines = source.text.split("\n") if source is not None else []
        for comment in file.comments:
            if not MARK.match(comment.text):
                continue
            suppression, found = _suppression(comment, lines)
            findings += found
            if suppression is not None:
                suppressions.append(suppression)
    return suppressions, findings


def _suppression(comment, lines: list[str]) -> tuple[Suppression | None, list[Diagnostic]]:
    span = comment.span
    match = IGNORE.match(comment.text)
    if match is None:
        return None, [Diagnostic("PL600", "a suppression is written `# policylang: ignore[CODE] -- reason`; "
                                 "fix this comment", span)]
    codes = tuple(c.strip() for c in match["codes"].split(","))
    for code in codes:
        if code not in REGISTRY:
            return None, [Diagnostic("PL600", f"`{code or ' '}` is not a finding code; list codes such as `PL501`",
                                     span, help="docs/findings.md lists the codes")]
        if REGISTRY[code].severity == Severity.ERROR or code.startswith(OWN):
            return None, [Diagnostic("PL600", f"`{code}` cannot be suppressed: "
                                     + ("fix the suppression instead" if code.startswith(OWN)
                                        else "it is an error, and the policy does not compile with it"), span)]
    found = []
    if not (match["reason"] or "").strip():
        found.append(Diagnostic("PL601", "say why the finding is fine: add ` -- reason` after the codes", span))
    return Suppression(span, _target(span, lines), codes), found


def _target(span: Span, lines: list[str]) -> int:
    """The line a comment covers: its own, or, alone on its line, the next line holding a statement."""
    if span.line > len(lines) or lines[span.line - 1][:span.col - 1].strip():
        return span.line
    for number in range(span.line + 1, len(lines) + 1):
        text = lines[number - 1].strip()
        if text and not text.startswith("#"):
            return number
    return span.line
