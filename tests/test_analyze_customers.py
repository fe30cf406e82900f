"""Known customers (`analyze.customers`) and the finite search (`analyze.finite`): exact pre-checks in front of z3.

`Space.never` must answer exactly what `Space.impossible` answers for the same
formulas, whichever customers earlier queries left behind; a compiled test
must give each customer (a z3 model's or one the search found) the value z3
gives the condition's formula for it; a query a known customer fits is settled
without the solver, and so is any query on conditions that depend on no count,
unless its search runs out of steps.
"""
from hypothesis import HealthCheck, given, settings
from reference_support import policy

from policylang.analyze import finite
from policylang.analyze.smt import Space
from policylang.model import BlockRule, CapRule
from policylang.project import load_texts, require_policy
from strategies.config import make_config
from strategies.policies import policy_sets

PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCORES = """score fit {
  +20 when tier = "gold"
  +5 per email opened within 30 days
}"""


def conditions(policy_set) -> list:
    """Conditions of the policy set's blocks, tiers and segments (segments inlined): the analyses' material."""
    found = [s.condition for s in policy_set.segments.values()]
    for rule in policy_set.rules:
        if isinstance(rule, BlockRule):
            found.append(rule.condition)
        elif isinstance(rule, CapRule):
            found += [t.condition for t in rule.tiers if t.condition is not None]
    return found[:10]


class CountingSolver:
    """The space's solver, counting `check` calls."""

    def __init__(self, solver):
        self.solver, self.checks = solver, 0

    def __getattr__(self, name):
        return getattr(self.solver, name)

    def check(self, *args):
        self.checks += 1
        return self.solver.check(*args)


@PROPERTY
@given(policy_sets())
def test_never_answers_as_z3_does_for_every_pair(files):
    policy_set = require_policy(load_texts(files, make_config()))
    conds = conditions(policy_set)
    fast, plain = Space(policy_set), Space(policy_set)  # `plain` only ever asks z3
    z3 = plain.z3
    for b in conds:
        assert fast.never(holding=[b]) == plain.impossible(plain.formula(b))
        assert fast.never(failing=[b]) == plain.impossible(z3.Not(plain.formula(b)))
        for a in conds:
            expected = plain.impossible(plain.formula(b), z3.Not(plain.formula(a)))
            assert fast.never(holding=[b], failing=[a]) == expected, (b, a)


@PROPERTY
@given(policy_sets())
def test_compiled_tests_agree_with_z3_models(files):
    policy_set = require_policy(load_texts(files, make_config()))
    conds = conditions(policy_set)
    space = Space(policy_set)
    for b in conds:
        space.never(holding=[b])
        space.never(failing=[b])
    for customer in space.customers.all:
        for c in conds:
            assert space.test(c)(customer) == z3_value(space, customer, space.formula(c)), c


def z3_value(space, customer, formula) -> bool:
    """The formula's value for the customer, by z3: its model's, or with the customer's values put in."""
    z3 = space.z3
    if isinstance(customer, finite.Assigned):
        keys = [(kind, attr) for attr in space.policy.attributes for kind in ("value", "null")]
        keys += [("count", key) for key in space.count_keys()]
        pairs = []
        for key in keys:
            var, value = space.var(key), customer[key]
            pairs.append((var, z3.BoolVal(bool(value)) if z3.is_bool(var)
                          else z3.IntVal(value) if z3.is_int(var) else z3.RealVal(str(value))))
        return z3.is_true(z3.simplify(z3.substitute(formula, *pairs)))
    return z3.is_true(customer._model.eval(formula, model_completion=True))


@PROPERTY
@given(policy_sets())
def test_the_finite_search_answers_as_z3_does(files):
    policy_set = require_policy(load_texts(files, make_config()))
    conds = conditions(policy_set)
    space = Space(policy_set)
    z3 = space.z3
    for b in conds:
        for a in [None, *conds]:
            parts = [finite.plain(space, c, {}) for c in (b, a) if c is not None]
            if None in parts:
                continue  # on a count: z3's
            found = finite.search(space, parts[:1], parts[1:])
            formulas = [space.formula(b)] + ([z3.Not(space.formula(a))] if a is not None else [])
            if found is False:
                assert space.impossible(*formulas), (b, a)
            elif found is not None:
                assert all(z3_value(space, found, f) for f in formulas), (b, a)


def test_a_known_customer_settles_a_query_without_the_solver():
    policy_set = policy('segment fan: score fit > 20\nsegment old: age > 60\nsegment rich: balance > 100\n',
                        scores=SCORES)
    fan, old, rich = (policy_set.segments[f"global.{n}"].condition for n in ("fan", "old", "rich"))
    space = Space(policy_set)
    space.solver = solver = CountingSolver(space.solver)
    assert not space.never(holding=[fan], failing=[old])  # a count: z3 finds a fan who is not old
    assert solver.checks == 1
    customer = space.customers.all[0]
    if not space.test(rich)(customer):
        assert not space.never(holding=[fan], failing=[rich])  # the same customer, known: no solver call
        assert solver.checks == 1
    assert space.never(holding=[fan], failing=[fan])  # a proof still needs z3
    assert solver.checks == 2


def test_conditions_on_attributes_alone_are_decided_without_the_solver():
    segments = {"gold": 'tier in ("gold", "platinum")',
                "a": '(tier = "gold" or age >= 40) and not balance is null and days_since(last_purchase_at) > 30',
                "b": '(tier = "gold" or age >= 30) and not balance is null and days_since(last_purchase_at) > 20',
                "c": '(tier = "silver" or age >= 50) and balance > 2.5 and days_since(last_purchase_at) > 20'}
    policy_set = policy("".join(f"segment {name}: {text}\n" for name, text in segments.items()))
    gold, a, b, c = (policy_set.segments[f"global.{n}"].condition for n in ("gold", "a", "b", "c"))
    space = Space(policy_set)
    space.solver = solver = CountingSolver(space.solver)
    assert space.never(holding=[a, gold], failing=[b])  # a gold customer in a is in b: proved by the search
    assert not space.never(holding=[b, gold], failing=[a])  # one who bought 25 days ago is not
    assert not space.never(holding=[a, gold], failing=[c])  # a balance of 1
    assert space.never(holding=[c, gold], failing=[b])  # gold, so over 50
    assert solver.checks == 0
    assert len(space.customers.all) == 2


def test_a_search_past_its_budget_is_left_to_z3(monkeypatch):
    policy_set = policy('segment a: age > 10 and balance < 3\nsegment b: age > 11\n')
    a, b = (policy_set.segments[f"global.{n}"].condition for n in ("a", "b"))
    space = Space(policy_set)
    space.solver = solver = CountingSolver(space.solver)
    monkeypatch.setattr(finite, "BUDGET", 1)
    assert not space.never(holding=[a], failing=[b])  # age 11
    assert solver.checks == 1


def test_a_new_count_forgets_the_known_customers():
    policy_set = policy('segment gold: tier = "gold"\nsegment fan: score fit > 20\n', scores=SCORES)
    gold, fan = (policy_set.segments[f"global.{n}"].condition for n in ("gold", "fan"))
    space = Space(policy_set)
    assert not space.never(holding=[gold])
    assert space.customers.all
    space.formula(fan)  # its score counts opens: a new count, with constraints the customers were not found under
    assert space.customers.all == []
    assert not space.never(holding=[fan], failing=[gold])  # 5 per open: a fan need not be gold
