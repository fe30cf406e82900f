"""Every rule kind of `policylang.rule_kinds.RULE_KINDS` is handled everywhere: parsed (and found by the
parser's recovery), resolved to its model class with its derived id, formatted, described, checked by
the reference interpreter under its label, compiled to SQL on the side of the batch its table entry
declares, and handled by each analysis that claims it. A kind added to the table without an example
here, or without a handler in one of those places, fails."""
from __future__ import annotations

import re

import pytest

from policylang.analyze import analyze, limits, shadowed
from policylang.analyze.describe import rule_text
from policylang.compilers.reference import explain
from policylang.compilers.sql import to_sql
from policylang.grammar import GRAMMAR_FILE
from policylang.rule_kinds import RULE_KINDS, kind_of
from policylang.syntax import ast
from policylang.syntax.build import AstBuilder
from policylang.syntax.fmt import format_file
from policylang.syntax.parse import _STATEMENT_START, parse_file
from reference_support import OPEN_CONSENT, T, candidate, data, policy

# one statement per way a kind is written, as `fmt` writes it: (text, derived id, `describe` text,
# the channel and topic of a candidate the rule applies to), each worked out by hand
EXAMPLES = {
    "ConsentRule": [("consent email requires opt_in", "global.consent_email", "consent email requires opt_in",
                     "email", None)],
    "BlockRule": [('block email for tier = "gold"', "global.block_email", 'block email for tier = "gold"',
                   "email", None)],
    "CooldownRule": [('cooldown email 2 days after event "complaint"', "global.cooldown_email",
                      'cooldown email 2 days after event "complaint"', "email", None)],
    "StopUnopenedRule": [("stop email topic offers after 3 unopened", "global.stop_email_offers_unopened",
                          "stop email topic offers after 3 unopened", "email", "offers")],
    "StopConversionRule": [("stop marketing after conversion", "global.stop_marketing_conversion",
                            "stop marketing after conversion", "sms", None)],
    "GapRule": [("gap sms 36 hours", "global.gap_sms", "gap sms 36 hours", "sms", None)],
    "CapRule": [("cap marketing 6 per 7 days", "global.cap_marketing_7d", "cap marketing 6 per 7 days", "push", None),
                ("cap email per 1 week {\n  vip = true: 2\n  otherwise: 1\n}", "global.cap_email_7d",
                 "cap email per 7 days {...}", "email", None)],
    "SpendCapRule": [("cap direct_mail spend 25.00 per 30 days", "global.spend_direct_mail_30d",
                      "cap direct_mail spend 25.00 per 30 days", "direct_mail", None)],
    "PreferencesRule": [("honor preferences", "global.preferences", "honor preferences", "email", None)],
}
MISSING = [("", "", "", "", None)]  # a kind without an example still gets a case, which then fails
CASES = [pytest.param(kind, *example, id=f"{kind.model.__name__}-{n}")
         for kind in RULE_KINDS for n, example in enumerate(EXAMPLES.get(kind.model.__name__, MISSING))]


def _policy(text: str):
    """A policy set whose global file holds `text` (a consent line replaces that channel's open one)."""
    if text.startswith("consent "):
        channel = text.split()[1]
        consent = "\n".join(line for line in OPEN_CONSENT.splitlines() if line.split()[1] != channel)
        return policy(consent=consent + "\n" + text)
    return policy(text)


def test_every_kind_has_an_example():
    assert sorted(EXAMPLES) == sorted(kind.model.__name__ for kind in RULE_KINDS)


@pytest.mark.parametrize("kind, text, rule_id, described, channel, topic", CASES)
def test_the_front_end_handles_the_kind(kind, text, rule_id, described, channel, topic):
    assert text, f"no example of {kind.model.__name__} in EXAMPLES"
    source = f"policy global\n{text}\n"
    tree, syntax = parse_file("global.policy", source)
    assert syntax == [] and len(tree.statements) == 1
    node = tree.statements[0]
    assert type(node) in kind.syntax.values()
    assert _STATEMENT_START.match(text), "the parser's recovery would not see the statement start"
    assert format_file(tree) == source
    rule = next(r for r in _policy(text).rules if r.id == rule_id)
    assert type(rule) is kind.model and kind_of(rule) is kind
    assert rule_text(rule) == described


@pytest.mark.parametrize("kind, text, rule_id, described, channel, topic", CASES)
def test_the_back_ends_handle_the_kind(kind, text, rule_id, described, channel, topic):
    assert text, f"no example of {kind.model.__name__} in EXAMPLES"
    policy_set = _policy(text)
    (trace,) = explain(policy_set, data([candidate(1, channel=channel, topic=topic)]), T)
    assert [c.kind for c in trace.checks if c.rule == rule_id] == [kind.label]
    sql = to_sql(policy_set, "duckdb", T)
    assert f"'{rule_id}'" in sql
    # a batch-dependent rule has a `rem_*` column in `pl_base` and is decided in the walk; any other in `pre_rule`
    assert bool(re.search(rf"\brem_{rule_id.replace('.', '_')}", sql)) == kind.batch


def test_grammar_and_builder_know_every_kinds_statements():
    statements = re.search(r"^_statement:(.*?)\n\n", GRAMMAR_FILE.read_text(), re.S | re.M).group(1)
    alternatives = set(re.findall(r"[a-z_]+", statements))
    for kind in RULE_KINDS:
        for grammar_rule in kind.syntax:
            assert grammar_rule in alternatives, f"`{grammar_rule}` is not a statement of the grammar"
            assert callable(getattr(AstBuilder, grammar_rule, None)), f"AstBuilder has no `{grammar_rule}`"
    assert {node for kind in RULE_KINDS for node in kind.syntax.values()} == set(ast.Rule.__args__) | {ast.Consent}


@pytest.mark.parametrize("claimed", shadowed.KINDS, ids=lambda k: k.__name__)
def test_shadowed_handles_each_kind_it_claims(claimed):
    (text, *_), = EXAMPLES[claimed.__name__]
    policy_set = policy(f"{text} as first\n{text} as second")
    found = shadowed.check(policy_set)
    assert [d.span.line for d in found] == [next(r for r in policy_set.rules if r.id == "global.second").span.line]
    assert found[0].help == shadowed.WHY[claimed]


@pytest.mark.parametrize("claimed", limits.KINDS, ids=lambda k: k.__name__)
def test_limits_handles_each_kind_it_claims(claimed):
    for text, rule_id, *_ in EXAMPLES[claimed.__name__]:
        rule = next(r for r in policy(text).rules if r.id == rule_id)
        assert limits.as_limit(rule).rule is rule


def test_every_analysis_runs_over_every_kind():
    texts = [text for kind in RULE_KINDS for text, *_ in EXAMPLES[kind.model.__name__] if kind.keyword != "consent"]
    named = [f"{text} as r{n}" if "{" not in text and not text.startswith("honor") else text
             for n, text in enumerate(texts)]
    policy_set = policy("\n".join(named))
    assert {kind_of(r) for r in policy_set.rules} == set(RULE_KINDS)
    analyze(policy_set)  # raises when an analysis meets a kind it has no handler for
