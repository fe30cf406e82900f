"""Queries over finitely many candidate customers: exact answers without z3 for plain conditions.

A condition built from attribute tests (comparisons, `in`, `is null`,
`days_since`) and scores made only of `when` lines holds or fails alike for
every value between two neighbouring literals the tests mention. So for each
attribute a query mentions, a few candidates stand for every value: NULL, each
literal, and for integers (and the whole days of a timestamp) each literal's
two neighbours, for decimals the points between and beyond the literals, for
texts the number of a text no condition mentions (0: literals are numbered from
1), for booleans true and false. `search` tries the candidates attribute by
attribute, in the order the conditions mention them, and drops a partial
customer as soon as a condition it fixes has the wrong value (three-valued:
a condition on an attribute not yet chosen is undecided). Trying them all
without finding a customer proves there is none, exactly as z3 would; a search
that would take more than `BUDGET` steps, or a condition on a count (a score's
`per` line), is left to z3. Values follow the encoding of `smt` and
`customers` (`Space.literal_value`), so a customer found is a `Customer` of the
space as much as a z3 model's is.
"""
from __future__ import annotations

from fractions import Fraction

from ..model import (And, Compare, Condition, Const, DaysSince, InList, IsNull, Not, Or, ScoreCompare, ScoreWhen,
                     SegmentRef)
from ..operators import OPERATORS

BUDGET = 400  # partial customers tried per query; past that, z3 is the cheaper way
OTHER = 0  # the number of a text no condition mentions


class Plain:
    """The literals of a condition by attribute, and its three-valued test; `None` for a condition on a count."""

    __slots__ = ("literals", "test")

    def __init__(self, literals: dict, test):
        self.literals, self.test = literals, test


class Assigned(dict):
    """A customer found by `search`, by `Space.var` key: an attribute the query does not mention is NULL
    (its value 0), and every count is 0."""

    __slots__ = ()

    def __missing__(self, key: tuple):
        return True if key[0] == "null" else 0


def plain(space, condition: Condition, cache: dict) -> Plain | None:
    """`condition` as a `Plain`, or None when it depends on a count; `cache` is the space's, by id.

    Literals are numbered (`Space.literal_value`) in the order `Space.formula` would number them."""
    found = cache.get(id(condition))
    if found is None:
        found = cache[id(condition)] = (condition, _plain(space, condition, cache))
    return found[1]


def _plain(space, c: Condition, cache: dict) -> Plain | None:
    match c:
        case SegmentRef(_, inner):
            return plain(space, inner, cache)
        case Not(operand):
            inner = plain(space, operand, cache)
            if inner is None:
                return None
            test = inner.test
            return Plain(inner.literals, lambda a: None if (r := test(a)) is None else not r)
        case And(operands) | Or(operands):
            parts = []
            for o in operands:
                part = plain(space, o, cache)
                if part is None:
                    return None
                parts.append(part)
            tests = [p.test for p in parts]
            return Plain(_merge(parts), _connective(tests, not isinstance(c, And)))
        case Compare(attr, _, op, value):
            literal, compare = space.literal_value(attr, value), OPERATORS[op]
            return Plain({attr: {literal}}, _atom(attr, lambda v: compare(v, literal)))
        case InList(attr, _, values, negated):
            literals = tuple(space.literal_value(attr, v) for v in values)
            return Plain({attr: set(literals)},
                         _atom(attr, (lambda v: v not in literals) if negated else (lambda v: v in literals)))
        case IsNull(attr, negated):
            return Plain({attr: set()}, lambda a: None if (got := a.get(attr)) is None else got[0] != negated)
        case DaysSince(attr, op, value):
            compare = OPERATORS[op]
            return Plain({attr: {value}}, _atom(attr, lambda v: compare(v, value)))
        case ScoreCompare(name, op, value):
            return _score(space, name, OPERATORS[op], Fraction(value), cache)
        case Const(value):
            return Plain({}, lambda a: value)
    raise TypeError(f"not a condition: {c!r}")


def _atom(attr: str, holds):
    """The three-valued test of a comparison of `attr`: false for NULL, undecided before `attr` is chosen."""
    def test(a):
        got = a.get(attr)
        if got is None:
            return None
        return not got[0] and holds(got[1])
    return test


def _connective(tests, decisive: bool):
    """Three-valued `and` (decisive False) or `or` (decisive True): the decisive value as soon as one
    test gives it, else undecided while any test is, else the other value."""
    def test(a):
        undecided = False
        for t in tests:
            r = t(a)
            if r is decisive:
                return decisive
            undecided = undecided or r is None
        return None if undecided else not decisive
    return test


def _score(space, name: str, compare, bound: Fraction, cache: dict) -> Plain | None:
    """A score compared with `bound`: decided once every `when` line is; None with a `per` line."""
    lines = space.policy.scores[name].lines
    if not all(isinstance(line, ScoreWhen) for line in lines):
        return None
    parts = [(line.points, plain(space, line.condition, cache)) for line in lines]
    if any(part is None for _, part in parts):
        return None

    def test(a):
        total = 0
        for points, part in parts:
            r = part.test(a)
            if r is None:
                return None
            total += points if r else 0
        return compare(total, bound)
    return Plain(_merge([p for _, p in parts]), test)


def _merge(parts) -> dict:
    literals: dict = {}
    for part in parts:
        for attr, values in part.literals.items():
            literals.setdefault(attr, set()).update(values)
    return literals


def candidates(kind: str, literals: set) -> list:
    """Values of an attribute of type `kind` that stand for all of them, given the literals compared with it."""
    if kind == "boolean":
        return [False, True]
    if kind == "text":
        return sorted(literals) + [OTHER]
    if not literals:
        return [0]
    points = sorted(literals)
    if kind == "decimal":
        between = [(x + y) / 2 for x, y in zip(points, points[1:])]
    else:  # integers and the days of a timestamp: an integer strictly between two literals, where there is one
        between = [x + 1 for x, y in zip(points, points[1:]) if y - x > 1]
    return sorted({points[0] - 1, *points, *between, points[-1] + 1})


def search(space, holding: list[Plain], failing: list[Plain]):
    """A customer for whom every `holding` condition holds and every `failing` one fails (an `Assigned`),
    False when there is none, or None when the search would take more than `BUDGET` steps."""
    literals = _merge(holding + failing)
    order = list(literals)
    choices = [[(False, v) for v in candidates(space.policy.attributes[attr], literals[attr])] + [(True, 0)]
               for attr in order]
    wanted = [(p.test, True) for p in holding] + [(p.test, False) for p in failing]
    chosen: dict = {}
    steps = 0

    def extend(i: int, pending: list):
        """True when choices for attributes i, i+1, ... decide every `pending` test as wanted (a decided
        test stays decided), False when none do, None past the budget."""
        nonlocal steps
        for choice in choices[i]:
            steps += 1
            if steps > BUDGET:
                return None
            chosen[order[i]] = choice
            undecided = []
            for test, want in pending:
                r = test(chosen)
                if r is None:
                    undecided.append((test, want))
                elif r is not want:
                    break
            else:
                fits = not undecided or (i + 1 < len(order) and extend(i + 1, undecided))
                if fits is None or fits:
                    return fits
        del chosen[order[i]]
        return False

    if order:
        fits = extend(0, wanted)
    else:
        fits = all(test(chosen) is want for test, want in wanted)
    if fits is None:
        return None
    if not fits:
        return False
    customer = Assigned()
    for attr, (null, value) in chosen.items():
        customer[("null", attr)], customer[("value", attr)] = null, value
    return customer
