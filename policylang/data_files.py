"""The config's `data:` files (CSV or Parquet) as typed tables, read with DuckDB.

`typed_tables` gives every table of docs/data.md as a DuckDB relation with the
canonical column names and one type per column, whatever the file holds or
calls it (`columns:` renames are applied): timestamps become UTC `TIMESTAMP`,
`cost` an exact `DECIMAL(18,4)`, counts and priorities `BIGINT`, the other
columns text, customer attributes their configured type. An id column
(`customer_id`, `candidate_id`, `campaign_id`, each across every table) is an integer when every
value in every file is one, else text, so ids of one customer always join.
A table without a data file is empty. `load_dataset` fetches the relations
into a `policylang.dataset.Dataset`, the reference interpreter's input.

Nothing is typed before every file passes its checks (docs/data.md): the file
exists (PL404, shown where policylang.yaml names it) and reads as a table
(PL413); its header has every column the policy reads (`Config.reads`; without
a policy, the columns every candidates file needs and every column of the
other tables) (PL407, with the closest header as "did you mean"), none of its
columns twice, case aside (PL408); and every value has its column's type
exactly (`policylang.data_checks`: PL409-PL411). Every problem is a finding at
the file, line and column of the first row that has it (line 1 is the header;
a field's line counts the line breaks inside quoted fields before it, as
RFC 4180 quotes them; a Parquet file's findings sit on its line 1 and name the
row), reported together in one `ProjectError`.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pa_parquet
from duckdb import ColumnExpression, ConstantExpression, FunctionExpression
from sqlglot import exp

from .config import CONFIG_FILE, Config, exists
from .data_checks import Check, column_kind, counted, failures, file_checks, problem, when_bad
from .dataset import Dataset
from .diagnostics import Diagnostic, Related, sort_key
from .errors import ProjectError
from .schema import ID_COLUMNS, REQUIRED_CANDIDATE_COLUMNS, TABLE_COLUMNS, table_columns
from .source import SourceFile, Span

TIMESTAMP, INTEGER, TEXT = "TIMESTAMP", "BIGINT", "VARCHAR"
TYPES = {"integer": INTEGER, "money": "DECIMAL(18,4)", "decimal": "DECIMAL(38,10)", "boolean": "BOOLEAN",
         "timestamp": TIMESTAMP, "text": TEXT}
ROW = "pl_row"  # the 1-based number of a file's row, in the value checks' query
DEFAULT_QUOTE = '"'


def _canonical(config: Config, table: str) -> tuple[str, ...]:
    """The table's canonical columns (customers: the configured attributes after `customer_id`)."""
    return table_columns(table, config.attributes)


