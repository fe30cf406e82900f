"""Command-line argument types the commands share.

Each is an argparse `type=`: it returns the parsed value or raises
`argparse.ArgumentTypeError`, which the parser turns into a one-line usage
error (exit 2), never a traceback.
"""
from __future__ import annotations

import argparse
from datetime import datetime, timezone


def as_of_argument(text: str) -> datetime:
    """An ISO 8601 instant as naive UTC (a time without an offset is read as UTC); a time that is
    not UTC-representable (`9999-12-31T23:00:00-05:00` is in year 10000 there) is a usage error."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not an ISO 8601 time; write e.g. 2025-06-30T06:00:00Z") from None
    if moment.tzinfo is None:
        return moment
    try:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:
        raise argparse.ArgumentTypeError(f"`{text}` falls outside the years 1 to 9999 in UTC; "
                                         "write a time within them") from None
