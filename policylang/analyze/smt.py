"""Conditions as z3 formulas: exact reasoning over every possible customer.

A `Space` encodes "some customer at some as-of time" for one policy set. Each
attribute is a z3 value plus a NULL flag; a comparison, `in`, `not in` or
`days_since` holds only when the attribute is not NULL, and `not` is plain
negation: the two-valued logic of docs/language.md ("NULL and two-valued logic"). Text values are
integers: each literal a condition mentions gets its own number and every
other number stands for a text no condition mentions. Integers are z3 integers,
decimals z3 reals (exact), booleans z3 booleans, and a timestamp attribute is
the integer `days_since` of it (any whole number: negative means after T).
A score is its bounded sum: `when` lines contribute their points or 0, `per`
lines their points times a count of at least 0 (a longer window of the same
kind counts at least as many). z3 is imported here only, on first use.
"""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from ..model import (And, Compare, Condition, Const, DaysSince, InList, IsNull, Not, Or, PolicySet, ScoreCompare,
                     ScorePerEvent, ScorePerTouch, ScoreWhen, SegmentRef, Window)
from ..operators import OPERATORS
from . import finite
from .customers import Customer, Customers, compile_test
from .describe import window_text

OTHER_TEXT = "other"
TIMEOUT_MS = 5000  # per query; linear arithmetic is decided long before this


