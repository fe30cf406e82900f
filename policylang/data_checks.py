"""Data that cannot be right, found before anything is decided or written (docs/data.md).

Each column has a kind (`column_kind`). `file_checks` and `engine_checks` give,
per kind, predicates that are true on a row whose value is wrong, keyed by the
finding code they are reported under, as sqlglot trees: the first for DuckDB
reading a data file (`policylang.data_files`), the second for any engine
reading a `--db` table. `counted` turns them into one aggregate query per
table. `problem` words a finding.

`check_tables(engine, policy)` checks a `--db` database before the decision
query runs: every table and column the query reads (`compilers.sql.reads`)
exists, and the values it reads are whole numbers where counts and priorities
are, have at most 4 decimal places in a cost, are finite, and, on SQLite,
timestamps are text of one of the two ISO forms. Every problem found is a
finding without a location (a table has no lines), raised together as one
`ProjectError`. A missing column is found by selecting it (no rows): that
works alike on every engine, but run it outside a transaction, which a failed
statement aborts on PostgreSQL.

What is not a data error fails closed in the decision query instead (a negative
cost, an unknown message class or consent status): docs/data.md lists both.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from sqlglot import exp

from .diagnostics import Diagnostic
from .errors import ProjectError
from .model import PolicySet
from .schema import table_kinds

PLACES = {"integer": 0, "money": 4, "decimal": 10}  # the decimal places a number of each kind keeps
# the type a data file's value is read as (DuckDB); ids are settled across files (`policylang.data_files`)
FILE_TYPES = {"integer": "BIGINT", "money": "DECIMAL(18, 4)", "decimal": "DECIMAL(38, 10)", "boolean": "BOOLEAN",
              "timestamp": "TIMESTAMPTZ", "text": "VARCHAR"}
# DuckDB types a number may come as in a Parquet file
NUMERIC_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
                           "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL"})
# a number as digits: sign, digits, point, digits (no exponent, `_`, hex, NaN or infinity)
NUMBER_TEXT = r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)\s*"
TYPE_WORDS = {"integer": "whole numbers", "money": "decimal numbers", "decimal": "decimal numbers",
              "boolean": "`true` or `false`", "timestamp": "timestamps such as `2025-06-30 05:30:00` (UTC unless "
              "a zone is given)"}
SHOWN = 60  # characters of a wrong value shown in a message
ISO_SECONDS = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9][ T][0-9][0-9]:[0-9][0-9]:[0-9][0-9]"  # a SQLite GLOB


def column_kind(attributes: Mapping[str, str], table: str, column: str) -> str:
    """`id`, `text`, `integer`, `money`, `decimal`, `boolean` or `timestamp` (`schema.table_kinds`;
    attributes as configured)."""
    return table_kinds(table, attributes).get(column, "text")


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _present(value: exp.Expression) -> exp.Expression:
    return exp.Not(this=exp.Is(this=value.copy(), expression=exp.Null()))


def _parses(value: exp.Expression, kind: str) -> exp.Expression:
    """DuckDB: does `value` convert to the kind's type (NULL: no)?"""
    return _present(exp.TryCast(this=value.copy(), to=exp.DataType.build(FILE_TYPES[kind], dialect="duckdb")))


def _too_precise(value: exp.Expression, kind: str) -> exp.Expression:
    """DuckDB: `value` differs from itself rounded to the kind's places (exact for decimals)."""
    return exp.NEQ(this=value.copy(), expression=exp.Round(this=value.copy(), decimals=exp.Literal.number(PLACES[kind])))


def file_checks(value: exp.Expression, source_type: str, kind: str) -> dict[str, exp.Expression]:
    """Code -> predicate true on a row whose `value`, a data file's column of DuckDB type `source_type`,
    is not a value of `kind`: text must be digits (`NUMBER_TEXT`) with no more places than the kind
    keeps, a number must be finite; anything must convert to the kind's type."""
    if kind in ("id", "text"):
        return {}
    if kind not in PLACES:
        return {"PL411": exp.and_(_present(value), exp.not_(_parses(value, kind)))}
    precision = "PL409" if kind == "integer" else "PL410"
    if source_type == "VARCHAR":
        plain = _fn("regexp_full_match", value.copy(), exp.Literal.string(NUMBER_TEXT))
        places = _fn("regexp_matches", value.copy(), exp.Literal.string(rf"\.[0-9]{{{PLACES[kind]}}}[0-9]*[1-9]"))
        too_precise = exp.and_(plain, places)
        readable = exp.and_(plain.copy(), exp.or_(too_precise.copy(), _parses(value, kind)))
        return {"PL411": exp.and_(_present(value), exp.not_(readable)), precision: too_precise}
    if source_type.split("(")[0] not in NUMERIC_TYPES:
        return {"PL411": exp.and_(_present(value), exp.not_(_parses(value, kind)))}
    finite = _fn("isfinite", exp.cast(value.copy(), "DOUBLE"))
    return {"PL411": exp.and_(_present(value), exp.or_(exp.not_(finite), exp.not_(_parses(value, kind)))),
            precision: exp.and_(_present(value), finite.copy(), _too_precise(value, kind))}


