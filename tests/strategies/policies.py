"""Hypothesis strategies for policy text over the test configuration (`strategies.config`).

`policy_sets()` draws a semantically valid policy set as `{file name: text}`:
one global file declaring every channel and topic, a consent stance for each
channel, segments and scores, plus 0-2 business-unit files with their own
segments (names distinct from the global ones) and campaigns. Both kinds of
file hold a random mix of every rule kind: flat, tiered (with and without
`otherwise`) and spend caps, gaps, blocks, cooldowns and stops, on `marketing`
or a channel, with or without a topic, some with `as` names. Conditions use
every form with literals of the attribute's type; windows are short (hours,
days, weeks) and limits small (0-4), so rules bind on small data. Rule ids are
unique per scope (an `as` name is added where derived ids would collide) and
score lines never compare scores (PL212).

`policy_files()` draws single files that are valid syntax but not necessarily
valid policy, in a random layout: odd spacing and indentation, comments on
their own lines and at line ends, blank lines, CRLF line endings, redundant
parentheses, escapes in strings and numbers written unusually (`007`, `1.50`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from .config import ATTRIBUTES, CHANNELS, EVENT_TYPES, TIERS, TOPICS, UNITS

OPS = ("=", "!=", "<", "<=", ">", ">=")
MEASURES = ("sent", "opened", "clicked", "converted")
_OR, _AND, _NOT, _ATOM = 1, 2, 3, 4  # binding strength of a condition's text
_UNIT_HOURS = {"hour": 1, "day": 24, "week": 168}
_TEXT_OF_KIND = {kind: [a for a, k in ATTRIBUTES.items() if k == kind] for kind in set(ATTRIBUTES.values())}


@dataclass
class _Scope:
    """What a file's statements may refer to, and the rule ids it has used."""

    name: str  # "global" or a business unit
    segments: list[str] = field(default_factory=list)  # visible segment names
    scores: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    wild: bool = False  # unusual spellings, for syntax-level files
    aliases: int = 0


# --- leaves --------------------------------------------------------------------

def _number_text(draw, value: int, wild: bool) -> str:
    return f"00{value}" if wild and value >= 0 and draw(st.integers(0, 9)) == 0 else str(value)


@st.composite
def _duration(draw, scope: _Scope) -> tuple[str, int]:
    """(text, hours) of a short window."""
    unit = draw(st.sampled_from(sorted(_UNIT_HOURS)))
    amount = draw(st.integers(1, {"hour": 72, "day": 14, "week": 2}[unit]))
    plural = "s" if amount != 1 or (scope.wild and draw(st.booleans())) else ""
    return f"{_number_text(draw, amount, scope.wild)} {unit}{plural}", amount * _UNIT_HOURS[unit]


def _window_label(hours: int) -> str:
    return f"{hours // 24}d" if hours % 24 == 0 else f"{hours}h"


@st.composite
def _selector(draw) -> tuple[str, str]:
    """(text, words of the derived rule id)."""
    channel = draw(st.sampled_from(("marketing",) + CHANNELS))
    if draw(st.integers(0, 3)) == 0:
        topic = draw(st.sampled_from(TOPICS))
        return f"{channel} topic {topic}", f"{channel}_{topic}"
    return channel, channel


@st.composite
def _decimal_text(draw, low: int, high: int, places: int) -> str:
    cents = draw(st.integers(low * 10 ** places, high * 10 ** places))
    if places == 0:
        return str(cents)
    sign = "-" if cents < 0 else ""
    whole, fraction = divmod(abs(cents), 10 ** places)
    return f"{sign}{whole}.{fraction:0{places}d}"


@st.composite
def _string(draw, values, wild: bool) -> str:
    value = draw(st.sampled_from(values))
    if wild and draw(st.integers(0, 4)) == 0:
        value = draw(st.sampled_from(['a"b', "back\\slash", 'q"\\"', "ü€"]))
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- conditions ----------------------------------------------------------------

