"""`policylang run` (not yet implemented)."""
from ..errors import UsageError

HELP = "run (not yet implemented)"


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".")


def run(args):
    raise UsageError("`run` is not implemented yet")
