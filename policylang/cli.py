"""The `policylang` command line: argument parsing, dispatch and exit codes.

Each command lives in `policylang/commands/<name>.py` and exposes `HELP`,
`add_arguments(parser)` and `run(args) -> int`; heavy libraries (sqlglot,
DuckDB, z3) are imported inside `run`, so `check` starts fast. Exit codes:
0 success, 1 findings at error level (or a failed test/check), 2 usage or
internal error, 130 interrupted (Ctrl-C, or a database driver's error saying
so). Nothing a user types or writes ends in a traceback.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from . import __version__
from .errors import DataError, ProjectError, UsageError

COMMANDS = ("init", "check", "fmt", "compile", "schema", "load", "run", "explain", "simulate", "diff", "test")


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with one line, as argparse does, minus the noise
        self.print_usage(sys.stderr)
        print(f"policylang: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="policylang", description="Contact policies as code: check, format, compile and run them.")
    parser.add_argument("--version", action="version", version=f"policylang {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"policylang.commands.{name}")
        cmd = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(cmd)
        cmd.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args._module.run(args) or 0)
    except ProjectError as exc:
        from .render import print_diagnostics, read_sources

        print_diagnostics(exc.diagnostics, sys.stderr, exc.sources or read_sources(exc.diagnostics))
        return 1
    except (UsageError, DataError) as exc:
        print(f"policylang: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, UsageError) else 1
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug of ours: say so plainly, exit 2, no traceback
        if _driver_interrupt(exc):
            return _interrupted()
        print(f"policylang: internal error: {type(exc).__name__}: {exc}\n"
              "please report this with the command and input that caused it", file=sys.stderr)
        return 2


def _driver_interrupt(exc: Exception) -> bool:
    """Is `exc` a database driver's answer to Ctrl-C (DuckDB's `InterruptException`)? Looked up without
    importing anything: this runs when something already went wrong."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(exc, duckdb.InterruptException)


def _interrupted() -> int:
    """Say that Ctrl-C ended the command; its exit code."""
    print("policylang: interrupted", file=sys.stderr)
    return 130
