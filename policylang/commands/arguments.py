"""The arguments the commands share, each added and resolved here so every command treats the same
mistake the same way: the project folder, `--as-of` and `--db`.

`add_project_argument` adds the optional positional `DIR`; `load_project_argument` resolves it
(`discovery.project_root`) and loads the project. The rule for a folder that is not a project
(docs/design.md, "Decisions", its point "Project folders"): a path that does not exist, or is
not a folder, is a usage error (exit 2, `policylang: error: ... does not exist ...`); a folder with
no policylang.yaml in it or above it is loaded as it is, and the loader reports PL405 (exit 1).

`as_of_argument` and `date_argument` are argparse `type=`s: each returns the parsed value or raises
`argparse.ArgumentTypeError`, which the parser turns into a one-line usage error (exit 2), never a
traceback.
"""
from __future__ import annotations

import argparse
from datetime import date, datetime

from ..instants import utc_naive

PROJECT_HELP = ("the project folder, or any folder inside it: the nearest policylang.yaml above is used "
                "(default: the current folder)")
DATABASES = "duckdb:///file, sqlite:///file, postgresql://..., mysql://..."


def add_project_argument(parser: argparse.ArgumentParser, help: str = PROJECT_HELP) -> None:
    """The optional positional `DIR`, the current folder by default."""
    parser.add_argument("project", nargs="?", default=".", metavar="DIR", help=help)


def project_folder(args: argparse.Namespace):
    """The project folder `DIR` names (`discovery.project_root`); a `UsageError` when it does not exist or
    is not a folder."""
    from ..discovery import project_root

    return project_root(args.project)


def load_project_argument(args: argparse.Namespace):
    """The project `DIR` names, loaded (`project.load_project`; PL405 among its findings when the folder
    has no policylang.yaml)."""
    from ..project import load_project

    return load_project(project_folder(args))


def add_as_of_argument(parser: argparse.ArgumentParser, default: str) -> None:
    """`--as-of ISO` (`as_of_argument`); `default` says what the command decides as of without it."""
    parser.add_argument("--as-of", type=as_of_argument, metavar="ISO",
                        help=f"decide as of this UTC time, e.g. 2025-06-30T06:00:00Z (default: {default})")


def add_db_argument(parser: argparse.ArgumentParser, does: str, required: bool = False) -> None:
    """`--db URL`, a database URL that `engines.connect` opens; `does` says what the command does with it."""
    parser.add_argument("--db", metavar="URL", required=required, help=f"{does} ({DATABASES})")


def as_of_argument(text: str) -> datetime:
    """An ISO 8601 instant as naive UTC (a time without an offset is read as UTC); a time that is
    not UTC-representable (`9999-12-31T23:00:00-05:00` is in year 10000 there) is a usage error."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not an ISO 8601 time; write e.g. 2025-06-30T06:00:00Z") from None
    try:
        return utc_naive(moment)
    except OverflowError:
        raise argparse.ArgumentTypeError(f"`{text}` falls outside the years 1 to 9999 in UTC; "
                                         "write a time within them") from None


def date_argument(text: str) -> date:
    """A calendar day, ISO 8601 (`2025-04-01`): `simulate`'s and `diff --data`'s `--from`/`--to`."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; write e.g. 2025-04-01") from None