def engine_checks(value: exp.Expression, kind: str, text_timestamps: bool) -> dict[str, exp.Expression]:
    """Code -> predicate true on a row whose `value`, a `--db` table's column, is not a value of `kind`,
    in any dialect. A number must be finite (`x * 0` is 0 for every finite number; NULL for SQLite's
    NaN) and, where `text_timestamps` (SQLite, whose columns take any value), a number at all; then it
    must have no more decimal places than the kind keeps, compared at 6 places beyond them so a REAL's
    binary error is not mistaken for a digit. Where timestamps are text, they must have one of the
    two ISO forms the decision query reads (`ISO_SECONDS`, then `.` and 1 to 6 digits or nothing)."""
    if kind == "timestamp" and text_timestamps:
        return {"PL412": exp.and_(_present(value), exp.not_(_iso_text(value)))}
    if kind not in PLACES:
        return {}
    not_finite = exp.NEQ(this=exp.Coalesce(this=exp.Mul(this=value.copy(), expression=exp.Literal.number(0)),
                                           expressions=[exp.Literal.number(1)]), expression=exp.Literal.number(0))
    if text_timestamps:
        typed = exp.In(this=_fn("TYPEOF", value.copy()), expressions=[exp.Literal.string("integer"),
                                                                       exp.Literal.string("real")])
        not_finite = exp.or_(not_finite, exp.not_(typed))
    bad = exp.and_(_present(value), not_finite)
    if kind == "decimal":
        return {"PL411": bad}
    scaled = exp.Mul(this=exp.cast(value.copy(), exp.DataType.build("DECIMAL(28, 10)")),
                     expression=exp.Literal.number(10 ** PLACES[kind]))
    fraction = exp.NEQ(this=exp.Round(this=scaled, decimals=exp.Literal.number(6)),
                       expression=exp.Round(this=scaled.copy(), decimals=exp.Literal.number(0)))
    precision = "PL409" if kind == "integer" else "PL410"
    return {"PL411": bad, precision: exp.Case(ifs=[exp.If(this=bad.copy(), true=exp.false())], default=fraction)}


def _iso_text(value: exp.Expression) -> exp.Expression:
    """SQLite: `value` is text `YYYY-MM-DD HH:MM:SS` or with `T`, then nothing or `.` and 1 to 6 digits,
    and names a real instant."""
    length = exp.Length(this=value.copy())
    fraction = exp.and_(
        exp.EQ(this=_fn("SUBSTR", value.copy(), exp.Literal.number(20), exp.Literal.number(1)),
               expression=exp.Literal.string(".")),
        exp.Between(this=length.copy(), low=exp.Literal.number(21), high=exp.Literal.number(26)),
        exp.not_(exp.Glob(this=_fn("SUBSTR", value.copy(), exp.Literal.number(21)),
                          expression=exp.Literal.string("*[^0-9]*"))))
    return exp.and_(
        exp.EQ(this=_fn("TYPEOF", value.copy()), expression=exp.Literal.string("text")),
        exp.Glob(this=_fn("SUBSTR", value.copy(), exp.Literal.number(1), exp.Literal.number(19)),
                 expression=exp.Literal.string(ISO_SECONDS)),
        exp.or_(exp.EQ(this=length, expression=exp.Literal.number(19)), fraction),
        _present(_fn("DATETIME", value.copy())))


@dataclass(frozen=True)
class Check:
    """One way one column can be wrong: `bad` is true on a row that is."""

    column: str  # canonical
    kind: str
    code: str
    bad: exp.Expression


@dataclass(frozen=True)
class Failure:
    """A check some rows fail: how many, and what `counted` was asked to show of them."""

    check: Check
    count: int
    shown: tuple


def counted(checks: list[Check], source: exp.Expression,
            shown: Callable[[Check], list[exp.Expression]]) -> exp.Select:
    """One aggregate over `source`: per check, the number of rows failing it, then `shown(check)`
    (aggregates over the rows, the same number for every check)."""
    columns = []
    for check in checks:
        columns.append(exp.Sum(this=exp.Case(ifs=[exp.If(this=check.bad.copy(), true=exp.Literal.number(1))],
                                             default=exp.Literal.number(0))))
        columns += shown(check)
    return exp.select(*columns).from_(source)


