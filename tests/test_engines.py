"""Engines: typed tables round-trip every column kind, names are taken as data,
`connect(url)` opens the engine a URL names, and a missing engine skips on a
laptop but fails under CI."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from sqlglot import exp

import conftest
from policylang.dataset import Dataset
from policylang.engines import connect
from policylang.engines.base import plain, table_expression
from policylang.engines.duckdb import DuckDBEngine
from policylang.engines.mariadb import MariaDBEngine
from policylang.engines.postgres import PostgresEngine
from policylang.engines.sqlite import SQLiteEngine
from policylang.engines.urls import redacted
from policylang.errors import DataError, UsageError
from policylang.model import TABLE_COLUMNS, PolicySet
from strategies.config import ATTRIBUTES, CHANNELS, TOPICS, UNITS

MOMENT = datetime(2026, 6, 1, 12, 0, 0)
MOMENT_US = datetime(2026, 6, 1, 12, 0, 0, 1)


def policy(tables: dict[str, str] | None = None, columns: dict | None = None,
           attributes: dict[str, str] = ATTRIBUTES) -> PolicySet:
    return PolicySet(channels=CHANNELS, topics=TOPICS, business_units=UNITS, attributes=dict(attributes),
                     segments={}, scores={}, tables={**{t: t for t in TABLE_COLUMNS}, **(tables or {})},
                     columns=columns or {})


def select(engine, policy_set: PolicySet, table: str, *columns: str) -> list[tuple]:
    """The named canonical columns of a loaded table, ordered by the first."""
    names = [exp.column(exp.to_identifier(policy_set.column(table, c), quoted=True)) for c in columns]
    query = exp.select(*names).from_(table_expression(policy_set.table(table))).order_by(names[0])
    return engine.execute(query.sql(dialect=engine.dialect))


# What each engine hands back for the same stored values (docs/design.md, "The decision query", and the engines' docs):
# SQLite keeps timestamps as text, costs as REAL and booleans as 0/1; MariaDB booleans as 0/1.
TEXT_TIMESTAMPS = {"sqlite"}
FLOAT_DECIMALS = {"sqlite"}
INTEGER_BOOLEANS = {"sqlite", "mariadb"}


def test_every_column_kind_round_trips(engine):
    data = Dataset(customers=[
        dict(customer_id=1, tier="gold's \\ \"x\"", age=-3, balance=Decimal("1234.5678"), vip=True,
             last_purchase_at=MOMENT_US),
        dict(customer_id=2, tier="", age=0, balance=Decimal("0.0001"), vip=False, last_purchase_at=MOMENT),
        dict(customer_id=3, tier=None, age=None, balance=None, vip=None, last_purchase_at=None)])
    engine.load(policy(), data)
    rows = select(engine, policy(), "customers", "customer_id", *ATTRIBUTES)

    def stamp(moment):
        if engine.name in TEXT_TIMESTAMPS:
            return "2026-06-01 12:00:00.000001" if moment.microsecond else "2026-06-01 12:00:00"
        return moment

    def number(text):
        return float(text) if engine.name in FLOAT_DECIMALS else Decimal(text)

    def truth(value):
        return int(value) if engine.name in INTEGER_BOOLEANS else value

    assert rows == [
        (1, "gold's \\ \"x\"", -3, number("1234.5678"), truth(True), stamp(MOMENT_US)),
        (2, "", 0, number("0.0001"), truth(False), stamp(MOMENT)),
        (3, None, None, None, None, None)]


def test_costs_keep_four_decimals_and_timestamps_microseconds(engine):
    touches = [dict(customer_id=1, sent_at=MOMENT_US, cost=Decimal("0.0001")),
               dict(customer_id=2, sent_at=MOMENT, cost=Decimal("99999.9999")),
               dict(customer_id=3)]
    engine.load(policy(), Dataset(touches=touches))
    rows = select(engine, policy(), "touches", "customer_id", "sent_at", "cost", "opened_at", "channel")
    later = exp.select(exp.func("count", exp.Star())).from_(table_expression("touches")).where(
        exp.column("sent_at").eq(engine_timestamp(engine, MOMENT_US)))
    assert [r[0] for r in rows] == [1, 2, 3]
    assert rows[2][1:] == (None, None, None, None)
    assert plain(engine.execute(later.sql(dialect=engine.dialect))[0][0]) == 1  # the microsecond was kept
    if engine.name in FLOAT_DECIMALS:
        assert [r[2] for r in rows[:2]] == [0.0001, 99999.9999]
    else:
        assert [r[2] for r in rows[:2]] == [Decimal("0.0001"), Decimal("99999.9999")]


def engine_timestamp(engine, moment: datetime) -> exp.Expression:
    text = exp.Literal.string(moment.isoformat(sep=" "))
    return text if engine.name in TEXT_TIMESTAMPS else exp.cast(text, "timestamp")


@pytest.mark.parametrize("ids", [[10, 9, 100], ["10", "9", "B", "a"]])
def test_ids_take_their_python_type(engine, ids):
    data = Dataset(candidates=[dict(candidate_id=i, customer_id=i, priority=1) for i in ids])
    engine.load(policy(), data)
    rows = select(engine, policy(), "candidates", "candidate_id", "customer_id")
    assert sorted(rows) == sorted((i, i) for i in ids)  # "10" != 10: a column of the wrong type fails


def test_reloads_retype_ids_under_the_same_names(engine):
    """A driver that prepares a statement run often (psycopg) must not keep the parameter types of a
    dropped table: NULL ids bind alike in both loads, so only the column type tells them apart."""
    for _ in range(6):
        engine.load(policy(), Dataset(customers=[dict(customer_id=1)], touches=[dict(customer_id=None)]))
    engine.load(policy(), Dataset(customers=[dict(customer_id="a")], touches=[dict(customer_id="B")]))
    assert select(engine, policy(), "touches", "customer_id") == [("B",)]


def test_mixed_id_types_are_refused(engine):
    data = Dataset(customers=[dict(customer_id=1)], touches=[dict(customer_id="1")])
    with pytest.raises(TypeError, match="customer_id"):
        engine.load(policy(), data)


def test_warehouse_names_with_quotes_and_keywords_hold_the_data(engine):
    odd = 'to"u`ch\'es; -- /* ü'
    names = policy(tables={"touches": odd, "customers": "order"},
                   columns={"touches": {"sent_at": "sent at%s", "channel": "select"}},
                   attributes={"from": "text"})
    engine.load(names, Dataset(customers=[dict(customer_id=7, **{"from": "x"})],
                               touches=[dict(customer_id=7, channel="email", sent_at=MOMENT)]))
    assert select(engine, names, "touches", "customer_id", "channel", "sent_at") == [
        (7, "email", "2026-06-01 12:00:00" if engine.name in TEXT_TIMESTAMPS else MOMENT)]
    assert select(engine, names, "customers", "customer_id", "from") == [(7, "x")]


def test_qualified_table_names_load_into_their_schema(engine):
    qualified = policy(tables={"candidates": "crm.candidates"})
    engine.load(qualified, Dataset(candidates=[dict(candidate_id=1, customer_id=2, priority=3)]))
    assert select(engine, qualified, "candidates", "candidate_id", "priority") == [(1, 3)]


def test_a_new_load_drops_the_tables_of_the_last(engine):
    first = policy(tables={"events": "events_first"})
    engine.load(first, Dataset(events=[dict(customer_id=1, event_type="complaint", occurred_at=MOMENT)]))
    engine.load(policy(), Dataset())
    assert select(engine, policy(), "events", "customer_id") == []
    with pytest.raises(engine.errors):
        select(engine, first, "events", "customer_id")


@pytest.mark.parametrize("value, expected", [
    (b"send", "send"), (Decimal("12"), 12), (Decimal("1.5"), Decimal("1.5")), ("a", "a"), (None, None), (3, 3)])
def test_plain_values(value, expected):
    assert plain(value) == expected and type(plain(value)) is type(expected)


# --- connect(url) ------------------------------------------------------------------

@pytest.mark.parametrize("scheme, cls", [("duckdb", DuckDBEngine), ("sqlite", SQLiteEngine)])
def test_file_urls(tmp_path, monkeypatch, scheme, cls):
    monkeypatch.chdir(tmp_path)
    with connect(f"{scheme}:///relative.db") as engine:
        assert isinstance(engine, cls) and engine.execute("SELECT 1") == [(1,)]
    assert (tmp_path / "relative.db").exists()
    absolute = tmp_path / "sub" / "absolute.db"
    absolute.parent.mkdir()
    with connect(f"{scheme}:///{absolute}") as engine:  # four slashes in all
        engine.execute("CREATE TABLE t (x INTEGER)")
    assert absolute.exists()
    with connect(f"{scheme}://") as engine:
        assert engine.execute("SELECT 2") == [(2,)]


@pytest.mark.parametrize("url, cls", [
    ("postgresql://postgres@127.0.0.1:5432/test", PostgresEngine),
    ("postgres://postgres@127.0.0.1/test", PostgresEngine),
    ("postgresql+psycopg://postgres@127.0.0.1:5432/test", PostgresEngine),
    ("mysql://root@127.0.0.1:3306/test", MariaDBEngine),
    ("mariadb://root:@127.0.0.1/test", MariaDBEngine),
    ("mysql+pymysql://root@127.0.0.1:3306/test", MariaDBEngine),
])
def test_server_urls(url, cls):
    try:
        engine = connect(url)
    except DataError as exc:
        conftest.unavailable(str(exc))
    with engine:
        assert isinstance(engine, cls) and plain(engine.execute("SELECT 1")[0][0]) == 1


@pytest.mark.parametrize("url, message", [
    ("oracle://scott:tiger@db/orcl", "unsupported database url `oracle://scott:***@db/orcl`: start it with one of"),
    ("duckdb:relative.db", "unsupported database url `duckdb:relative.db`"),
    ("duckdb://relative.db", "write `duckdb:///path/to/file`"),
    ("mysql://root@127.0.0.1:port/test", "cannot read the database url `mysql://root@127.0.0.1:port/test`"),
])
def test_bad_urls_are_usage_errors(url, message):
    with pytest.raises(UsageError, match=message.replace("*", r"\*").replace("(", r"\(")):
        connect(url)


def test_a_refused_connection_is_a_data_error_without_the_password():
    with pytest.raises(DataError) as caught:
        connect("postgresql://postgres:s3cret@127.0.0.1:1/test")
    assert str(caught.value).startswith("cannot connect to `postgresql://postgres:***@127.0.0.1:1/test`: ")
    assert "s3cret" not in str(caught.value)


def test_redacted_hides_only_the_password():
    assert redacted("mysql://u:p%40ss@h:3306/d") == "mysql://u:***@h:3306/d"
    assert redacted("mysql://u@h/d") == "mysql://u@h/d"


# --- a missing engine: skip on a laptop, fail under CI ---------------------------------

@pytest.mark.parametrize("env, outcome", [
    ({}, pytest.skip.Exception),
    ({"CI": "false"}, pytest.skip.Exception),
    ({"CI": "true"}, pytest.fail.Exception),
    ({"CI": "TRUE"}, pytest.fail.Exception),
])
def test_unavailable_skips_unless_ci(env, outcome):
    with pytest.raises(outcome, match="postgres is unavailable"):
        conftest.unavailable("postgres is unavailable: refused", env)


def test_the_pool_tries_an_engine_once_and_reports_why(monkeypatch):
    attempts = []
    monkeypatch.setattr(conftest, "_open", lambda name: attempts.append(name) or f"{name} is unavailable: refused")
    monkeypatch.delenv("CI", raising=False)
    pool = conftest.EnginePool()
    for _ in range(2):
        with pytest.raises(pytest.skip.Exception, match="mariadb is unavailable: refused"):
            pool.get("mariadb")
    assert attempts == ["mariadb"]


def test_postgres_sessions_run_without_jit(engine_pool):
    """JIT compilation costs more than it saves on the decision query: our sessions turn it off."""
    assert engine_pool.get("postgres").execute("SHOW jit") == [("off",)]
