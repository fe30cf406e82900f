"""The one seeded data generator: the shipped sample and the benchmark inputs.

It writes the six tables of docs/data.md for the example project in `policies/`
(its attributes, business units, channels, topics, campaigns and event types):
customers with a spread of tiers, leads and lapsed buyers; ~400 days of contact
history stored in `sent_at` order, busier in the last two weeks, with ~25% of
emails and pushes opened and a few transactional sends; consents at every
specificity (channel, topic, brand); preference-centre choices; events; and one
batch of candidates (1-5 per customer in the batch) for the as-of day, with a
few rows a real feed gets wrong (unknown customer, channel, topic or unit, no
priority).

    # the shipped sample (CSV, small enough to commit):
    python bench/generate_data.py --customers 300 --out policies/data --seed 7
    # benchmark size (issue 5: 1M customers, 20M touches, 2M candidates):
    python bench/generate_data.py --out /tmp/policylang-bench --format parquet

Everything is drawn with numpy from one seed, column by column (no Python loop
over rows), so the same arguments give the same files, and 20M touches take
seconds. Timestamps are UTC; costs are exact 4-decimal numbers.
"""
from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pa_parquet

from policylang.model import TABLE_COLUMNS

AS_OF = datetime(2025, 6, 30, 6, 0, 0)
HISTORY_DAYS = 400
DAY = 86_400  # seconds

UNITS = ("cruises", "hotels", "air")
CAMPAIGNS = {  # per unit; the first is the campaign its policy file plans
    "cruises": ("spring_sale", "alaska_2025", "river_weeks"),
    "hotels": ("summer_escape", "city_breaks", "loyalty_bonus"),
    "air": ("fare_alert", "companion_fares", "miles_boost"),
}
CHANNEL_COST = {"email": 10, "sms": 75, "push": 0}  # in 1/10000 of a currency unit; direct mail varies

# Consents: each group draws one outcome per customer (or none, with the rest
# of the probability): (share, (channel, topic, brand, status)).
CONSENT_GROUPS = (
    ((0.84, ("email", None, None, "opt_in")), (0.05, ("email", None, None, "opt_out")),
     (0.08, ("email", None, "cruises", "opt_in"))),
    ((0.08, ("email", "newsletter", None, "opt_out")), (0.04, ("email", "offers", "hotels", "opt_out"))),
    ((0.03, ("email", None, None, "opt_out")),),  # a later or earlier unsubscribe: the latest row wins
    ((0.30, ("sms", None, None, "opt_in")), (0.06, ("sms", None, "air", "opt_in"))),
    ((0.06, ("push", None, None, "opt_out")),),
    ((0.10, ("direct_mail", None, None, "opt_out")),),
)
# Preferences: (share, (channel, topic, max_count, window_days)).
PREFERENCE_GROUPS = (
    ((0.08, ("email", None, 2, 7)), (0.05, ("email", "offers", 1, 30))),
    ((0.03, ("sms", None, 0, 30)),),
    ((0.03, ("push", None, 3, 7)),),
)
# Events: type -> (share of customers with any, most per customer, within the last N days).
EVENTS = {
    "purchase": (0.30, 3, HISTORY_DAYS),
    "complaint": (0.05, 1, 120),
    "webinar_attended": (0.06, 2, 200),
    "flight_disruption": (0.05, 1, 60),
}


