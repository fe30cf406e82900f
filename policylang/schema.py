"""The input tables of docs/data.md, declared once: their names, columns and each column's kind.

`TABLE_COLUMNS` names the six tables and their canonical columns, in the
order docs/data.md lists them; `COLUMN_KINDS` gives each column's kind, the
same in every table that has it (a `cost` is money in touches and candidates
alike). Everything else that knows the schema derives from these two: the
configured attributes join `customers` (`table_columns`, `table_kinds`), the
engines type their tables by kind, the fixtures and data files read values by
kind, and the compiler compares `id` and `text` columns exactly.

Kinds: `id` (an integer or text, settled per dataset: docs/data.md), `text`,
`integer`, `money` (exact, 4 decimal places), `timestamp`; attributes add
`decimal` and `boolean` (`model.ATTRIBUTE_TYPES`).
"""
from __future__ import annotations

from typing import Mapping

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id",),
    "touches": ("customer_id", "channel", "business_unit", "campaign_id", "topic", "message_class",
                "sent_at", "cost", "opened_at", "clicked_at", "converted_at"),
    "consents": ("customer_id", "channel", "topic", "brand", "status", "updated_at"),
    "preferences": ("customer_id", "channel", "topic", "max_count", "window_days"),
    "events": ("customer_id", "event_type", "occurred_at"),
    "candidates": ("candidate_id", "customer_id", "channel", "business_unit", "campaign_id", "topic",
                   "message_class", "priority", "cost"),
}

COLUMN_KINDS: dict[str, str] = {
    "customer_id": "id", "candidate_id": "id", "campaign_id": "id",
    "channel": "text", "business_unit": "text", "topic": "text", "message_class": "text", "brand": "text",
    "status": "text", "event_type": "text",
    "priority": "integer", "max_count": "integer", "window_days": "integer",
    "cost": "money",
    "sent_at": "timestamp", "opened_at": "timestamp", "clicked_at": "timestamp", "converted_at": "timestamp",
    "updated_at": "timestamp", "occurred_at": "timestamp",
}

REQUIRED_CANDIDATE_COLUMNS = ("candidate_id", "customer_id", "channel", "business_unit", "message_class", "priority")
DECISION_COLUMNS = ("candidate_id", "customer_id", "decision", "rule", "policy_version", "as_of")


def columns_of(*kinds: str) -> tuple[str, ...]:
    """The canonical columns of any of `kinds`, in `COLUMN_KINDS` order."""
    return tuple(column for column, kind in COLUMN_KINDS.items() if kind in kinds)


ID_COLUMNS = columns_of("id")
TIMESTAMP_COLUMNS = columns_of("timestamp")
EXACT_COLUMNS = frozenset(columns_of("id", "text"))  # compared as text, exactly (an integer id compares exactly anyway)


def table_columns(table: str, attributes: Mapping[str, str]) -> tuple[str, ...]:
    """The table's canonical columns; customers also carry the configured attributes, after `customer_id`."""
    return TABLE_COLUMNS[table] + (tuple(attributes) if table == "customers" else ())


def table_kinds(table: str, attributes: Mapping[str, str]) -> dict[str, str]:
    """Canonical column -> kind for one table (customers: attributes as configured)."""
    kinds = {column: COLUMN_KINDS[column] for column in TABLE_COLUMNS[table]}
    if table == "customers":
        kinds.update(attributes)
    return kinds
