"""Counter-examples: scenarios the reference interpreter decides differently under BASE and HEAD.

A change is judged on the rule alone: each side's policy set keeps its
channels, topics, units, segments and scores but only that side's version of
the rule (none for an added or removed rule), so what differs is the rule's
doing and nothing else's. Every scenario of `scenarios.scenarios` is decided
by the reference interpreter (`compilers.reference.decide`) under both; the
first one HEAD sends and BASE suppresses proves a loosening, the first one
BASE sends and HEAD suppresses a tightening (the search goes on, within
`MOST_SCENARIOS`, for ones the whole policies decide so too). A witness also says whether the
whole of both policies decides it the same way (`whole_policy`): other rules
may hide a change from a given customer, which does not make it no change.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from ..compilers.reference import decide

from ..dataset import Decision
from ..model import PolicySet, Rule
from .scenarios import AS_OF, Scenario, scenarios

MOST_SCENARIOS = 3000  # per changed rule; a pair not separated by then is reported as not decided


@dataclass(frozen=True)
class Witness:
    """A scenario decided differently: `base` and `head` are the interpreter's decisions."""

    scenario: Scenario
    base: Decision
    head: Decision
    whole_policy: bool  # the full BASE and HEAD policies decide it the same way

    @property
    def loosens(self) -> bool:
        return self.head.decision == "send" and self.base.decision == "suppress"


def only(policy: PolicySet, rule: Rule | None) -> PolicySet:
    """`policy` with `rule` as its only rule (none when None)."""
    return replace(policy, rules=() if rule is None else (rule,))


def decisions(scenario: Scenario, base: PolicySet, head: PolicySet) -> tuple[Decision, Decision]:
    """The interpreter's decision on the scenario's candidate under each policy set."""
    data = scenario.dataset()
    return decide(base, data, AS_OF)[0], decide(head, data, AS_OF)[0]


def witness(scenario: Scenario, base: PolicySet, head: PolicySet, whole: tuple[PolicySet, PolicySet]) -> Witness | None:
    """A witness when `base` and `head` decide the scenario differently, else None."""
    on_base, on_head = decisions(scenario, base, head)
    if on_base.decision == on_head.decision:
        return None
    whole_base, whole_head = decisions(scenario, *whole)
    return Witness(scenario, on_base, on_head,
                   (whole_base.decision, whole_head.decision) == (on_base.decision, on_head.decision))


def search(base_rule: Rule | None, head_rule: Rule | None, base: PolicySet,
           head: PolicySet) -> tuple[Witness | None, Witness | None, int]:
    """(a loosening witness, a tightening witness, scenarios tried) for two versions of a rule."""
    base_only, head_only = only(base, base_rule), only(head, head_rule)
    rules = [r for r in (base_rule, head_rule) if r is not None]
    sides = [(base_rule, base), (head_rule, head)]
    found: dict[bool, Witness] = {}
    tried = 0
    for scenario in scenarios(rules, sides, base, head):
        if tried == MOST_SCENARIOS or (len(found) == 2 and all(w.whole_policy for w in found.values())):
            break
        tried += 1
        seen = witness(scenario, base_only, head_only, (base, head))
        if seen is not None:
            known = found.get(seen.loosens)
            if known is None or (seen.whole_policy and not known.whole_policy):
                found[seen.loosens] = seen
    return found.get(True), found.get(False), tried
