"""The language's comparison operators (`model.COMPARISON_OPS`) as Python functions, for every back end
and analysis that evaluates a comparison in Python (docs/language.md, conditions)."""
from __future__ import annotations

import operator

OPERATORS = {"=": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
             ">": operator.gt, ">=": operator.ge}
