"""The resolver: parsed policy files and the config → a checked `model.PolicySet`.

It settles each file's scope (one global file, business units from the config),
keeps statements where they belong, collects the declarations (channels,
topics, consent, segments, scores), then binds and type-checks every rule and
campaign (`resolve.conditions`, `resolve.rules`). Findings are the name,
type and structure errors of docs/findings.md (PL2xx, PL3xx); with any error there is no policy set.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from .. import model
from ..config import CONFIG_FILE, Config
from ..diagnostics import Diagnostic, Related, did_you_mean
from ..model import GLOBAL
from ..rule_kinds import RULE_KINDS, SYNTAX_CLASSES, evaluation_key
from ..source import Span
from ..syntax import ast
from .conditions import Conditions
from .report import Report
from .rules import Names, ScopeBuilder

# Statements only the global file may hold, by the keyword users write.
GLOBAL_ONLY = {ast.Channels: "channels", ast.Topics: "topics", ast.Score: "score"} | {
    node: kind.keyword for kind in RULE_KINDS if kind.global_only for node in kind.syntax.values()}

Defined = TypeVar("Defined", ast.Segment, ast.Score)


@dataclass
class _Scope:
    name: str  # GLOBAL or a business unit
    statements: list[tuple[int, ast.Statement]]  # (position in the file, statement) of those that belong here


def resolve(files: list[ast.PolicyFile], config: Config, version: str = "") -> tuple[model.PolicySet | None, list[Diagnostic]]:
    """Resolve `files` under `config`; the policy set is None when there is an error-level finding."""
    report = Report()
    scopes = _scopes(files, config, report)
    global_statements = scopes[0].statements if scopes and scopes[0].name == GLOBAL else []
    names = Names(report, _declared(global_statements, ast.Channels, "channel", report),
                  _declared(global_statements, ast.Topics, "topic", report))
    segments = {scope.name: _definitions(scope.statements, ast.Segment, "segment", report) for scope in scopes}
    _forbid_global_segment_names(segments, report)
    scores = _definitions(global_statements, ast.Score, "score", report)
    conditions = Conditions(report, config.attributes, segments, scores)

    resolved_segments = {f"{scope}.{name}": model.Segment(f"{scope}.{name}", scope, name,
                                                          conditions.segment(scope, name), node.span)
                         for scope, defined in segments.items() for name, node in defined.items()}
    rules: list[model.Rule] = []
    campaigns: list[model.Campaign] = []
    resolved_scores: dict[str, model.Score] = {}
    for scope in scopes:
        builder = ScopeBuilder(scope.name, report, names, conditions)
        consents: dict[str, Span] = {}
        seen_campaigns: dict[str, Span] = {}
        for position, statement in scope.statements:
            if isinstance(statement, ast.Consent):  # a rule, and the channel's one stance
                if report.first(consents, "consent for channel", statement.channel, fix="keep one of the two"):
                    rules.append(builder.rule(statement, position))
            elif isinstance(statement, SYNTAX_CLASSES):
                rules.append(builder.rule(statement, position))
            elif isinstance(statement, ast.Score) and scores[statement.name.value] is statement:
                resolved_scores[statement.name.value] = builder.score(statement)
            elif isinstance(statement, ast.Campaign) and report.first(seen_campaigns, "campaign", statement.name):
                campaigns.append(builder.campaign(statement))
        if scope.name == GLOBAL:
            _require_consent(names.channels, consents, report)
            _check_preference_topics(config, names, report)
    if report.has_errors:
        return None, report.sorted()
    return model.PolicySet(
        channels=tuple(names.channels), topics=tuple(names.topics), business_units=tuple(config.business_units),
        attributes=dict(config.attributes), segments=resolved_segments, scores=resolved_scores,
        rules=tuple(sorted(rules, key=evaluation_key)), campaigns=tuple(campaigns), version=version,
        tables=dict(config.tables), columns={t: dict(c) for t, c in config.columns.items()},
        preference_center=_preference_center(config),
    ), report.sorted()


def _scopes(files: list[ast.PolicyFile], config: Config, report: Report) -> list[_Scope]:
    """One scope per file that checks, the global one first (PL202-PL205)."""
    scopes: list[_Scope] = []
    first_global: ast.Header | None = None
    units: dict[str, ast.Name] = {}
    for file in files:
        header = file.header
        if header is None:  # the parser reported it
            continue
        if header.unit is None:
            if first_global is not None:
                report.error("PL202", f"a second global policy (the first is `{first_global.span.file}`); keep one "
                             "`policy global` file and give this one a `policy business_unit NAME` header",
                             header.span, related=(Related(first_global.span, "the first global policy"),))
                continue
            first_global = header
            scopes.insert(0, _Scope(GLOBAL, _placed(GLOBAL, file, report)))
            continue
        unit = header.unit
        if unit.value in units:
            report.duplicate("business unit", unit, units[unit.value].span, code="PL203",
                             fix="merge the two files into one")
            continue
        units[unit.value] = unit
        if unit.value not in config.business_units:
            report.error("PL204", f"business unit `{unit.value}` is not in `business_units` of {CONFIG_FILE}; "
                         "add it there or fix the name", unit.span, help=did_you_mean(unit.value, config.business_units))
        scopes.append(_Scope(unit.value, _placed(unit.value, file, report)))
    if first_global is None and all(file.header is not None for file in files):
        report.error("PL205", "no global policy; add a file starting `policy global` that declares the channels, "
                     "topics and consent", files[0].header.span if files else None)
    return scopes


def _placed(scope: str, file: ast.PolicyFile, report: Report) -> list[tuple[int, ast.Statement]]:
    """The file's statements with their positions, minus those that belong elsewhere (PL200, PL201)."""
    placed = []
    for position, statement in enumerate(file.statements):
        keyword = GLOBAL_ONLY.get(type(statement))
        if scope != GLOBAL and keyword:
            report.error("PL200", f"`{keyword}` belongs in the global policy file; move it there", statement.span)
        elif scope == GLOBAL and isinstance(statement, ast.Campaign):
            report.error("PL201", "`campaign` belongs in a business unit's policy file; move it there", statement.span)
        else:
            placed.append((position, statement))
    return placed


