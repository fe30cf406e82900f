"""Helpers for the diff tests: policies from texts, and an independent check of a counter-example.

`recheck` does not trust the diff's own verdict: it rebuilds the customer's
data from the witness, restricts each side's policy set to the rule in
question with `dataclasses.replace`, and runs the reference interpreter
itself, asserting that the side said to send sends and the other suppresses
by that rule.
"""
from __future__ import annotations

from dataclasses import replace

from policylang.compilers.reference import decide
from policylang.diff.scenarios import AS_OF
from policylang.project import load_texts
from strategies.config import make_config


def policy_of(texts: dict[str, str], **config):
    project = load_texts(texts, make_config(**config))
    assert project.policy is not None, [d.message for d in project.diagnostics]
    return project.policy


def recheck(change, base, head) -> None:
    """Every counter-example of `change` is decided as it claims, by the interpreter run here."""
    assert change.loosening or change.tightening
    for w, loosens in ((change.loosening, True), (change.tightening, False)):
        if w is None:
            continue
        data = w.scenario.dataset()
        sides = []
        for policy, rule in ((base, change.base), (head, change.head)):
            restricted = replace(policy, rules=() if rule is None else (rule,))  # a config change: no rule
            sides.append(decide(restricted, data, AS_OF)[0])
        on_base, on_head = sides
        sender, holder = (on_head, on_base) if loosens else (on_base, on_head)
        assert sender.decision == "send", (change.subject, sender)
        assert holder.decision == "suppress", (change.subject, holder)
        if w.whole_policy:
            whole = decide(head if loosens else base, data, AS_OF)[0], decide(base if loosens else head, data, AS_OF)[0]
            assert [d.decision for d in whole] == ["send", "suppress"]
