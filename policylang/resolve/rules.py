"""Building the rules, scores and campaigns of one scope, with their ids (docs/language.md, "Rule ids").

A rule's id is `SCOPE.NAME`; NAME is the `as` name, else derived from the
keyword, the selector's words and the window (`cap_email_newsletter_7d`,
`gap_email`, `stop_marketing_conversion`, ...). Counts and duration amounts
are whole numbers (the parser reports any that is not, PL103), so every window
is a whole number of hours; an empty one is PL303.
"""
from __future__ import annotations

from decimal import Decimal

from .. import model
from ..diagnostics import Related
from ..rule_kinds import syntax_kind
from ..source import Span
from ..syntax import ast
from .conditions import Conditions
from .report import Report, location

SPEND_PLACES = 4


class Names:
    """The channels and topics the global file declares, and how to report an unknown one."""

    def __init__(self, report: Report, channels: dict[str, Span], topics: dict[str, Span]):
        self.report, self.channels, self.topics = report, channels, topics

    def channel(self, name: ast.Name) -> str:
        if name.value not in self.channels:
            self.report.unknown("channel", name, self.channels, "a channel declared with `channels` in the global file")
        return name.value

    def topic(self, name: ast.Name) -> str:
        if name.value not in self.topics:
            self.report.unknown("topic", name, self.topics, "a topic declared with `topics` in the global file")
        return name.value

    def selector(self, node: ast.Selector) -> model.Selector:
        return model.Selector(self.channel(node.channel) if node.channel else None,
                              self.topic(node.topic) if node.topic else None)


class ScopeBuilder:
    """Turns one scope's statements into model objects, reporting what does not check."""

    def __init__(self, scope: str, report: Report, names: Names, conditions: Conditions):
        self.scope, self.report, self.names, self.conditions = scope, report, names, conditions
        self.ids: dict[str, Span] = {}  # rule id -> where it was first given

    # --- values -------------------------------------------------------------------

    def window(self, duration: ast.Duration) -> model.Window:
        hours = int(duration.hours)
        if hours <= 0:
            self.report.error("PL303", "a window of zero length never holds anything; use at least one hour",
                              duration.span)
        return model.Window(hours)

    def amount(self, number: ast.Number) -> Decimal:
        if number.value.normalize().as_tuple().exponent < -SPEND_PLACES:
            self.report.error("PL304", f"spend amount `{number.text}` has more than {SPEND_PLACES} decimal places; "
                              f"round it to at most {SPEND_PLACES}", number.span)
        return number.value

    def tiers(self, node: ast.TieredCap) -> tuple[model.Tier, ...]:
        tiers = []
        for index, tier in enumerate(node.tiers):
            if tier.condition is None and index < len(node.tiers) - 1:
                self.report.error("PL305", "`otherwise` must be the last branch of a tiered cap; move it to the end",
                                  tier.span)
            condition = None if tier.condition is None else self.conditions.condition(tier.condition, self.scope)
            tiers.append(model.Tier(condition, int(tier.limit.value), tier.span))
        return tuple(tiers)

    # --- rules --------------------------------------------------------------------

    def rule(self, node: ast.Rule | ast.Consent, position: int) -> model.Rule:
        """The model rule for `node`, the `position`-th statement of its file: the selector and window a
        kind has, then its own fields (`_FIELDS`), then the id (`RuleKind.id_format`)."""
        kind = syntax_kind(node)
        fields = {}
        if getattr(node, "selector", None) is not None:
            fields["selector"] = self.names.selector(node.selector)
        if getattr(node, "window", None) is not None:
            fields["window"] = self.window(node.window)
        fields |= _FIELDS[type(node)](self, node)
        derived = kind.derived_name(fields.get("selector"), fields.get("window"), fields.get("channel"))
        return kind.model(**self.base(node, derived, position), **fields)

    def base(self, node, derived: str, position: int) -> dict:
        """The fields every rule has; PL208 when the id is already taken in this scope."""
        alias = getattr(node, "alias", None)
        rule_id = f"{self.scope}.{alias.value if alias else derived}"
        at = alias.span if alias else node.span
        if rule_id in self.ids:
            first = self.ids[rule_id]
            self.report.error("PL208", f"rule id `{rule_id}` is already used by the rule at {location(first, at)}; "
                              "name this rule with `as NAME`", at, related=(Related(first, f"rule `{rule_id}`"),))
        else:
            self.ids[rule_id] = at
        return dict(id=rule_id, scope=self.scope, position=position, span=node.span)

    # --- scores and campaigns -------------------------------------------------------

    def score(self, node: ast.Score) -> model.Score:
        lines = []
        for line in node.lines:
            if isinstance(line, ast.ScoreWhen):
                lines.append(model.ScoreWhen(line.points,
                                             self.conditions.condition(line.condition, self.scope, node.name.value),
                                             line.span))
            elif isinstance(line, ast.ScorePerTouch):
                lines.append(model.ScorePerTouch(line.points, self.names.channel(line.channel), line.measure,
                                                 self.window(line.window)))
            else:
                lines.append(model.ScorePerEvent(line.points, line.event_type.value, self.window(line.window)))
        return model.Score(node.name.value, tuple(lines), node.span)

    def campaign(self, node: ast.Campaign) -> model.Campaign:
        stages: list[model.Stage] = []
        seen: dict[str, Span] = {}
        for stage in node.stages:
            if self.report.first(seen, "stage", stage.name):
                stages.append(model.Stage(stage.name.value, self.names.channel(stage.channel),
                                          int(stage.day.value), stage.span))
        return model.Campaign(node.name.value, self.scope, tuple(stages), node.span)


# --- the fields each kind of rule adds to the selector and window it shares with others ------------

def _consent(b: ScopeBuilder, node: ast.Consent) -> dict:
    return dict(channel=b.names.channel(node.channel), requires_opt_in=node.requires_opt_in)


def _block(b: ScopeBuilder, node: ast.Block) -> dict:
    condition = b.conditions.condition(node.condition, b.scope)
    return dict(condition=model.Not(condition) if node.unless else condition)


def _flat_cap(b: ScopeBuilder, node: ast.Cap) -> dict:
    return dict(tiers=(model.Tier(None, int(node.limit.value), node.span),))


_FIELDS = {
    ast.Consent: _consent,
    ast.Block: _block,
    ast.Cooldown: lambda b, node: dict(event_type=node.event_type.value),
    ast.StopUnopened: lambda b, node: dict(count=int(node.count.value)),
    ast.StopConversion: lambda b, node: {},
    ast.Gap: lambda b, node: {},
    ast.Cap: _flat_cap,
    ast.TieredCap: lambda b, node: dict(tiers=b.tiers(node)),
    ast.SpendCap: lambda b, node: dict(amount=b.amount(node.amount)),
    ast.HonorPreferences: lambda b, node: {},
}
