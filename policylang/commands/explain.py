"""`policylang explain` (not yet implemented)."""
from ..errors import UsageError

HELP = "explain (not yet implemented)"


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".")


def run(args):
    raise UsageError("`explain` is not implemented yet")
