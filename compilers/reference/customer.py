"""What the reference interpreter knows about one customer at the as-of time T.

Anything stamped after T has not happened yet (docs/language.md, "How a batch is decided").
A `Customer` holds only the rows that have: marketing touches sent by T (rules
count only marketing touches — every touch whose class is not exactly
`transactional` — and a touch without `sent_at` lies in no window), events that
occurred by T, consent rows in force at T; plus the customer's marketing
candidates already sent earlier in this batch. Its methods answer the
questions every rule asks: which messages match a selector in a scope, and
which of them fall in a rolling window `(T - W, T]`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from policylang.dataset import Dataset
from policylang.model import GLOBAL, PolicySet, Selector, window_start


@dataclass(frozen=True)
class Bounds:
    """The rolling window `(start, end]` a check counted in (`start` None: from the start of history)."""

    start: datetime | None
    end: datetime

    def __contains__(self, moment: datetime | None) -> bool:
        return moment is not None and (self.start is None or self.start < moment) and moment <= self.end

    def __str__(self) -> str:
        start = "start of history" if self.start is None else f"({self.start:%Y-%m-%d %H:%M}"
        return f"{start}, {self.end:%Y-%m-%d %H:%M}]"


def cost_of(message: dict) -> Decimal:
    """A message's cost; NULL counts as 0, and so does a negative cost: it never frees budget
    (a marketing candidate with one is suppressed before any cost is counted)."""
    cost = message.get("cost")
    if cost is None:
        return Decimal(0)
    cost = cost if isinstance(cost, Decimal) else Decimal(str(cost))
    return max(cost, Decimal(0))


def is_marketing(touch: dict) -> bool:
    """Does a history row count as marketing? Anything but exactly `transactional` does (a NULL, a
    typo, `MARKETING`): bad data may suppress more, never send more."""
    return touch.get("message_class") != "transactional"


def in_scope(message: dict, scope: str) -> bool:
    """Global rules count every business unit's messages; a unit's rules only its own
    (docs/language.md, "How a batch is decided")."""
    return scope == GLOBAL or message.get("business_unit") == scope


@dataclass
class Customer:
    """One customer as the checks see it at T."""

    id: object
    row: dict | None  # the customers row; None for an unknown customer
    as_of: datetime
    policy: PolicySet
    touches: list[dict] = field(default_factory=list)  # marketing touches sent by T
    events: list[dict] = field(default_factory=list)  # events that occurred by T
    consents: list[dict] = field(default_factory=list)  # consent rows in force at T
    preferences: list[dict] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)  # marketing candidates sent earlier in this batch
    scores: dict[str, int] = field(default_factory=dict)  # computed on first use

    def happened(self, moment: datetime | None) -> bool:
        """Is `moment` stamped at or before T? (NULL: it did not happen.)"""
        return moment is not None and moment <= self.as_of

    def window(self, hours: int) -> Bounds:
        return Bounds(window_start(self.as_of, hours), self.as_of)

    def matching(self, selector: Selector, scope: str) -> tuple[list[dict], list[dict]]:
        """The history touches and the batch's sent candidates that `selector` matches in `scope`."""

        def counted(message: dict) -> bool:
            return in_scope(message, scope) and selector.matches(message.get("channel"), message.get("topic"))

        return [t for t in self.touches if counted(t)], [c for c in self.sent if counted(c)]

    def matching_in(self, selector: Selector, scope: str, bounds: Bounds) -> tuple[list[dict], list[dict]]:
        """As `matching`, with the touches narrowed to those sent within `bounds`."""
        touches, sent = self.matching(selector, scope)
        return [t for t in touches if t["sent_at"] in bounds], sent


def _by_customer(rows: list[dict]) -> dict[object, list[dict]]:
    grouped: dict[object, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row.get("customer_id"), []).append(row)
    return grouped


def customers_at(policy: PolicySet, data: Dataset, as_of: datetime, ids) -> dict[object, Customer]:
    """A `Customer` at T for every id in `ids` (NULL, unknown and repeated ids included, with no row)."""
    rows = {cid: found[0] for cid, found in _by_customer(data.customers).items()
            if len(found) == 1}  # a customer_id with several rows is ambiguous: unknown, failing closed
    touches, events = _by_customer(data.touches), _by_customer(data.events)
    consents, preferences = _by_customer(data.consents), _by_customer(data.preferences)
    at = {}
    for cid in ids:
        customer = Customer(cid, rows.get(cid) if cid is not None else None, as_of, policy)
        if customer.row is not None:
            customer.touches = [t for t in touches.get(cid, ())
                                if is_marketing(t) and customer.happened(t.get("sent_at"))]
            customer.events = [e for e in events.get(cid, ()) if customer.happened(e.get("occurred_at"))]
            customer.consents = [c for c in consents.get(cid, ())
                                 if c.get("updated_at") is None or customer.happened(c["updated_at"])]
            customer.preferences = list(preferences.get(cid, ()))
        at[cid] = customer
    return at
