"""The `json` format of `check`: a list of finding objects (schema in docs/messages.md).

Every object has the same keys in the same order: code, name, severity,
message, help, file, line, col, end_line, end_col, related, data. A finding
without a location has null file and positions; `data` holds JSON values only.
"""
from __future__ import annotations

import json
from typing import Any

from ..diagnostics import Diagnostic
from ..source import Span


def jsonable(value: Any) -> Any:
    """`value` as plain JSON data: mappings get string keys, sequences become lists, anything else a string."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return str(value)


def location(span: Span | None) -> dict[str, Any]:
    keys = ("file", "line", "col", "end_line", "end_col")
    return {k: getattr(span, k) if span else None for k in keys}


def record(d: Diagnostic) -> dict[str, Any]:
    """One finding as a JSON object."""
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity.value,
        "message": d.message,
        "help": d.help,
        **location(d.span),
        "related": [{**location(r.span), "message": r.message} for r in d.related],
        "data": jsonable(d.data),
    }


def render_json(diagnostics: list[Diagnostic]) -> str:
    return json.dumps([record(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
