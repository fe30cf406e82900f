"""Shared fixtures: one suite run over every database engine.

A test that takes the `engine` fixture runs once per engine (DuckDB, SQLite,
PostgreSQL, MariaDB, Spark), as lark runs one suite over each of its parsers.
Each engine is opened once per test session, on first use: servers get a
fresh database dropped at the end, Spark one local session. An engine that
cannot be opened is skipped with the reason on a laptop and fails the run under
`CI=true`, so CI cannot go green by skipping. `engine_settings` bounds
Hypothesis per engine (Spark is slow to run a query, so it gets few examples).

Hypothesis profiles (docs/testing.md), chosen by POLICYLANG_HYPOTHESIS_PROFILE,
default `ci` under `CI=true` and `dev` elsewhere: `ci` is derandomized with
example counts sized to CI's budget, `dev` is quick, `deep` draws thousands.
`dev` and `deep` keep failing examples in tests/hypothesis-examples/ (tracked),
so a failure found once is replayed by every later run until it is fixed, and
nothing else (`FailuresOnlyDatabase`).
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Mapping, NoReturn

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase
from hypothesis.internal.conjecture import engine as conjecture_engine

from policylang.engines import Engine
from policylang.engines.urls import engine_class

ENGINES = ("duckdb", "sqlite", "postgres", "mariadb", "spark")
# examples per engine under the `ci` profile; other profiles scale them by their max_examples
EXAMPLES = {"duckdb": 40, "sqlite": 40, "postgres": 25, "mariadb": 25, "spark": 8}



class FailuresOnlyDatabase(ExampleDatabase):
    """A `DirectoryBasedExampleDatabase` that keeps only what is worth replaying: each test's failing
    examples (its own key). Hypothesis also writes, under `<key>.pareto`, the best examples of every
    `target()` label and, under `<key>.secondary`, failing examples it shrank past; both grow on every
    run that passes, so they are dropped here rather than committed (docs/testing.md, "Hypothesis profiles")."""

    DROPPED = (b".pareto", b".secondary")

    def __init__(self, path: Path):
        super().__init__()
        self.inner = DirectoryBasedExampleDatabase(str(path))

    def kept(self, key: bytes) -> bool:
        return not key.endswith(self.DROPPED)

    def save(self, key: bytes, value: bytes) -> None:
        if self.kept(key):
            self.inner.save(key, value)

    def fetch(self, key: bytes):
        return self.inner.fetch(key) if self.kept(key) else ()

    def delete(self, key: bytes, value: bytes) -> None:
        self.inner.delete(key, value)

    def move(self, src: bytes, dest: bytes, value: bytes) -> None:
        if self.kept(dest):
            self.inner.move(src, dest, value)
        else:
            self.inner.delete(src, value)


EXAMPLE_DATABASE = FailuresOnlyDatabase(Path(__file__).parent / "hypothesis-examples")
QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
CI_EXAMPLES = 100  # the profile's max_examples; `engine_settings` scales EXAMPLES by max_examples / CI_EXAMPLES
PROFILES = {  # name -> (settings, seconds Hypothesis may spend shrinking one failure)
    "ci": (settings(derandomize=True, max_examples=CI_EXAMPLES, deadline=None, print_blob=True,
                    suppress_health_check=QUIET, phases=[p for p in Phase if p is not Phase.explain]), 20),
    "dev": (settings(max_examples=CI_EXAMPLES // 4, deadline=None, database=EXAMPLE_DATABASE, print_blob=True,
                     suppress_health_check=QUIET), 30),
    "deep": (settings(max_examples=CI_EXAMPLES * 20, deadline=None, database=EXAMPLE_DATABASE, print_blob=True,
                      suppress_health_check=QUIET), 300),
}
# tests/mutants.py: `ci`'s examples (the same seed, the same draws) without shrinking, which only a failure
# starts and which a mutant's verdict does not need
PROFILES["ci-unshrunk"] = (settings(PROFILES["ci"][0], phases=[Phase.explicit, Phase.reuse, Phase.generate,
                                                                Phase.target]), 0)


def profile_name(env: Mapping[str, str] = os.environ) -> str:
    """POLICYLANG_HYPOTHESIS_PROFILE, else `ci` under CI=true, else `dev`."""
    default = "ci" if env.get("CI", "").lower() == "true" else "dev"
    name = env.get("POLICYLANG_HYPOTHESIS_PROFILE", default)
    if name not in PROFILES:
        raise pytest.UsageError(f"POLICYLANG_HYPOTHESIS_PROFILE={name!r}: the profiles are {', '.join(PROFILES)}")
    return name


for _name, (_settings, _) in PROFILES.items():
    settings.register_profile(_name, _settings)
PROFILE = profile_name()
settings.load_profile(PROFILE)
# Hypothesis has no setting for it: its own bound on shrinking one failure is 300 s
conjecture_engine.MAX_SHRINKING_SECONDS = PROFILES[PROFILE][1]


def pytest_report_header(config) -> str:
    return f"hypothesis profile: {PROFILE} (POLICYLANG_HYPOTHESIS_PROFILE; docs/testing.md)"


def unavailable(reason: str, env: Mapping[str, str] = os.environ) -> NoReturn:
    """An engine cannot be opened: skip with `reason`, or fail when `env` says this is CI."""
    if env.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true: every engine must run, none may be skipped)", pytrace=False)
    pytest.skip(reason)


def update_requested(variable: str, what: str, env: Mapping[str, str] = os.environ) -> bool:
    """Does this run rewrite `what` (golden SQL files, the README's walkthrough) from today's output?
    Only when `variable` is 1, and never under CI=true: such files are regenerated by hand and reviewed."""
    if env.get(variable) != "1":
        return False
    if env.get("CI", "").lower() == "true":
        pytest.fail(f"{variable}=1 under CI=true: {what} are regenerated by hand and reviewed, never by CI",
                    pytrace=False)
    return True


SERVER_POSTGRES = "postgresql://postgres@127.0.0.1:5432"  # the local server; database `test` exists


@contextmanager
def scratch_postgres_database(prefix: str) -> Iterator[str]:
    """A fresh database on the local PostgreSQL server, named `prefix` and a random part, dropped
    afterwards; without a server or psycopg: skipped on a laptop, failed under CI=true."""
    from sqlglot import exp

    from policylang.engines.base import drop_statement

    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed (pip install -e '.[test]')")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    database = exp.table_(name, quoted=True)
    try:
        admin = psycopg.connect(f"{SERVER_POSTGRES}/test", autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        unavailable(f"no PostgreSQL server at {SERVER_POSTGRES}: {exc}")
    with admin:
        admin.execute(exp.Create(this=database, kind="DATABASE").sql(dialect="postgres"))
    try:
        yield name
    finally:
        with psycopg.connect(f"{SERVER_POSTGRES}/test", autocommit=True) as admin:
            admin.execute(drop_statement("DATABASE", database).sql(dialect="postgres"))


class EnginePool:
    """The session's engines, each opened on first use; a failure to open is remembered, not retried."""

    def __init__(self):
        self.engines: dict[str, Engine] = {}
        self.failures: dict[str, str] = {}

    def get(self, name: str) -> Engine:
        if name not in self.engines and name not in self.failures:
            opened = _open(name)
            if isinstance(opened, str):
                self.failures[name] = opened
            else:
                self.engines[name] = opened
        if name in self.failures:
            unavailable(self.failures[name])
        return self.engines[name]

    def close(self) -> None:
        for engine in self.engines.values():
            engine.close()


def _open(name: str) -> Engine | str:
    """A fresh engine, or why it cannot be had (a missing driver, an unreachable server, no Java)."""
    try:
        cls = engine_class(name)
    except ImportError as exc:
        return f"{name} is unavailable: {exc}"
    try:
        return cls.scratch()
    except (OSError, *cls.errors) as exc:
        return f"{name} is unavailable: {type(exc).__name__}: {str(exc).strip()[:300]}"


@pytest.fixture(scope="session")
def engine_pool():
    pool = EnginePool()
    yield pool
    pool.close()


def _marks(name: str) -> list:
    return [pytest.mark.engine, pytest.mark.spark] if name == "spark" else [pytest.mark.engine]


@pytest.fixture(params=[pytest.param(name, marks=_marks(name)) for name in ENGINES])
def engine(request, engine_pool) -> Engine:
    """Each engine in turn, one connection per session; tests `load` their own tables."""
    return engine_pool.get(request.param)


def scaled_settings(examples: int) -> settings:
    """The profile's settings with `examples` (the count under `ci`) scaled to its max_examples."""
    scaled = max(1, examples * settings.default.max_examples // CI_EXAMPLES)
    return settings(settings.default, max_examples=scaled, deadline=None, suppress_health_check=QUIET)


@pytest.fixture
def engine_settings(engine):
    """Hypothesis settings for a property run on `engine`: the profile's, with the engine's share of
    its examples (EXAMPLES under `ci`), no deadline."""
    return scaled_settings(EXAMPLES[engine.name])


@lru_cache(maxsize=64)
def decision_sql(policy, dialect: str, as_of) -> str:
    """The decision query, compiled once per policy set, dialect and as-of time (a test runs one
    policy on many datasets; engines take SQL and never compile)."""
    from policylang.compilers.sql import to_sql

    return to_sql(policy, dialect, as_of)


def decide_on(engine: Engine, policy, as_of) -> list:
    """The decisions of `policy` as of `as_of` on the tables loaded in `engine`, sorted by candidate."""
    return engine.decisions(decision_sql(policy, engine.dialect, as_of))


def assert_matches_reference(engine: Engine, policy, data, as_of) -> None:
    """Load `data` into `engine`, decide with the compiled query and with the reference
    interpreter, and fail with a per-candidate diff when they differ in any row."""
    from policylang.compilers.reference import decide
    from policylang.engines.base import sort_key

    engine.load(policy, data)
    got = decide_on(engine, policy, as_of)
    want = sorted(decide(policy, data, as_of), key=sort_key)
    if got == want:
        return
    lines = [f"{engine.name} and the reference interpreter disagree (candidate: {engine.name} | reference):"]
    for candidate_id in dict.fromkeys(d.candidate_id for d in [*want, *got]):
        mine, theirs = ([d for d in side if d.candidate_id == candidate_id] for side in (got, want))
        if mine != theirs:
            lines.append(f"  {candidate_id!r}: {_shown(mine)} | {_shown(theirs)}")
    raise AssertionError("\n".join(lines))


def _shown(decisions) -> str:
    return "; ".join(f"customer {d.customer_id!r} {d.decision}{' ' + d.rule if d.rule else ''} [{d.policy_version}]"
                     for d in decisions) or "(no row)"