class Draw:
    """Column generators over one seeded random stream."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)

    def choice(self, n: int, values, p, null: float | np.ndarray = 0.0) -> pa.Array:
        """`n` values drawn from `values` with weights `p`, dictionary-encoded; `null` is a share
        of NULLs or a mask of the rows that are NULL."""
        p = np.asarray(p, dtype=float)
        idx = self.rng.choice(len(values), size=n, p=p / p.sum()).astype(np.int32)
        mask = null if isinstance(null, np.ndarray) else self.mask(n, null)
        return pa.DictionaryArray.from_arrays(pa.array(idx, mask=mask), pa.array(values, pa.string()))

    def mask(self, n: int, share: float) -> np.ndarray:
        return self.rng.random(n) < share

    def ago(self, n: int, max_days: float, min_days: float = 0.0) -> np.ndarray:
        """Seconds before the as-of time, uniform in [min_days, max_days) days."""
        return self.rng.uniform(min_days * DAY, max_days * DAY, n).astype(np.int64)


def timestamps(seconds_before: np.ndarray, as_of: datetime, mask: np.ndarray | None = None) -> pa.Array:
    """As-of minus each offset, to the second; NULL where `mask` is true."""
    base = np.datetime64(as_of, "s")
    return pa.array(base - seconds_before.astype("timedelta64[s]"), pa.timestamp("s"), mask=mask)


def decimals(units: np.ndarray, scale: int = 4) -> pa.Array:
    """Exact decimals from integers counted in 10**-scale (no floats on the way)."""
    units = units.astype(np.int64)
    words = np.stack([units, units >> 63], axis=1).ravel()  # 128-bit little-endian two's complement
    return pa.Array.from_buffers(pa.decimal128(18, scale), len(units), [None, pa.py_buffer(words)])


def outcome_rows(draw: Draw, ids: np.ndarray, groups, names: tuple[str, ...]) -> dict[str, pa.Array]:
    """Rows of a small-valued table: each group gives each customer one of its outcomes or none."""
    chunks = []
    for group in groups:
        which = np.searchsorted(np.cumsum([share for share, _ in group]), draw.rng.random(len(ids)), side="right")
        chunks += [(ids[which == k], outcome) for k, (_, outcome) in enumerate(group)]
    columns = {"customer_id": pa.array(np.concatenate([hit for hit, _ in chunks]), pa.int64())}
    for i, name in enumerate(names):
        kind = pa.int64() if name in ("max_count", "window_days") else pa.string()
        columns[name] = pa.concat_arrays([repeated(outcome[i], len(hit), kind) for hit, outcome in chunks])
    return columns


def repeated(value, n: int, kind: pa.DataType) -> pa.Array:
    return pa.repeat(pa.scalar(value, kind), n)


def customers_table(draw: Draw, n: int, as_of: datetime) -> pa.Table:
    ids = np.arange(1, n + 1, dtype=np.int64)
    lead = draw.mask(n, 0.06)
    business = lead | draw.mask(n, 0.15)
    stage = np.where(lead, 0, np.where(draw.mask(n, 0.09), 2, 1)).astype(np.int32)
    return pa.table({
        "customer_id": ids,
        "loyalty_tier": draw.choice(n, ["bronze", "silver", "gold", "platinum"], [35, 30, 11, 4], null=0.2),
        "last_purchase_at": timestamps(draw.ago(n, 1100, 1), as_of, mask=lead | draw.mask(n, 0.1)),
        "lifecycle_stage": pa.DictionaryArray.from_arrays(pa.array(stage), pa.array(["lead", "customer", "churned"])),
        "industry": draw.choice(n, ["travel", "hospitality", "retail", "finance", "software"], [3, 2, 3, 2, 2],
                                null=~business),
        "employees": pa.array(np.exp(draw.rng.uniform(1, 9, n)).astype(np.int64), mask=~business),
        "country": draw.choice(n, ["US", "GB", "DE", "FR", "NO", "ES", "CA", "AU"], [30, 15, 12, 10, 4, 8, 8, 6],
                               null=0.05),
        "cruises_taken": draw.rng.poisson(0.6, n).astype(np.int64),
        "hotel_nights": draw.rng.negative_binomial(1, 0.2, n).astype(np.int64),
        "lifetime_value": decimals(draw.rng.gamma(1.2, 150_000.0, n).astype(np.int64) * 100),  # in cents
        "frequent_flyer": pa.array(draw.mask(n, 0.25)),
    })


def channel_costs(draw: Draw, channel_idx: np.ndarray, channels: list[str]) -> pa.Array:
    """Per-message cost: fixed per channel, 0.65-1.35 for a direct-mail piece."""
    fixed = np.array([CHANNEL_COST.get(c, 0) for c in channels], dtype=np.int64)[channel_idx]
    mail = channel_idx == channels.index("direct_mail")
    return decimals(np.where(mail, draw.rng.integers(6_500, 13_500, len(channel_idx)), fixed))


def campaign_ids(draw: Draw, unit_idx: np.ndarray, null: np.ndarray) -> pa.Array:
    """A campaign of the message's unit (its planned campaign most often), NULL where `null`."""
    names = [c for unit in UNITS for c in CAMPAIGNS[unit]]
    per_unit = len(CAMPAIGNS[UNITS[0]])
    pick = draw.rng.choice(per_unit, size=len(unit_idx), p=[0.5, 0.3, 0.2])
    return pa.DictionaryArray.from_arrays(pa.array((unit_idx * per_unit + pick).astype(np.int32), mask=null),
                                          pa.array(names))


