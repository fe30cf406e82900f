"""Which columns of which input tables a compiled decision query reads.

`policy_reads` compiles the policy and walks the query with sqlglot's scopes:
every column reference is traced to the FROM/JOIN source it names (climbing
to the enclosing query for a correlated subquery, and through `*` and `t.*`
into the CTE or subquery that selected it) until it reaches one of the
warehouse tables of `policy.tables`. Warehouse column names are mapped back to
canonical ones (the config's `columns:` renames). Nothing here knows the
query's shape, so what the data checks require cannot drift from what the
compiler reads. An unqualified column in a query over several tables counts for
each of them (the compiler qualifies its columns; a hand-written shape might
not).
"""
from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Iterator

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope

from policylang.model import PolicySet
from policylang.schema import table_columns
from policylang.table_names import name_parts

# the instant the reads are compiled at: the columns a query reads do not depend on it
AS_OF = datetime(2000, 1, 1)


@lru_cache(maxsize=16)
def policy_reads(policy: PolicySet, dialect: str = "duckdb") -> dict[str, frozenset[str]]:
    """Canonical table -> the canonical columns the decision query reads from it (tables it does not
    read are left out)."""
    from . import compile_policy

    return columns_read(compile_policy(policy, dialect, AS_OF), policy)


def columns_read(query: exp.Expression, policy: PolicySet) -> dict[str, frozenset[str]]:
    """Canonical table -> canonical columns `query` reads, for the warehouse tables of `policy`."""
    tables: dict[tuple[str, ...], list[str]] = {}
    for canonical, warehouse in policy.tables.items():
        tables.setdefault(name_parts(warehouse), []).append(canonical)
    read: dict[str, set[str]] = {}
    for table, column in _references(query):
        for canonical in tables.get(_key(table), ()):
            read.setdefault(canonical, set()).add(_canonical_column(policy, canonical, column))
    return {table: frozenset(columns) for table, columns in read.items()}


def _canonical_column(policy: PolicySet, table: str, warehouse: str) -> str:
    """The canonical name of a warehouse column of `table` (itself when no rename gives it)."""
    return next((c for c in table_columns(table, policy.attributes) if policy.column(table, c) == warehouse), warehouse)


def _key(table: exp.Table) -> tuple[str, ...]:
    """A table's possibly qualified name as written, `("crm", "touches")`."""
    return tuple(part.name for part in (table.args.get("catalog"), table.args.get("db"), table.this) if part)


def _references(query: exp.Expression) -> Iterator[tuple[exp.Table, str]]:
    """(table, column name) for every column the query reads from a table (not from its own CTEs)."""
    for scope in traverse_scope(query):
        for column in scope.columns:
            if isinstance(column.this, exp.Star):
                continue
            for table in _origins(scope, column.table, column.name, set()):
                yield table, column.name


def _origins(scope: Scope, alias: str, name: str, seen: set[int]) -> list[exp.Table]:
    """The tables column `name` of source `alias` (empty: unqualified) in `scope` may come from;
    `seen` holds the scopes already passed through (a recursive CTE may select from itself)."""
    if alias:
        source = _source(scope, alias)
        return [source] if isinstance(source, exp.Table) else _through_star(source, name, seen)
    sources = [source for _, source in scope.selected_sources.values()]
    if any(isinstance(s, Scope) and name in s.expression.named_selects for s in sources):
        return []  # an output of a CTE or subquery, whose own scope reads the tables
    return [table for s in sources
            for table in ([s] if isinstance(s, exp.Table) else _through_star(s, name, seen))]


def _source(scope: Scope | None, alias: str):
    """What `alias` names in `scope` or, for a correlated subquery, in an enclosing scope."""
    while scope is not None:
        if alias in scope.sources:
            return scope.sources[alias]
        scope = scope.parent
    return None


def _through_star(source, name: str, seen: set[int]) -> list[exp.Table]:
    """The tables a column `name` of a CTE or subquery comes from when only its `*` or `t.*` selects it."""
    if not isinstance(source, Scope) or id(source) in seen or name in source.expression.named_selects:
        return []
    seen.add(id(source))
    if isinstance(source.expression, exp.SetOperation):
        return [t for branch in source.set_operation_scopes for t in _through_star(branch, name, seen)]
    stars = [e for e in source.expression.selects
             if isinstance(e, exp.Star) or (isinstance(e, exp.Column) and isinstance(e.this, exp.Star))]
    return [t for star in stars
            for t in _origins(source, star.table if isinstance(star, exp.Column) else "", name, seen)]
