"""`policylang init`, `schema` and `load`: a project that starts itself and reaches a warehouse.

`init` writes a project that `check`, `test` and `run` accept as it is; `schema`
prints the tables the policy reads as sqlglot-parsable CREATE TABLE statements
with the engine's types; `load` fills them from the data files on DuckDB, SQLite
and the local PostgreSQL server, and `run --db` then decides as it does on the
files. Nothing existing is overwritten without `--replace`.
"""
import csv
import shutil
import uuid
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from conftest import SERVER_POSTGRES, scratch_postgres_database
from policylang.cli import main
from policylang.model import TABLE_COLUMNS

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "policies"
AS_OF = "2025-06-30T06:00:00"
PG = SERVER_POSTGRES


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- init ----------------------------------------------------------------------------------------

def test_init_makes_a_project_that_check_test_and_run_accept_as_it_is(tmp_path, capsys):
    project = tmp_path / "new"
    assert cli(capsys, "init", str(project))[0] == 0
    assert cli(capsys, "check", str(project)) == (0, "all checks passed\n", "")
    code, out, _ = cli(capsys, "test", str(project))
    assert code == 0 and out.endswith("2 passed, 0 failed\n")
    code, out, err = cli(capsys, "run", str(project), "--as-of", AS_OF, "--out", str(tmp_path / "d.csv"))
    assert (code, err) == (0, "") and "0 candidates" in out
    assert (tmp_path / "d.csv").read_text().splitlines()[0].startswith('"candidate_id","customer_id","decision"')
    for table, columns in TABLE_COLUMNS.items():  # a data folder of headers only
        with open(project / "data" / f"{table}.csv", newline="") as f:
            assert list(csv.reader(f))[0][:len(columns)] == list(columns)


def test_init_fills_an_empty_current_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli(capsys, "init")[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "policies", "policylang.yaml", "tests"]
    assert cli(capsys, "check")[0] == 0