def message_columns(draw: Draw, n: int) -> tuple[dict[str, pa.Array], np.ndarray, np.ndarray]:
    """channel, business_unit, campaign_id, topic, message_class and cost of `n` messages
    (candidates or touches), with the channel codes and the transactional mask."""
    channels = ["email", "push", "sms", "direct_mail"]
    channel_idx = draw.rng.choice(4, size=n, p=[0.58, 0.2, 0.1, 0.12])
    unit_idx = draw.rng.choice(3, size=n, p=[0.35, 0.35, 0.3])
    transactional = draw.mask(n, 0.03)
    topic_idx = np.where(transactional, 2, draw.rng.choice(3, size=n, p=[0.64, 0.3, 0.06]))
    columns = {
        "channel": pa.DictionaryArray.from_arrays(pa.array(channel_idx.astype(np.int32)), pa.array(channels)),
        "business_unit": pa.DictionaryArray.from_arrays(pa.array(unit_idx.astype(np.int32)), pa.array(UNITS)),
        "campaign_id": campaign_ids(draw, unit_idx, transactional | draw.mask(n, 0.1)),
        # topic code 2 is `service` for transactional messages and NULL (no topic) for marketing ones
        "topic": pa.DictionaryArray.from_arrays(
            pa.array(topic_idx.astype(np.int32), mask=(topic_idx == 2) & ~transactional),
            pa.array(["offers", "newsletter", "service"])),
        "message_class": pa.DictionaryArray.from_arrays(pa.array(transactional.astype(np.int32)),
                                                        pa.array(["marketing", "transactional"])),
        "cost": channel_costs(draw, channel_idx, channels),
    }
    return columns, channel_idx, transactional


def touches_table(draw: Draw, n_customers: int, n_touches: int, as_of: datetime) -> pa.Table:
    activity = draw.rng.gamma(0.7, 1.0, n_customers)
    per_customer = draw.rng.multinomial(n_touches, activity / activity.sum())
    customer = np.repeat(np.arange(1, n_customers + 1, dtype=np.int64), per_customer)
    recent = draw.mask(n_touches, 0.15)  # the season's campaigns: busier last two weeks
    day = np.where(recent, draw.rng.integers(0, 14, n_touches), draw.rng.integers(0, HISTORY_DAYS, n_touches))
    # sent between 07:00 and 21:00 UTC of the day `day + 1` days before the as-of date
    sent_before = (day + 1) * DAY - draw.rng.integers(7 * 3600, 21 * 3600, n_touches) + as_of.hour * 3600
    columns, channel_idx, _ = message_columns(draw, n_touches)
    # opens: a per-customer habit averaging ~25%; one customer in eight never opens
    habit = np.where(draw.mask(n_customers, 0.125), 0.0, draw.rng.beta(1.2, 2.6, n_customers))
    trackable = channel_idx <= 1  # email and push report opens
    opened = trackable & (draw.rng.random(n_touches) < habit[customer - 1])
    clicked = opened & draw.mask(n_touches, 0.25)
    converted = clicked & draw.mask(n_touches, 0.2) & columns["campaign_id"].is_valid().to_numpy(zero_copy_only=False)
    open_delay = draw.rng.exponential(6 * 3600, n_touches).astype(np.int64)
    click_delay = open_delay + draw.rng.integers(10, 900, n_touches)
    convert_delay = click_delay + draw.rng.integers(600, 3 * DAY, n_touches)
    table = pa.table({
        "customer_id": customer,
        **{k: columns[k] for k in ("channel", "business_unit", "campaign_id", "topic", "message_class")},
        "sent_at": timestamps(sent_before, as_of),
        "cost": columns["cost"],
        "opened_at": timestamps(sent_before - open_delay, as_of, mask=~opened),
        "clicked_at": timestamps(sent_before - click_delay, as_of, mask=~clicked),
        "converted_at": timestamps(sent_before - convert_delay, as_of, mask=~converted),
    })
    return table.take(pa.array(np.argsort(-sent_before, kind="stable")))  # in sent_at order


