"""`policylang compile --format dbt --out DIR`: a dbt model that decides as `policylang run` does.

The end-to-end tests load the shipped example data into DuckDB and into a fresh
database on the local PostgreSQL server (`policylang load`), run one real
`dbt build` on a throwaway dbt project holding the generated files, and compare
the model's rows with the decisions of `policylang run` at the same as-of time,
row for row; dbt's own run_results.json must show every data test run and
passed. The unit tests render the model's Jinja with jinja2 (what dbt renders
it with) to check the as-of var and the escaping of policy text, and check that
the output folder is replaced whole, only when it is policylang's to replace.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
import yaml
from sqlglot import exp

from conftest import SERVER_POSTGRES, scratch_postgres_database, unavailable
from policylang.cli import main

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "policies"
AS_OF = "2025-06-30T06:00:00"
MODEL = "policylang_decisions"
PG = SERVER_POSTGRES
TESTS = {"unique_policylang_decisions_candidate_id", "not_null_policylang_decisions_candidate_id",
         "not_null_policylang_decisions_decision", "not_null_policylang_decisions_as_of",
         "accepted_values_policylang_decisions_decision__send__suppress"}


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def dbt_files(capsys, tmp_path, project=EXAMPLE, *extra) -> Path:
    out = tmp_path / "models" / "policylang"
    assert cli(capsys, "compile", str(project), "--format", "dbt", "--out", str(out), *extra) == (0, "", "")
    return out


# --- the model's Jinja, rendered as dbt renders it -----------------------------------------------

def render(model: str, variables: dict) -> str:
    """The model with dbt's `config`, `var`, `source`, `modules` and `exceptions` stood in for."""
    import jinja2

    class CompilerError(Exception):
        pass

    def raise_compiler_error(message):
        raise CompilerError(message)

    def var(name, default=None):
        return variables.get(name, default)

    environment = jinja2.Environment()
    return environment.from_string(model).render(
        config=lambda **_: "", var=var, source=lambda source, table: f"SRC[{source}.{table}]",
        modules=type("modules", (), {"re": re}), exceptions=type("e", (), {"raise_compiler_error": raise_compiler_error}))


@pytest.fixture(scope="module")
def model() -> str:
    from policylang.dbt.model import model_sql
    from policylang.project import load_project, require_policy

    return model_sql(require_policy(load_project(EXAMPLE)), "duckdb")


@pytest.mark.parametrize("value", ["2025-06-30T06:00:00", "2025-06-30 06:00:00", "2025-06-30T06:00:00Z",
                                   "2025-06-30T06:00:00+00:00", datetime(2025, 6, 30, 6)])
def test_the_as_of_var_sets_every_instant_of_the_query(model, value):
    sql = render(model, {"policylang_as_of": value})
    assert "CURRENT_TIMESTAMP" not in sql and "policylang_as_of" not in sql
    assert sql.count("CAST('2025-06-30 06:00:00' AS TIMESTAMP)") == model.count("{{ policylang_as_of }}") > 10


def test_without_the_var_the_model_decides_as_of_the_warehouse_current_utc_time(model):
    sql = render(model, {})
    assert sql.count("(CURRENT_TIMESTAMP AT TIME ZONE 'UTC')") == model.count("{{ policylang_as_of }}")
    assert "CAST('" not in sql.split("/* policylang decision query")[0]


@pytest.mark.parametrize("value", ["yesterday", "2025-06-30", "2025-06-30T06:00:00+02:00",
                                   "2025-06-30 06:00:00'); DROP TABLE touches; --"])
def test_a_var_that_is_not_a_utc_time_stops_the_model(model, value):
    with pytest.raises(Exception, match="not a UTC time such as 2025-06-30T06:00:00"):
        render(model, {"policylang_as_of": value})


def test_every_table_the_query_reads_is_a_source_of_the_config(model):
    read = set(re.findall(r"(?:FROM|JOIN)\s+([^\s(]+)", render(model, {})))
    assert {name for name in read if not name.startswith("pl_")} == {
        f"SRC[policylang.{t}]" for t in ("customers", "touches", "consents", "preferences", "events", "candidates")}


def test_compile_as_of_becomes_the_var_default(tmp_path, capsys):
    out = dbt_files(capsys, tmp_path, EXAMPLE, "--as-of", "2025-06-30T08:00:00+02:00")
    model = (out / f"{MODEL}.sql").read_text()
    assert "var('policylang_as_of', '2025-06-30 06:00:00')" in model
    assert "CAST('2025-06-30 06:00:00' AS TIMESTAMP)" in render(model, {})
    assert "CAST('2025-07-01 00:00:00' AS TIMESTAMP)" in render(model, {"policylang_as_of": "2025-07-01T00:00:00"})


