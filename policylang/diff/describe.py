"""How a diff shows rules and counter-examples, in words and as JSON.

A rule is shown as it would be written (`policylang.analyze.describe.rule_text`,
with a tiered cap's branches spelled out, consent stances and `honor
preferences`). A witness is the customer's non-NULL attributes, their history
grouped into identical touches and events (`4 email touches of cruises sent
167 hours before`), consent and preference rows, the candidate, and what the
reference interpreter decided on each side.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal

from ..analyze.describe import condition_text, rule_text as analysis_rule_text, value_text, window_text
from ..model import CapRule, ConsentRule, PreferencesRule, Rule
from .scenarios import AS_OF
from .witness import Witness


def rule_text(rule: Rule | None) -> str | None:
    """The rule as written, None for no rule."""
    match rule:
        case None:
            return None
        case ConsentRule(channel=channel, requires_opt_in=opt_in):
            return f"consent {channel} {'requires opt_in' if opt_in else 'allowed unless opt_out'}"
        case PreferencesRule():
            return "honor preferences"
        case CapRule(selector=selector, window=window, tiers=tiers) if rule.is_tiered:
            branches = "; ".join(f"{condition_text(t.condition)}: {t.limit}" for t in tiers)
            return f"cap {selector} per {window_text(window)} {{{branches}}}"
    return analysis_rule_text(rule)


def _hours(moment: datetime) -> int:
    return int((AS_OF - moment).total_seconds() // 3600)


def _ago(hours: int) -> str:
    return f"{hours} hour{'' if hours == 1 else 's'} before"


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value.isoformat() if isinstance(value, datetime) else value


def witness_json(w: Witness) -> dict:
    """The witness as JSON can hold it (decimals and instants as strings)."""
    s = w.scenario
    touches = Counter((t["channel"], t["topic"], t["business_unit"], t["campaign_id"], _hours(t["sent_at"]),
                       _plain(t["cost"]), t["opened_at"] is not None) for t in s.touches)
    events = Counter((e["event_type"], _hours(e["occurred_at"])) for e in s.events)
    return {
        "as_of": AS_OF.isoformat(),
        "customer": {name: _plain(value) for name, value in s.attributes.items()},
        "touches": [{"count": n, "channel": ch, "topic": topic, "business_unit": unit, "campaign_id": campaign,
                     "hours_before": hours, "cost": cost, "opened_clicked_converted": stamped}
                    for (ch, topic, unit, campaign, hours, cost, stamped), n in touches.items()],
        "events": [{"count": n, "event_type": kind, "hours_before": hours} for (kind, hours), n in events.items()],
        "consents": [{"channel": c["channel"], "status": c["status"]} for c in s.consents],
        "preferences": [{"channel": p["channel"], "max_count": p["max_count"], "window_days": p["window_days"]}
                        for p in s.preferences],
        "candidate": {k: _plain(s.candidate[k]) for k in ("channel", "topic", "business_unit", "campaign_id", "cost")},
        "base": {"decision": w.base.decision, "rule": w.base.rule},
        "head": {"decision": w.head.decision, "rule": w.head.rule},
        "whole_policy": w.whole_policy,
    }


def witness_text(w: Witness, base: str, head: str) -> str:
    """One sentence: who, what history, which candidate, and the two decisions."""
    data = witness_json(w)
    customer = ", ".join(f"{k} = {value_text(v)}" for k, v in w.scenario.attributes.items()) or "every attribute null"
    history = [f"{t['count']} {t['channel']}{' ' + t['topic'] if t['topic'] else ''} touch"
               f"{'es' if t['count'] != 1 else ''} of {t['business_unit']} sent {_ago(t['hours_before'])}"
               f"{', cost ' + str(t['cost']) if t['cost'] is not None else ''}"
               f"{', opened, clicked and converted' if t['opened_clicked_converted'] else ''}"
               for t in data["touches"]]
    history += [f"{e['count']} `{e['event_type']}` event{'s' if e['count'] != 1 else ''} {_ago(e['hours_before'])}"
                for e in data["events"]]
    history += [f"{c['channel']} {c['status']}" for c in data["consents"]]
    history += [f"preference {p['channel']} at most {p['max_count']} per {p['window_days']} days"
                for p in data["preferences"]]
    c = data["candidate"]
    candidate = (f"{c['channel']}{' topic ' + c['topic'] if c['topic'] else ''} of {c['business_unit']}"
                 f"{', cost ' + c['cost'] if c['cost'] is not None else ''}")
    sender, holder = (head, base) if w.loosens else (base, head)
    blocked = w.base if w.loosens else w.head
    agreed = ("the whole policies decide it so too" if w.whole_policy
              else "other rules of the whole policies decide this customer otherwise")
    return (f"customer: {customer}; history: {'; '.join(history) or 'none'}; candidate: {candidate} at "
            f"{AS_OF:%Y-%m-%d %H:%M} UTC — sent under {sender}, suppressed by `{blocked.rule}` under {holder} "
            f"({agreed})")
