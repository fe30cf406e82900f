"""`policylang run` never loses a table or a file (issue 11, items 5 and 6).

A table output is built beside the old table and swapped in only when
complete; a file output is written beside the old file and moved over it; an
output that names an input is refused before anything runs; two runs writing
one target end in one complete result and a clear error; Ctrl-C ends in
"interrupted" (exit 130) and cancels the server's query; passwords never
reach a message; a missing database file is an error; a missing driver names
its extra. Server tests block the run on a table lock the test holds, so the
run is known to be in flight when it is interrupted, killed or raced.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from sqlglot import exp

import conftest
from policylang.commands import run as run_command
from policylang.commands.arguments import as_of_argument
from policylang.commands.run_output import claimed, same_table
from policylang.data_files import load_dataset, typed_tables
from policylang.engines.urls import connect, redacted, scrubbed
from policylang.project import load_project
from test_run_cli import run

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
AS_OF = "2025-06-30T06:00:00"
CANDIDATES = 916  # rows of policies/data/candidates.csv
TARGET = "decided"
WAIT_SECONDS = 60  # a guard while waiting for a subprocess to reach a state, never an assertion on time


def to_table(capsys, database, project=POLICIES):
    """`policylang run PROJECT --db URL --out table:decided` in process: (exit code, stdout, stderr)."""
    url = database if isinstance(database, str) else database.url
    return run(capsys, project, "--db", url, "--as-of", AS_OF, "--out", f"table:{TARGET}")


def start(url: str, out, cwd=None) -> subprocess.Popen:
    """`policylang run --db URL --out OUT` on the sample project, as a process of its own."""
    argv = [POLICIES, "--db", url, "--as-of", AS_OF, "--out", out]
    return subprocess.Popen([sys.executable, "-m", "policylang", "run", *map(str, argv)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_until(condition, what: str, process: subprocess.Popen | None = None):
    """Poll `condition()` until it returns something true; fail if `process` ends first."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not (found := condition()):
        if process is not None and process.poll() is not None:
            pytest.fail(f"the run ended before {what}: {process.communicate()}")
        if time.monotonic() > deadline:
            if process is not None:
                process.kill()
            pytest.fail(f"no {what} after {WAIT_SECONDS} s")
        time.sleep(0.05)
    return found


@pytest.fixture(scope="module")
def sample():
    project = load_project(POLICIES)
    return project.policy, load_dataset(project.config)


