"""Known customers (`analyze.customers`): the exact pre-filter in front of z3.

`Space.never` must answer exactly what `Space.impossible` answers for the same
formulas, whichever customers earlier queries left behind; a compiled test
must give each customer the value z3's model gives the condition's formula;
and a query a known customer fits is settled without the solver.
"""
from hypothesis import HealthCheck, given, settings
from reference_support import policy

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
    z3 = space.z3
    for customer in space.customers.all:
        for c in conds:
            by_z3 = z3.is_true(customer._model.eval(space.formula(c), model_completion=True))
            assert space.test(c)(customer) == by_z3, c


def test_a_known_customer_settles_a_query_without_the_solver():
    policy_set = policy('segment gold: tier = "gold"\nsegment old: age > 60\nsegment rich: balance > 100\n')
    gold, old, rich = (policy_set.segments[f"global.{n}"].condition for n in ("gold", "old", "rich"))
    space = Space(policy_set)
    space.solver = solver = CountingSolver(space.solver)
    assert not space.never(holding=[gold], failing=[old])  # z3 finds a gold customer who is not old
    assert solver.checks == 1
    customer = space.customers.all[0]
    if not space.test(rich)(customer):
        assert not space.never(holding=[gold], failing=[rich])  # the same customer, known: no solver call
        assert solver.checks == 1
    assert space.never(holding=[gold], failing=[gold])  # a proof still needs z3
    assert solver.checks == 2


def test_a_new_count_forgets_the_known_customers():
    policy_set = policy('segment gold: tier = "gold"\nsegment fan: score fit > 20\n', scores=SCORES)
    gold, fan = (policy_set.segments[f"global.{n}"].condition for n in ("gold", "fan"))
    space = Space(policy_set)
    assert not space.never(holding=[gold])
    assert space.customers.all
    space.formula(fan)  # its score counts opens: a new count, with constraints the customers were not found under
    assert space.customers.all == []
    assert not space.never(holding=[fan], failing=[gold])  # 5 per open: a fan need not be gold
