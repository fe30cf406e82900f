"""`policylang explain [DIR] (--candidate ID | --customer ID) [--as-of ISO]`: why a send was decided.

Runs the reference interpreter over the config's `data:` files and prints, for
the candidate (or each of the customer's candidates, in evaluation order), a
table of every check that applied: the rule, its step, what it saw (counts,
windows, the consent row chosen, the tier...), the limit, pass or fail, and
the decision. Checks after the deciding failure are evaluated too, so an
analyst sees everything a relaxed rule would still run into.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from ..errors import DataError
from .arguments import add_as_of_argument, add_project_argument, load_project_argument

SAW_WIDTH = 38  # a window's bounds on one line
PIPE_WIDTH = 120  # output to a file or pipe is not wrapped at 80 columns

HELP = "show every rule that applies to a candidate, the counts and limits it saw, and the decision"


def add_arguments(parser):
    add_project_argument(parser)
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--candidate", metavar="ID", help="explain this candidate")
    which.add_argument("--customer", metavar="ID", help="explain every candidate of this customer")
    add_as_of_argument(parser, "now")


def _wanted(args) -> tuple[str, str]:
    """(column, id as text) of the candidates the command line asks about."""
    return ("candidate_id", args.candidate) if args.candidate is not None else ("customer_id", args.customer)


def _chosen(candidates: list[dict], column: str, wanted: str, shown: str) -> dict:
    """`explain`'s selection for the id given on the command line, matched as text."""
    ids = {row[column] for row in candidates if str(row.get(column)) == wanted}
    if not ids:
        what = f"candidate `{wanted}`" if column == "candidate_id" else f"candidate of customer `{wanted}`"
        raise DataError(f"no {what} in `{shown}`: check the id (ids match exactly, case included)")
    return {"candidate_ids": ids} if column == "candidate_id" else {"customer_id": ids.pop()}


def show(value) -> str:
    """A value as the table shows it: times to the minute (seconds when set), NULL spelled out."""
    if value is None:
        return "NULL"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds" if value.second or value.microsecond else "minutes")
    if isinstance(value, Decimal):
        return format(value.normalize() if value == value.to_integral_value() else value, "f")
    return str(value)


def _rows(trace):
    """(rule, step, saw, limit, result, style) per check; passing built-ins fold into one row. The
    deciding failure is `FAIL`, later ones (which a relaxed rule would still run into) `fail`."""
    builtins = [c for c in trace.checks if c.kind == "built-in"]
    if builtins and all(c.passed for c in builtins):
        yield ("built-in checks", "built-in", "customer, channel, topic, unit and candidate valid",
               "", "pass", "green")
        checks = [c for c in trace.checks if c.kind != "built-in"]
    else:
        checks = list(trace.checks)
    for check in checks:
        saw = "\n".join(f"{label}: {show(value)}" for label, value in check.saw.items() if value is not None)
        if check.passed:
            result, style = "pass", "green"
        elif check is trace.deciding:
            result, style = "FAIL", "bold red"
        else:
            result, style = "fail", "red"
        yield check.rule, check.kind, saw, "" if check.limit is None else show(check.limit), result, style


def print_trace(console, trace) -> None:
    from rich.table import Table
    from rich.text import Text

    candidate, decision = trace.candidate, trace.decision
    what = " ".join(show(candidate.get(c)) for c in ("channel", "topic") if candidate.get(c) is not None)
    title = (f"candidate {show(candidate.get('candidate_id'))}: customer {show(candidate.get('customer_id'))}, "
             f"{what or 'no channel'}, {show(candidate.get('business_unit'))}, "
             f"priority {show(candidate.get('priority'))}, campaign {show(candidate.get('campaign_id'))}")
    table = Table(title=Text(title), title_justify="left")
    for column in ("rule", "step", "saw", "limit", "result"):
        table.add_column(column, overflow="fold", min_width=SAW_WIDTH if column == "saw" else None)
    if not trace.checks:
        table.add_row("transactional", "", "no check applies to a transactional message", "", Text("pass", "green"))
    for *cells, result, style in _rows(trace):
        table.add_row(*map(Text, cells), Text(result, style))  # Text: data is never read as markup
    console.print(table)
    verdict = Text("send", "bold green") if decision.decision == "send" else \
        Text.assemble(("suppress", "bold red"), f" by {decision.rule}")
    console.print(Text.assemble("decision: ", verdict, "\n"))


def run(args) -> int:
    from rich.console import Console

    from ..compilers.reference import explain
    from ..data_files import load_dataset
    from ..project import require_policy

    project = load_project_argument(args)
    policy = require_policy(project)
    column, wanted = _wanted(args)
    data = load_dataset(project.config, customers_with=(column, wanted))
    as_of = args.as_of or datetime.now(timezone.utc).replace(tzinfo=None)
    shown = project.config.data.get("candidates", "candidates (no data file in policylang.yaml)")
    traces = explain(policy, data, as_of, **_chosen(data.candidates, column, wanted, shown))
    console = Console(highlight=False)
    if not console.is_terminal:
        console = Console(highlight=False, width=PIPE_WIDTH)
    console.print(f"as of {show(as_of)} UTC, policy version {policy.version}\n")
    for trace in traces:
        print_trace(console, trace)
    return 0
