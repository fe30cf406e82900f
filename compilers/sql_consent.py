"""Consent in force: one join and one arg-max by specificity (SPEC 5.4.2).

`pl_consent` pairs each candidate with the consent rows that match it (same
channel, topic equal or NULL, brand equal or NULL, in force at T) and numbers
them per (customer, channel, topic, business unit), what consent depends on:
most specific topic, then most specific brand, then latest `updated_at` (a
NULL one is in force and older than any date), and on a full tie `opt_out`
first. Row 1 is the effective consent; `opt_in` is 1 only when its status is
exactly `opt_in` (anything else counts as `opt_out`). No row at all is "no
answer". Keying by what consent depends on rather than by `candidate_id`
keeps a candidate with a NULL id (bad data) from losing its consent row.
"""
from __future__ import annotations

from sqlglot import exp

from policylang.model import ConsentRule, PolicySet

from .sql_dialects import Target
from .sql_sources import Rows, all_of, cte, flag, is_null, text

NAME = "pl_consent"
NO_TOPIC = ""  # the key of a NULL topic; never a declared topic, so never a candidate that gets this far


def _specific(value: exp.Expression) -> exp.Ordered:
    return exp.Ordered(this=flag(exp.not_(is_null(value))), desc=True)


def _keys(candidates: Rows) -> dict[str, exp.Expression]:
    """What a candidate's consent depends on, by the column names of `pl_consent`."""
    return {"customer_id": candidates.key, "channel": candidates["channel"],
            "topic_key": exp.Coalesce(this=candidates["topic"], expressions=[text(NO_TOPIC)]),
            "business_unit": candidates["business_unit"]}


def consent_select(target: Target, policy: PolicySet) -> exp.Select:
    candidates = Rows(target, policy, "candidates", "c")
    channels = [rule.channel for rule in policy.rules if isinstance(rule, ConsentRule)]
    k = Rows(target, policy, "consents", "k")
    on = all_of(
        exp.EQ(this=k.key, expression=candidates.key),
        exp.EQ(this=k["channel"], expression=candidates["channel"]),
        exp.or_(is_null(k.raw("topic")), exp.EQ(this=k["topic"], expression=candidates["topic"])),
        exp.or_(is_null(k.raw("brand")), exp.EQ(this=k["brand"], expression=candidates["business_unit"])),
        exp.or_(is_null(k.raw("updated_at")), k.happened("updated_at")),
    )
    opt_in = flag(k.equals("status", "opt_in"))
    order = [_specific(k.raw("topic")), _specific(k.raw("brand")), _specific(k.raw("updated_at")),
             exp.Ordered(this=k.raw("updated_at"), desc=True), exp.Ordered(this=opt_in.copy())]
    keys = _keys(candidates)
    pick = exp.Window(this=exp.RowNumber(), partition_by=[v.copy() for v in keys.values()],
                      order=exp.Order(expressions=order))
    return (exp.select(*[exp.alias_(v, name) for name, v in keys.items()], exp.alias_(opt_in, "opt_in"),
                       exp.alias_(pick, "pick"))
            .from_(candidates.source).join(k.source, on=on)
            .where(exp.In(this=candidates["channel"], expressions=[text(c) for c in channels])))


def consent_join(query: exp.Select, candidates: Rows, alias: str = "k") -> exp.Select:
    """`query` over `candidates` LEFT JOINed to the candidate's effective consent row."""
    on = all_of(*[exp.EQ(this=exp.column(name, table=alias), expression=v) for name, v in _keys(candidates).items()],
                exp.EQ(this=exp.column("pick", table=alias), expression=exp.Literal.number(1)))
    return query.join(cte(NAME, alias), on=on, join_type="left", copy=False)


def consent_fails(rule: ConsentRule, candidates: Rows, alias: str = "k") -> exp.Expression:
    """The candidate is on the rule's channel and its effective consent does not allow it."""
    opt_in = exp.column("opt_in", table=alias)
    refused = (exp.EQ(this=exp.Coalesce(this=opt_in, expressions=[exp.Literal.number(0)]),
                      expression=exp.Literal.number(0))
               if rule.requires_opt_in else exp.EQ(this=opt_in, expression=exp.Literal.number(0)))
    return exp.and_(candidates.equals("channel", rule.channel), refused)