class Space:
    """The z3 encoding of the customers of one policy set, with one incremental solver."""

    def __init__(self, policy: PolicySet):
        import z3

        self.z3 = z3
        self.policy = policy
        self.solver = z3.Solver()
        self.solver.set("core.minimize", True)
        self.solver.set("timeout", TIMEOUT_MS)
        self._formulas: dict[int, tuple] = {}  # id(condition) -> (condition, formula); the condition keeps the id
        self._regions: dict[tuple, tuple] = {}  # ids of branch conditions -> (conditions, regions)
        self._scores: dict[str, object] = {}
        self._values: dict[str, object] = {}  # attribute -> z3 value
        self._nulls: dict[str, object] = {}  # attribute -> z3 "is NULL" flag
        self._texts: dict[str, dict[str, int]] = {}  # text attribute -> literal -> number
        self._counts: dict[tuple, object] = {}  # (kind, what, hours) -> count of touches or events in a window
        self._names: dict[str, tuple] = {}  # z3 constant name -> what it stands for
        self.customers = Customers(self)  # customers found by `never`, which settle later queries
        self._tests: dict[int, tuple] = {}  # id(condition) -> (condition, compiled test)
        self._plain: dict[int, tuple] = {}  # id(condition) -> (condition, `finite.Plain` or None)

    # --- translation -------------------------------------------------------

    def formula(self, condition: Condition | None):
        """The z3 formula of `condition` (None, the `otherwise` branch, is true)."""
        if condition is None:
            return self.z3.BoolVal(True)
        found = self._formulas.get(id(condition))  # by identity: hashing deep conditions costs more than z3
        if found is None:
            found = self._formulas[id(condition)] = (condition, self._translate(condition))
        return found[1]

    def test(self, condition: Condition):
        """`condition` compiled to a Python test of a `customers.Customer`: exactly its formula's value."""
        found = self._tests.get(id(condition))
        if found is None:
            found = self._tests[id(condition)] = (condition, compile_test(self, condition, self.test))
        return found[1]

    def first_match(self, conditions) -> list:
        """For branches tried in order, the formula "branch i is the first that holds"."""
        conditions = tuple(conditions)
        key = tuple(map(id, conditions))
        if key not in self._regions:
            z3, regions, earlier = self.z3, [], []
            for condition in conditions:
                f = self.formula(condition)
                regions.append(z3.And(f, z3.Not(z3.Or(earlier))) if earlier else f)
                earlier.append(f)
            self._regions[key] = (conditions, regions)
        return self._regions[key][1]

    def _translate(self, c: Condition):
        z3 = self.z3
        match c:
            case Const(value):
                return z3.BoolVal(value)
            case Compare(attr, _, op, value):
                return z3.And(z3.Not(self._null(attr)), _compare(self._value(attr), op, self._literal(attr, value)))
            case InList(attr, _, values, negated):
                var = self._value(attr)
                equal = [var == self._literal(attr, v) for v in values]
                test = z3.And([z3.Not(e) for e in equal]) if negated else z3.Or(equal)
                return z3.And(z3.Not(self._null(attr)), test)
            case IsNull(attr, negated):
                null = self._null(attr)
                return z3.Not(null) if negated else null
            case DaysSince(attr, op, value):
                return z3.And(z3.Not(self._null(attr)), _compare(self._value(attr), op, z3.IntVal(value)))
            case ScoreCompare(name, op, value):
                return _compare(z3.ToReal(self.score(name)), op, self._real(value))
            case Not(operand):
                return z3.Not(self.formula(operand))
            case And(operands):
                return z3.And([self.formula(o) for o in operands])
            case Or(operands):
                return z3.Or([self.formula(o) for o in operands])
            case SegmentRef(_, inner):
                return self.formula(inner)
        raise TypeError(f"not a condition: {c!r}")

    def score(self, name: str):
        """The score as a z3 integer: the sum of its lines."""
        if name not in self._scores:
            z3, terms = self.z3, []
            for line in self.policy.scores[name].lines:
                match line:
                    case ScoreWhen(points, condition):
                        terms.append(z3.If(self.formula(condition), z3.IntVal(points), z3.IntVal(0)))
                    case ScorePerTouch() | ScorePerEvent():
                        terms.append(line.points * self._count(self.count_key(line)))
            self._scores[name] = z3.Sum(terms) if terms else z3.IntVal(0)
        return self._scores[name]

    @staticmethod
    def count_key(line: ScorePerTouch | ScorePerEvent) -> tuple:
        """(kind, what, hours): the count of touches or events a `per` line of a score multiplies."""
        if isinstance(line, ScorePerTouch):
            return "touch", f"{line.channel} {line.measure}", line.window.hours
        return "event", f'event "{line.event_type}"', line.window.hours

    def _count(self, key: tuple):
        if key not in self._counts:
            kind, what, hours = key
            count = self._const(f"{what} within {window_text(Window(hours))}", ("count", None), self.z3.Int)
            self.solver.add(count >= 0)  # base level: holds in every later query
            for (k, w, h), other in self._counts.items():
                if (k, w) == (kind, what):
                    self.solver.add(count <= other if hours < h else count >= other)
            self._counts[key] = count
            self.customers.forget()  # they were found without the constraints just added
        return self._counts[key]

    def count_keys(self) -> list[tuple]:
        """The `count_key`s of every count made so far."""
        return list(self._counts)

    def _const(self, name: str, meaning: tuple, sort):
        self._names[name] = meaning
        return sort(name)

    def _type(self, attr: str) -> str:
        return self.policy.attributes[attr]

    def _value(self, attr: str):
        if attr not in self._values:
            kind = self._type(attr)
            sort = {"decimal": self.z3.Real, "boolean": self.z3.Bool}.get(kind, self.z3.Int)
            name = f"days_since({attr})" if kind == "timestamp" else attr
            self._values[attr] = self._const(name, ("value", attr), sort)
        return self._values[attr]

    def _null(self, attr: str):
        if attr not in self._nulls:
            self._nulls[attr] = self._const(f"{attr} is null", ("null", attr), self.z3.Bool)
        return self._nulls[attr]

    def var(self, key: tuple):
        """The z3 constant of ("value", attribute), ("null", attribute) or ("count", count key)."""
        kind, name = key
        if kind == "value":
            return self._value(name)
        return self._null(name) if kind == "null" else self._counts[name]

    def literal_value(self, attr: str, value):
        """A literal compared with `attr` as the Python value of its z3 term: a text's number, a bool,
        an int, or an exact Fraction."""
        kind = self._type(attr)
        if kind == "text":
            return self._text_code(attr, value)
        if kind == "boolean":
            return value
        if kind == "decimal":
            return Fraction(Decimal(value))
        return int(value)

    def _literal(self, attr: str, value):
        """The z3 term of `literal_value`."""
        known = self.literal_value(attr, value)
        if isinstance(known, bool):
            return self.z3.BoolVal(known)
        return self._real(known) if isinstance(known, Fraction) else self.z3.IntVal(known)

    def _text_code(self, attr: str, value: str) -> int:
        codes = self._texts.setdefault(attr, {})
        return codes.setdefault(value, len(codes) + 1)

    def _real(self, value: Decimal | Fraction):
        """An exact z3 real (a ratio, so no decimal spelling can trip z3's parser)."""
        ratio = Fraction(value)
        return self.z3.RealVal(f"{ratio.numerator}/{ratio.denominator}")

    # --- queries -------------------------------------------------------------

    def impossible(self, *formulas) -> bool:
        """No customer satisfies every formula (proved: a timeout is not a proof)."""
        return self._check(formulas) == self.z3.unsat

    def never(self, holding=(), failing=()) -> bool:
        """No customer for whom every `holding` condition holds and every `failing` one fails: as
        `impossible` of their formulas, but a customer an earlier `never` found that fits answers
        without z3, so does `finite.search` when no condition depends on a count, and a customer
        either finds is kept for later queries."""
        holding, failing = tuple(holding), tuple(failing)
        plain = []
        for condition in holding + failing:
            plain.append(finite.plain(self, condition, self._plain))
            if plain[-1] is None:
                self.formula(condition)  # first, as it may make counts, and so forget customers
        if self.customers.find(holding, failing):
            return False
        if None not in plain:
            found = finite.search(self, plain[:len(holding)], plain[len(holding):])
            if found is False:
                return True
            if found is not None and self.customers.add(found, holding, failing):
                return False
        z3 = self.z3
        self.solver.push()
        try:
            self.solver.add(*(self.formula(c) for c in holding), *(z3.Not(self.formula(c)) for c in failing))
            result = self.solver.check()
            if result == z3.sat:
                self.customers.add(Customer(self, self.solver.model()), holding, failing)
            return result == z3.unsat
        finally:
            self.solver.pop()

    def example(self, *formulas) -> dict | None:
        """A customer for whom every formula holds, as {attribute: value}, or None if none is found.

        Only what the formulas mention is shown: attribute values (None for NULL),
        `days_since(x)` for a timestamp, and the touch and event counts of scores that are not 0."""
        found = self.witness(formulas)
        return found[0] if found else None

    def plain_example(self, *conditions) -> dict | None:
        """A customer for whom every condition holds, shown as `example` shows one but found as
        `never` finds one (a known customer, else the finite search): None when a condition depends
        on a count (ask `example`), or when there is none. Only the attributes the conditions
        mention are shown."""
        plains = [finite.plain(self, c, self._plain) for c in conditions]
        if None in plains:
            return None
        customer = self.customers.first(conditions, (), anyone=True)
        if customer is None and not self.never(holding=conditions):
            customer = self.customers.first(conditions, (), anyone=True)
        if customer is None:
            return None
        shown = {}
        for attr in sorted({attr for p in plains for attr in p.literals}):
            name = f"days_since({attr})" if self._type(attr) == "timestamp" else attr
            shown[attr if customer[("null", attr)] else name] = (
                None if customer[("null", attr)] else self._shown_value(attr, customer[("value", attr)]))
        return shown

    def _shown_value(self, attr: str, value):
        """A customer's value of `attr` (an int, bool or Fraction) as `example` shows it."""
        kind = self._type(attr)
        if kind == "text":
            codes = self._texts.get(attr, {})
            return next((text for text, n in codes.items() if n == value), None) or _fresh_text(codes)
        if kind == "decimal":
            return _fraction(Fraction(value))
        return value

    def witness(self, formulas, terms=()) -> tuple[dict, list] | None:
        """As `example`, with the values `terms` (z3 integer or real terms) take for that customer."""
        found = []
        self._check(formulas, terms, found)
        return found[0] if found else None

    def _check(self, formulas, terms=(), found: list | None = None):
        self.solver.push()
        try:
            self.solver.add(*formulas)
            result = self.solver.check()
            if result == self.z3.sat and found is not None:
                model = self.solver.model()
                # completing the terms' values adds the attributes they read to the model, so the
                # customer decoded after them is the one the values hold for
                values = [_number(model.eval(t, model_completion=True)) for t in terms]
                found.append((self._decode(model), values))
            return result
        finally:
            self.solver.pop()

    def conflict(self, formula, parts: list[tuple[object, object]]) -> list | None:
        """Which of `parts` (key, formula) cannot hold together with `formula`: the keys of a
        small unsatisfiable core, or None when they can all hold."""
        z3 = self.z3
        flags = [z3.Bool(f"part {i}") for i in range(len(parts))]  # a space: no attribute can be named so
        self.solver.push()
        try:
            self.solver.add(formula, *(z3.Implies(flag, part) for flag, (_, part) in zip(flags, parts)))
            if self.solver.check(*flags) != z3.unsat:
                return None
            core = {str(f) for f in self.solver.unsat_core()}
            return [key for flag, (key, _) in zip(flags, parts) if str(flag) in core]
        finally:
            self.solver.pop()

    def _decode(self, model) -> dict:
        """The model's customer: every attribute the model assigns (those the asserted formulas
        constrain, and those a completed term read), and the touch and event counts that are not
        0 (a count not shown is 0)."""
        assigned = {}  # (kind, attribute or count name) -> z3 value
        for decl in model.decls():
            meaning = self._names.get(decl.name())
            if meaning is not None:
                assigned[meaning if meaning[0] != "count" else ("count", decl.name())] = model[decl]
        customer: dict[str, object] = {}
        for attr in sorted({attr for kind, attr in assigned if kind != "count"}):
            if self.z3.is_true(assigned.get(("null", attr), False)):
                customer[attr] = None
            else:
                shown = f"days_since({attr})" if self._type(attr) == "timestamp" else attr
                customer[shown] = self._attribute(model, attr)
        for (kind, name), value in sorted(assigned.items()):
            if kind == "count" and value.as_long() != 0:
                customer[name] = value.as_long()
        return customer

    def _attribute(self, model, attr: str):
        kind, var = self._type(attr), self._value(attr)
        value = model.eval(var, model_completion=True)
        if kind == "boolean":
            return self.z3.is_true(value)
        number = _number(value)
        if kind != "text":
            return number
        codes = self._texts.get(attr, {})
        by_number = {n: text for text, n in codes.items()}
        return by_number.get(number) or _fresh_text(codes)


def _number(value):
    """A z3 numeral as an int, an exact Decimal, or (a non-terminating fraction) text `p/q`."""
    import z3

    if z3.is_int_value(value):
        return value.as_long()
    return _fraction(Fraction(value.as_fraction()))


def _fraction(fraction: Fraction):
    """An exact Decimal, or (a non-terminating fraction) text `p/q`."""
    if fraction.denominator == 1:
        return Decimal(fraction.numerator)
    exact = Decimal(fraction.numerator) / Decimal(fraction.denominator)
    return exact if exact * fraction.denominator == fraction.numerator else str(fraction)


def _fresh_text(used) -> str:
    """A text value no condition mentions."""
    text, n = OTHER_TEXT, 1
    while text in used:
        n += 1
        text = f"{OTHER_TEXT}_{n}"
    return text


def _compare(left, op: str, right):
    return OPERATORS[op](left, right)


def lazy_space(policy: PolicySet):
    """A function returning the policy's `Space`, built (and z3 imported) on the first call."""
    built: list[Space] = []

    def space() -> Space:
        if not built:
            built.append(Space(policy))
        return built[0]

    return space
