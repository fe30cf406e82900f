"""How analysis findings quote rules, windows, conditions and customers.

Messages name a rule by its id and show it as it would be written, e.g.
`global.weekly` (`cap marketing 6 per 7 days`); conditions are printed back in
policy syntax (a segment by its name); a counter-example customer is a list of
attribute values.
"""
from __future__ import annotations

from decimal import Decimal

from ..model import (And, BlockRule, CapRule, Compare, Condition, ConsentRule, Const, CooldownRule, DaysSince, GapRule,
                     InList, IsNull, Not, Or, PreferencesRule, Rule, ScoreCompare, SegmentRef, SpendCapRule,
                     StopConversionRule, StopUnopenedRule, Window)
from ..rule_kinds import kind_of


def window_text(window: Window) -> str:
    """`7 days`, `1 day`, `36 hours`: a window as a user would write it."""
    amount, unit = (window.hours // 24, "day") if window.hours % 24 == 0 else (window.hours, "hour")
    return f"{amount} {unit}{'' if amount == 1 else 's'}"


def literal_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def condition_text(condition: Condition | None) -> str:
    """The condition in policy syntax (`otherwise` for the catch-all branch)."""
    return "otherwise" if condition is None else _text(condition, top=True)


def _text(c: Condition, top: bool = False) -> str:
    match c:
        case Const(value):
            return literal_text(value)
        case Compare(attr, _, op, value):
            return f"{attr} {op} {literal_text(value)}"
        case InList(attr, _, values, negated):
            return f"{attr} {'not in' if negated else 'in'} ({', '.join(literal_text(v) for v in values)})"
        case IsNull(attr, negated):
            return f"{attr} is {'not null' if negated else 'null'}"
        case DaysSince(attr, op, value):
            return f"days_since({attr}) {op} {value}"
        case ScoreCompare(score, op, value):
            return f"score {score} {op} {value}"
        case SegmentRef(segment_id, _):
            return segment_id.split(".", 1)[1]
        case Not(operand):
            bare = isinstance(operand, (SegmentRef, Const))
            return f"not {_text(operand)}" if bare else f"not ({_text(operand, True)})"
        case And(operands) | Or(operands):
            joined = f" {'and' if isinstance(c, And) else 'or'} ".join(_text(o) for o in operands)
            return joined if top else f"({joined})"
    raise TypeError(f"not a condition: {c!r}")


def rule_text(rule: Rule) -> str:
    """The rule as it would be written (a tiered cap without its branches): its kind's keyword, then
    what `_RULE_WORDS` writes after it."""
    words = _RULE_WORDS[type(rule)](rule)
    return f"{kind_of(rule).keyword} {words}" if words else kind_of(rule).keyword


def _cap_words(rule: CapRule) -> str:
    if rule.is_tiered:
        return f"{rule.selector} per {window_text(rule.window)} {{...}}"
    return f"{rule.selector} {rule.tiers[0].limit} per {window_text(rule.window)}"


_RULE_WORDS = {  # what follows the keyword, by rule class
    ConsentRule: lambda r: f"{r.channel} {'requires opt_in' if r.requires_opt_in else 'allowed unless opt_out'}",
    CapRule: _cap_words,
    SpendCapRule: lambda r: f"{r.selector} spend {r.amount} per {window_text(r.window)}",
    GapRule: lambda r: f"{r.selector} {window_text(r.window)}",
    BlockRule: lambda r: f"{r.selector} for {condition_text(r.condition)}",
    CooldownRule: lambda r: f"{r.selector} {window_text(r.window)} after event {literal_text(r.event_type)}",
    StopUnopenedRule: lambda r: f"{r.selector} after {r.count} unopened",
    StopConversionRule: lambda r: f"{r.selector} after conversion",
    PreferencesRule: lambda r: "",
}


def rule_ref(rule: Rule) -> str:
    """`global.weekly` (`cap marketing 6 per 7 days`)."""
    return f"`{rule.id}` (`{rule_text(rule)}`)"


def value_text(value) -> str:
    return "null" if value is None else literal_text(value)


def customer_text(customer: dict) -> str:
    """`a customer with tier = "gold", age is null, days_since(last_seen) = 400`."""
    if not customer:
        return "any customer"
    return "a customer with " + ", ".join(f"{name} is null" if value is None else f"{name} = {value_text(value)}"
                     for name, value in customer.items())


def json_value(value):
    """A counter-example value as JSON can hold it exactly (decimals as strings)."""
    return str(value) if isinstance(value, Decimal) else value


def listing(items: list[str], limit: int = 5, word: str = "and") -> str:
    """`a, b and c`, or `a, b, c, d, e and 3 more` for long lists."""
    shown = items if len(items) <= limit else items[:limit] + [f"{len(items) - limit} more"]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {word} " + shown[-1]