def small_project(tmp_path: Path, config: str, policy: str) -> Path:
    project = tmp_path / "p"
    project.mkdir()
    (project / "policylang.yaml").write_text(config)
    (project / "policies").mkdir()
    (project / "policies" / "global.policy").write_text(policy)
    return project


CONFIG = """\
policies: policies
dialect: postgres
business_units: [cruises]
attributes:
  loyalty_tier: text
tables:
  touches: crm.contact_history
  customers: warehouse.crm.Customers
columns:
  touches.sent_at: sent_ts
"""
POLICY = """\
policy global
channels email
consent email allowed unless opt_out
segment odd: loyalty_tier in ("{{ 7*7 }}", "{% x %}", "{#")
cap email per 7 days as email_weekly {
  odd: 1
  otherwise: 2
}
"""


def test_policy_text_that_looks_like_jinja_stays_text(tmp_path, capsys):
    out = dbt_files(capsys, tmp_path, small_project(tmp_path, CONFIG, POLICY))
    sql = render((out / f"{MODEL}.sql").read_text(), {})
    assert "'{{ 7*7 }}', '{% x %}', '{#'" in sql and "'49'" not in sql


def test_sources_carry_the_config_table_and_column_names(tmp_path, capsys):
    out = dbt_files(capsys, tmp_path, small_project(tmp_path, CONFIG, POLICY))
    [source] = yaml.safe_load((out / "sources.yml").read_text())["sources"]
    assert (source["name"], source["schema"]) == ("policylang", "{{ target.schema }}")
    tables = {t["name"]: t for t in source["tables"]}
    assert {k: tables["touches"][k] for k in ("identifier", "schema")} == {"identifier": "contact_history",
                                                                            "schema": "crm"}
    assert {k: tables["customers"][k] for k in ("identifier", "schema", "database", "quoting")} == {
        "identifier": "Customers", "schema": "crm", "database": "warehouse",
        "quoting": {"database": False, "schema": False, "identifier": True}}  # quoted as the plain query does
    assert "sent_ts" in [c["name"] for c in tables["touches"]["columns"]]
    assert "candidates" in tables and "database" not in tables["candidates"]
    model = (out / f"{MODEL}.sql").read_text()
    assert "{{ source('policylang', 'touches') }} AS" in model and "sent_ts" in model
    assert "contact_history" not in model and "Customers" not in model


def test_schema_yml_tests_the_model_columns(tmp_path, capsys):
    out = dbt_files(capsys, tmp_path)
    [model] = yaml.safe_load((out / "schema.yml").read_text())["models"]
    columns = {c["name"]: c.get("data_tests", []) for c in model["columns"]}
    assert list(columns) == ["candidate_id", "customer_id", "decision", "rule", "policy_version", "as_of"]
    assert columns["candidate_id"] == ["unique", "not_null"]
    assert columns["decision"] == ["not_null", {"accepted_values": {"arguments": {"values": ["send", "suppress"]}}}]


# --- the command line ------------------------------------------------------------------------------

@pytest.mark.parametrize("argv", [["--format", "dbt"], ["--format", "dbt", "--out", "x", "-o", "q.sql"], ["--out", "x"]])
def test_dbt_needs_out_and_out_needs_dbt(tmp_path, capsys, argv):
    code, out, err = cli(capsys, "compile", str(EXAMPLE), *argv)
    assert (code, out) == (2, "") and "`--format dbt` writes a folder of files and needs `--out DIR`" in err


def test_sqlite_is_refused(tmp_path, capsys):
    code, _, err = cli(capsys, "compile", str(EXAMPLE), "--format", "dbt", "--out", str(tmp_path / "m"),
                       "--dialect", "sqlite")
    assert code == 2 and "keeps timestamps as text" in err and not (tmp_path / "m").exists()


@pytest.mark.parametrize("inside", [".", "data", "policylang.yaml", "global.policy"])
def test_an_output_that_names_an_input_is_refused(tmp_path, capsys, inside):
    project = tmp_path / "p"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("tests"))
    before = sorted((p, p.read_bytes()) for p in project.rglob("*") if p.is_file())
    code, out, err = cli(capsys, "compile", str(project), "--format", "dbt", "--out", str(project / inside))
    assert (code, out) == (2, "") and "which the project reads" in err
    assert sorted((p, p.read_bytes()) for p in project.rglob("*") if p.is_file()) == before


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path, capsys):
    out = tmp_path / "models"
    out.mkdir()
    (out / "orders.sql").write_text("select 1\n")
    code, _, err = cli(capsys, "compile", str(EXAMPLE), "--format", "dbt", "--out", str(out))
    assert code == 2 and "holds files policylang did not write (orders.sql)" in err
    assert [p.name for p in out.iterdir()] == ["orders.sql"]