def when_bad(check: Check, value: exp.Expression) -> exp.Expression:
    """`value` on a row failing `check`, NULL on the others."""
    return exp.Case(ifs=[exp.If(this=check.bad.copy(), true=value)])


def failures(checks: list[Check], row: tuple) -> list[Failure]:
    """The checks that rows failed, from the one row of `counted`'s query."""
    width = len(row) // len(checks)
    parts = [row[i:i + width] for i in range(0, len(row), width)]
    return [Failure(check, int(part[0]), tuple(part[1:])) for check, part in zip(checks, parts) if part[0]]


def problem(failure: Failure, label: str, value: str, rows: str) -> tuple[str, str]:
    """(message, help) of a failed check; `label` names the column, `rows` adds how many rows."""
    shown = value if len(value) <= SHOWN else value[:SHOWN] + "…"
    kind, code = failure.check.kind, failure.check.code
    if code == "PL409":
        return f"`{label}` must hold whole numbers; `{shown}` is not one", f"policylang never rounds it: fix the data{rows}"
    if code == "PL410":
        return (f"`{label}` has at most {PLACES[kind]} decimal places; `{shown}` has more",
                f"policylang never rounds it: fix the data{rows}")
    if code == "PL412":
        return (f"`{label}` must hold timestamps as text `YYYY-MM-DD HH:MM:SS`; `{shown}` is not one",
                f"write UTC as `2025-06-30 05:30:00` or `2025-06-30T05:30:00`, optionally with `.` and 1 to 6 "
                f"digits, and no zone{rows}")
    return f"`{label}` must hold {TYPE_WORDS[kind]}; `{shown}` is not one", f"fix the value, or make it NULL{rows}"


# --- a `--db` database ----------------------------------------------------------------

def check_tables(engine, policy: PolicySet) -> None:
    """Stop with a `ProjectError` when the tables of `engine` lack a table or column the decision query
    reads, or hold a value it cannot read right (see the module docstring)."""
    from .compilers.sql.dialects import Target
    from .compilers.sql.reads import policy_reads

    target = Target(engine.dialect, None)
    found: list[Diagnostic] = []
    for table, columns in sorted(policy_reads(policy, engine.dialect).items()):
        source = target.table(policy.table(table), "t")
        names = {c: exp.column(target.identifier(policy.column(table, c)), table="t") for c in sorted(columns)}
        missing = _missing(engine, policy, table, source, names)
        found += missing or _wrong_values(engine, policy, table, source, names, target.text_timestamps)
    if found:
        raise ProjectError(found, {})


def runs(engine, source: exp.Table, columns: list[exp.Expression]) -> str | None:
    """None when `SELECT columns FROM source` (no rows) runs on `engine`, else the first line of its error."""
    query = exp.select(*columns).from_(source.copy()).where(exp.EQ(this=exp.Literal.number(1),
                                                                   expression=exp.Literal.number(0)))
    try:
        engine.execute(query.sql(dialect=engine.dialect))
    except engine.errors as exc:
        return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return None


def _missing(engine, policy: PolicySet, table: str, source: exp.Table,
             names: dict[str, exp.Column]) -> list[Diagnostic]:
    """PL413 when the table cannot be read, PL407 per column the query reads that it lacks."""
    if runs(engine, source, list(names.values())) is None:
        return []
    shown = policy.table(table)
    error = runs(engine, source, [exp.Star()])
    if error is not None:
        return [Diagnostic("PL413", f"cannot read table `{shown}` ({error}); create it, or map `{table}` "
                           "under `tables:` in policylang.yaml", None)]
    return [Diagnostic("PL407", f"table `{shown}` has no column `{policy.column(table, column)}`, which the policy "
                       "reads: add it, or map it under `columns:` in policylang.yaml", None)
            for column, name in names.items() if runs(engine, source, [name]) is not None]


def _wrong_values(engine, policy: PolicySet, table: str, source: exp.Table, names: dict[str, exp.Column],
                  text_timestamps: bool) -> list[Diagnostic]:
    """A finding per check of a column that rows of the table fail, showing the least wrong value."""
    checks = [Check(column, kind, code, bad) for column, name in names.items()
              for kind in [column_kind(policy.attributes, table, column)]
              for code, bad in engine_checks(name, kind, text_timestamps).items()]
    if not checks:
        return []
    query = counted(checks, source, lambda check: [exp.Min(this=when_bad(check, names[check.column].copy()))])
    (row,) = engine.execute(query.sql(dialect=engine.dialect))
    found = []
    for failure in failures(checks, row):
        label = f"{policy.table(table)}.{policy.column(table, failure.check.column)}"
        rows = f" ({failure.count} rows)" if failure.count > 1 else ""
        message, help = problem(failure, label, str(failure.shown[0]), rows)
        found.append(Diagnostic(failure.check.code, message, None, help=help))
    return found
