"""`policylang.data_checks.check_tables` on every engine: a `--db` database's tables are checked
before the decision query runs (columns it reads, whole numbers, 4-place costs, finite numbers,
SQLite's timestamp text), each problem a finding without a location."""
from __future__ import annotations

from functools import reduce

import pytest
from sqlglot import exp

from policylang.data_checks import check_tables
from policylang.dataset import Dataset
from policylang.engines.base import drop_statement, table_expression
from policylang.errors import ProjectError
from policylang.project import load_texts, require_policy
from strategies.config import make_config

POLICY = """\
policy global
channels email
topics offers
consent email allowed unless opt_out
cap email spend 10 per 7 days
honor preferences
"""
CANDIDATE = {"candidate_id": "1", "customer_id": "1", "channel": "'email'", "business_unit": "'cruises'",
             "campaign_id": "NULL", "topic": "'offers'", "message_class": "'marketing'", "priority": "2",
             "cost": "0.5"}
NUMBERS = ("priority", "cost")


@pytest.fixture(scope="module")
def policy():
    return require_policy(load_texts({"global.policy": POLICY}, make_config(attributes={"age": "integer"})))


@pytest.fixture
def tables(engine, policy):
    """Empty, well-typed tables, and `replace(table, rows)` to swap one for a view of `rows` (dicts of
    column -> SQL text, numbers made DOUBLE, or an expression taken as it is), dropped after the test."""
    engine.load(policy, Dataset())
    views = []

    def replace(table: str, rows: list[dict[str, str]]) -> None:
        target = table_expression(policy.table(table))
        engine.run(drop_statement("VIEW", target)) if target in views else engine.drop(target)
        selects = [exp.select(*[_value(column, text).as_(column) for column, text in row.items()]) for row in rows]
        query = reduce(lambda a, b: exp.union(a, b, distinct=False), selects)
        engine.run(exp.Create(this=target, kind="VIEW", expression=query))
        views.append(target)

    yield replace
    for view in set(views):
        engine.run(drop_statement("VIEW", view))


def _value(column: str, text: str | exp.Expression) -> exp.Expression:
    if isinstance(text, exp.Expression):
        return text
    value = exp.maybe_parse(text)
    return exp.cast(value, "DOUBLE") if column in NUMBERS and text != "NULL" else value


def diagnostics(engine, policy) -> list:
    try:
        check_tables(engine, policy)
    except ProjectError as error:
        assert all(d.span is None for d in error.diagnostics)
        return error.diagnostics
    return []


def found(engine, policy) -> list[tuple[str, str]]:
    return [(d.code, d.message) for d in diagnostics(engine, policy)]


def test_well_typed_tables_pass(engine, policy, tables):
    tables("candidates", [CANDIDATE, CANDIDATE | {"priority": "-3", "cost": "25.0004"},
                          CANDIDATE | {"cost": "-1.5"}, CANDIDATE | {"cost": "NULL"}])
    assert found(engine, policy) == []


def test_a_missing_column_and_a_missing_table_are_named(engine, policy, tables):
    tables("candidates", [{k: v for k, v in CANDIDATE.items() if k != "topic"}])
    engine.drop(table_expression(policy.table("preferences")))
    (missing_table,), (missing_column,) = ([f for f in found(engine, policy) if f[0] == code]
                                           for code in ("PL413", "PL407"))
    assert missing_column[1] == ("table `candidates` has no column `topic`, which the policy reads: add it, or map "
                                 "it under `columns:` in policylang.yaml")
    assert missing_table[1].startswith("cannot read table `preferences` (")


def test_numbers_that_cannot_be_right_are_found(engine, policy, tables):
    tables("candidates", [CANDIDATE | {"priority": "1.5"}, CANDIDATE | {"priority": "2.5", "cost": "25.00004"},
                          CANDIDATE])
    assert [(d.code, d.message, d.help) for d in diagnostics(engine, policy)] == [
        ("PL410", "`candidates.cost` has at most 4 decimal places; `25.00004` has more",
         "policylang never rounds it: fix the data"),
        ("PL409", "`candidates.priority` must hold whole numbers; `1.5` is not one",
         "policylang never rounds it: fix the data (2 rows)")]


@pytest.mark.parametrize("engine", ["duckdb", "postgres", "spark"], indirect=True)  # MariaDB and SQLite store no NaN
def test_not_a_number_is_found(engine, policy, tables):
    tables("candidates", [CANDIDATE | {"cost": "'NaN'"}])
    assert [code for code, _ in found(engine, policy)] == ["PL411"]


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # SQLite's REAL takes an infinity as a literal
def test_infinity_is_found_on_sqlite(engine, policy, tables):
    tables("candidates", [CANDIDATE | {"cost": "9e999"}, CANDIDATE | {"priority": exp.Literal.string("high")}])
    assert found(engine, policy) == [("PL411", "`candidates.cost` must hold decimal numbers; `inf` is not one"),
                                     ("PL411", "`candidates.priority` must hold whole numbers; `high` is not one")]


GOOD_TIMES = ["'2025-06-30 05:30:00'", "'2025-06-30T05:30:00'", "'2025-06-30 05:30:00.1'",
              "'2025-06-30T05:30:00.123456'", "NULL"]
BAD_TIMES = ["'2025-06-30 05:30:00+02:00'", "'2025-06-30T05:30:00Z'", "'2025-06-30 05:30'",
             "'2025-06-30 05:30:00.1234567'", "'2025-06-30 05:30:00.'", "'2025-13-01 00:00:00'",
             "'30/06/2025 05:30:00'", "1751261400"]
TOUCH = {"customer_id": "1", "channel": "'email'", "business_unit": "'cruises'", "topic": "'offers'",
         "message_class": "'marketing'", "cost": "1", "campaign_id": "NULL", "opened_at": "NULL",
         "clicked_at": "NULL", "converted_at": "NULL"}


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)  # only SQLite keeps timestamps as text
def test_sqlite_timestamps_must_be_iso_text(engine, policy, tables):
    for sent_at in GOOD_TIMES + BAD_TIMES:
        tables("touches", [TOUCH | {"sent_at": "'2025-06-30 05:30:00'"}, TOUCH | {"sent_at": sent_at}])
        expected = [] if sent_at in GOOD_TIMES else [(
            "PL412", f"`touches.sent_at` must hold timestamps as text `YYYY-MM-DD HH:MM:SS`; `{sent_at.strip(chr(39))}` "
                     "is not one")]
        assert found(engine, policy) == expected, sent_at


def test_the_data_files_tables_pass(policy, tmp_path):
    """`run` without `--db` checks its DuckDB copy of the files too: what the files gave must pass."""
    from policylang.commands.run import load_data_files
    from policylang.engines.duckdb import DuckDBEngine

    (tmp_path / "c.csv").write_text(",".join(CANDIDATE) + "\n1,1,email,cruises,,offers,marketing,2,0.5\n")
    config = make_config(tmp_path, attributes={"age": "integer"}, data={"candidates": "c.csv"})
    with DuckDBEngine.open() as engine:
        load_data_files(engine, config, policy)
        check_tables(engine, policy)
