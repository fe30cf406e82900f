"""`policylang diff BASE HEAD [DIR] [--format F] [--fail-on loosen]`: what a policy change does.

BASE and HEAD are two Git revisions of the project in DIR (default: the
project of the current folder), read without a checkout, or two project
folders. Each side is loaded by the normal loader; a side that does not load
is reported with the usual diagnostics, its files named `REV:path` (exit 1).
Every change is reported with a customer the reference interpreter decides
differently on the two sides, or as not decided with the reason
(docs/diff.md). `--fail-on loosen` exits 1 when a change loosens contact or
could not be proved not to. `--data --from D --to D` adds the simulated
effect: both policies replayed over the data of the project as it is on disk
(HEAD's folder for two folders), or of `--db URL`.
"""
from __future__ import annotations

import sys
import tempfile

from ..diff import FORMATS
from ..errors import UsageError
from .arguments import add_db_argument, date_argument

HELP = "what a policy change does: every rule loosened or tightened, with a customer to prove it"


def add_arguments(parser):
    parser.add_argument("base", metavar="BASE", help="the Git revision (or project folder) before the change")
    parser.add_argument("head", metavar="HEAD", help="the Git revision (or project folder) after the change")
    parser.add_argument("project", nargs="?", default=None, metavar="DIR",
                        help="with revisions: the project folder, or any folder inside it (default: the current "
                             "folder)")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="output format: text, markdown (a pull-request summary), github annotations or json")
    parser.add_argument("--fail-on", choices=("loosen",), default=None,
                        help="exit 1 when a change loosens contact, or could not be proved not to")
    parser.add_argument("--data", action="store_true",
                        help="add the simulated effect: both policies replayed over --from..--to on the project's "
                             "data files (as on disk) or --db")
    parser.add_argument("--from", dest="start", type=date_argument, metavar="DATE", help="with --data: first day")
    parser.add_argument("--to", dest="end", type=date_argument, metavar="DATE", help="with --data: last day, included")
    add_db_argument(parser, "with --data: replay on this database's tables, only read")


def run(args) -> int:
    from ..diff.compare import compare
    from ..diff.render import render
    from ..diff.sides import load_sides

    _check_data_arguments(args)
    with tempfile.TemporaryDirectory(prefix="policylang-diff-") as workspace:
        base, head = load_sides(args.base, args.head, args.project, workspace)
        report = compare(base.policy, head.policy, args.base, args.head)
        report.base_path, report.head_path = base.path, head.path
        if args.data:
            report.effect = _effect(args, base, head)
        sys.stdout.write(render(report, args.format))
    return 1 if args.fail_on == "loosen" and report.may_loosen else 0


def _check_data_arguments(args) -> None:
    given = [name for name, value in (("--from", args.start), ("--to", args.end), ("--db", args.db)) if value]
    if not args.data and given:
        raise UsageError(f"{', '.join(given)} belong(s) to --data: add --data to simulate the change's effect")
    if args.data and (args.start is None or args.end is None):
        raise UsageError("--data needs the period to replay: add --from DATE --to DATE")


def _effect(args, base, head):
    """The simulated effect over the data of the project on disk: HEAD's folder, or DIR in the working tree."""
    from ..diff.effect import simulate
    from ..diff.sides import data_project

    return simulate(data_project(args.base, args.head, args.project), base.policy, head.policy, args.start,
                    args.end, args.db)
