"""`policylang simulate` (not yet implemented)."""
from ..errors import UsageError

HELP = "simulate (not yet implemented)"


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".")


def run(args):
    raise UsageError("`simulate` is not implemented yet")
