"""`policylang check [DIR] [--format F] [--strict]`: every finding of a project (docs/messages.md).

Loads the project (config, parse, resolve), adds the analyses when the policy
resolved, and prints the findings sorted by location, with snippets from the
policy files and policylang.yaml. As ruff does, it exits 1 on any finding the
project has not allowed (`policylang.lint`: the config's `lint:` section and
inline suppressions; docs/findings.md, "Allowing a finding"), 0 otherwise, 2 on
a usage error.
The loader, the analyses and rich are imported inside `run`, so the command
line starts fast.
"""
from __future__ import annotations

import contextlib
import gc
import sys
from pathlib import Path

from ..render import FORMATS
from .arguments import add_project_argument, project_folder

HELP = "check policies for syntax, name, type and cross-business-unit errors"


def add_arguments(parser):
    add_project_argument(parser)
    parser.add_argument("--format", choices=FORMATS + ("junit",), default="text",
                        help="output format: text (coloured on a terminal), json, github annotations, sarif 2.1.0 "
                             "or junit XML")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 on the findings `lint: warn:` in policylang.yaml allows, too")


def checked_sources(root: Path, project) -> dict:
    """The project's policy sources plus its policylang.yaml, so config findings show their line too."""
    from ..config import CONFIG_FILE
    from ..source import SourceFile

    path = root / CONFIG_FILE  # findings name it so: the folder as given, joined with the file name
    try:
        config = {str(path): SourceFile(str(path), path.read_bytes().decode("utf-8", errors="replace"))}
    except OSError:
        config = {}
    return {**config, **project.sources}


def unique(findings):
    """Each problem once: the first of the findings with the same code, place, message and help."""
    first = {}
    for d in findings:
        first.setdefault((d.code, d.span, d.message, d.help), d)
    return list(first.values())


@contextlib.contextmanager
def loaded(root: Path):
    """The project, loaded once and kept out of the garbage collector's way while the
    command runs: its many objects live until the end, so no collection need walk them."""
    from ..gc_pause import gc_paused
    from ..project import load_project

    with gc_paused():
        project = load_project(root)
        gc.freeze()
    try:
        yield project
    finally:
        gc.unfreeze()


def run(args) -> int:
    root = project_folder(args)
    from ..analyze import analyze
    from ..render import print_diagnostics

    from ..lint import judge

    with loaded(root) as project:
        findings = list(project.diagnostics)
        if project.policy is not None:
            findings += analyze(project.policy)
        verdict = judge(unique(findings), project, analysed=project.policy is not None, strict=args.strict)
        if args.format == "junit":
            from ..render.junit import check_junit

            sys.stdout.write(check_junit(verdict.shown, verdict.failing))
        else:
            print_diagnostics(verdict.shown, sys.stdout, checked_sources(root, project), fmt=args.format)
    return 1 if verdict.failing else 0
