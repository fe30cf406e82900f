"""The rule kinds of the language, declared once: `RULE_KINDS`.

Each `RuleKind` says how a statement of the kind starts, the grammar rules and
syntax nodes it parses to, its class in `policylang.model`, its evaluation step
(docs/language.md, "How a batch is decided"), whether its verdict depends on
the candidates of the batch sent before it, how its id is derived
(docs/language.md, "Rule ids") and what `explain` calls its checks. The
parser's recovery, the resolver, `fmt`, `describe`, the reference interpreter
and the SQL back end read this table; tests/test_rule_kinds.py fails when one
of them has no handler for a kind. docs/design.md, "Adding a rule kind", lists
the files a new kind touches.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import model
from .syntax import ast


@dataclass(frozen=True, eq=False)  # one of each: compared and hashed by identity
class RuleKind:
    keyword: str  # the words a statement of the kind starts with, as users name it
    model: type  # its class in policylang.model
    syntax: dict[str, type]  # grammar rule -> the policylang.syntax.ast node it builds (a cap is written two ways)
    step: int  # evaluation step (the built-in checks, model.BUILTIN_RULES, are step 1): see `evaluation_key`
    batch: bool  # depends on the candidates of the batch sent before it (else on history alone)
    id_format: str  # the rule id after `SCOPE.`: {words} the selector's words, {window} `7d`, {channel}
    label: str  # what `explain` calls a check of the kind
    global_only: bool = False  # may be written in the global policy file only

    def derived_name(self, selector: model.Selector | None = None, window: model.Window | None = None,
                     channel: str | None = None) -> str:
        """The id's NAME part for a rule without `as NAME`."""
        return self.id_format.format(words="_".join(selector.words) if selector else "",
                                     window=window.label if window else "", channel=channel)


RULE_KINDS: tuple[RuleKind, ...] = (
    RuleKind("consent", model.ConsentRule, {"consent": ast.Consent}, step=2, batch=False,
             id_format="consent_{channel}", label="consent", global_only=True),
    RuleKind("block", model.BlockRule, {"block": ast.Block}, step=3, batch=False,
             id_format="block_{words}", label="block"),
    RuleKind("cooldown", model.CooldownRule, {"cooldown": ast.Cooldown}, step=4, batch=False,
             id_format="cooldown_{words}", label="cooldown"),
    RuleKind("stop", model.StopUnopenedRule, {"stop_unopened": ast.StopUnopened}, step=5, batch=False,
             id_format="stop_{words}_unopened", label="stop"),
    RuleKind("stop", model.StopConversionRule, {"stop_conversion": ast.StopConversion}, step=5, batch=False,
             id_format="stop_{words}_conversion", label="stop"),
    RuleKind("gap", model.GapRule, {"gap": ast.Gap}, step=6, batch=True,
             id_format="gap_{words}", label="gap"),
    RuleKind("cap", model.CapRule, {"cap": ast.Cap, "tiered_cap": ast.TieredCap}, step=7, batch=True,
             id_format="cap_{words}_{window}", label="cap"),
    RuleKind("cap", model.SpendCapRule, {"spend_cap": ast.SpendCap}, step=7, batch=True,
             id_format="spend_{words}_{window}", label="spend cap"),
    RuleKind("honor preferences", model.PreferencesRule, {"honor": ast.HonorPreferences}, step=8, batch=True,
             id_format="preferences", label="preferences", global_only=True),
)

_BY_MODEL = {kind.model: kind for kind in RULE_KINDS}
_BY_SYNTAX = {node: kind for kind in RULE_KINDS for node in kind.syntax.values()}
SYNTAX_CLASSES = tuple(_BY_SYNTAX)  # every syntax node that is a rule


def kind_of(rule: model.Rule) -> RuleKind:
    """The kind of a model rule."""
    return _BY_MODEL[type(rule)]


def syntax_kind(node) -> RuleKind:
    """The kind of a rule's syntax node."""
    return _BY_SYNTAX[type(node)]


def is_batch(rule: model.Rule) -> bool:
    """Does the rule's verdict depend on the candidates of the batch sent before it?"""
    return _BY_MODEL[type(rule)].batch


def evaluation_key(rule: model.Rule) -> tuple:
    """Evaluation order: by step, global before business-unit rules, then source order."""
    return (_BY_MODEL[type(rule)].step, rule.scope != model.GLOBAL, rule.scope, rule.position)


def statement_words() -> tuple[str, ...]:
    """The first word of every kind's statements."""
    return tuple(dict.fromkeys(kind.keyword.split()[0] for kind in RULE_KINDS))
