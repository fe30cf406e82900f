"""Warehouse table names as policylang.yaml (`tables:`) and `run --out table:NAME` write them.

A name may be qualified with dots (`crm.touches`, `warehouse.crm.touches`);
a part written in double quotes may hold dots and doubled quotes
(`"crm.eu".touches` is table `touches` in schema `crm.eu`), as SQL writes
such names. The quotes only group a part: how a part is spelled as an
identifier (quoted or not) is the caller's rule, the same for a part written
with or without them. `name_parts` is the one splitter every stage uses.
"""
from __future__ import annotations

import csv
from typing import Callable

from sqlglot import exp


def name_parts(name: str) -> tuple[str, ...]:
    """The parts of a possibly qualified name, outermost first: `crm.touches` -> ("crm", "touches")."""
    return tuple(next(csv.reader([name], delimiter=".", quotechar='"'), None) or [""])


def qualified_table(name: str, identifier: Callable[[str], exp.Identifier],
                    alias: str | None = None) -> exp.Table:
    """`name` as a table, each part spelled by `identifier`; at most catalog, schema and table (more
    leading parts are dropped, as sqlglot's tables hold no more)."""
    *qualifiers, table = name_parts(name)
    catalog, db = ([None, None] + qualifiers)[-2:]
    return exp.Table(this=identifier(table), db=identifier(db) if db else None,
                     catalog=identifier(catalog) if catalog else None,
                     alias=exp.TableAlias(this=exp.to_identifier(alias)) if alias else None)
