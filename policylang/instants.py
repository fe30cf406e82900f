"""Instants as every stage keeps them: naive datetimes in UTC (docs/data.md, timestamps)."""
from __future__ import annotations

from datetime import datetime, timezone


def utc_naive(moment: datetime) -> datetime:
    """`moment` as a naive UTC datetime, the form every timestamp of a Dataset has (a naive one is
    already UTC). Raises OverflowError when UTC would fall outside the years 1 to 9999."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def timestamp_text(moment: datetime) -> str:
    """`YYYY-MM-DD HH:MM:SS`, with `.ffffff` only when there are microseconds: the text SQLite keeps a
    timestamp as, which the compiled query compares with and the SQLite engine loads."""
    return moment.isoformat(sep=" ", timespec="microseconds" if moment.microsecond else "seconds")
