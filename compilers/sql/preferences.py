"""The customer's own frequency choices as caps (`honor preferences`, docs/language.md, "Honor preferences").

Each `preferences` row is a cap of `max_count` messages per `window_days` on
its channel (and topic, when it has one) across every business unit. The
rows are data, so they are not unrolled into rules: `pl_preference_set`
holds each distinct row once, `pl_preference_rows` counts each row's touches in its own window and keeps its slack
(`max_count` minus that count; 0 for a row that cannot be read as a cap, so
it suppresses every candidate it matches), and `pl_preferences` keeps the
tightest slack per (customer, channel, topic). A candidate then compares the
slack of its channel-wide row group and of its (channel, topic) row group
with what it already sent in this batch on that channel and topic.
"""
from __future__ import annotations

from sqlglot import exp

from policylang.model import MAX_WINDOW_HOURS, PolicySet

from .dialects import Target
from .sources import Rows, all_of, cte, is_null

DISTINCT, ROWS, NAME = "pl_preference_set", "pl_preference_rows", "pl_preferences"
GROUP = ("customer_id", "channel", "topic")
PREFERENCE_COLUMNS = GROUP + ("max_count", "window_days")


def preference_ctes(target: Target, policy: PolicySet) -> list[tuple[str, exp.Select]]:
    p = Rows(target, policy, "preferences", "p")
    t = Rows(target, policy, "touches", "t")
    on = all_of(
        exp.EQ(this=t.key, expression=p.key),
        exp.EQ(this=t["channel"], expression=p["channel"]),
        exp.or_(is_null(p.raw("topic")), exp.EQ(this=t["topic"], expression=p["topic"])),
        t.marketing(),
        t.happened("sent_at"),
        _in_window(target, t.raw("sent_at"), p.raw("window_days")),
    )
    max_count, window_days = p.raw("max_count"), p.raw("window_days")
    unreadable = exp.or_(is_null(max_count.copy()), exp.LT(this=max_count.copy(), expression=exp.Literal.number(0)),
                         is_null(window_days.copy()),
                         exp.LTE(this=window_days.copy(), expression=exp.Literal.number(0)))
    slack = exp.Case(ifs=[exp.If(this=unreadable, true=exp.Literal.number(0))],
                     default=exp.Sub(this=max_count.copy(), expression=exp.Count(this=t.raw("sent_at"))))
    keys = [p.key, p["channel"], p["topic"]]
    rows = (exp.select(*[exp.alias_(k.copy(), name) for k, name in zip(keys, GROUP)], exp.alias_(slack, "slack"))
            .from_(cte(DISTINCT, p.alias)).join(t.source, on=on, join_type="left")
            .where(exp.not_(is_null(p.raw("channel"))))
            .group_by(*keys, max_count.copy(), window_days.copy()))
    tightest = (exp.select(*GROUP, exp.alias_(exp.Min(this=exp.column("slack")), "slack"))
                .from_(cte(ROWS)).group_by(*GROUP))
    return [(DISTINCT, _distinct_rows(p)), (ROWS, rows), (NAME, tightest)]


def _distinct_rows(p: Rows) -> exp.Select:
    """`pl_preference_set`: the preferences table with exact duplicate rows once, under its warehouse
    column names: two equal rows are one cap, and the join to the touches must not count its
    touches twice."""
    columns = [exp.alias_(p[c], p.target.identifier(p.policy.column("preferences", c))) for c in PREFERENCE_COLUMNS]
    return exp.select(*columns).distinct().from_(p.source)


def _in_window(target: Target, sent_at: exp.Expression, days: exp.Expression) -> exp.Expression:
    """`sent_at` after T - `days` days; a window longer than `MAX_WINDOW_HOURS` reaches back to the
    start of history, and the engine never computes an instant before that bound."""
    longest = exp.Literal.number(MAX_WINDOW_HOURS // 24)
    beyond = exp.GT(this=days.copy(), expression=longest)
    clamped = exp.Case(ifs=[exp.If(this=beyond, true=longest.copy())], default=days)
    return exp.or_(beyond.copy(), exp.GT(this=sent_at, expression=target.before_days(clamped)))


CHANNEL_WIDE, TOPICAL = "pc", "pt"  # aliases of the two joins; `slack` is NULL when the customer has no such row


def preference_joins(query: exp.Select, candidates: Rows) -> exp.Select:
    """`query` LEFT JOINed to the candidate's channel-wide and (channel, topic) preference slack."""
    for alias, topic in ((CHANNEL_WIDE, None), (TOPICAL, candidates["topic"])):
        topic_test = (is_null(exp.column("topic", table=alias)) if topic is None
                      else exp.EQ(this=exp.column("topic", table=alias), expression=topic))
        on = all_of(exp.EQ(this=exp.column("customer_id", table=alias), expression=candidates.key),
                    exp.EQ(this=exp.column("channel", table=alias), expression=candidates["channel"]), topic_test)
        query = query.join(cte(NAME, alias), on=on, join_type="left", copy=False)
    return query