@pytest.fixture
def project_copy(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(POLICIES, root)
    return root


@pytest.fixture
def failing_project(project_copy):
    """The sample project reading events from a table that does not exist: its query fails."""
    with open(project_copy / "policylang.yaml", "a") as f:
        f.write("tables:\n  events: no_such_events\n")
    return project_copy


# --- databases holding the sample's tables -------------------------------------------------------

TABLE_NAMES = {
    "duckdb": "SELECT table_name FROM information_schema.tables",
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgres": "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()",
    "mariadb": "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()",
}


class Database:
    """A database with the sample's tables: its URL, and the test's own connection to look inside."""

    def __init__(self, url: str, engine):
        self.url, self.engine = url, engine

    def tables(self) -> set[str]:
        return {row[0] for row in self.engine.execute(TABLE_NAMES[self.engine.name])}

    def leftovers(self) -> set[str]:
        """Tables a run made for itself (`policylang_new_*`, `policylang_old_*`)."""
        return {name for name in self.tables() if name.startswith("policylang_")}

    def decisions(self, table: str = TARGET) -> list[str]:
        return [row[0] for row in self.engine.execute(f'SELECT decision FROM {quoted(self, table)}')]

    def create(self, table: str, decision: str = "previous") -> None:
        """`table` with one column, `decision`, and one row."""
        self.engine.write(exp.table_(table, quoted=True), [exp.to_identifier("decision", quoted=True)],
                          ["text"], [(decision,)])

    def clean(self) -> None:
        for name in self.leftovers() | ({TARGET} & self.tables()):
            self.engine.drop(exp.table_(name, quoted=True))


def quoted(database: Database, table: str) -> str:
    return exp.to_identifier(table, quoted=True).sql(dialect=database.engine.dialect)


def file_database(kind: str, path: Path, sample) -> Database:
    """A DuckDB or SQLite file holding the sample's tables (loaded fast: the data files' relations on
    DuckDB, one transaction on SQLite)."""
    from policylang.engines.urls import engine_class

    engine = engine_class(kind).open(str(path))
    if kind == "duckdb":
        for table, relation in typed_tables(engine.connection, load_project(POLICIES).config).items():
            relation.create(table)
    else:
        engine.execute("BEGIN")
        engine.load(*sample)
        engine.execute("COMMIT")
    return Database(f"{kind}:///{path}", engine)


@pytest.fixture(scope="module")
def servers(sample):
    """Each server's own fresh database with the sample's tables, opened on first use."""
    opened: dict[str, Database | str] = {}

    def get(name: str) -> Database:
        if name not in opened:
            engine = conftest._open(name)
            if isinstance(engine, str):
                opened[name] = engine
            else:
                engine.load(*sample)
                opened[name] = Database(server_url(engine), engine)
        if isinstance(opened[name], str):
            conftest.unavailable(opened[name])
        opened[name].clean()
        return opened[name]

    yield get
    for database in opened.values():
        if isinstance(database, Database):
            database.engine.close()


def server_url(engine) -> str:
    [(name,)] = engine.execute("SELECT current_database()" if engine.name == "postgres" else "SELECT DATABASE()")
    return f"postgresql://postgres@127.0.0.1:5432/{name}" if engine.name == "postgres" else \
        f"mysql://root@127.0.0.1:3306/{name}"


@pytest.fixture(params=["duckdb", "sqlite", "postgres", "mariadb"])
def database(request, tmp_path, sample, servers) -> Database:
    """Each engine `run --db` reaches, holding the sample's tables (a file of its own, or a server's
    database shared by this module and emptied of the run's tables before each test)."""
    if request.param in ("duckdb", "sqlite"):
        database = file_database(request.param, tmp_path / f"warehouse.{request.param}", sample)
        yield database
        database.engine.close()
    else:
        yield servers(request.param)


@pytest.fixture(params=["postgres", "mariadb"])
def server(request, servers) -> Database:
    """Each server, holding the sample's tables."""
    return servers(request.param)


# --- 1. a table output is swapped in only when complete --------------------------------------------

def test_table_out_replaces_the_previous_table(database, capsys):
    database.create(TARGET)
    database.create("policylang_new_0123456789ab", "left by a killed run")  # must not get in the way
    code, out, _ = to_table(capsys, database)
    assert code == 0, out
    assert "decisions written to table decided" in out
    decisions = database.decisions()
    assert len(decisions) == CANDIDATES and set(decisions) == {"send", "suppress"}
    assert database.leftovers() == {"policylang_new_0123456789ab"}
    assert database.decisions("policylang_new_0123456789ab") == ["left by a killed run"]


def test_table_out_creates_a_missing_table(database, capsys):
    code, _, _ = to_table(capsys, database)
    assert code == 0
    assert len(database.decisions()) == CANDIDATES and database.leftovers() == set()


def test_tables_the_query_cannot_read_stop_the_run_and_keep_the_previous_table(database, failing_project, capsys):
    database.create(TARGET)
    code, _, err = to_table(capsys, database, failing_project)
    assert code == 1 and "no_such_events" in err
    assert database.decisions() == ["previous"] and database.leftovers() == set()


def test_a_statement_failing_after_the_new_table_exists_keeps_the_previous_table(database, capsys, monkeypatch):
    def failing(engine, *_):
        raise engine.errors[0]("could not extend file: No space left on device")

    database.create(TARGET)
    monkeypatch.setattr(run_command, "summary_counts", failing)
    code, _, err = to_table(capsys, database)
    assert code == 1
    assert "the decision query failed" in err and "No space left on device" in err
    assert "table `decided` is as it was" in err
    assert database.decisions() == ["previous"] and database.leftovers() == set()


@pytest.mark.parametrize("fault", [KeyboardInterrupt, duckdb.InterruptException])
def test_ctrl_c_before_the_swap_keeps_the_previous_table(database, capsys, monkeypatch, fault):
    """Ctrl-C (or DuckDB's error for it) once the new table is complete, before it is swapped in."""
    def interrupted(*_):
        raise fault("INTERRUPT Error: Interrupted!") if fault is duckdb.InterruptException else fault

    database.create(TARGET)
    monkeypatch.setattr(run_command, "summary_counts", interrupted)
    code, out, err = to_table(capsys, database)
    assert (code, out, err) == (130, "", "policylang: interrupted\n")
    assert database.decisions() == ["previous"] and database.leftovers() == set()


def test_a_cancel_during_the_run_swaps_nothing_in(database, capsys, monkeypatch):
    """Ctrl-C seen by the main thread while the worker finishes: the finished table is not swapped in."""
    counts = run_command.summary_counts

    def cancelled_meanwhile(engine, *args):
        engine.cancel()
        return counts(engine, *args)

    database.create(TARGET)
    monkeypatch.setattr(run_command, "summary_counts", cancelled_meanwhile)
    code, _, err = to_table(capsys, database)
    assert (code, err) == (130, "policylang: interrupted\n")
    assert database.decisions() == ["previous"] and database.leftovers() == set()


# --- a run in flight on a server: interrupted, killed, raced ----------------------------------------

SWAP = {"postgres": "DROP%", "mariadb": "RENAME%"}  # the statement that swaps the new table in


class Blocker:
    """The test's lock on `table` of a server database, as a reader of the previous decisions or a
    loading job would hold it: a run's statement needing that table waits (and so is in flight) until
    the block ends. Finds, kills and watches that statement."""

    def __init__(self, database: Database, table: str, statement: str = "%"):
        self.engine = database.engine  # watches and kills
        self.holder = connect(database.url)  # holds the lock
        self.table, self.statement = table, statement

    def __enter__(self):
        if self.engine.name == "postgres":
            self.holder.connection.autocommit = False
            self.holder.execute(f"LOCK TABLE {self.table} IN ACCESS EXCLUSIVE MODE")
        else:
            self.holder.execute(f"LOCK TABLES {self.table} WRITE")
        return self

    def __exit__(self, *exc):
        if self.engine.name == "postgres":
            self.holder.connection.rollback()
        else:
            self.holder.execute("UNLOCK TABLES")
        self.holder.close()

    def waiting(self):
        """The id of the server session whose statement (LIKE `statement`) waits for the lock, if any."""
        if self.engine.name == "postgres":
            rows = self.engine.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                f"AND wait_event_type = 'Lock' AND query LIKE '{self.statement}'")
        else:
            rows = self.engine.execute(
                "SELECT id FROM information_schema.processlist WHERE db = DATABASE() "
                f"AND state LIKE 'Waiting for table%' AND info LIKE '{self.statement}'")
        return rows[0][0] if rows else None

    def running(self, session) -> bool:
        """Is a statement of `session` still running on the server?"""
        if self.engine.name == "postgres":
            return bool(self.engine.execute(f"SELECT 1 FROM pg_stat_activity WHERE pid = {int(session)} "
                                            "AND state = 'active'"))
        return bool(self.engine.execute(f"SELECT 1 FROM information_schema.processlist WHERE id = {int(session)} "
                                        "AND info IS NOT NULL"))

    def kill(self, session) -> None:
        """End the server session as an administrator would (the backend killed)."""
        if self.engine.name == "postgres":
            self.engine.execute(f"SELECT pg_terminate_backend({int(session)})")
        else:
            self.engine.execute(f"KILL {int(session)}")