def _declared(statements, kind: type, label: str, report: Report) -> dict[str, Span]:
    """The names every `channels` (or `topics`) statement lists, where each is first listed (PL207)."""
    declared: dict[str, Span] = {}
    for _, statement in statements:
        if isinstance(statement, kind):
            for name in statement.names:
                report.first(declared, label, name, fix="remove one")
    return declared


def _definitions(statements, kind: type[Defined], label: str, report: Report) -> dict[str, Defined]:
    """Segments (or scores) by name, first definition kept (PL207)."""
    defined: dict[str, Defined] = {}
    for _, statement in statements:
        if isinstance(statement, kind):
            if statement.name.value in defined:
                report.duplicate(label, statement.name, defined[statement.name.value].name.span)
            else:
                defined[statement.name.value] = statement
    return defined


def _forbid_global_segment_names(segments: dict[str, dict[str, ast.Segment]], report: Report) -> None:
    """A business unit may not reuse a global segment's name (PL207); the unit's one is dropped."""
    global_segments = segments.get(GLOBAL, {})
    for scope, defined in segments.items():
        for name in [n for n in defined if scope != GLOBAL and n in global_segments]:
            report.duplicate("segment", defined.pop(name).name, global_segments[name].name.span,
                             fix="a business unit may not reuse a global segment's name; rename it")


def _require_consent(channels: dict[str, Span], consents: dict[str, Span], report: Report) -> None:
    for channel, span in channels.items():
        if channel not in consents:
            report.error("PL206", f"channel `{channel}` has no consent stance; add `consent {channel} requires opt_in` "
                         f"or `consent {channel} allowed unless opt_out`", span)


def _check_preference_topics(config: Config, names: Names, report: Report) -> None:
    """Topics the preference centre asks about must exist (PL210 at the config's list item)."""
    fallback = Span(str(config.path or CONFIG_FILE), 1, 1, 1, 1)
    for topic in config.preference_topics:
        if topic not in names.topics:
            names.topic(ast.Name(topic, config.spans.get(f"preference_center.topics.{topic}", fallback)))


def _preference_center(config: Config) -> model.PreferenceCenter:
    prefix = "preference_center."
    return model.PreferenceCenter(
        config.preference_topics, config.preference_frequency,
        {key.removeprefix(prefix): span for key, span in config.spans.items() if key.startswith(prefix)})
