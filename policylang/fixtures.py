"""Policy unit test fixtures: YAML files of table rows and expected decisions.

The format is documented in docs/policy-tests.md. A file holds `cases`; each
case gives rows of the six tables, the `as_of` time and, per candidate, the
expected `decision` and `rule`. File-level `as_of`, `defaults` (column values
for rows that leave them out) and `tables` (rows every case shares) keep cases
short. Values are read by the column's type, not by YAML's guesses (`NO` stays
the text `NO`, `0.10` is an exact decimal); anything that does not fit the
format is a `Diagnostic` (PL406) at the value's `file:line:col`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from .dataset import Dataset
from .diagnostics import Diagnostic, did_you_mean
from .errors import ProjectError
from .instants import utc_naive
from .schema import ID_COLUMNS, TABLE_COLUMNS, table_kinds
from .source import Span

NULLS = ("", "~", "null", "Null", "NULL")
DECISIONS = ("send", "suppress")
FILE_KEYS = ("as_of", "defaults", "tables", "cases")
CASE_KEYS = ("name", "as_of", "tables", "expect")
EXPECT_KEYS = ("candidate_id", "decision", "rule")


@dataclass(frozen=True)
class Expected:
    decision: str
    rule: str | None
    span: Span


@dataclass(frozen=True)
class Case:
    name: str
    as_of: datetime
    data: Dataset
    expected: dict  # candidate_id -> Expected, in the order written
    span: Span


class _Error(Exception):
    def __init__(self, node: yaml.Node, message: str, help: str | None = None):
        super().__init__(message)
        self.node, self.message, self.help = node, message, help


def _span(path: str, node: yaml.Node) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(path, start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _mapping(node: yaml.Node, what: str, keys: tuple[str, ...] | None = None) -> dict[str, yaml.Node]:
    """A YAML mapping as {key: value node}; with `keys`, every key must be one of them."""
    if not isinstance(node, yaml.MappingNode):
        raise _Error(node, f"{what} must be a mapping of `key: value`")
    out = {}
    for key, value in node.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if keys is not None and name not in keys:
            raise _Error(key, f"unknown key `{name}` in {what}: use one of {', '.join(f'`{k}`' for k in keys)}",
                         did_you_mean(str(name), keys))
        if name in out:
            raise _Error(key, f"`{name}` is given twice in {what}: keep one")
        out[name] = value
    return out


def _sequence(node: yaml.Node, what: str) -> list[yaml.Node]:
    if not isinstance(node, yaml.SequenceNode):
        raise _Error(node, f"{what} must be a list (`- ...` items or `[...]`)")
    return list(node.value)


def _text(node: yaml.Node, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode):
        raise _Error(node, f"{what} must be a single value")
    return node.value


def _is_null(node: yaml.ScalarNode) -> bool:
    return node.style is None and node.value in NULLS


def _timestamp(node: yaml.Node, what: str) -> datetime:
    text = _text(node, what)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Error(node, f"{what} `{text}` is not an ISO 8601 time: write e.g. `2025-06-30T06:00:00`") from None
    return utc_naive(moment)


def _value(node: yaml.Node, kind: str, what: str):
    """One cell, read as `kind` (text, integer, decimal, money, boolean, timestamp or id)."""
    text = _text(node, what)
    if _is_null(node):
        return None
    if kind == "text" or (kind == "id" and node.style is not None):
        return text
    if kind == "timestamp":
        return _timestamp(node, what)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise _Error(node, f"{what} must be `true` or `false`, not `{text}`")
        return text.lower() == "true"
    try:
        if kind in ("decimal", "money"):
            return Decimal(text)
        return int(text)
    except (ValueError, InvalidOperation):
        if kind == "id":
            return text
        raise _Error(node, f"{what} must be {'a whole number' if kind == 'integer' else 'a decimal number'}, "
                           f"not `{text}`") from None


def column_kinds(attributes: dict[str, str]) -> dict[str, dict[str, str]]:
    """table -> column -> kind (`schema.table_kinds`), for the canonical columns and the configured attributes."""
    return {table: table_kinds(table, attributes) for table in TABLE_COLUMNS}


class _Reader:
    def __init__(self, path: str, kinds: dict[str, dict[str, str]]):
        self.path, self.kinds = path, kinds

    def rows(self, node: yaml.Node, defaults: dict[str, dict]) -> dict[str, list[dict]]:
        """`tables:`: table -> rows, each row complete (defaults, then NULL, for the columns left out)."""
        tables = {}
        for table, rows_node in _mapping(node, "`tables`", tuple(TABLE_COLUMNS)).items():
            tables[table] = [{**{c: None for c in self.kinds[table]}, **defaults.get(table, {}),
                              **self.row(table, row)} for row in _sequence(rows_node, f"`tables.{table}`")]
        return tables

    def row(self, table: str, node: yaml.Node) -> dict:
        columns = self.kinds[table]
        return {column: _value(value, columns[column], f"`{table}.{column}`")
                for column, value in _mapping(node, f"a `{table}` row", tuple(columns)).items()}

    def defaults(self, node: yaml.Node | None) -> dict[str, dict]:
        if node is None:
            return {}
        return {table: self.row(table, row) for table, row in _mapping(node, "`defaults`", tuple(TABLE_COLUMNS)).items()}

    def expected(self, node: yaml.Node, candidates: list[dict]) -> dict:
        ids = [c["candidate_id"] for c in candidates]
        out = {}
        for item in _sequence(node, "`expect`"):
            fields = _mapping(item, "an `expect` row", EXPECT_KEYS)
            for key in ("candidate_id", "decision"):
                if key not in fields:
                    raise _Error(item, f"an `expect` row needs `{key}`")
            cid = _value(fields["candidate_id"], "id", "`candidate_id`")
            if cid not in ids:
                raise _Error(fields["candidate_id"], f"`expect` names candidate `{cid}`, which the case does not "
                                                     "have: add it to `candidates` or fix the id")
            if cid in out:
                raise _Error(fields["candidate_id"], f"candidate `{cid}` is expected twice: keep one row")
            decision = _text(fields["decision"], "`decision`")
            if decision not in DECISIONS:
                raise _Error(fields["decision"], f"`decision` must be `send` or `suppress`, not `{decision}`")
            rule = _value(fields["rule"], "text", "`rule`") if "rule" in fields else None
            if (decision == "suppress") != (rule is not None):
                raise _Error(item, "a `suppress` row needs the `rule` that suppresses it, and a `send` row has none")
            out[cid] = Expected(decision, rule, _span(self.path, item))
        missing = [cid for cid in ids if cid not in out]
        if missing:
            raise _Error(node, f"no expectation for candidate {', '.join(f'`{m}`' for m in missing)}: "
                               "add an `expect` row for every candidate")
        return out

    def cases(self, root: yaml.Node) -> list[Case]:
        top = _mapping(root, "a policy test file", FILE_KEYS)
        if "cases" not in top:
            raise _Error(root, "a policy test file needs `cases:`, a list of cases")
        as_of = _timestamp(top["as_of"], "`as_of`") if "as_of" in top else None
        defaults = self.defaults(top.get("defaults"))
        shared = self.rows(top["tables"], defaults) if "tables" in top else {}
        return [self.case(node, as_of, defaults, shared) for node in _sequence(top["cases"], "`cases`")]

    def case(self, node: yaml.Node, as_of: datetime | None, defaults: dict, shared: dict) -> Case:
        fields = _mapping(node, "a case", CASE_KEYS)
        for key in ("name", "expect"):
            if key not in fields:
                raise _Error(node, f"a case needs `{key}`")
        if "as_of" in fields:
            as_of = _timestamp(fields["as_of"], "`as_of`")
        if as_of is None:
            raise _Error(node, "a case needs `as_of`, here or at the top of the file")
        own = self.rows(fields["tables"], defaults) if "tables" in fields else {}
        data = Dataset(**{t: shared.get(t, []) + own.get(t, []) for t in TABLE_COLUMNS})
        for column in ID_COLUMNS:
            kinds = {type(row[column]) for t in TABLE_COLUMNS for row in data.table(t) if row.get(column) is not None}
            if len(kinds) > 1:
                raise _Error(node, f"`{column}` values are numbers in some rows and text in others: "
                                   "write every id of one kind (quote them all to make them text)")
        return Case(_text(fields["name"], "`name`"), as_of, data, self.expected(fields["expect"], data.candidates),
                    _span(self.path, node))


def read_fixture(path: str, text: str, attributes: dict[str, str]) -> list[Case]:
    """The cases of one fixture file; `ProjectError` with a PL406 finding when it breaks the format."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if root is None:
            raise ProjectError([Diagnostic("PL406", "the test file is empty: add `cases:`", Span(path, 1, 1, 1, 1))])
        return _Reader(path, column_kinds(attributes)).cases(root)
    except _Error as exc:
        raise ProjectError([Diagnostic("PL406", exc.message, _span(path, exc.node), help=exc.help)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = Span(path, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 2) if mark else \
            Span(path, 1, 1, 1, 1)
        raise ProjectError([Diagnostic("PL406", f"the test file is not valid YAML ({exc.problem}): fix it", where)]) \
            from None


def load_fixture(path: Path, attributes: dict[str, str]) -> list[Case]:
    """The cases of the fixture file at `path` (shown to users as written)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = "it is not UTF-8 text" if isinstance(exc, UnicodeDecodeError) else exc.strerror or str(exc)
        raise ProjectError([Diagnostic("PL406", f"cannot read `{path}` ({reason}): save it as UTF-8 text",
                                       Span(str(path), 1, 1, 1, 1))]) from None
    return read_fixture(str(path), text, attributes)


def fixture_files(folder: Path) -> list[Path]:
    """The `*.yaml` and `*.yml` files of a project's `tests/` folder, sorted by name."""
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()), key=lambda p: p.name)
