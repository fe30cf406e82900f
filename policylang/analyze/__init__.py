"""Analyses of a resolved policy set: one module per check, each a pure function
from `PolicySet` to findings; `analyze` runs them all."""
from __future__ import annotations

from ..diagnostics import Diagnostic
from ..model import PolicySet


def analyze(policy: PolicySet) -> list[Diagnostic]:
    """Every analysis finding for `policy` (conflicts, dead rules, infeasible campaigns)."""
    return []
