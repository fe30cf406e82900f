"""Contention between business units (PL501).

A global cap counts every unit's messages. When two or more units cap a
selector the global cap covers (`email` under `cap marketing …`, or the same
selector), and what their caps let through within the global cap's window adds
up to more than the global cap allows for one customer, the units compete for
that customer: whichever sends first uses up the global allowance and the
others are suppressed although their own caps would pass. Each unit counts
with its tightest cap on the selector; a cap over a shorter window than the
global one lets through its limit once per piece of the global window. Spend
caps are compared with spend caps. With tiers the sum is taken per customer,
and z3 finds a customer for whom it exceeds the global limit.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, Related
from ..model import CapRule, PolicySet, Selector, SpendCapRule
from .describe import customer_text, json_value, listing, window_text
from .limits import SPEND, Limit, capacity, limits
from .smt import lazy_space


def check(policy: PolicySet, space=None) -> list[Diagnostic]:
    """The findings; `space` is a shared `lazy_space(policy)`, made here when not given."""
    space = space or lazy_space(policy)
    caps = [limit for limit in limits(policy) if isinstance(limit.rule, (CapRule, SpendCapRule))]
    findings, terms = [], {}
    for g in (c for c in caps if c.rule.is_global):
        groups: dict[Selector, dict[str, list[Limit]]] = {}
        for u in caps:
            if not u.rule.is_global and u.kind == g.kind and g.selector.covers(u.selector):
                groups.setdefault(u.selector, {}).setdefault(u.scope, []).append(u)
        for selector, units in groups.items():
            if len(units) > 1:
                findings += _contention(space, g, selector, units, terms)
    return findings


def _contention(space, g: Limit, selector: Selector, units: dict[str, list[Limit]], terms: dict) -> list[Diagnostic]:
    if g.is_flat and all(u.is_flat for caps in units.values() for u in caps):
        allowed = {scope: min(_capacities(u, g)[0] for u in caps) for scope, caps in units.items()}
        found = ({}, g.branches[0].limit, allowed) if sum(allowed.values()) > g.branches[0].limit else None
    else:
        found = _tiered(space(), g, units, terms)
    if found is None:
        return []
    customer, limit, allowed = found
    total = sum(allowed.values())
    shares = listing([f"`{scope}` ({amount})" for scope, amount in allowed.items()], limit=8)
    demand = (f"spend up to {total} on `{selector}`" if g.kind == SPEND
              else f"send up to {total} `{selector}` messages")
    for_whom = f" (for {customer_text(customer)})" if customer else ""
    alone = [scope for scope, amount in allowed.items() if amount >= limit]
    worst = f" ({listing([f'`{a}`' for a in alone], word='or')} alone can use up all of it)" if alone else ""
    message = (f"business units {shares} may {demand} within {window_text(g.window)} to one customer, but the "
               f"global `{g.rule.id}` allows {limit}{for_whom}: whichever unit sends first can starve the others"
               f"{worst}; lower the units' caps to sum to at most {limit}, or raise the global cap")
    related = tuple(Related(u.rule.span, f"`{scope}` caps `{selector}` here")
                    for scope in allowed for u in units[scope])
    share = ("a unit's share is what its tightest cap on the selector lets through in the global cap's window "
             "(a cap over a shorter window lets its limit through once per piece of it)")
    return [Diagnostic("PL501", message, g.rule.span, help=share, related=related,
                       data={"global_rule": g.rule.id, "selector": str(selector), "global_limit": json_value(limit),
                             "units": {scope: json_value(v) for scope, v in allowed.items()}, "alone": alone,
                             "rules": {scope: [u.rule.id for u in units[scope]] for scope in allowed},
                             "example": {k: json_value(v) for k, v in customer.items()}})]


def _capacities(u: Limit, g: Limit) -> list:
    return [capacity(b.limit, u.window, g.window) for b in u.branches]


def _tiered(s, g: Limit, units: dict[str, list[Limit]], terms: dict):
    """A customer for whom the units' caps sum to more than the global cap's limit, with
    that limit and each applying unit's allowance; None when there is none. `terms` keeps
    the z3 terms of each limit and unit for the next group that needs them."""
    z3 = s.z3

    def chosen(limit: Limit, values) -> tuple:
        """(applies, value): the limit's first holding branch gives the value."""
        key = (id(limit.rule), tuple(values))
        if key not in terms:
            value = z3.IntVal(0)
            for condition, v in reversed(list(zip(limit.conditions, values))):
                value = z3.IntVal(v) if condition is None else z3.If(s.formula(condition), z3.IntVal(v), value)
            terms[key] = (limit, z3.Or(s.first_match(limit.conditions)), value)
        return terms[key][1:]

    def unit(caps: list[Limit]) -> tuple:
        """(applies, allowance, allowance where it applies or 0): the tightest of the unit's caps."""
        key = (tuple(id(u.rule) for u in caps), g.window.hours)
        if key not in terms:
            flat = [_capacities(u, g)[0] for u in caps if u.is_flat]
            tightest, applies = (z3.IntVal(min(flat)), z3.BoolVal(True)) if flat else (None, None)
            for a, v in (chosen(u, _capacities(u, g)) for u in caps if not u.is_flat):
                if tightest is None:
                    tightest, applies = v, a
                else:
                    tightest = z3.If(z3.And(a, z3.Or(z3.Not(applies), v < tightest)), v, tightest)
                    applies = z3.Or(applies, a)
            terms[key] = (caps, applies, tightest, tightest if flat else z3.If(applies, tightest, 0))
        return terms[key][1:]

    g_applies, g_limit = chosen(g, [b.limit for b in g.branches])
    scopes = list(units)
    parts = [unit(units[scope]) for scope in scopes]
    flags = [z3.If(applies, 1, 0) for applies, _, _ in parts]
    used = z3.Sum([counted for _, _, counted in parts])
    found = s.witness([g_applies, z3.Sum(flags) >= 2, used > g_limit], [g_limit, *flags, *(a for _, a, _ in parts)])
    if found is None:
        return None
    customer, values = found
    n = len(scopes)
    return customer, values[0], {scope: values[1 + n + k] for k, scope in enumerate(scopes) if values[1 + k] == 1}