def _required(config: Config, table: str) -> frozenset[str]:
    """The canonical columns a file of `table` must have: those the policy reads, or without a policy
    those every candidates file needs (docs/data.md) and every column of the other tables."""
    if config.reads is not None:
        return config.reads().get(table, frozenset())
    return frozenset(REQUIRED_CANDIDATE_COLUMNS if table == "candidates" else _canonical(config, table))


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _fn(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def _option(name: str, value: exp.Expression) -> exp.Expression:
    """A named argument of a DuckDB table function, `name = value`."""
    return exp.EQ(this=exp.column(name), expression=value)


# --- where a CSV field is --------------------------------------------------------------

def _fields(text: str, delimiter: str, quote: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the fields of one CSV record's text, quotes included in the field."""
    spans, start, quoted, i = [], 0, False, 0
    while i < len(text):
        if text[i] == quote:
            quoted = not quoted  # a doubled quote inside a quoted field toggles twice
        elif not quoted and text.startswith(delimiter, i):
            spans.append((start, i))
            i += len(delimiter)
            start = i
            continue
        i += 1
    spans.append((start, len(text)))
    return spans


def _unquoted(raw: str, quote: str) -> str:
    """A field's value as written between its quotes."""
    if len(raw) >= 2 and raw[0] == quote and raw[-1] == quote:
        return raw[1:-1].replace(quote * 2, quote)
    return raw


def _position(text: str, offset: int) -> tuple[int, int]:
    """(lines before, 1-based column) of `offset` in a record's text."""
    return text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1) + 1


@dataclass
class _Csv:
    """How a CSV file is written (as DuckDB sniffed it) and the records found in it so far."""

    delimiter: str
    quote: str
    skip: int  # lines before the header
    records: dict[int, tuple[int, str]] = field(default_factory=dict)  # 0 (header), 1, ... -> (first line, text)

    def locate(self, path: Path, wanted: set[int]) -> None:
        """Find records `wanted` (0: the header, n: the n-th row) by their line breaks outside quotes;
        blank lines are no records, as DuckDB reads the file."""
        wanted = wanted - set(self.records)
        if not wanted:
            return
        quote, last, number, pending, quotes, start = self.quote.encode(), max(wanted), 0, [], 0, 0
        with open(path, "rb") as lines:
            for line_number, line in enumerate(lines, start=1):
                if line_number <= self.skip or (not pending and not line.strip(b"\r\n")):
                    continue
                start = start if pending else line_number
                pending.append(line)
                quotes += line.count(quote)
                if quotes % 2:
                    continue
                if number in wanted:
                    text = b"".join(pending).decode("utf-8", errors="replace").removeprefix("\ufeff")
                    self.records[number] = (start, text.rstrip("\r\n"))
                if number == last:
                    return
                number, pending, quotes = number + 1, [], 0

    def field_span(self, shown: str, record: int, index: int) -> Span | None:
        """Where field `index` of a located record is (None: not found)."""
        if record not in self.records:
            return None
        line, text = self.records[record]
        fields = _fields(text, self.delimiter, self.quote)
        if index >= len(fields):
            return None
        (first, col), (last, end) = (_position(text, offset) for offset in fields[index])
        return Span(shown, line + first, col, line + last, end + (end == col))

    def lines(self) -> dict[int, str]:
        """Line number -> text of the lines of the located records."""
        return {line + i: text for line, record in self.records.values()
                for i, text in enumerate(record.split("\n"))}


@dataclass
class _File:
    """One data file: its values as read (CSV: all text), its header, and how to find a field in it."""

    table: str
    file: str  # as policylang.yaml names it
    path: Path
    shown: str  # as findings name it: the project folder joined with `file`
    relation: duckdb.DuckDBPyRelation
    header: list[str]  # column names as written, in file order
    csv: _Csv | None  # None for a Parquet file

    def columns(self, config: Config) -> dict[str, int]:
        """Canonical column -> its position, for the columns the file has exactly once (case aside)."""
        lowered = [name.lower() for name in self.header]
        positions = {}
        for column in _canonical(config, self.table):
            name = config.columns.get(self.table, {}).get(column, column)
            if name in self.header and lowered.count(name.lower()) == 1:
                positions[column] = self.header.index(name)
        return positions

    def span(self, record: int, index: int | None) -> Span:
        """Field `index` of a record (None: the whole record's first line); a Parquet file's line 1."""
        if self.csv is not None:
            if index is not None and (found := self.csv.field_span(self.shown, record, index)):
                return found
            if record in self.csv.records:
                line, text = self.csv.records[record]
                return Span(self.shown, line, 1, line, len(text.split("\n")[0]) + 1)
        return Span(self.shown, 1, 1, 1, 1)

    def source(self) -> SourceFile | None:
        """The located lines as a source text, other lines blank (a data file may be too big to hold)."""
        if self.csv is None:
            return None
        lines = self.csv.lines()
        return SourceFile(self.shown, "\n".join(lines.get(n, "") for n in range(1, max(lines, default=0) + 1)))


def _open(con: duckdb.DuckDBPyConnection, config: Config, table: str) -> _File | Diagnostic:
    """The data file of `table`, or the finding that it is missing (PL404) or unreadable (PL413)."""
    file = config.data[table]
    path, shown = config.root / file, str(config.root / file)
    where = config.spans.get(f"data.{table}")
    if not exists(path, folder=False):
        return Diagnostic("PL404", f"data file `{file}` does not exist; fix the path, which is relative to the "
                          f"folder holding {CONFIG_FILE}", where)
    try:
        if path.suffix.lower() == ".parquet":
            relation = con.read_parquet(str(path))
            names = pa_parquet.read_schema(path).names  # as written: DuckDB renames a repeated one
            return _File(table, file, path, shown, relation, names if len(names) == len(relation.columns)
                         else list(relation.columns), None)
        relation = con.read_csv(str(path), all_varchar=True, header=True)
        csv = _sniffed(con, path)
        csv.locate(path, {0})
    except (duckdb.Error, OSError, pa.ArrowException) as exc:
        return Diagnostic("PL413", f"cannot read `{file}` ({_first_line(exc)}); make it a CSV file with a header "
                          "row or a Parquet file", where)
    return _File(table, file, path, shown, relation, _header(csv, list(relation.columns)), csv)


def _sniffed(con: duckdb.DuckDBPyConnection, path: Path) -> _Csv:
    """The delimiter, quote and leading lines to skip DuckDB finds in a CSV file."""
    sniff = exp.Table(this=_fn("sniff_csv", exp.Literal.string(str(path)), _option("header", exp.true())))
    query = exp.select("Delimiter", "Quote", "SkipRows").from_(sniff)
    ((delimiter, quote, skip),) = con.sql(query.sql(dialect="duckdb")).fetchall()
    return _Csv(delimiter, quote if len(quote) == 1 else DEFAULT_QUOTE, int(skip))


def _header(csv: _Csv, read: list[str]) -> list[str]:
    """The header's names as written (DuckDB renames a repeated one); DuckDB's where they do not line up."""
    if 0 not in csv.records:
        return read
    text = csv.records[0][1]
    names = [_unquoted(text[a:b], csv.quote) for a, b in _fields(text, csv.delimiter, csv.quote)]
    return names if len(names) == len(read) else read


# --- the checks ---------------------------------------------------------------------

def _header_problems(data: _File, config: Config) -> list[Diagnostic]:
    """PL408 per column of the table written twice (case aside), PL407 per column read but missing."""
    found = []
    lowered = [name.lower() for name in data.header]
    for column in _canonical(config, data.table):
        name = config.columns.get(data.table, {}).get(column, column)
        where = [i for i, written in enumerate(lowered) if written == name.lower()]
        if len(where) > 1:
            first, second = where[:2]
            found.append(Diagnostic(
                "PL408", f"the column `{name}` appears twice, as `{data.header[first]}` and "
                f"`{data.header[second]}`: remove or rename one", data.span(0, second),
                related=(Related(data.span(0, first), "the first is here"),)))
        elif column in _required(config, data.table) and name not in data.header:
            found.append(_missing(data, column, name))
    return found


def _missing(data: _File, column: str, name: str) -> Diagnostic:
    """PL407 for a column the policy reads, written `name` in the file, at the closest header (or the
    header line)."""
    close = difflib.get_close_matches(name, data.header, n=1, cutoff=0.6)
    renamed = f" (`{data.table}.{column}`)" if name != column else ""
    return Diagnostic("PL407", f"`{data.file}` has no column `{name}`{renamed}, which the policy reads: "
                      "add it, or map it under `columns:` in policylang.yaml",
                      data.span(0, data.header.index(close[0]) if close else None),
                      help=f"did you mean `{close[0]}`?" if close else None)


def _checks(data: _File, config: Config, positions: dict[str, int]) -> list[Check]:
    """The value checks of the file's columns, each reading the column by position (`c0`, `c1`, ...)."""
    types = [str(t) for t in data.relation.dtypes]
    return [Check(column, kind, code, bad) for column, i in positions.items()
            for kind in [column_kind(config.attributes, data.table, column)]
            for code, bad in file_checks(exp.column(f"c{i}"), types[i], kind).items()]


def _rows(data: _File) -> exp.Table:
    """The file with every value as read, as columns `c0`, `c1`, ... and the row number `ROW`."""
    path = exp.Literal.string(str(data.path))
    if data.csv is None:
        reader = _fn("read_parquet", path)
    else:
        reader = _fn("read_csv", path, _option("all_varchar", exp.true()), _option("header", exp.true()))
    names = [exp.to_identifier(f"c{i}") for i in range(len(data.header))] + [exp.to_identifier(ROW)]
    return exp.Table(this=reader, ordinality=True, alias=exp.TableAlias(this=exp.to_identifier("f"), columns=names))


def _value_problems(con: duckdb.DuckDBPyConnection, data: _File, config: Config) -> list[Diagnostic]:
    """A finding per check that rows of the file fail, at the first such row's field."""
    positions = data.columns(config)
    checks = _checks(data, config, positions)
    if not checks:
        return []
    row = exp.column(ROW)
    query = counted(checks, _rows(data), lambda check: [
        exp.Min(this=when_bad(check, row.copy())),
        exp.ArgMin(this=exp.cast(exp.column(f"c{positions[check.column]}"), "VARCHAR"),
                   expression=when_bad(check, row.copy()))])
    (counts,) = con.sql(query.sql(dialect="duckdb")).fetchall()
    failed = failures(checks, tuple(counts))
    if data.csv is not None:
        data.csv.locate(data.path, {failure.shown[0] for failure in failed})
    found = []
    for failure in failed:
        first, value = failure.shown
        index = positions[failure.check.column]
        rows = _rows_text(failure.count, None if data.csv is not None else first)
        message, help = problem(failure, data.header[index], str(value), rows)
        found.append(Diagnostic(failure.check.code, message, data.span(first, index), help=help))
    return found


def _rows_text(count: int, row: int | None) -> str:
    """How many rows fail a check, and which is shown when no line says so (`row`: a Parquet file's)."""
    if row is not None:
        return f" (row {row}" + (f", the first of {count})" if count > 1 else ")")
    return f" ({count} rows; this is the first)" if count > 1 else ""


def _stop(config: Config, files: list[_File], found: list[Diagnostic]) -> ProjectError:
    """The findings with the lines they show: the located lines of each CSV file, policylang.yaml's
    (only the files they point at, which the summary counts)."""
    named = {s.file for d in found for s in (d.span, *(r.span for r in d.related)) if s}
    sources = {data.shown: data.source() for data in files if data.csv is not None and data.shown in named}
    if config.path is not None and str(config.path) in named:
        try:
            sources[str(config.path)] = SourceFile(str(config.path), config.path.read_text("utf-8", errors="replace"))
        except OSError:
            pass  # its findings show no line
    return ProjectError(sorted(found, key=sort_key), sources)


def _checked(con: duckdb.DuckDBPyConnection, config: Config) -> dict[str, _File]:
    """Every data file, opened and checked; a `ProjectError` with every problem found in any of them."""
    opened = {table: _open(con, config, table) for table in config.data}
    files = {table: f for table, f in opened.items() if isinstance(f, _File)}
    found = [f for f in opened.values() if isinstance(f, Diagnostic)]
    for data in files.values():
        found += _header_problems(data, config) + _value_problems(con, data, config)
    if found:
        raise _stop(config, list(files.values()), found)
    return files


# --- the typed tables ----------------------------------------------------------------

def _as_type(column: ColumnExpression | ConstantExpression, sql_type: str):
    if sql_type == TIMESTAMP:  # read in UTC (the session's zone), kept as naive UTC
        return FunctionExpression("timezone", ConstantExpression("UTC"), column.cast("TIMESTAMPTZ"))
    return column.cast(sql_type)


def _all_integers(relation: duckdb.DuckDBPyRelation, column: str) -> bool:
    values = ColumnExpression(column)
    not_integer = relation.filter(values.isnotnull() & values.try_cast(INTEGER).isnull())
    return not not_integer.limit(1).fetchall()


def _id_type(config: Config, files: dict[str, _File], column: str) -> str:
    """BIGINT when every value of id `column` in every file is an integer, else VARCHAR."""
    for data in files.values():
        positions = data.columns(config)
        if column in positions and not _all_integers(data.relation, data.relation.columns[positions[column]]):
            return TEXT
    return INTEGER


def _relation(con: duckdb.DuckDBPyConnection, config: Config, table: str, data: _File | None,
              ids: dict[str, str]) -> duckdb.DuckDBPyRelation:
    """The table as a typed relation of its canonical columns (NULL where the file lacks one)."""
    types = {c: ids.get(c) or TYPES[column_kind(config.attributes, table, c)] for c in _canonical(config, table)}
    if data is None:
        empty = con.values([1]).filter(ConstantExpression(False))
        return empty.select(*[_as_type(ConstantExpression(None), t).alias(c) for c, t in types.items()])
    positions = data.columns(config)
    projected = [(_as_type(ColumnExpression(data.relation.columns[positions[c]]), t) if c in positions
                  else ConstantExpression(None).cast(t)).alias(c) for c, t in types.items()]
    return data.relation.select(*projected)


def typed_tables(con: duckdb.DuckDBPyConnection, config: Config) -> dict[str, duckdb.DuckDBPyRelation]:
    """Every table of docs/data.md as a typed relation on `con` (whose time zone is set to UTC), once
    every data file has passed its checks."""
    con.execute("SET TimeZone = 'UTC'")
    files = _checked(con, config)
    ids = {column: _id_type(config, files, column) for column in ID_COLUMNS}
    return {table: _relation(con, config, table, files.get(table), ids) for table in TABLE_COLUMNS}


def _of_customers(relations: dict[str, duckdb.DuckDBPyRelation], column: str, text: str):
    """The relations cut down to the customers having a candidate whose `column` reads `text`
    (that candidate kept too, should its customer_id be NULL), and to the other candidates that
    share an id with a kept one: a repeated id fails closed, whoever's the copies are."""
    candidates = relations["candidates"]
    named = ColumnExpression(column).cast(TEXT) == ConstantExpression(text)
    ours = _any_of("customer_id", candidates.filter(named))
    kept = candidates.filter(ours | named)
    copies = ours | named | _any_of("candidate_id", kept)
    return {table: relation.filter(copies if table == "candidates" else ours)
            for table, relation in relations.items()}


def _any_of(column: str, rows: duckdb.DuckDBPyRelation):
    """`column IN (the non-NULL values of column in rows)`, false when there are none."""
    values = [ConstantExpression(row[0]) for row in rows.select(ColumnExpression(column)).distinct().fetchall()
              if row[0] is not None]
    return ColumnExpression(column).isin(*values) if values else ConstantExpression(False)


def load_dataset(config: Config, customers_with: tuple[str, str] | None = None) -> Dataset:
    """The config's data files as in-memory rows (see `policylang.dataset`).

    `customers_with=(column, text)` keeps only the rows of the customers having a candidate whose
    `column` (`candidate_id` or `customer_id`) reads `text`: all `explain` needs, however long the
    history."""
    with duckdb.connect() as con:
        relations = typed_tables(con, config)
        if customers_with:
            relations = _of_customers(relations, *customers_with)
        return Dataset(**{table: [dict(zip(rel.columns, row)) for row in rel.fetchall()]
                          for table, rel in relations.items()})