def at_the_swap(server: Database) -> Blocker:
    """A reader's lock on the previous table: the run waits with its new table complete, at the swap."""
    return Blocker(server, TARGET, SWAP[server.engine.name])


def test_ctrl_c_at_the_swap_cancels_the_server_statement_and_keeps_the_previous_table(server, tmp_path):
    server.create(TARGET)
    with at_the_swap(server) as blocker:
        process = start(server.url, f"table:{TARGET}", cwd=tmp_path)
        session = wait_until(blocker.waiting, "run waiting to swap its table in", process)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=WAIT_SECONDS)
        assert process.returncode == 130, err
        assert err.strip().endswith("policylang: interrupted") and "Traceback" not in err
        # still blocked: the statement would wait for ever had the run not cancelled it
        wait_until(lambda: not blocker.running(session), "end of the cancelled statement")
    assert server.decisions() == ["previous"] and server.leftovers() == set()


def test_ctrl_c_during_the_query_cancels_it(server, tmp_path):
    server.create(TARGET)
    with Blocker(server, "candidates") as blocker:
        process = start(server.url, f"table:{TARGET}", cwd=tmp_path)
        session = wait_until(blocker.waiting, "run waiting to read `candidates`", process)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=WAIT_SECONDS)
        assert process.returncode == 130 and "policylang: interrupted" in err
        wait_until(lambda: not blocker.running(session), "end of the cancelled statement")
    assert server.decisions() == ["previous"] and server.leftovers() == set()


