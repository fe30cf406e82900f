"""`policylang simulate`: replay a period of history as if the policy had been in force.

The replay is `policylang.simulate.replay.replay` (docs/simulate.md); this module
reads the arguments, draws a progress bar over the days on a terminal (on
standard error), prints the figures (`policylang.simulate.tables`: text, JSON or
Markdown) and writes the HTML report (`policylang.simulate.report`) when asked. A report
path that names one of the project's files is refused before anything runs.
"""
from __future__ import annotations

import argparse
import sys
from datetime import time

from ..errors import UsageError
from .arguments import add_db_argument, add_project_argument, date_argument, load_project_argument

HELP = "replay a period of history under the policy: sends kept and suppressed, contacts, spend"
FORMATS = ("text", "json", "markdown")


def _time(text: str) -> time:
    try:
        moment = time.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a time of day; write e.g. 06:00") from None
    if moment.tzinfo is not None:
        raise argparse.ArgumentTypeError(f"`{text}`: the batch time is UTC; write it without an offset")
    return moment


def add_arguments(parser):
    add_project_argument(parser)
    parser.add_argument("--from", dest="start", type=date_argument, required=True, metavar="DATE",
                        help="first day replayed (UTC), e.g. 2025-04-01")
    parser.add_argument("--to", dest="end", type=date_argument, required=True, metavar="DATE",
                        help="last day replayed, included")
    add_db_argument(parser, "replay on this database's tables (only read: the replay works in scratch tables) "
                            "instead of the data files")
    parser.add_argument("--batch-time", type=_time, default=time(0), metavar="HH:MM",
                        help="the UTC time of day each day's batch is decided as of (default 00:00)")
    parser.add_argument("--priority", metavar="COLUMN",
                        help="the touches column holding each send's priority (with --db; default: 0 for all)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="how the figures are printed")
    parser.add_argument("--report", metavar="FILE.html", help="also write a self-contained HTML report")


def _report_path(text: str | None, config):
    from pathlib import Path

    from .run_output import project_files, same_file

    if text is None:
        return None
    path = Path(text)
    if path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"`--report {text}` is an HTML report: name a `.html` file")
    for existing in project_files(config):
        if same_file(path, existing):
            raise UsageError(f"`--report {text}` names the project's file `{existing}`, which the replay reads; "
                             "write the report to another file, e.g. `--report simulation.html`")
    return path


def run(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..project import require_policy
    from ..simulate.figures import figures
    from ..simulate.replay import replay
    from ..simulate.report import write_report
    from ..simulate.tables import as_json, as_markdown, as_text

    project = load_project_argument(args)
    require_policy(project)
    report = _report_path(args.report, project.config)
    status = Console(stderr=True)
    with Progress(TextColumn("replaying"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                  TimeElapsedColumn(), console=status, transient=True, disable=not status.is_terminal) as bar:
        task = bar.add_task("replay", total=None)
        simulation = replay(project, args.start, args.end, db=args.db, batch_time=args.batch_time,
                            priority=args.priority, on_day=lambda done, total: bar.update(task, completed=done,
                                                                                           total=total))
    result = figures(simulation)
    if args.format == "json":
        print(as_json(result))
    elif args.format == "markdown":
        print(as_markdown(result))
    else:
        as_text(result, Console())
    if report:
        write_report(result, report)
        print(f"report written to {report}", file=sys.stderr)
    return 0
