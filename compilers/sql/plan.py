"""The order of the decision query's CTEs: `in_order`.

Each CTE depends on the CTEs its query reads, found in its own syntax tree (a
table reference without a schema that names another CTE), so a step that
starts reading another one cannot be placed before it. The CTEs come in the
stages of the pipeline — history aggregates, customers, consent, preferences,
`pl_base`, the walk — and are emitted in a topological order (Python's
`graphlib`) that, of the CTEs whose dependencies are all emitted, takes the
earliest stage, then the shallowest (fewest CTEs under it), then the first
declared: a deterministic order in which each stage's CTEs sit together.
"""
from __future__ import annotations

import heapq
from graphlib import CycleError, TopologicalSorter

from sqlglot import exp

Cte = tuple[str, exp.Expression]


def in_order(stages: list[list[Cte]]) -> list[Cte]:
    """The CTEs of `stages` (each in its declared order), dependencies first."""
    declared = {name: (stage, index, query) for stage, ctes in enumerate(stages)
                for index, (name, query) in enumerate(ctes)}
    graph = {name: reads(name, query, declared) for name, (_, _, query) in declared.items()}
    sorter = TopologicalSorter(graph)
    try:
        depth = _depths(graph, sorter)
    except CycleError as error:  # a planning bug, never a user's
        raise AssertionError(f"the decision query's CTEs read each other in a circle: {error.args[1]}") from error
    sorter = TopologicalSorter(graph)
    sorter.prepare()
    ready: list[tuple[int, int, int, str]] = []
    ordered: list[Cte] = []
    while sorter.is_active():
        for name in sorter.get_ready():
            stage, index, _ = declared[name]
            heapq.heappush(ready, (stage, depth[name], index, name))
        *_, name = heapq.heappop(ready)
        ordered.append((name, declared[name][2]))
        sorter.done(name)
    return ordered


def reads(name: str, query: exp.Expression, ctes) -> set[str]:
    """The other CTEs of `ctes` that `query` (the CTE `name`; a recursive one reads itself) reads."""
    return {table.name for table in query.find_all(exp.Table)
            if not table.args.get("db") and table.name in ctes and table.name != name}


def _depths(graph: dict[str, set[str]], sorter: TopologicalSorter) -> dict[str, int]:
    """How many CTEs deep each one reads: 0 for one that reads only tables."""
    depth: dict[str, int] = {}
    for name in sorter.static_order():
        depth[name] = 1 + max((depth[d] for d in graph[name]), default=-1)
    return depth
