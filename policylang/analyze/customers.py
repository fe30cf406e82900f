"""Customers met so far: z3 models kept as concrete customers, to settle later queries without z3.

A query "is there a customer for whom conditions H hold and conditions F fail?"
is answered yes, exactly, by any one such customer. `Customers` keeps every
customer a `Space` query has found, indexed by the conditions each was found to
satisfy; `test` compiles a condition into a Python function that evaluates it
for one customer the way `Space.formula` encodes it (the same NULL flags, text
numbers, whole days and score sums), so a known customer that fits settles the
query in a few comparisons. Only a query no known customer fits goes on (to
`finite.search`, else z3), which either proves there is none or yields a new customer. Analyses that
compare many rules pairwise (shadowing) thus call z3 about once per rule and
per rule it shadows, not once per pair.

A customer is an assignment of the space's variables that satisfies its base
constraints (counts at least 0, a longer window counting at least as many),
which `Customers.add` checks along with the query; a new count adds
constraints, so `Space` forgets the known customers then.
"""
from __future__ import annotations

from fractions import Fraction

from ..model import (And, Compare, Condition, Const, DaysSince, InList, IsNull, Not, Or, ScoreCompare, ScorePerEvent,
                     ScorePerTouch, ScoreWhen, SegmentRef)
from ..operators import OPERATORS


class Customer(dict):
    """The values one z3 model gives a space's variables, by `Space.var` key, each read on first use:
    a bool for a NULL flag or a boolean, an int, or an exact Fraction for a decimal."""

    __slots__ = ("_space", "_model")

    def __init__(self, space, model):
        super().__init__()
        self._space = space
        self._model = model

    def __missing__(self, key: tuple):
        value = self[key] = _python(self._space.z3, self._model.eval(self._space.var(key), model_completion=True))
        return value


def _python(z3, value):
    if isinstance(value, z3.IntNumRef):
        return value.as_long()
    if isinstance(value, z3.RatNumRef):
        return Fraction(value.numerator_as_long(), value.denominator_as_long())
    truth = z3.Z3_get_bool_value(value.ctx_ref(), value.as_ast())  # one call, where is_true takes several
    if truth == z3.Z3_L_UNDEF:
        raise ValueError(f"not a value: {value}")  # linear arithmetic has only rational values
    return truth == z3.Z3_L_TRUE


def compile_test(space, condition: Condition, test):
    """A function telling whether `condition` holds for a `Customer`; `test` compiles the operands
    (the space's cache of compiled conditions)."""
    match condition:
        case SegmentRef(_, inner):
            return test(inner)
        case And(operands):
            return _all([test(o) for o in operands])
        case Or(operands):
            return _any([test(o) for o in operands])
        case Not(operand):
            inner = test(operand)
            return lambda customer: not inner(customer)
        case Compare(attr, _, op, value):
            null, var, compare, literal = ("null", attr), ("value", attr), OPERATORS[op], space.literal_value(attr, value)
            return lambda customer: not customer[null] and compare(customer[var], literal)
        case InList(attr, _, values, negated):
            null, var, literals = ("null", attr), ("value", attr), tuple(space.literal_value(attr, v) for v in values)
            if negated:
                return lambda customer: not customer[null] and customer[var] not in literals
            return lambda customer: not customer[null] and customer[var] in literals
        case IsNull(attr, negated):
            null = ("null", attr)
            return lambda customer: customer[null] != negated
        case DaysSince(attr, op, value):
            null, var, compare = ("null", attr), ("value", attr), OPERATORS[op]
            return lambda customer: not customer[null] and compare(customer[var], value)
        case ScoreCompare(name, op, value):
            total, compare, bound = _score(space, name, test), OPERATORS[op], Fraction(value)
            return lambda customer: compare(total(customer), bound)
        case Const(value):
            return lambda customer: value
    raise TypeError(f"not a condition: {condition!r}")


def _all(tests):
    def holds(customer):
        for t in tests:
            if not t(customer):
                return False
        return True
    return holds


def _any(tests):
    def holds(customer):
        for t in tests:
            if t(customer):
                return True
        return False
    return holds


def _score(space, name: str, test):
    """The score's sum for a customer, line by line as `Space.score` adds it up."""
    space.score(name)  # makes its counts
    whens, counts = [], []
    for line in space.policy.scores[name].lines:
        match line:
            case ScoreWhen(points, condition):
                whens.append((points, test(condition)))
            case ScorePerTouch() | ScorePerEvent():
                counts.append((line.points, ("count", space.count_key(line))))
    return lambda customer: (sum([points for points, t in whens if t(customer)])
                             + sum([points * customer[key] for points, key in counts]))


def _meets_base(space, customer: Customer) -> bool:
    """Counts at least 0, and of two counts of the same kind the one over the longer window at least as
    large: the constraints `Space` adds with each count."""
    counts = {key: customer[("count", key)] for key in space.count_keys()}
    return all(n >= 0 for n in counts.values()) and all(
        counts[a] <= counts[b] for a in counts for b in counts if a[:2] == b[:2] and a[2] < b[2])


class Customers:
    """The customers a space's queries have found, by the conditions each satisfies."""

    def __init__(self, space):
        self.space = space
        self.all: list[Customer] = []
        self._satisfying: dict[int, tuple[Condition, list[Customer]]] = {}  # id(condition) -> customers

    def forget(self) -> None:
        self.all.clear()
        self._satisfying.clear()

    def find(self, holding: tuple, failing: tuple) -> bool:
        """Is a known customer one for whom every `holding` condition holds and every `failing` one fails?"""
        return self.first(holding, failing) is not None

    def first(self, holding: tuple, failing: tuple, anyone: bool = False):
        """The first known customer for whom every `holding` condition holds and every `failing` one
        fails, or None. Only customers found for a query holding `holding[0]` are tried, or any when
        it is empty or `anyone` is set."""
        test = self.space.test
        if holding and not anyone:
            pool = self._satisfying.get(id(holding[0]), (None, ()))[1]
            holding = holding[1:]  # they all satisfy the first
        else:
            pool = self.all
        holds = [test(c) for c in holding]
        fails = [test(c) for c in failing]
        if not holds and len(fails) == 1:  # the shape of an implication's query: the one to make fast
            fail = fails[0]
            return next((customer for customer in pool if not fail(customer)), None)
        return next((customer for customer in pool
                     if all(h(customer) for h in holds) and not any(f(customer) for f in fails)), None)

    def add(self, customer: dict, holding: tuple, failing: tuple) -> bool:
        """Keep a customer found for the query (a z3 model's `Customer`, or one `finite.search` found), once
        Python agrees that it fits the query and the base constraints; whether it did (it always should;
        one that does not is simply not kept)."""
        space = self.space
        if (not all(space.test(c)(customer) for c in holding) or any(space.test(c)(customer) for c in failing)
                or not _meets_base(space, customer)):
            return False
        self.all.append(customer)
        for condition in holding:
            self._satisfying.setdefault(id(condition), (condition, []))[1].append(customer)
        return True