def events_table(draw: Draw, n_customers: int, as_of: datetime) -> pa.Table:
    ids, types, before = [], [], []
    for event_type, (share, most, within_days) in EVENTS.items():
        count = draw.mask(n_customers, share) * draw.rng.integers(1, most + 1, n_customers)
        who = np.repeat(np.arange(1, n_customers + 1, dtype=np.int64), count)
        ids.append(who)
        types.append(repeated(event_type, len(who), pa.string()))
        before.append(draw.ago(len(who), within_days))
    before = np.concatenate(before)
    return pa.table({
        "customer_id": np.concatenate(ids),
        "event_type": pa.concat_arrays(types),
        "occurred_at": timestamps(before, as_of),
    }).take(pa.array(np.argsort(-before, kind="stable")))  # in occurred_at order


def consents_table(draw: Draw, n_customers: int, as_of: datetime) -> pa.Table:
    ids = np.arange(1, n_customers + 1, dtype=np.int64)
    columns = outcome_rows(draw, ids, CONSENT_GROUPS, ("channel", "topic", "brand", "status"))
    columns["updated_at"] = timestamps(draw.ago(len(columns["customer_id"]), 1000, 1), as_of)
    return pa.table(columns)


def preferences_table(draw: Draw, n_customers: int) -> pa.Table:
    ids = np.arange(1, n_customers + 1, dtype=np.int64)
    return pa.table(outcome_rows(draw, ids, PREFERENCE_GROUPS, ("channel", "topic", "max_count", "window_days")))


def candidates_table(draw: Draw, n_customers: int, n_candidates: int) -> pa.Table:
    """1-5 candidates for each customer in the batch, customers taken in random order
    until `n_candidates` rows; a few rows carry the mistakes a real feed makes."""
    order = draw.rng.permutation(np.arange(1, n_customers + 1, dtype=np.int64))
    per_customer = draw.rng.integers(1, 6, n_customers)
    total = np.cumsum(per_customer)
    m = min(n_candidates, int(total[-1]))
    last = int(np.searchsorted(total, m))  # the last customer in the batch; trim its count to hit m
    per_customer[last] -= int(total[last]) - m
    customer = np.repeat(order[: last + 1], per_customer[: last + 1])
    customer = np.where(draw.mask(m, 0.004), n_customers + draw.rng.integers(1, 1000, m), customer)
    columns, _, _ = message_columns(draw, m)
    for column, wrong in (("channel", "whatsapp"), ("topic", "promotions"), ("business_unit", "ferries")):
        columns[column] = pc.if_else(draw.mask(m, 0.002), wrong, columns[column].cast(pa.string()))
    return pa.table({
        "candidate_id": np.arange(1, m + 1, dtype=np.int64),
        "customer_id": customer,
        **{k: columns[k] for k in ("channel", "business_unit", "campaign_id", "topic", "message_class")},
        "priority": pa.array(draw.rng.integers(1, 11, m), mask=draw.mask(m, 0.002)),
        "cost": columns["cost"],
    })


def generate(out: Path, customers: int, touches: int, candidates: int, seed: int, fmt: str,
             as_of: datetime = AS_OF) -> dict[str, Path]:
    """Write the six tables under `out` as `<table>.csv` or `<table>.parquet`; return their paths."""
    draw = Draw(seed)
    tables = {
        "customers": customers_table(draw, customers, as_of),
        "touches": touches_table(draw, customers, touches, as_of),
        "consents": consents_table(draw, customers, as_of),
        "preferences": preferences_table(draw, customers),
        "events": events_table(draw, customers, as_of),
        "candidates": candidates_table(draw, customers, candidates),
    }
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, table in tables.items():
        extra = [c for c in table.column_names if c not in TABLE_COLUMNS[name]]  # customers' attributes
        table = table.select(list(TABLE_COLUMNS[name]) + extra)
        paths[name] = out / f"{name}.{fmt}"
        if fmt == "csv":
            plain = pa.table({c: col.cast(col.type.value_type) if pa.types.is_dictionary(col.type) else col
                              for c, col in zip(table.column_names, table.columns)})
            pa_csv.write_csv(plain, paths[name], pa_csv.WriteOptions(quoting_style="needed"))
        else:
            pa_parquet.write_table(table, paths[name])
    return paths


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--touches", type=int, help="history rows (default: 20 per customer)")
    parser.add_argument("--candidates", type=int,
                        help="batch rows (default: 2 per customer, at least 1000; at most 5 per customer)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=("csv", "parquet"), default="csv")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    paths = generate(args.out, args.customers, args.touches or 20 * args.customers,
                     args.candidates or max(2 * args.customers, 1000), args.seed, args.format)
    for name, path in paths.items():
        print(f"{name:12} {path}")


if __name__ == "__main__":
    main()