def test_an_earlier_output_is_replaced_whole_and_only_once_complete(tmp_path, capsys, monkeypatch):
    out = dbt_files(capsys, tmp_path)
    (out / "schema.yml").write_text("old\n")
    dbt_files(capsys, tmp_path)  # replaced
    assert (out / "schema.yml").read_text().startswith("# generated by")
    (out / "schema.yml").write_text("old\n")
    written = []

    def failing_write(self, text, **kwargs):
        if written:
            raise OSError(28, "No space left on device")
        written.append(self)
        return Path.write_bytes(self, text.encode())

    monkeypatch.setattr(Path, "write_text", failing_write)
    code, _, err = cli(capsys, "compile", str(EXAMPLE), "--format", "dbt", "--out", str(out))
    assert code == 2 and "No space left on device" in err
    assert (out / "schema.yml").read_text() == "old\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["policylang"]  # nothing staged is left


# --- end to end: dbt build on DuckDB and PostgreSQL ---------------------------------------------------

def dbt_build(tmp_path: Path, profile: dict) -> dict:
    """`dbt build` (in a child process, as a scheduler runs it) of a throwaway project holding the
    generated files, at AS_OF; its run_results.json."""
    (tmp_path / "dbt_project.yml").write_text(yaml.safe_dump(
        {"name": "policylang_e2e", "version": "1.0", "profile": "policylang_e2e", "model-paths": ["models"]}))
    (tmp_path / "profiles.yml").write_text(yaml.safe_dump(
        {"policylang_e2e": {"target": "dev", "outputs": {"dev": {**profile, "threads": 1}}}}))
    env = {**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1", "DBT_PROFILES_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", "from dbt.cli.main import cli; cli()", "build", "--vars",
                           json.dumps({"policylang_as_of": AS_OF})], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return json.loads((tmp_path / "target" / "run_results.json").read_text())


def assert_built_and_tested(results: dict) -> None:
    statuses = {r["unique_id"].split(".")[-1 if r["unique_id"].startswith("model.") else 2]: r["status"]
                for r in results["results"]}
    assert statuses == {MODEL: "success", **{name: "pass" for name in TESTS}}


def run_decisions(capsys, tmp_path: Path) -> list[tuple]:
    """`policylang run` at AS_OF on the example's data files, as rows of text."""
    import duckdb

    out = tmp_path / "run.parquet"
    assert cli(capsys, "run", str(EXAMPLE), "--as-of", AS_OF, "--out", str(out))[0] == 0
    return as_text(duckdb.connect().execute("SELECT * FROM read_parquet(?)", [str(out)]).fetchall())


def as_text(rows) -> list[tuple]:
    return sorted(tuple(None if v is None else str(v) for v in row) for row in rows)


def needs(module: str, extra: str) -> None:
    """Import `module`, or skip (fail under CI=true) naming the package that provides it."""
    try:
        __import__(module)
    except ImportError as exc:
        unavailable(f"{extra} is not installed ({exc}): pip install -e '.[test]'")


def test_dbt_build_on_duckdb_decides_as_run_does(tmp_path, capsys):
    needs("dbt.adapters.duckdb", "dbt-duckdb")
    import duckdb

    database = tmp_path / "warehouse.duckdb"
    assert cli(capsys, "load", str(EXAMPLE), "--db", f"duckdb:///{database}")[0] == 0
    dbt_files(capsys, tmp_path)
    assert_built_and_tested(dbt_build(tmp_path, {"type": "duckdb", "path": str(database)}))
    with duckdb.connect(str(database), read_only=True) as connection:
        rows = connection.execute(exp.select("*").from_(exp.table_(MODEL, db="main")).sql("duckdb")).fetchall()
    want = run_decisions(capsys, tmp_path)
    assert len(want) == 916 and {r[2] for r in want} == {"send", "suppress"}
    assert as_text(rows) == want


@pytest.fixture
def postgres_database():
    """A scratch database on the local PostgreSQL server (tests/conftest.py), by name; dbt-postgres
    missing: skipped on a laptop, failed under CI=true."""
    needs("dbt.adapters.postgres", "dbt-postgres")
    with scratch_postgres_database("policylang_dbt") as name:
        yield name


def test_dbt_build_on_postgres_decides_as_run_does(tmp_path, capsys, postgres_database):
    import psycopg

    url = f"{PG}/{postgres_database}"
    assert cli(capsys, "load", str(EXAMPLE), "--db", url)[0] == 0
    dbt_files(capsys, tmp_path, EXAMPLE, "--dialect", "postgres")
    schema = "public"  # where `load` put the tables: the sources read the target's schema
    profile = {"type": "postgres", "host": "127.0.0.1", "port": 5432, "user": "postgres", "password": "",
               "dbname": postgres_database, "schema": schema}
    assert_built_and_tested(dbt_build(tmp_path, profile))
    with psycopg.connect(url) as connection:
        rows = connection.execute(exp.select("*").from_(exp.table_(MODEL, db=schema)).sql("postgres")).fetchall()
    assert as_text(rows) == run_decisions(capsys, tmp_path)