@pytest.mark.parametrize("existing", ["policylang.yaml", "notes.txt"])
def test_init_refuses_a_folder_that_is_not_empty_and_changes_nothing(tmp_path, capsys, existing):
    (tmp_path / existing).write_text("mine\n")
    code, out, err = cli(capsys, "init", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (f"policylang: error: `{tmp_path}` is a folder that is not empty; policylang init never writes "
                   "over existing files: name a new or empty folder\n")
    assert [p.name for p in tmp_path.iterdir()] == [existing] and (tmp_path / existing).read_text() == "mine\n"


# --- schema --------------------------------------------------------------------------------------

def create_tables(sql: str, dialect: str) -> dict[str, dict[str, str]]:
    """Table -> column -> type of the CREATE TABLE statements in `sql`, parsed back with sqlglot."""
    tables = {}
    for statement in sqlglot.parse(sql, read=dialect):
        if isinstance(statement, exp.Create) and statement.kind == "TABLE":
            schema = statement.this
            tables[schema.this.sql(dialect=dialect)] = {
                c.this.name: c.args["kind"].sql(dialect=dialect) for c in schema.expressions}
    return tables


@pytest.mark.parametrize("dialect, cost, id_type", [
    ("postgres", "DECIMAL(18, 4)", "BIGINT"), ("sqlite", "REAL", "INTEGER"), ("duckdb", "DECIMAL(18, 4)", "BIGINT"),
    ("snowflake", "DECIMAL(18, 4)", "BIGINT"),
])
def test_schema_lists_the_tables_the_policy_reads_with_the_engines_types(capsys, dialect, cost, id_type):
    code, out, err = cli(capsys, "schema", str(EXAMPLE), "--dialect", dialect)
    assert (code, err) == (0, "")
    tables = create_tables(out, dialect)
    assert list(tables) == list(TABLE_COLUMNS)
    assert list(tables["touches"]) == list(TABLE_COLUMNS["touches"])
    assert tables["touches"]["cost"] == cost and tables["candidates"]["candidate_id"] == id_type
    assert list(tables["customers"])[-1] == "frequent_flyer"  # the configured attributes, in order


@pytest.mark.parametrize("dialect", ["snowflake", "oracle", "postgres", "duckdb"])
def test_schema_creates_the_very_tables_and_columns_the_compiled_query_reads(tmp_path, capsys, dialect):
    # Snowflake and Oracle fold unquoted names to upper case: a quoted "touches" would be another table
    # than the query's unquoted touches. Both sides are compared by the names the warehouse resolves
    # (normalized: folded where unquoted, kept where quoted).
    from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
    from sqlglot.optimizer.scope import traverse_scope

    assert cli(capsys, "init", str(tmp_path / "p"))[0] == 0
    config = tmp_path / "p" / "policylang.yaml"
    config.write_text(config.read_text().split("data:")[0] + "tables:\n  touches: crm.Contact_History\n"
                      "columns:\n  touches.sent_at: sent_ts\n  customers.customer_id: Customer_ID\n")
    created = {}
    for statement in sqlglot.parse(cli(capsys, "schema", str(tmp_path / "p"), "--dialect", dialect)[1], read=dialect):
        if isinstance(statement, exp.Create) and statement.kind == "TABLE":
            schema = normalize_identifiers(statement.this, dialect=dialect)
            created[schema.this.db, schema.this.name] = {c.this.name for c in schema.expressions}
    query = normalize_identifiers(sqlglot.parse_one(cli(capsys, "compile", str(tmp_path / "p"), "--dialect",
                                                        dialect)[1], read=dialect), dialect=dialect)
    read: dict[tuple[str, str], set[str]] = {}
    for scope in traverse_scope(query):
        tables = {alias: source for alias, source in scope.sources.items()
                  if isinstance(source, exp.Table) and source.name not in scope.cte_sources}
        for table in tables.values():
            read.setdefault((table.db, table.name), set())
        for column in scope.columns:
            if column.table in tables:
                read[tables[column.table].db, tables[column.table].name].add(column.name)
    assert set(read) == set(created) and len(created) >= 3
    for table, columns in read.items():
        assert columns and columns <= created[table], table


def test_schema_uses_the_configs_table_and_column_names_and_reads_only_what_the_policy_reads(tmp_path, capsys):
    assert cli(capsys, "init", str(tmp_path / "p"))[0] == 0
    config = tmp_path / "p" / "policylang.yaml"
    config.write_text(config.read_text().split("data:")[0] + "tables:\n  touches: crm.contact_history\n"
                      "columns:\n  touches.sent_at: sent_ts\n  customers.loyalty_tier: tier\n")
    code, out, _ = cli(capsys, "schema", str(tmp_path / "p"), "--dialect", "postgres")
    assert code == 0 and "CREATE SCHEMA IF NOT EXISTS crm;\n\nCREATE TABLE crm.contact_history (" in out
    tables = create_tables(out, "postgres")
    assert "crm.contact_history" in tables and "sent_ts" in tables["crm.contact_history"]
    assert tables["customers"] == {"customer_id": "BIGINT", "tier": "TEXT"}
    assert "events" not in tables  # the skeleton's policy reads no events


def test_schema_refuses_an_unknown_dialect(capsys):
    code, out, err = cli(capsys, "schema", str(EXAMPLE), "--dialect", "nosql")
    assert (code, out) == (2, "") and "`nosql` (`--dialect`) is not a SQL dialect" in err


# --- load ----------------------------------------------------------------------------------------

def decisions(capsys, tmp_path, *db) -> list[tuple[str, str, str]]:
    out = tmp_path / f"decisions-{uuid.uuid4().hex}.csv"
    code, _, err = cli(capsys, "run", str(EXAMPLE), "--as-of", AS_OF, "--out", str(out), *db)
    assert (code, err) == (0, "")
    with open(out, newline="") as f:
        return sorted((r["candidate_id"], r["decision"], r["rule"]) for r in csv.DictReader(f))


def load_and_compare(capsys, tmp_path, url):
    code, out, err = cli(capsys, "load", str(EXAMPLE), "--db", url)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "loaded 300 rows into customers" and len(out.splitlines()) == 6
    assert decisions(capsys, tmp_path, "--db", url) == decisions(capsys, tmp_path)
    return url


@pytest.mark.parametrize("scheme", ["duckdb", "sqlite"])
def test_load_fills_a_database_file_that_run_then_decides_as_it_does_on_the_files(tmp_path, capsys, scheme):
    load_and_compare(capsys, tmp_path, f"{scheme}:///{tmp_path}/warehouse.db")


@pytest.mark.parametrize("scheme", ["duckdb", "sqlite"])
def test_load_refuses_existing_tables_unless_replace_and_then_swaps_them_whole(tmp_path, capsys, scheme):
    url = f"{scheme}:///{tmp_path}/warehouse.db"
    assert cli(capsys, "load", str(EXAMPLE), "--db", url)[0] == 0
    code, out, err = cli(capsys, "load", str(EXAMPLE), "--db", url)
    assert (code, out) == (1, "")
    assert err.startswith("policylang: error: \"customers\", \"touches\", ") and "pass --replace" in err
    assert cli(capsys, "load", str(EXAMPLE), "--db", url, "--replace")[0] == 0
    assert decisions(capsys, tmp_path, "--db", url) == decisions(capsys, tmp_path)


def test_a_data_error_stops_the_load_before_anything_is_written(tmp_path, capsys):
    project = tmp_path / "p"
    shutil.copytree(EXAMPLE, project)
    with open(project / "data" / "candidates.csv", "a") as f:
        f.write("99999,1,email,hotels,,newsletter,marketing,1.5,\n")
    code, out, err = cli(capsys, "load", str(project), "--db", f"duckdb:///{tmp_path}/w.duckdb")
    assert code == 1 and "error[PL409]" in err and "candidates.csv:" in err
    assert not (tmp_path / "w.duckdb").exists()  # the database is not even opened


def test_load_refuses_a_database_file_that_is_a_project_file(tmp_path, capsys):
    project = tmp_path / "p"
    shutil.copytree(EXAMPLE, project)
    before = (project / "data" / "customers.csv").read_bytes()
    code, out, err = cli(capsys, "load", str(project), "--db", f"duckdb:///{project}/data/customers.csv")
    assert (code, out) == (2, "") and "names the project's file" in err
    assert (project / "data" / "customers.csv").read_bytes() == before


@pytest.fixture
def postgres_database():
    """A scratch database on the local PostgreSQL server (tests/conftest.py), as a URL."""
    with scratch_postgres_database("policylang_load") as name:
        yield f"{PG}/{name}"


def test_load_on_postgresql_then_run_decides_as_on_the_files(tmp_path, capsys, postgres_database):
    url = load_and_compare(capsys, tmp_path, postgres_database)
    assert cli(capsys, "load", str(EXAMPLE), "--db", url)[0] == 1
    assert cli(capsys, "load", str(EXAMPLE), "--db", url, "--replace")[0] == 0