def test_a_backend_killed_at_the_swap_keeps_the_previous_table(server, tmp_path):
    server.create(TARGET)
    with at_the_swap(server) as blocker:
        process = start(server.url, f"table:{TARGET}", cwd=tmp_path)
        blocker.kill(wait_until(blocker.waiting, "run waiting to swap its table in", process))
        _, err = process.communicate(timeout=WAIT_SECONDS)
    assert process.returncode == 1, err
    assert "the decision query failed" in err and "table `decided` is as it was" in err and "Traceback" not in err
    assert server.decisions() == ["previous"] and server.leftovers() == set()


def test_two_runs_writing_one_table_end_in_one_result_and_a_clear_error(server, tmp_path, capsys):
    server.create(TARGET)
    with at_the_swap(server) as blocker:
        first = start(server.url, f"table:{TARGET}", cwd=tmp_path)
        wait_until(blocker.waiting, "run waiting to swap its table in", first)
        code, _, err = to_table(capsys, server)
        assert code == 1
        assert "another run is writing table `decided`; wait for it to finish" in err
    _, err = first.communicate(timeout=WAIT_SECONDS)
    assert first.returncode == 0, err
    decisions = server.decisions()
    assert len(decisions) == CANDIDATES and set(decisions) == {"send", "suppress"}
    assert server.leftovers() == set()


def test_two_runs_writing_one_file_end_in_one_result_and_a_clear_error(server, tmp_path, capsys):
    out_file = tmp_path / "decisions.csv"
    with Blocker(server, "candidates") as blocker:
        first = start(server.url, out_file)
        wait_until(blocker.waiting, "run waiting to read `candidates`", first)
        code, _, err = run(capsys, POLICIES, "--as-of", AS_OF, "--out", out_file)
        assert code == 1
        assert f"another run is writing `{out_file}`; wait for it to finish" in err
        assert not out_file.exists()
    _, err = first.communicate(timeout=WAIT_SECONDS)
    assert first.returncode == 0, err
    assert len(out_file.read_text().splitlines()) == CANDIDATES + 1
    assert [p.name for p in tmp_path.iterdir()] == ["decisions.csv"]  # no lock or temporary file left


# --- file databases lock themselves ---------------------------------------------------------------

