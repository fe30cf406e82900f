"""Preference-centre honesty (PL507): never ask for a preference you won't honour.

The config's `preference_center` says what customers are asked: their
frequency (`frequency: true`) and the topics they may turn off (`topics`).
Only `honor preferences` makes their answers (the `preferences` table) count,
so without it every question asked is reported at the config line that asks it.
A topic the policy does not declare is already an error of the resolver (PL210).
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import GLOBAL, PolicySet, PreferencesRule
from ..source import Span


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings (`space`, the z3 encoding the other checks share, is not needed here)."""
    center = policy.preference_center
    if any(isinstance(r, PreferencesRule) for r in policy.rules):
        return []
    asked = ([("frequency", "how often they want to hear from you")] if center.frequency else []) + [
        (f"topics.{topic}", f"whether they want messages on topic `{topic}`") for topic in center.topics]
    global_file = _global_file(policy)
    related = (Related(global_file, "add `honor preferences` to the global policy"),) if global_file else ()
    return [Diagnostic("PL507", f"the preference centre asks customers {question}, but no rule honours the answer; "
                                "add `honor preferences` to the global policy, or stop asking",
                       center.spans.get(key, global_file), related=related if key in center.spans else (),
                       data={"asked": key})
            for key, question in asked]


def _global_file(policy: PolicySet) -> Span | None:
    """The start of the global policy file, where `honor preferences` belongs."""
    spans = [r.span for r in policy.rules if r.scope == GLOBAL] + [
        s.span for s in policy.segments.values() if s.scope == GLOBAL]
    return Span(spans[0].file, 1, 1, 1, 1) if spans else None
