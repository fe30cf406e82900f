"""`policylang fmt` (not yet implemented)."""
from ..errors import UsageError

HELP = "fmt (not yet implemented)"


def add_arguments(parser):
    parser.add_argument("project", nargs="?", default=".")


def run(args):
    raise UsageError("`fmt` is not implemented yet")
