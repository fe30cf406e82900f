"""The `sarif` format of `check`: one SARIF 2.1.0 log (OASIS errata 01 schema).

`tool.driver.rules` lists every code of the registry (`policylang.codes`), so
rule indices are stable across runs, each with a `helpUri` to its section of
docs/findings.md; each result names its rule, level,
message (with the help on a second line), the span as a region with 1-based,
end-exclusive columns counted in code points, and related locations.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .. import __version__
from ..codes import REGISTRY, Severity
from ..diagnostics import Diagnostic
from ..links import help_uri
from ..source import Span
from .json import jsonable
from .paths import relative_path

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
CODES = tuple(REGISTRY.values())
_RULE_INDEX = {c.code: i for i, c in enumerate(CODES)}


def rules() -> list[dict[str, Any]]:
    return [{
        "id": c.code,
        "name": c.name,
        "shortDescription": {"text": c.summary},
        "help": {"text": c.fix},
        "helpUri": help_uri(c.code),
        "defaultConfiguration": {"level": LEVEL[c.severity]},
    } for c in CODES]


def _uri(file: str) -> str:
    return quote(relative_path(file), safe="/")


def physical_location(span: Span) -> dict[str, Any]:
    line, col = max(span.line, 1), max(span.col, 1)
    end_line = max(span.end_line, line)
    end_col = max(span.end_col, col) if end_line == line else max(span.end_col, 1)
    return {
        "artifactLocation": {"uri": _uri(span.file)},
        "region": {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col},
    }


def result(d: Diagnostic) -> dict[str, Any]:
    text = d.message if not d.help else f"{d.message}\nhelp: {d.help}"
    out: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": _RULE_INDEX[d.code],
        "level": LEVEL[d.severity],
        "message": {"text": text},
    }
    if d.span:
        out["locations"] = [{"physicalLocation": physical_location(d.span)}]
    if d.related:
        out["relatedLocations"] = [
            {"id": i, "physicalLocation": physical_location(r.span), "message": {"text": r.message}}
            for i, r in enumerate(d.related)
        ]
    if d.data:
        out["properties"] = {"data": jsonable(d.data)}
    return out


def sarif_log(diagnostics: list[Diagnostic]) -> dict[str, Any]:
    driver = {"name": "policylang", "version": __version__, "semanticVersion": __version__, "rules": rules()}
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints",
                  "results": [result(d) for d in diagnostics]}],
    }


def render_sarif(diagnostics: list[Diagnostic]) -> str:
    return json.dumps(sarif_log(diagnostics), ensure_ascii=False) + "\n"  # compact: for machines, and large
