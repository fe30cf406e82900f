"""The one canonical layout of a policy file: `format_file`.

One statement per line, single spaces, lower-case keywords, two-space indent
inside blocks and a `}` line to close them, the fewest parentheses precedence
allows (`not` > `and` > `or`), numbers as written, strings re-escaped. Comments
stay where they were: a full-line comment before the line that followed it, a
trailing comment at the end of its line. A run of blank lines between two
lines becomes one blank line; blank lines at the start and end of the file and
just inside a block's braces go.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..rule_kinds import syntax_kind
from . import ast

_OR, _AND, _NOT, _ATOM = 1, 2, 3, 4  # binding strength: a weaker operand needs parentheses
_INDENT = "  "


@dataclass(frozen=True)
class _Line:
    source_line: int
    depth: int
    text: str
    kind: str = ""  # "open" ends with `{`, "close" is a `}`


def format_file(pf: ast.PolicyFile) -> str:
    """The canonical text of a parsed file (comments from `pf.comments`)."""
    code: list[_Line] = []
    if pf.header is not None:
        code.append(_Line(pf.header.span.line, 0, _header(pf.header)))
    for statement in pf.statements:
        code.extend(_statement_lines(statement))
    return _layout(code, pf.comments)


def _layout(code: list[_Line], comments: tuple[ast.Comment, ...]) -> str:
    code_lines = {line.source_line for line in code}
    trailing = {c.span.line: c.text for c in comments if c.span.line in code_lines}
    blocks = [(open_.source_line, close.source_line)
              for open_, close in zip((l for l in code if l.kind == "open"), (l for l in code if l.kind == "close"))]
    entries = code + [
        _Line(c.span.line, int(any(first < c.span.line < last for first, last in blocks)), c.text)
        for c in comments if c.span.line not in code_lines]
    entries.sort(key=lambda line: line.source_line)
    out: list[str] = []
    previous = None
    for entry in entries:
        if (previous is not None and entry.source_line > previous.source_line + 1
                and previous.kind != "open" and entry.kind != "close"):
            out.append("")
        text = _INDENT * entry.depth + entry.text
        if entry.source_line in trailing:
            text += " " + trailing[entry.source_line]
        out.append(text)
        previous = entry
    return "\n".join(out) + "\n"


# --- statements ----------------------------------------------------------------

def _header(header: ast.Header) -> str:
    return f"policy business_unit {header.unit.value}" if header.unit else "policy global"


def _statement_lines(s) -> list[_Line]:
    """The output lines of one statement: one, or a block's head, items and `}`."""
    block = _block(s)
    if block is None:
        return [_Line(s.span.line, 0, _statement(s))]
    head, items = block
    return ([_Line(s.span.line, 0, head + " {", "open")]
            + [_Line(item.span.line, 1, text) for item, text in items]
            + [_Line(s.span.end_line, 0, "}", "close")])


def _block(s):
    """(head, [(item, text)]) for a statement written as a block, else None."""
    if isinstance(s, ast.Score):
        return f"score {s.name.value}", [(line, _score_line(line)) for line in s.lines]
    if isinstance(s, ast.TieredCap):
        head = f"{syntax_kind(s).keyword} {_selector(s.selector)} per {_duration(s.window)}{_alias(s.alias)}"
        return head, [(tier, f"{_tier_condition(tier)}: {tier.limit.text}") for tier in s.tiers]
    if isinstance(s, ast.Campaign):
        return f"campaign {s.name.value}", [
            (stage, f"stage {stage.name.value}: {stage.channel.value} day {stage.day.text}") for stage in s.stages]
    return None


def _statement(s) -> str:
    if isinstance(s, (ast.Channels, ast.Topics)):
        keyword = "channels" if isinstance(s, ast.Channels) else "topics"
        return f"{keyword} {', '.join(n.value for n in s.names)}"
    if isinstance(s, ast.Segment):
        return f"segment {s.name.value}: {condition(s.condition)}"
    return _rule(s) + _alias(getattr(s, "alias", None))


