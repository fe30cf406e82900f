"""Analyses of a resolved policy set: one module per check, each a pure function
from `PolicySet` to findings (`check(policy, space=None)`, where `space` is the
z3 encoding the checks may share, a cache); `analyze` runs them all.

| module | finds |
| --- | --- |
| `redundant_caps` | caps, spend caps and gaps that never bind (PL500; PL508 a gap), or global rules override (PL509) |
| `branches` | (called by `redundant_caps`) tier branches that never bind (PL510) or bind for only some customers (PL511) |
| `shadowed` | blocks, cool-downs and stops another rule of the same kind makes redundant (PL508, PL509) |
| `contention` | units whose caps sum to more than the global cap over them (PL501) |
| `tiers` | unreachable tier branches (PL502), units' tiers that rank one customer differently (PL505) |
| `blocks` | blocks that never block (PL503) or block everyone (PL504) |
| `campaigns` | campaign stages suppressed even for a customer with no other traffic (PL506); for some customers only (PL512, `campaigns_some`) |
| `preferences` | preference-centre questions no rule honours (PL507) |
| `segments` | segments no customer matches (PL513), score lines that never add (PL514), equal segments (PL515) |

Conditions are decided exactly with z3 (`smt`), imported only when a check needs it, or without it
by a search over finitely many candidate customers (`finite`) when no condition depends on a count.
"""
from __future__ import annotations

from ..diagnostics import Diagnostic, sort_key
from ..model import PolicySet
from . import blocks, campaigns, contention, preferences, redundant_caps, segments, shadowed, tiers
from .smt import lazy_space

CHECKS = (redundant_caps.check, shadowed.check, contention.check, tiers.check, blocks.check, campaigns.check,
          preferences.check, segments.check)


def analyze(policy: PolicySet) -> list[Diagnostic]:
    """Every analysis finding for `policy` (conflicts, dead rules, infeasible campaigns), by location."""
    space = lazy_space(policy)  # one z3 encoding for every check: each condition is translated once
    return sorted((finding for check in CHECKS for finding in check(policy, space)), key=sort_key)
