"""Builders for the reference interpreter's tests: policy text and table rows at a fixed T.

`policy(...)` resolves policy text over the shared test configuration
(`strategies.config`: units cruises and hotels, channels email, sms, push,
direct_mail, topics offers and newsletter). Every channel is `allowed unless
opt_out` unless a test passes its own consent lines, so tests of other rules
need no consent rows. Rows default to customer 1, email, unit cruises,
marketing; times are given as offsets from T (`T - 3 * DAY`).
"""
from __future__ import annotations

from datetime import timedelta

from policylang.compilers.reference import decide
from policylang.dataset import Dataset
from policylang.project import load_texts, require_policy
from strategies.config import AS_OF, make_config

T = AS_OF
DAY, HOUR, SECOND = timedelta(days=1), timedelta(hours=1), timedelta(seconds=1)

OPEN_CONSENT = "\n".join(f"consent {c} allowed unless opt_out" for c in ("email", "sms", "push", "direct_mail"))


def policy(global_rules: str = "", consent: str = OPEN_CONSENT, scores: str = "", **units: str):
    """A policy set: the global file holds the declarations, `consent`, `scores` and
    `global_rules`; each keyword argument is a business unit's rules."""
    texts = {"global.policy": "\n".join(("policy global", "channels email, sms, push, direct_mail",
                                         "topics offers, newsletter", consent, scores, global_rules, ""))}
    for unit, rules in units.items():
        texts[f"{unit}.policy"] = f"policy business_unit {unit}\n{rules}\n"
    project = load_texts(texts, make_config())
    assert not [d for d in project.diagnostics if d.is_error], project.diagnostics
    return require_policy(project)


def customer(customer_id=1, **attributes) -> dict:
    row = dict.fromkeys(("tier", "age", "balance", "vip", "last_purchase_at"))
    return row | attributes | {"customer_id": customer_id}


def touch(sent_at, customer_id=1, channel="email", business_unit="cruises", topic=None, campaign_id=None,
          message_class="marketing", cost=None, opened_at=None, clicked_at=None, converted_at=None) -> dict:
    return dict(customer_id=customer_id, channel=channel, business_unit=business_unit, campaign_id=campaign_id,
                topic=topic, message_class=message_class, sent_at=sent_at, cost=cost, opened_at=opened_at,
                clicked_at=clicked_at, converted_at=converted_at)


def candidate(candidate_id, customer_id=1, channel="email", business_unit="cruises", topic=None, campaign_id=None,
              message_class="marketing", priority=1, cost=None) -> dict:
    return dict(candidate_id=candidate_id, customer_id=customer_id, channel=channel, business_unit=business_unit,
                campaign_id=campaign_id, topic=topic, message_class=message_class, priority=priority, cost=cost)


def consent_row(status, customer_id=1, channel="email", topic=None, brand=None, updated_at=None) -> dict:
    return dict(customer_id=customer_id, channel=channel, topic=topic, brand=brand, status=status,
                updated_at=updated_at)


def event(event_type, occurred_at, customer_id=1) -> dict:
    return dict(customer_id=customer_id, event_type=event_type, occurred_at=occurred_at)


def preference(max_count, window_days, customer_id=1, channel="email", topic=None) -> dict:
    return dict(customer_id=customer_id, channel=channel, topic=topic, max_count=max_count, window_days=window_days)


def data(candidates, customers=None, **tables) -> Dataset:
    """A dataset; customers default to one row per customer the candidates name."""
    if customers is None:
        customers = [customer(cid) for cid in dict.fromkeys(c["customer_id"] for c in candidates)]
    return Dataset(customers=customers, candidates=candidates, **tables)


def outcomes(policy_set, dataset, as_of=T) -> dict:
    """candidate_id -> "send" or the suppressing rule."""
    return {d.candidate_id: d.rule or "send" for d in decide(policy_set, dataset, as_of)}
