"""`policylang check` (not yet implemented)."""
from ..errors import UsageError

HELP = "check (not yet implemented)"


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".")


def run(args):
    raise UsageError("`check` is not implemented yet")
