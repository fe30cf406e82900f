"""`policylang diff BASE HEAD [DIR] [--format F] [--fail-on loosen]`: what a policy change does.

BASE and HEAD are two Git revisions of the project in DIR (default: the
project of the current folder), read without a checkout, or two project
folders. Each side is loaded by the normal loader; a side that does not load
is reported with the usual diagnostics, its files named `REV:path` (exit 1).
Every change is reported with a customer the reference interpreter decides
differently on the two sides, or as not decided with the reason
(docs/diff.md). `--fail-on loosen` exits 1 when a change loosens contact or
could not be proved not to.
"""
from __future__ import annotations

import sys
import tempfile

from ..diff.render import FORMATS

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


def run(args) -> int:
    from ..diff.compare import compare
    from ..diff.render import render
    from ..diff.sides import load_sides

    with tempfile.TemporaryDirectory(prefix="policylang-diff-") as workspace:
        base, head = load_sides(args.base, args.head, args.project, workspace)
        report = compare(base.policy, head.policy, args.base, args.head)
        report.base_path, report.head_path = base.path, head.path
        sys.stdout.write(render(report, args.format))
    return 1 if args.fail_on == "loosen" and report.may_loosen else 0
