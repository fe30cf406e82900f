"""`policylang test`: the project's policy unit tests, on both back ends.

Every case of every `tests/*.yaml` fixture (format: docs/policy-tests.md,
reader: `policylang.fixtures`) is decided by the reference interpreter and by
the compiled SQL on an in-process DuckDB; a case passes when both give each
candidate the expected decision and rule. A failure shows a table of the
candidates that differ: expected, interpreter, SQL; `--format junit` writes the
same as JUnit XML (`policylang.render.junit`). Exit 0 when every case passes,
1 otherwise. The project is found as every command finds it
(`policylang.discovery`).
"""
from __future__ import annotations

from dataclasses import dataclass

from .arguments import add_project_argument, load_project_argument

HELP = "run the policy unit tests (tests/*.yaml) on the reference interpreter and on the compiled SQL"


def add_arguments(parser):
    add_project_argument(parser)
    parser.add_argument("--format", choices=("text", "junit"), default="text",
                        help="the report: text, or JUnit XML for CI systems")


@dataclass(frozen=True)
class Outcome:
    file: str
    name: str
    differences: list  # (candidate_id, expected, interpreter, sql) as shown
    error: str | None = None  # the SQL failed to run

    @property
    def passed(self) -> bool:
        return not self.differences and self.error is None


def shown(decision) -> str:
    """A decision as `send` or `suppress rule`; `-` when the back end gave none."""
    if decision is None:
        return "-"
    return decision.decision if decision.rule is None else f"{decision.decision} {decision.rule}"


class CompiledQueries:
    """The decision query per as-of time, compiled once for all the cases that share it."""

    def __init__(self, policy, dialect: str):
        self.policy, self.dialect, self.sql = policy, dialect, {}

    def decisions(self, engine, as_of) -> list:
        """The decisions on `engine`'s tables as of `as_of` (engines take SQL: the query is compiled here)."""
        from ..compilers.sql import to_sql

        if as_of not in self.sql:
            self.sql[as_of] = to_sql(self.policy, self.dialect, as_of)
        return engine.decisions(self.sql[as_of])


def run_case(policy, engine, queries: CompiledQueries, file: str, case) -> Outcome:
    from ..compilers.reference import decide

    interpreter = {d.candidate_id: d for d in decide(policy, case.data, case.as_of)}
    try:
        engine.load(policy, case.data)
        sql = {d.candidate_id: d for d in queries.decisions(engine, case.as_of)}
    except engine.errors as exc:
        return Outcome(file, case.name, [], f"the compiled SQL failed: {str(exc).strip().splitlines()[0]}")
    differences = []
    for cid, expected in case.expected.items():
        want = (expected.decision, expected.rule)
        got = [(d.decision, d.rule) if d else None for d in (interpreter.get(cid), sql.get(cid))]
        if got != [want, want]:
            differences.append((cid, shown(expected), shown(interpreter.get(cid)), shown(sql.get(cid))))
    return Outcome(file, case.name, differences)


def diff_lines(differences: list) -> list[str]:
    """The differing candidates as aligned columns (plain text: a CI log must not wrap them)."""
    rows = [("candidate", "expected", "interpreter", "SQL")] + [tuple(map(str, row)) for row in differences]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return ["      " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]


def report(console, outcomes: list[Outcome]) -> None:
    from rich.markup import escape

    current = None
    for outcome in outcomes:
        if outcome.file != current:
            current = outcome.file
            console.print(current, soft_wrap=True, highlight=False)
        mark = "[green]pass[/]" if outcome.passed else "[red]FAIL[/]"
        console.print(f"  {mark} {escape(outcome.name)}", highlight=False, soft_wrap=True)
        details = ([f"      {outcome.error}"] if outcome.error else []) + (
            diff_lines(outcome.differences) if outcome.differences else [])
        for line in details:
            console.print(line, style="red", highlight=False, markup=False, soft_wrap=True)
    failed = sum(not o.passed for o in outcomes)
    console.print(f"{len(outcomes) - failed} passed, {failed} failed", style="red" if failed else "green")


def run(args) -> int:
    from rich.console import Console

    from ..engines.duckdb import DuckDBEngine
    from ..errors import DataError
    from ..fixtures import fixture_files, load_fixture
    from ..project import require_policy


    project = load_project_argument(args)
    policy = require_policy(project)
    folder = project.config.root / "tests"
    files = fixture_files(folder)
    if not files:
        raise DataError(f"no policy tests in `{folder}`: add `*.yaml` files there (see docs/policy-tests.md)")
    cases = [(str(path), case) for path in files for case in load_fixture(path, policy.attributes)]
    with DuckDBEngine.open() as engine:
        queries = CompiledQueries(policy, engine.dialect)
        outcomes = [run_case(policy, engine, queries, file, case) for file, case in cases]
    if args.format == "junit":
        import sys

        from ..render.junit import test_junit

        sys.stdout.write(test_junit(outcomes, diff_lines))
    else:
        report(Console(), outcomes)
    return 0 if all(o.passed for o in outcomes) else 1
