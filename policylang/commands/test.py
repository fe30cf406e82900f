"""`policylang test` (not yet implemented)."""
from ..errors import UsageError

HELP = "test (not yet implemented)"


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".")


def run(args):
    raise UsageError("`test` is not implemented yet")