@st.composite
def _attribute_condition(draw, wild: bool) -> str:
    """A comparison of one configured attribute with a literal of its type."""
    attr = draw(st.sampled_from(sorted(ATTRIBUTES)))
    kind = ATTRIBUTES[attr]
    form = draw(st.sampled_from(("compare", "compare", "in", "null")))
    if form == "null" or (form == "in" and kind == "boolean"):
        return f"{attr} is {draw(st.sampled_from(('null', 'not null')))}"
    if kind == "timestamp":
        return f"days_since({attr}) {draw(st.sampled_from(OPS))} {draw(st.integers(-3, 60))}"
    if kind == "text":
        literal = _string(TIERS, wild)
        ops = ("=", "!=")
    elif kind == "integer":
        literal = st.integers(-5, 90).map(str)
        ops = OPS
    elif kind == "decimal":
        literal = st.integers(0, 2).flatmap(lambda places: _decimal_text(-10, 500, places))
        ops = OPS
    else:
        literal = st.sampled_from(("true", "false"))
        ops = ("=", "!=")
    if form == "in":
        values = draw(st.lists(literal, min_size=1, max_size=3))
        negated = draw(st.sampled_from(("in", "not in")))
        return f"{attr} {negated} ({', '.join(values)})"
    return f"{attr} {draw(st.sampled_from(ops))} {draw(literal)}"


@st.composite
def _atom(draw, scope: _Scope, attributes_only: bool) -> str:
    kinds = ["attribute"] * 4 + ["const"]
    if not attributes_only:
        kinds += ["segment"] * 2 * bool(scope.segments) + ["score"] * bool(scope.scores)
    kind = draw(st.sampled_from(kinds))
    if kind == "const":
        return draw(st.sampled_from(("true", "false")))
    if kind == "segment":
        return draw(st.sampled_from(scope.segments))
    if kind == "score":
        value = draw(_decimal_text(-10, 50, 1)) if scope.wild and draw(st.booleans()) else draw(st.integers(-10, 50))
        return f"score {draw(st.sampled_from(scope.scores))} {draw(st.sampled_from(OPS))} {value}"
    return draw(_attribute_condition(scope.wild))


def _wrap(text_strength: tuple[str, int], weakest: int) -> str:
    text, strength = text_strength
    return f"({text})" if strength < weakest else text


@st.composite
def _condition_parts(draw, scope: _Scope, attributes_only: bool, depth: int) -> tuple[str, int]:
    kind = draw(st.sampled_from(("atom", "atom", "and", "or", "not"))) if depth > 0 else "atom"
    if kind == "atom":
        text, strength = draw(_atom(scope, attributes_only)), _ATOM
    elif kind == "not":
        text, strength = "not " + _wrap(draw(_condition_parts(scope, attributes_only, depth - 1)), _NOT), _NOT
    else:
        strength, needed = (_AND, _NOT) if kind == "and" else (_OR, _AND)
        parts = draw(st.lists(_condition_parts(scope, attributes_only, depth - 1), min_size=2, max_size=3))
        text = f" {kind} ".join(_wrap(p, needed) for p in parts)
    if scope.wild and draw(st.integers(0, 5)) == 0:
        return f"({text})", _ATOM
    return text, strength


def _condition(scope: _Scope, attributes_only: bool = False) -> st.SearchStrategy[str]:
    return _condition_parts(scope, attributes_only, 2).map(lambda parts: parts[0])


# --- statements ----------------------------------------------------------------

def _count(wild: bool, low: int = 0, high: int = 4) -> st.SearchStrategy[str]:
    return st.integers(low, high).flatmap(lambda n: st.sampled_from([str(n), f"00{n}"] if wild else [str(n)]))


