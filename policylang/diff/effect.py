"""The simulated effect of a change (`diff --data`): both sides replayed over the same history.

`policylang.simulate.replay.replay` plays the period under BASE's policy and under
HEAD's, over the same data (the data files of the project as it is on disk,
or `--db`). Each historical marketing touch of the period is a candidate in
both replays, with the same candidate id (send-time order), so the two
outcomes of each are compared one to one: a send **gained** is one HEAD sends
and BASE suppressed (counted against the BASE rule that suppressed it), a send
**lost** the reverse (against HEAD's rule). Customers are ranked by the
contacts they gain.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date

from ..model import PolicySet

TOP_CUSTOMERS = 5


@dataclass
class Effect:
    start: date
    end: date  # included
    base_sends: int = 0
    head_sends: int = 0
    gained: Counter = field(default_factory=Counter)  # (business unit, channel) -> sends HEAD adds
    lost: Counter = field(default_factory=Counter)  # (business unit, channel) -> sends HEAD removes
    gained_by_rule: Counter = field(default_factory=Counter)  # BASE's suppressing rule -> sends HEAD adds
    lost_by_rule: Counter = field(default_factory=Counter)  # HEAD's suppressing rule -> sends HEAD removes
    customers: list[tuple[object, int, int]] = field(default_factory=list)  # (id, BASE sends, HEAD sends)


def simulate(data_project, base: PolicySet, head: PolicySet, start: date, end: date, db: str | None) -> Effect:
    """Replay `start`..`end` under both policies over `data_project`'s data (or `db`), and compare."""
    from ..simulate.replay import replay

    before, after = (replay(replace(data_project, policy=policy), start, end, db=db) for policy in (base, head))
    return compare_outcomes(before.outcomes, after.outcomes, start, end)


def compare_outcomes(before: list, after: list, start: date, end: date) -> Effect:
    """The effect, from the outcomes of the same candidates (by candidate id) under BASE and HEAD."""
    effect = Effect(start, end)
    by_id = {o.candidate_id: o for o in before}
    sends: dict[object, list[int]] = {}
    for new in after:
        old = by_id[new.candidate_id]
        counts = sends.setdefault(new.customer_id, [0, 0])
        counts[0] += old.decision == "send"
        counts[1] += new.decision == "send"
        where = (new.business_unit, new.channel)
        if old.decision == "suppress" and new.decision == "send":
            effect.gained[where] += 1
            effect.gained_by_rule[old.rule] += 1
        elif old.decision == "send" and new.decision == "suppress":
            effect.lost[where] += 1
            effect.lost_by_rule[new.rule] += 1
    effect.base_sends = sum(old for old, _ in sends.values())
    effect.head_sends = sum(new for _, new in sends.values())
    ranked = sorted(((cid, old, new) for cid, (old, new) in sends.items() if new > old),
                    key=lambda item: (item[1] - item[2], str(item[0])))
    effect.customers = ranked[:TOP_CUSTOMERS]
    return effect
