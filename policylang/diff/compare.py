"""Classifying the changes between two policy sets, each with its proof.

Every changed, added or removed rule (`match.pair_rules`) is searched for
counter-examples (`witness.search`): a customer HEAD sends and BASE
suppresses proves it loosens contact, the reverse that it tightens; both
found: it changed both ways; neither: it changed in a way the search could
not decide, which is said, never guessed. Config-level changes that alter
decisions are reported too: a business unit, channel or topic that one side
knows and the other does not (its candidates fail the built-in checks on
that side; shown with a customer when the rules of the other side let one
through); a table or column mapped to another warehouse name, and an
attribute's type changed or removed (their effect depends on the data: not
decided).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ..model import PolicySet, Rule
from .effect import Effect
from .match import Pair, pair_rules
from .scenarios import CAMPAIGN, CUSTOMER, Scenario, consents, Looks
from .witness import Witness, only, search, witness

LOOSENS, TIGHTENS, BOTH, UNDECIDED = "loosens", "tightens", "both", "not decided"


@dataclass
class Change:
    """One change: `subject` is a rule id or a config item; `change` is added, removed or changed."""

    subject: str
    change: str
    effect: str  # LOOSENS, TIGHTENS, BOTH or UNDECIDED
    base: Rule | None = None
    head: Rule | None = None
    loosening: Witness | None = None
    tightening: Witness | None = None
    reason: str | None = None  # why it is not decided
    detail: str | None = None  # what changed in the config

    @property
    def label(self) -> str:
        """`loosened`, `tightened`, `changed both ways`, `changed, not decided`, `added (tightens)`..."""
        if self.change == "changed":
            return {LOOSENS: "loosened", TIGHTENS: "tightened", BOTH: "changed both ways",
                    UNDECIDED: "changed, not decided"}[self.effect]
        return f"{self.change} ({self.effect})"

    @property
    def may_loosen(self) -> bool:
        """Could this change contact anyone more? (Proven, or not proven safe.)"""
        return self.effect in (LOOSENS, BOTH, UNDECIDED)


@dataclass
class Report:
    base: str  # the labels the user gave
    head: str
    changes: list[Change] = field(default_factory=list)
    renamed: list[Pair] = field(default_factory=list)  # same meaning, new id: not a change
    base_path: Callable[[str], str] = str  # a rule's file as users know it (`sides.Side.path`)
    head_path: Callable[[str], str] = str
    effect: Effect | None = None  # the simulated effect, with `--data`

    @property
    def may_loosen(self) -> bool:
        return any(c.may_loosen for c in self.changes)


def _effect(loosening: Witness | None, tightening: Witness | None) -> str:
    if loosening and tightening:
        return BOTH
    return LOOSENS if loosening else TIGHTENS if tightening else UNDECIDED


def rule_change(pair: Pair, base: PolicySet, head: PolicySet) -> Change:
    loosening, tightening, tried = search(pair.base, pair.head, base, head)
    change = "added" if pair.base is None else "removed" if pair.head is None else "changed"
    effect = _effect(loosening, tightening)
    reason = None
    if effect == UNDECIDED:
        reason = (f"none of the {tried} customers tried (every attribute value its conditions tell apart, "
                  "histories at every threshold) is decided differently; the change may have no effect, "
                  "or need a history the search does not build")
    return Change(pair.rule_id, change, effect, pair.base, pair.head, loosening, tightening, reason)


def _names_changes(base: PolicySet, head: PolicySet) -> list[Change]:
    """Business units, channels and topics one side knows and the other does not."""
    changes = []
    for what, field_name in (("business unit", "business_units"), ("channel", "channels"), ("topic", "topics")):
        old, new = getattr(base, field_name), getattr(head, field_name)
        for name in [n for n in old if n not in new] + [n for n in new if n not in old]:
            removed = name in old
            change = Change(f"{what} `{name}`", "removed" if removed else "added", UNDECIDED,
                            detail=f"{what} `{name}` {'removed' if removed else 'added'}")
            found = _names_witness(what, name, base, head)
            if found is not None:
                change.effect = LOOSENS if found.loosens else TIGHTENS
                change.loosening, change.tightening = (found, None) if found.loosens else (None, found)
            else:
                change.reason = (f"no customer with a candidate of {what} `{name}` is sent under "
                                 f"{'BASE' if removed else 'HEAD'}'s rules among those tried")
            changes.append(change)
    return changes


def _names_witness(what: str, name: str, base: PolicySet, head: PolicySet) -> Witness | None:
    """A candidate of the unit, channel or topic `name`, decided differently by the two sides' built-in
    checks (no rules), whose full policies decide it so too when they can."""
    knows = base if name in {"business unit": base.business_units, "channel": base.channels,
                             "topic": base.topics}[what] else head
    channels = [name] if what == "channel" else list(knows.channels)
    units = [name] if what == "business unit" else list(knows.business_units)
    topics = [name] if what == "topic" else [None]
    first = None
    for channel in channels:
        for unit in units:
            for topic in topics:
                candidate = {"candidate_id": "candidate_1", "customer_id": CUSTOMER, "channel": channel,
                             "business_unit": unit, "campaign_id": CAMPAIGN, "topic": topic,
                             "message_class": "marketing", "priority": 0, "cost": None}
                scenario = Scenario({}, candidate, consents=consents(Looks(), channel)[0])
                found = witness(scenario, only(base, None), only(head, None), (base, head))
                if found is not None and found.whole_policy:
                    return found
                first = first or found
    return first


def _mapping_changes(base: PolicySet, head: PolicySet) -> list[Change]:
    """Tables, columns and attributes mapped or typed differently: their effect depends on the data."""
    changes = []
    for table in sorted(set(base.tables) | set(head.tables)):
        if base.table(table) != head.table(table):
            changes.append(_data_change(f"table `{table}`",
                                        f"read from `{base.table(table)}`, now from `{head.table(table)}`"))
    for table in sorted(set(base.columns) | set(head.columns)):
        for column in sorted(set(base.columns.get(table, {})) | set(head.columns.get(table, {}))):
            old, new = base.column(table, column), head.column(table, column)
            if old != new:
                changes.append(_data_change(f"column `{table}.{column}`", f"read from `{old}`, now from `{new}`"))
    for attribute in sorted(set(base.attributes) | set(head.attributes)):
        old, new = base.attributes.get(attribute), head.attributes.get(attribute)
        if old != new and old is not None:
            changes.append(_data_change(f"attribute `{attribute}`",
                                        f"type {old}, now {new}" if new else "no longer declared"))
    return changes


def _data_change(subject: str, detail: str) -> Change:
    return Change(subject, "changed", UNDECIDED, detail=detail,
                  reason="which customers it affects depends on the warehouse's data, not on the policy")


def compare(base: PolicySet, head: PolicySet, base_label: str, head_label: str) -> Report:
    """Every change from `base` to `head`, config first, then rules in HEAD's evaluation order."""
    changed, renamed = pair_rules(base, head)
    changes = _names_changes(base, head) + _mapping_changes(base, head)
    changes += [rule_change(pair, base, head) for pair in changed]
    return Report(base_label, head_label, changes, renamed)