@st.composite
def _rule(draw, scope: _Scope, kind: str) -> tuple[str, str, list[str]]:
    """(first line without `as`, derived id, block lines) of one rule of `kind`."""
    if kind == "preferences":
        return "honor preferences", "preferences", []
    selector, words = draw(_selector())
    if kind in ("cap", "tiered", "spend"):
        window, hours = draw(_duration(scope))
        label = _window_label(hours)
        if kind == "cap":
            return f"cap {selector} {draw(_count(scope.wild))} per {window}", f"cap_{words}_{label}", []
        if kind == "spend":
            amount = draw(st.integers(0, 4).flatmap(lambda places: _decimal_text(0, 5, places)))
            return f"cap {selector} spend {amount} per {window}", f"spend_{words}_{label}", []
        tiers = [f"{draw(_condition(scope))}: {draw(_count(scope.wild))}" for _ in range(draw(st.integers(1, 3)))]
        if draw(st.booleans()):
            tiers.append(f"otherwise: {draw(_count(scope.wild))}")
        return f"cap {selector} per {window}", f"cap_{words}_{label}", tiers
    if kind == "gap":
        return f"gap {selector} {draw(_duration(scope))[0]}", f"gap_{words}", []
    if kind == "block":
        how = draw(st.sampled_from(("for", "unless")))
        return f"block {selector} {how} {draw(_condition(scope))}", f"block_{words}", []
    if kind == "cooldown":
        event = draw(_string(EVENT_TYPES, scope.wild))
        return f"cooldown {selector} {draw(_duration(scope))[0]} after event {event}", f"cooldown_{words}", []
    if kind == "stop":
        return f"stop {selector} after {draw(_count(scope.wild, 1))} unopened", f"stop_{words}_unopened", []
    return f"stop {selector} after conversion", f"stop_{words}_conversion", []


_RULE_KINDS = ("cap", "cap", "tiered", "spend", "gap", "block", "cooldown", "stop", "conversion")


@st.composite
def _rules(draw, scope: _Scope, global_file: bool) -> list[str]:
    kinds = draw(st.lists(st.sampled_from(_RULE_KINDS), min_size=int(global_file), max_size=8))
    if global_file and draw(st.booleans()):
        kinds.insert(draw(st.integers(0, len(kinds))), "preferences")
    lines = []
    for kind in kinds:
        head, derived, block = draw(_rule(scope, kind))
        if derived in scope.ids or draw(st.integers(0, 3)) == 0:
            scope.aliases += 1
            derived = f"r{scope.aliases}"
            head += f" as {derived}"
        scope.ids.add(derived)
        lines.extend(_block(head, block))
    return lines


def _block(head: str, items: list[str]) -> list[str]:
    return [head + " {", *(f"  {item}" for item in items), "}"] if items else [head]


@st.composite
def _segments(draw, scope: _Scope, prefix: str, most: int) -> list[str]:
    """Segment definitions; each may use the segments visible before it (no cycles)."""
    lines = []
    for index in range(draw(st.integers(0, most))):
        name = f"{prefix}{index}"
        lines.append(f"segment {name}: {draw(_condition(scope))}")
        scope.segments.append(name)
    return lines


@st.composite
def _score_line(draw, scope: _Scope) -> str:
    points = draw(st.integers(0, 30))
    kind = draw(st.sampled_from(("when", "when", "touch", "event")))
    if kind == "when":
        sign = draw(st.sampled_from(("+", "-", "") if scope.wild else ("+", "-")))
        return f"{sign}{points} when {draw(_condition(scope, attributes_only=True))}"
    window = draw(_duration(scope))[0]
    if kind == "touch":
        return f"+{points} per {draw(st.sampled_from(CHANNELS))} {draw(st.sampled_from(MEASURES))} within {window}"
    return f"+{points} per event {draw(_string(EVENT_TYPES, scope.wild))} within {window}"


