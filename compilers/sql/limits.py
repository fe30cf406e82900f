"""Recursion limits per dialect: what lets the batch walk take every candidate of a customer.

The recursive walk (`sql.batch.Recursion`) takes one step per candidate in
play of the customer with the most, so a batch giving one customer 1,000
candidates needs 999 steps. Where a dialect caps the steps and the query can
lift the cap, the outer SELECT lifts it; where no query can, the compiler
refuses the policy; elsewhere the query is left as it is (docs/design.md,
"Recursion limits per dialect", gives the limit of each dialect):

- T-SQL stops at 100 steps: `OPTION (MAXRECURSION 0)` removes the limit;
- MySQL 8 stops at `cte_max_recursion_depth` (1,000): an optimizer hint
  `SET_VAR` raises it to its largest value for this statement (MariaDB reads
  the hint as a comment: its `max_recursive_iterations` is a session setting);
- Trino, Presto and Athena stop at the session property `max_recursion_depth`
  (10), which no query can raise: refused with a `UsageError`.
"""
from __future__ import annotations

from sqlglot import exp
from sqlglot.dialects.presto import Presto
from sqlglot.dialects.tsql import TSQL

from policylang.errors import UsageError

from .dialects import Target

MYSQL_DEPTH = "cte_max_recursion_depth"
MYSQL_MAX_DEPTH = 4_294_967_295  # the largest value MySQL 8 takes for it


def lift_recursion_limit(query: exp.Select, target: Target) -> None:
    """Let `query`, whose batch walk is a recursive CTE, take as many steps as the largest batch of
    one customer needs on `target`; refuse a dialect whose limit no query can lift."""
    if isinstance(target.dialect, Presto):
        raise UsageError(
            f"`{target.name}` stops a recursive query after `max_recursion_depth` steps (10 unless the "
            "session sets more), and gap, cap, spend cap and preferences rules take one step per candidate "
            f"of a customer: decide them on another engine, or compile for `{target.name}` a policy without them")
    if isinstance(target.dialect, TSQL):
        query.set("options", [exp.QueryOption(this=exp.var("MAXRECURSION"), expression=exp.Literal.number(0))])
    elif target.name == "mysql":
        depth = exp.EQ(this=exp.column(MYSQL_DEPTH), expression=exp.Literal.number(MYSQL_MAX_DEPTH))
        query.set("hint", exp.Hint(expressions=[exp.Anonymous(this="SET_VAR", expressions=[depth])]))