def _rule(s) -> str:
    """A one-line rule: its kind's keyword, then what `_RULE_WORDS` writes after it."""
    words = _RULE_WORDS[type(s)](s)
    return f"{syntax_kind(s).keyword} {words}" if words else syntax_kind(s).keyword


_RULE_WORDS = {  # what follows the keyword, by syntax node (a tiered cap is a block: `_block`)
    ast.Consent: lambda s: f"{s.channel.value} {'requires opt_in' if s.requires_opt_in else 'allowed unless opt_out'}",
    ast.Cap: lambda s: f"{_selector(s.selector)} {s.limit.text} per {_duration(s.window)}",
    ast.SpendCap: lambda s: f"{_selector(s.selector)} spend {s.amount.text} per {_duration(s.window)}",
    ast.Gap: lambda s: f"{_selector(s.selector)} {_duration(s.window)}",
    ast.Block: lambda s: f"{_selector(s.selector)} {'unless' if s.unless else 'for'} {condition(s.condition)}",
    ast.Cooldown: lambda s: f"{_selector(s.selector)} {_duration(s.window)} after event {_string(s.event_type)}",
    ast.StopUnopened: lambda s: f"{_selector(s.selector)} after {s.count.text} unopened",
    ast.StopConversion: lambda s: f"{_selector(s.selector)} after conversion",
    ast.HonorPreferences: lambda s: "",
}


def _score_line(line) -> str:
    points = f"{line.points:+d}"
    if isinstance(line, ast.ScoreWhen):
        return f"{points} when {condition(line.condition)}"
    if isinstance(line, ast.ScorePerTouch):
        return f"{points} per {line.channel.value} {line.measure} within {_duration(line.window)}"
    return f"{points} per event {_string(line.event_type)} within {_duration(line.window)}"


def _tier_condition(tier: ast.Tier) -> str:
    return "otherwise" if tier.condition is None else condition(tier.condition)


def _selector(selector: ast.Selector) -> str:
    words = selector.channel.value if selector.channel else "marketing"
    return f"{words} topic {selector.topic.value}" if selector.topic else words


def _duration(duration: ast.Duration) -> str:
    plural = "" if duration.amount.value == 1 else "s"
    return f"{duration.amount.text} {duration.unit}{plural}"


def _alias(alias: ast.Name | None) -> str:
    return f" as {alias.value}" if alias else ""


# --- conditions and literals ------------------------------------------------

def condition(c, weakest: int = _OR) -> str:
    """A condition in canonical form; parenthesized when it binds weaker than `weakest`."""
    if isinstance(c, ast.Or):
        text, strength = " or ".join(condition(i, _AND) for i in c.items), _OR
    elif isinstance(c, ast.And):
        text, strength = " and ".join(condition(i, _NOT) for i in c.items), _AND
    elif isinstance(c, ast.Not):
        text, strength = "not " + condition(c.item, _NOT), _NOT
    else:
        text, strength = _atom(c), _ATOM
    return f"({text})" if strength < weakest else text


def _atom(c) -> str:
    if isinstance(c, ast.Compare):
        return f"{c.attr.value} {c.op} {literal(c.value)}"
    if isinstance(c, ast.InList):
        values = ", ".join(literal(v) for v in c.values)
        return f"{c.attr.value} {'not in' if c.negated else 'in'} ({values})"
    if isinstance(c, ast.IsNull):
        return f"{c.attr.value} is {'not null' if c.negated else 'null'}"
    if isinstance(c, ast.DaysSince):
        return f"days_since({c.attr.value}) {c.op} {c.value.text}"
    if isinstance(c, ast.ScoreCompare):
        return f"score {c.score.value} {c.op} {c.value.text}"
    if isinstance(c, ast.SegmentRef):
        return c.name.value
    if isinstance(c, ast.Const):
        return "true" if c.value else "false"
    raise TypeError(f"not a condition: {type(c).__name__}")


def literal(value) -> str:
    if isinstance(value, ast.String):
        return _string(value)
    if isinstance(value, ast.Bool):
        return "true" if value.value else "false"
    return value.text


def _string(s: ast.String) -> str:
    return '"' + s.value.replace("\\", "\\\\").replace('"', '\\"') + '"'
