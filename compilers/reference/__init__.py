"""The reference interpreter: the decision semantics of docs/language.md in plain Python, the oracle
every engine must match.

`decide` returns one `Decision` per candidate, in input order. `explain`
returns, per candidate, every check that applied with what it saw. Both walk
the same generator of checks (`checks_for`): `decide` stops at the first
failing check, `explain` keeps going, so they cannot disagree on a verdict.

How a batch is decided at the as-of time T:

1. a transactional candidate is sent and counts against nothing;
2. each customer's other candidates are taken in the order `priority DESC,
   candidate_id ASC`; each must pass the built-in checks, then every rule of
   the global file and of its business unit, in evaluation order
   (`PolicySet.rules_for`); the first failing check names the rule;
3. a candidate that passes is sent and from then on counts, for the same
   customer, against the gaps and caps of the later ones.

The checks themselves are in `reference.checks`, conditions and scores in
`reference.conditions`, and what is known about a customer at T in
`reference.customer`.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Collection, Iterable, Iterator

from policylang.dataset import Dataset, Decision
from policylang.instants import utc_naive
from policylang.model import PolicySet

from .checks import CHECKS, Check, builtin_checks
from .customer import Customer, customers_at

__all__ = ["Check", "CandidateTrace", "decide", "explain", "checks_for", "evaluation_order"]


@dataclass(frozen=True)
class CandidateTrace:
    """One candidate's checks, in evaluation order, and the decision they led to."""

    candidate: dict
    checks: tuple[Check, ...]  # empty for a transactional candidate: no check applies
    decision: Decision

    @property
    def deciding(self) -> Check | None:
        """The first failing check: the reported rule (None when sent)."""
        return next((c for c in self.checks if not c.passed), None)


def evaluation_order(candidate: dict) -> tuple:
    """`priority DESC, candidate_id ASC` (text ids by code point); NULLs, which only an
    invalid candidate can have, go last."""
    priority, cid = candidate.get("priority"), candidate.get("candidate_id")
    return (priority is None, -priority if priority is not None else 0, cid is None, cid if cid is not None else 0)


def checks_for(candidate: dict, customer: Customer, policy: PolicySet, repeated: Collection = ()) -> Iterator[Check]:
    """Every check that applies to a marketing candidate, in evaluation order (docs/language.md,
    "How a batch is decided"); `repeated` holds the candidate ids on more than one row of the batch."""
    builtins = list(builtin_checks(candidate, customer, policy, repeated))
    yield from builtins
    if not builtins[-1].passed:
        return  # an unknown customer, channel or unit leaves nothing the rules could look at
    for rule in policy.rules_for(candidate["business_unit"]):
        yield from CHECKS[type(rule)](rule, candidate, customer)


def _until_first_failure(checks: Iterable[Check]) -> Iterator[Check]:
    for check in checks:
        yield check
        if not check.passed:
            return


def _decide_one(candidate: dict, customer: Customer, policy: PolicySet, repeated: Collection,
                keep_going: bool) -> CandidateTrace:
    transactional = candidate.get("message_class") == "transactional"
    if transactional:
        checks: tuple[Check, ...] = ()
    else:
        every_check = checks_for(candidate, customer, policy, repeated)
        checks = tuple(every_check if keep_going else _until_first_failure(every_check))
    failed = next((c for c in checks if not c.passed), None)
    if failed is None and not transactional:
        customer.sent.append(candidate)  # it now counts against the customer's later candidates
    decision = Decision(candidate.get("candidate_id"), candidate.get("customer_id"),
                        "send" if failed is None else "suppress", failed and failed.rule, policy.version,
                        customer.as_of)
    return CandidateTrace(candidate, checks, decision)


def _traces(policy: PolicySet, data: Dataset, as_of: datetime, customer_ids: Collection | None,
            keep_going: bool) -> Iterator[tuple[int, CandidateTrace]]:
    """(input position, trace) for every candidate of `customer_ids` (all when None), customer by
    customer, each customer's candidates in evaluation order."""
    batches: dict[object, list[tuple[int, dict]]] = {}
    for position, candidate in enumerate(data.candidates):
        if customer_ids is None or candidate.get("customer_id") in customer_ids:
            batches.setdefault(candidate.get("customer_id"), []).append((position, candidate))
    customers = customers_at(policy, data, utc_naive(as_of), batches)
    repeated = repeated_ids(data.candidates)
    for customer_id, batch in batches.items():
        for position, candidate in sorted(batch, key=lambda item: evaluation_order(item[1])):
            yield position, _decide_one(candidate, customers[customer_id], policy, repeated, keep_going)


def repeated_ids(candidates: list[dict]) -> set:
    """The candidate ids on more than one row of the batch (NULL aside)."""
    counts = Counter(c.get("candidate_id") for c in candidates)
    return {cid for cid, n in counts.items() if n > 1 and cid is not None}


def decide(policy: PolicySet, data: Dataset, as_of: datetime) -> list[Decision]:
    """One decision per candidate, in input order (docs/language.md, "How a batch is decided")."""
    by_position = dict(_traces(policy, data, as_of, None, keep_going=False))
    return [by_position[position].decision for position in range(len(data.candidates))]


def explain(policy: PolicySet, data: Dataset, as_of: datetime, candidate_ids: Collection | None = None,
            customer_id: object = None) -> list[CandidateTrace]:
    """The traces of the chosen candidates (by id, by customer, or all), customer by customer in
    evaluation order. The rest of each chosen customer's batch is decided too, since what was
    sent before a candidate counts against it; every check runs even after one has failed."""

    def chosen(candidate: dict) -> bool:
        return ((candidate_ids is None or candidate.get("candidate_id") in candidate_ids)
                and (customer_id is None or candidate.get("customer_id") == customer_id))

    customer_ids = {c.get("customer_id") for c in data.candidates if chosen(c)}
    return [trace for _, trace in _traces(policy, data, as_of, customer_ids, keep_going=True) if chosen(trace.candidate)]
