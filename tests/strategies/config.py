"""The fixed configuration generated policies and data are drawn over."""
from datetime import datetime
from pathlib import Path

from policylang.config import Config

UNITS = ("cruises", "hotels")
CHANNELS = ("email", "sms", "push", "direct_mail")
TOPICS = ("offers", "newsletter")
ATTRIBUTES = {
    "tier": "text",
    "age": "integer",
    "balance": "decimal",
    "vip": "boolean",
    "last_purchase_at": "timestamp",
}
TIERS = ("gold", "silver", "bronze")  # the text values conditions and data use for `tier`
EVENT_TYPES = ("complaint", "purchase")
AS_OF = datetime(2026, 6, 1, 12, 0, 0)


def make_config(root: Path = Path("."), **overrides) -> Config:
    fields = dict(business_units=UNITS, attributes=dict(ATTRIBUTES), policies=".")
    fields.update(overrides)
    return Config(root=root, **fields)