def test_a_duckdb_file_open_in_another_process_is_a_clear_error(tmp_path, sample, capsys):
    path = tmp_path / "warehouse.duckdb"
    file_database("duckdb", path, sample).engine.close()
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; c = duckdb.connect(sys.argv[1]); "
                               "print('open', flush=True); sys.stdin.read()", str(path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "open\n"
        code, _, err = to_table(capsys, f"duckdb:///{path}")
    finally:
        holder.communicate("")
    assert code == 1
    assert f"`duckdb:///{path}` is in use by another process" in err


def test_a_locked_sqlite_file_is_a_clear_error(tmp_path, sample, capsys, monkeypatch):
    path = tmp_path / "warehouse.sqlite"
    database = file_database("sqlite", path, sample)
    database.create(TARGET)
    monkeypatch.setattr("policylang.engines.sqlite.BUSY_SECONDS", 0)
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        code, _, err = to_table(capsys, f"sqlite:///{path}")
    finally:
        writer.execute("ROLLBACK")
    assert code == 1
    assert f"`sqlite:///{path}` is in use by another process" in err
    assert database.decisions() == ["previous"] and database.leftovers() == set()


# --- 2. a file output is replaced only when complete ------------------------------------------------

def previous_file(folder: Path) -> Path:
    path = folder / "decisions.csv"
    path.write_text("previous decisions\n")
    return path


def write_half_then(fault):
    """A stand-in for pyarrow's CSV writer that writes part of the file, then fails with `fault`."""
    def write(table, path):
        Path(path).write_text("candidate_id,customer_id\n1,")
        raise fault

    return write


@pytest.mark.parametrize("fault, code, says", [
    (OSError(28, "No space left on device"), 1, "cannot write"),
    (KeyboardInterrupt(), 130, "policylang: interrupted"),
])
def test_a_failed_write_keeps_the_previous_file(tmp_path, capsys, monkeypatch, fault, code, says):
    path = previous_file(tmp_path)
    monkeypatch.setattr("pyarrow.csv.write_csv", write_half_then(fault))
    got, _, err = run(capsys, POLICIES, "--as-of", AS_OF, "--out", path)
    assert got == code and says in err
    assert path.read_text() == "previous decisions\n"
    assert [p.name for p in tmp_path.iterdir()] == ["decisions.csv"]


def test_file_out_replaces_the_previous_file_whole(tmp_path, capsys):
    path = previous_file(tmp_path)
    code, _, _ = run(capsys, POLICIES, "--as-of", AS_OF, "--out", path)
    assert code == 0
    assert len(path.read_text().splitlines()) == CANDIDATES + 1
    assert [p.name for p in tmp_path.iterdir()] == ["decisions.csv"]


def test_a_file_another_run_is_writing_is_a_clear_error(tmp_path, capsys):
    path = previous_file(tmp_path)
    with claimed(path):
        code, _, err = run(capsys, POLICIES, "--as-of", AS_OF, "--out", path)
    assert code == 1
    assert f"another run is writing `{path}`; wait for it to finish, or write another file" in err
    assert path.read_text() == "previous decisions\n"


# --- 3. an output that names an input is refused before anything runs ------------------------------

@pytest.mark.parametrize("table", ["touches", "TOUCHES", "Candidates", "crm.touches", "db.crm.customers"])
def test_an_input_table_is_refused(tmp_path, capsys, table):
    missing = tmp_path / "nothing.duckdb"  # refused before the database is even opened
    code, _, err = run(capsys, POLICIES, "--db", f"duckdb:///{missing}", "--out", f"table:{table}")
    assert code == 2
    assert f"`--out table:{table}` names the input table" in err and "write the decisions to another table" in err
    assert not missing.exists()


def test_an_input_table_under_its_warehouse_name_is_refused(project_copy, tmp_path, capsys):
    with open(project_copy / "policylang.yaml", "a") as f:
        f.write("tables:\n  touches: history.contact_log\n")
    code, _, err = run(capsys, project_copy, "--db", f"duckdb:///{tmp_path / 'w.duckdb'}", "--out", "table:CONTACT_LOG")
    assert code == 2 and "names the input table `history.contact_log`" in err


@pytest.mark.parametrize("a, b, same", [
    ("touches", "touches", True), ("touches", "Touches", True), ("crm.touches", "touches", True),
    ("crm.touches", "CRM.Touches", True), ("wh.crm.touches", "crm.touches", True),
    ("crm.touches", "other.touches", False), ("touches", "touches_out", False), ("a.crm.t", "b.crm.t", False),
])
def test_same_table_compares_as_engines_resolve_names(a, b, same):
    assert same_table(a, b) is same and same_table(b, a) is same


@pytest.mark.parametrize("spelling", ["data/touches.csv", "./data/../data/touches.csv", "DATA_LINK/touches.csv",
                                      "policylang.yaml", "global.policy"])
def test_an_input_file_is_refused(project_copy, capsys, monkeypatch, spelling):
    (project_copy / "DATA_LINK").symlink_to(project_copy / "data")
    before = {p: p.read_bytes() for p in project_copy.rglob("*") if p.is_file()}
    monkeypatch.chdir(project_copy)
    code, _, err = run(capsys, ".", "--as-of", AS_OF, "--out", spelling)
    assert code == 2
    assert "names the project's file" in err or "cannot tell the format" in err
    assert {p: p.read_bytes() for p in project_copy.rglob("*") if p.is_file()} == before


def test_earlier_decisions_in_the_project_folder_are_not_an_input(project_copy, capsys, monkeypatch):
    """The sample's policy folder is the project folder itself: a file written there is no policy file."""
    monkeypatch.chdir(project_copy)
    for _ in range(2):
        code, _, err = run(capsys, ".", "--as-of", AS_OF, "--out", "decisions.csv")
        assert code == 0, err
    assert len((project_copy / "decisions.csv").read_text().splitlines()) == CANDIDATES + 1


def test_a_hard_link_to_an_input_file_is_refused(project_copy, tmp_path, capsys):
    link = tmp_path / "touches.csv"
    os.link(project_copy / "data" / "touches.csv", link)
    code, _, err = run(capsys, project_copy, "--as-of", AS_OF, "--out", link)
    assert code == 2 and "names the project's file" in err


# --- 6. passwords never appear in a message ------------------------------------------------------

@pytest.mark.parametrize("url, shown", [
    ("postgresql://u:s3cret@h:5432/d", "postgresql://u:***@h:5432/d"),
    ("postgresql://u@h/d?password=s3cret", "postgresql://u@h/d?password=***"),
    ("postgresql://u@h/d?sslmode=require&PASSWORD=s3cret&x=1", "postgresql://u@h/d?sslmode=require&PASSWORD=***&x=1"),
    ("mysql://u@h/d?pass=s3cret", "mysql://u@h/d?pass=***"),
    ("mysql://u@h/d?passwd=s3cret;pwd=s3cret", "mysql://u@h/d?passwd=***;pwd=***"),
    ("mysql://u:p%40ss%2Fw@h:3306/d", "mysql://u:***@h:3306/d"),
    ("mysql://u:p@ss/w:rd@h/d", "mysql://u:***@h/d"),
    ("mysql://:s3cret@h/d", "mysql://:***@h/d"),
    ("oracle://scott:tiger@db", "oracle://scott:***@db"),
    ("scott:tiger@db", "scott:***@db"),
    ("mysql://u@h/d", "mysql://u@h/d"),
    ("postgresql://h:5432/d", "postgresql://h:5432/d"),
])
def test_redacted_hides_every_password(url, shown):
    assert redacted(url) == shown


def test_scrubbed_hides_a_password_a_driver_echoes():
    url = "postgresql://u:p%40ss@h/d?password=t0ken"
    message = f'invalid connection "{url}": password "p@ss" or "p%40ss" or t0ken rejected'
    assert scrubbed(message, url) == 'invalid connection "postgresql://u:***@h/d?password=***": ' \
                                     'password "***" or "***" or *** rejected'


@pytest.mark.parametrize("url", [
    "postgresql://postgres:s3cret@127.0.0.1:1/test",
    "postgresql://postgres@127.0.0.1:1/test?password=s3cret",
    "postgresql://postgres@127.0.0.1:5432/test?password=s3cret&sslmode=bogus",
    "mysql://root:s3cret@127.0.0.1:1/test",
    "mysql://root:s3cret@127.0.0.1:port/test?pass=s3cret",
    "oracle://root@h/test?pass=s3cret",
    "sqlite:///missing.db?password=s3cret",
])
def test_no_connect_message_shows_the_password(url, capsys):
    code, out, err = run(capsys, POLICIES, "--db", url, "--as-of", AS_OF)
    assert code in (1, 2) and err.startswith("policylang: error: ")
    assert "s3cret" not in err + out


def test_a_failed_query_does_not_show_the_password(servers, capsys, monkeypatch):
    """A password in the query string (psycopg reads it there): not in the url the failure names, nor
    in the driver's text when it echoes it."""
    url = f"{servers('postgres').url}?password=s3cret"

    def echoing(engine, *_):
        raise engine.errors[0](f'server closed the connection "{url}" (password "s3cret")')

    monkeypatch.setattr(run_command, "summary_counts", echoing)
    code, _, err = to_table(capsys, url)
    assert code == 1 and "the decision query failed on `postgresql://" in err
    assert "s3cret" not in err and "password=***" in err


# --- 7. a database file that does not exist is an error, not a new empty file -----------------------

@pytest.mark.parametrize("kind", ["sqlite", "duckdb"])
def test_a_missing_database_file_is_an_error(tmp_path, capsys, kind):
    missing = tmp_path / f"missing.{kind}"
    code, _, err = run(capsys, POLICIES, "--db", f"{kind}:///{missing}", "--as-of", AS_OF)
    assert code == 1
    assert f"no such database file `{missing}`" in err
    assert not missing.exists()


def test_sqlite_never_creates_a_file_it_was_not_asked_to(tmp_path):
    from policylang.engines.sqlite import SQLiteEngine

    with pytest.raises(sqlite3.OperationalError):
        SQLiteEngine.open(str(tmp_path / "missing.sqlite"), create=False)
    assert list(tmp_path.iterdir()) == []


# --- 8. a missing driver names the extra that installs it ----------------------------------------

@pytest.mark.parametrize("module, engine, url, extra", [
    ("psycopg", "postgres", "postgresql://postgres@127.0.0.1/test", "postgres"),
    ("pymysql", "mariadb", "mysql://root@127.0.0.1/test", "mysql"),
])
def test_a_missing_driver_names_its_extra(capsys, monkeypatch, module, engine, url, extra):
    monkeypatch.setitem(sys.modules, module, None)  # `import psycopg` raises ImportError
    monkeypatch.delitem(sys.modules, f"policylang.engines.{engine}", raising=False)
    code, _, err = run(capsys, POLICIES, "--db", url, "--as-of", AS_OF)
    assert code == 2
    assert f"install the driver: pip install 'policylang[{extra}]'" in err


def test_the_driver_extras_exist_and_the_test_extra_installs_them():
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["postgres"] == ["psycopg[binary]>=3.1"]
    assert extras["mysql"] == ["pymysql>=1.1"]
    assert extras["spark"] == ["pyspark>=4.1"]
    assert any(r.startswith("policylang[") and all(e in r for e in ("postgres", "mysql", "spark"))
               for r in extras["test"])


# --- 9. and 10. where the decisions went; an as-of that cannot be represented ---------------------

def test_run_without_out_says_the_decisions_were_not_kept(capsys):
    code, out, _ = run(capsys, POLICIES, "--as-of", AS_OF)
    assert code == 0
    assert out.splitlines()[-1] == run_command.NOT_KEPT


@pytest.mark.parametrize("as_of", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_an_as_of_outside_the_utc_years_is_a_usage_error(capsys, as_of):
    code, out, err = run(capsys, POLICIES, "--as-of", as_of)
    assert code == 2 and out == ""
    assert f"`{as_of}` falls outside the years 1 to 9999 in UTC" in err


def test_as_of_argument_reads_offsets_as_utc():
    assert as_of_argument("2025-06-30T08:00:00+02:00").isoformat() == "2025-06-30T06:00:00"
    assert as_of_argument("9999-12-31T23:00:00").isoformat() == "9999-12-31T23:00:00"
    with pytest.raises(argparse.ArgumentTypeError, match="not an ISO 8601 time"):
        as_of_argument("0000-01-01T00:00:00")