@st.composite
def _scores(draw, scope: _Scope) -> list[str]:
    lines = []
    for name in draw(st.lists(st.sampled_from(("fit", "engagement", "recency")), max_size=2, unique=True)):
        lines.extend(_block(f"score {name}", draw(st.lists(_score_line(scope), min_size=1, max_size=4))))
        scope.scores.append(name)
    return lines


@st.composite
def _campaigns(draw, wild: bool) -> list[str]:
    lines = []
    for index in range(draw(st.integers(0, 1))):
        days = sorted(draw(st.lists(st.integers(0, 10), min_size=1, max_size=3, unique=True)))
        stages = [f"stage s{n}: {draw(st.sampled_from(CHANNELS))} day {_number_text(draw, day, wild)}"
                  for n, day in enumerate(days)]
        lines.extend(_block(f"campaign c{index}", stages))
    return lines


# --- files ---------------------------------------------------------------------

@st.composite
def _global_file(draw, scope: _Scope) -> str:
    channels = draw(st.permutations(CHANNELS))
    lines = ["policy global", f"channels {', '.join(channels)}", f"topics {', '.join(TOPICS)}"]
    lines += [f"consent {ch} {draw(st.sampled_from(('requires opt_in', 'allowed unless opt_out')))}" for ch in channels]
    lines += draw(_scores(scope))  # before segments, which may compare scores
    lines += draw(_segments(scope, "g", 3))
    lines += draw(_rules(scope, global_file=True))
    return "\n".join(lines) + "\n"


@st.composite
def _unit_file(draw, scope: _Scope) -> str:
    lines = [f"policy business_unit {scope.name}"]
    lines += draw(_segments(scope, f"{scope.name}_", 2))
    lines += draw(_rules(scope, global_file=False))
    lines += draw(_campaigns(scope.wild))
    return "\n".join(lines) + "\n"


@st.composite
def policy_sets(draw) -> dict[str, str]:
    """A valid policy set: `{"global.policy": ..., "<unit>.policy": ...}` (0-2 units)."""
    global_scope = _Scope("global")
    files = {"global.policy": draw(_global_file(global_scope))}
    count = draw(st.sampled_from((0, 1, 2, 2)))
    for unit in draw(st.permutations(UNITS))[:count]:
        unit_scope = _Scope(unit, segments=list(global_scope.segments), scores=list(global_scope.scores))
        files[f"{unit}.policy"] = draw(_unit_file(unit_scope))
    return files


@st.composite
def policy_files(draw) -> str:
    """One file of valid syntax in a random layout, with comments."""
    scope = _Scope(draw(st.sampled_from(("global",) + UNITS)), wild=True)
    text = draw(_global_file(scope) if scope.name == "global" else _unit_file(scope))
    return draw(_messy_layout(text))


# --- layout noise ----------------------------------------------------------------

_COMMENT = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\n\r"),
                   max_size=12).map(lambda t: "#" + t)
_SPACE = st.sampled_from((" ", " ", "  ", "\t"))


@st.composite
def _respaced(draw, line: str) -> str:
    """The line with each space widened or turned into a tab (generated strings hold no spaces)."""
    return "".join(draw(_SPACE) if ch == " " else ch for ch in line)


@st.composite
def _messy_layout(draw, text: str) -> str:
    out = []
    for line in text.splitlines():
        for _ in range(draw(st.integers(0, 2)) if draw(st.integers(0, 3)) == 0 else 0):
            out.append(draw(st.sampled_from(("", "   ", draw(_SPACE) + draw(_COMMENT)))))
        line = draw(st.sampled_from(("", " ", "\t"))) + draw(_respaced(line))
        if draw(st.integers(0, 4)) == 0:
            line += draw(_SPACE) + draw(_COMMENT)
        out.append(line + draw(st.sampled_from(("", "", " "))))
    newline = draw(st.sampled_from(("\n", "\n", "\r\n")))
    return newline.join(out) + draw(st.sampled_from((newline, newline, "")))
