"""Table rows in memory: the input of the reference interpreter and of tests.

A `Dataset` holds the six tables of docs/data.md as lists of dicts keyed by the
canonical column names (`policylang.model.TABLE_COLUMNS`; customers also carry
the configured attributes). Python types: timestamps are naive `datetime` in
UTC, `cost` is `Decimal`, counts and priorities are `int`, ids are `int` or
`str`, and NULL is `None`. A `Decision` is one row of the decision query, with the
as-of time it was decided for.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .model import TABLE_COLUMNS


@dataclass
class Dataset:
    customers: list[dict] = field(default_factory=list)
    touches: list[dict] = field(default_factory=list)
    consents: list[dict] = field(default_factory=list)
    preferences: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    candidates: list[dict] = field(default_factory=list)

    def table(self, name: str) -> list[dict]:
        if name not in TABLE_COLUMNS:
            raise KeyError(name)
        return getattr(self, name)


@dataclass(frozen=True)
class Decision:
    candidate_id: object
    customer_id: object
    decision: str  # "send" | "suppress"
    rule: str | None  # None when sent
    policy_version: str
    as_of: datetime | None = None  # the instant T it was decided for (naive UTC)

    def as_tuple(self) -> tuple:
        return (self.candidate_id, self.customer_id, self.decision, self.rule, self.policy_version, self.as_of)
