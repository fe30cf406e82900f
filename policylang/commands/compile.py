"""`policylang compile` (not yet implemented)."""
from ..errors import UsageError

HELP = "compile (not yet implemented)"


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".")


def run(args):
    raise UsageError("`compile` is not implemented yet")
