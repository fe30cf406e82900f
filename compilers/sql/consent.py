"""Consent in force: one join and one arg-max by specificity (docs/language.md, "Consent").

`pl_consent` pairs each candidate with the consent rows that match it (same
channel, topic equal or NULL, brand equal or NULL, in force at T) and numbers
them per (customer, channel, topic, business unit), what consent depends on:
most specific topic, then most specific brand, then latest `updated_at` (a
NULL one is in force and older than any date), and on a full tie `opt_out`
first. Row 1 is the row in force; `opt_in` is 1 only when its status is
exactly `opt_in` (anything else counts as `opt_out`). Beside it, over the same
partition, the number of matching opt-out rows and the latest opt-out
`updated_at`: an opt-out is never overridden by an older opt-in, so an
`opt_in` row with an opt-out at or after it counts as `opt_out`
(`consent_fails`). No row at all is "no answer".
Keying by what consent depends on rather than by `candidate_id` keeps the
join as narrow as the distinct (customer, channel, topic, unit) it serves.
"""
from __future__ import annotations

from sqlglot import exp

from policylang.model import ConsentRule, PolicySet

from .dialects import Target
from .sources import Rows, all_of, cte, flag, is_null, text

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
        exp.or_(is_null(k.column("updated_at")), k.happened("updated_at")),
    )
    opt_in = flag(k.equals("status", "opt_in"))
    order = [_specific(k.raw("topic")), _specific(k.raw("brand")), _specific(k.column("updated_at")),
             exp.Ordered(this=k.raw("updated_at"), desc=True), exp.Ordered(this=opt_in.copy())]
    keys = _keys(candidates)
    over = lambda function, order=None: exp.Window(this=function, partition_by=[v.copy() for v in keys.values()],
                                                   order=order)
    pick = over(exp.RowNumber(), exp.Order(expressions=order))
    opted_out = exp.EQ(this=opt_in.copy(), expression=exp.Literal.number(0))  # a NULL or unknown status too
    opt_outs = over(exp.Sum(this=flag(opted_out)))
    latest_opt_out = over(exp.Max(this=exp.Case(ifs=[exp.If(this=opted_out.copy(), true=k.raw("updated_at"))])))
    return (exp.select(*[exp.alias_(v, name) for name, v in keys.items()], exp.alias_(opt_in, "opt_in"),
                       exp.alias_(k.raw("updated_at"), "updated_at"), exp.alias_(opt_outs, "opt_outs"),
                       exp.alias_(latest_opt_out, "latest_opt_out"), exp.alias_(pick, "pick"))
            .from_(candidates.source).join(k.source, on=on)
            .where(exp.In(this=candidates["channel"], expressions=[text(c) for c in channels])))


def consent_join(query: exp.Select, candidates: Rows, alias: str = "k") -> exp.Select:
    """`query` over `candidates` LEFT JOINed to the candidate's effective consent row."""
    on = all_of(*[exp.EQ(this=exp.column(name, table=alias), expression=v) for name, v in _keys(candidates).items()],
                exp.EQ(this=exp.column("pick", table=alias), expression=exp.Literal.number(1)))
    return query.join(cte(NAME, alias), on=on, join_type="left", copy=False)


def consent_fails(rule: ConsentRule, candidates: Rows, alias: str = "k") -> exp.Expression:
    """The candidate is on the rule's channel and its effective consent does not allow it: its row
    in force is not `opt_in`, or an opt-out at or after that row overrides it (a NULL `updated_at`
    is older than any date); no row at all is "no answer". The override is read here, over plain
    columns, rather than inside `pl_consent`: MariaDB mis-evaluates a CASE over two window functions."""
    k = lambda name: exp.column(name, table=alias)
    later_opt_out = flag(exp.GTE(this=k("latest_opt_out"), expression=k("updated_at")))
    overridden = exp.and_(exp.GT(this=k("opt_outs"), expression=exp.Literal.number(0)),
                          exp.or_(is_null(k("updated_at")), exp.EQ(this=later_opt_out, expression=exp.Literal.number(1))))
    refused = exp.EQ(this=flag(exp.and_(exp.EQ(this=k("opt_in"), expression=exp.Literal.number(1)),
                                        exp.not_(overridden))), expression=exp.Literal.number(0))
    if not rule.requires_opt_in:  # "no answer" allows it
        refused = exp.and_(exp.not_(is_null(k("opt_in"))), refused)
    return exp.and_(candidates.equals("channel", rule.channel), refused)
