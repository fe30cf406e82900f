"""Data that cannot be right fails closed, on the interpreter and on every engine (docs/language.md,
"Data that cannot be right"): it may suppress more, never send more.

Each case is hand-worked: the expected rule of every candidate row is written out, and the same
rows are decided by the reference interpreter and by the compiled query on DuckDB, SQLite,
PostgreSQL, MariaDB and Spark. Candidate ids repeat on purpose, so decisions are compared as
(candidate_id, customer_id, message_class) -> rule.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import assert_matches_reference, decide_on
from policylang.compilers.reference import decide
from policylang.dataset import Dataset
from policylang.model import MAX_WINDOW_HOURS
from reference_support import DAY, HOUR, T, candidate, consent_row, customer, data, policy, preference, touch
from test_equivalence import build
from test_equivalence import cases as equivalence_cases

POLICY = policy(
    "\n".join([
        "cap email 1 per 7 days as email_weekly",
        "cap direct_mail spend 1.00 per 30 days as mail_budget",
        f"cap sms 1 per {MAX_WINDOW_HOURS // 24 + 1} days as sms_forever",
        "block push for days_since(last_purchase_at) > 1000000000 as never_lapsed",
        "honor preferences",
    ]),
    consent="\n".join(["consent email allowed unless opt_out", "consent sms allowed unless opt_out",
                       "consent push requires opt_in", "consent direct_mail allowed unless opt_out"]),
)
OPT_IN_PUSH = [consent_row("opt_in", customer_id=n, channel="push") for n in range(1, 20)]


def case(*rows):
    """(candidate kwargs, expected rule or None) pairs -> (candidates, expected by row)."""
    return [candidate(**kwargs) for kwargs, _ in rows], [rule for _, rule in rows]


CASES = {
    # a repeated candidate id suppresses every marketing copy, wherever the copies are; a transactional
    # copy is still sent; a suppressed copy counts against nothing, so customer 1's next email is sent
    "repeated ids": (
        case((dict(candidate_id=10, customer_id=1, priority=9), "invalid_candidate"),
             (dict(candidate_id=10, customer_id=1, channel="sms", priority=9), "invalid_candidate"),
             (dict(candidate_id=11, customer_id=1, priority=5), None),
             (dict(candidate_id=20, customer_id=2), "invalid_candidate"),
             (dict(candidate_id=20, customer_id=3), "invalid_candidate"),
             (dict(candidate_id=30, customer_id=4, message_class="transactional"), None),
             (dict(candidate_id=30, customer_id=4), "invalid_candidate"),
             (dict(candidate_id=None, customer_id=5), "invalid_candidate"),
             (dict(candidate_id=None, customer_id=5, message_class="transactional"), None)),
        {},
    ),
    # a negative candidate cost is invalid; a negative cost in history counts as 0 (0.50 + 0.60 > 1.00)
    "negative costs": (
        case((dict(candidate_id=1, customer_id=1, channel="direct_mail", cost=Decimal("-0.5000")), "invalid_candidate"),
             (dict(candidate_id=2, customer_id=2, channel="direct_mail", cost=Decimal("0.6000")), "global.mail_budget"),
             (dict(candidate_id=3, customer_id=3, channel="direct_mail", cost=Decimal("0.5000")), None)),
        dict(touches=[touch(T - DAY, customer_id=2, channel="direct_mail", cost=Decimal("-5.0000")),
                      touch(T - DAY, customer_id=2, channel="direct_mail", cost=Decimal("0.5000")),
                      touch(T - DAY, customer_id=3, channel="direct_mail", cost=Decimal("0.5000"))]),
    ),
    # a touch counts as marketing unless its class is exactly `transactional`
    "touch classes": (
        case((dict(candidate_id=1, customer_id=1), "global.email_weekly"),
             (dict(candidate_id=2, customer_id=2), "global.email_weekly"),
             (dict(candidate_id=3, customer_id=3), "global.email_weekly"),
             (dict(candidate_id=4, customer_id=4), None)),
        dict(touches=[touch(T - DAY, customer_id=1, message_class="MARKETING"),
                      touch(T - DAY, customer_id=2, message_class=None),
                      touch(T - DAY, customer_id=3, message_class="transactional "),
                      touch(T - DAY, customer_id=4, message_class="transactional")]),
    ),
    # a window longer than any engine's timestamps reaches back to the start of history; a
    # `days_since` beyond them never holds; a preferences window of a billion days too
    "endless windows": (
        case((dict(candidate_id=1, customer_id=1, channel="sms"), "global.sms_forever"),
             (dict(candidate_id=2, customer_id=2, channel="sms"), None),
             (dict(candidate_id=3, customer_id=3, channel="push"), None),
             (dict(candidate_id=4, customer_id=4, channel="push"), "global.preferences")),
        dict(touches=[touch(T - 300_000 * DAY, customer_id=1, channel="sms"),
                      touch(T - 300_000 * DAY, customer_id=4, channel="push")],
             customers=[customer(1), customer(2), customer(3, last_purchase_at=T - 3000 * DAY), customer(4)],
             preferences=[preference(1, 1_000_000_000, customer_id=4, channel="push")]),
    ),
    # two equal preferences rows are one cap: one push in the window, 1 < 2, sent
    "equal preference rows": (
        case((dict(candidate_id=1, customer_id=1, channel="push"), None),
             (dict(candidate_id=2, customer_id=2, channel="push"), "global.preferences")),
        dict(touches=[touch(T - DAY, customer_id=1, channel="push"), touch(T - DAY, customer_id=2, channel="push"),
                      touch(T - 2 * DAY, customer_id=2, channel="push")],
             preferences=[preference(2, 7, customer_id=1, channel="push"), preference(2, 7, customer_id=1, channel="push"),
                          preference(2, 7, customer_id=2, channel="push"), preference(2, 7, customer_id=2, channel="push")]),
    ),
    # an opt-out is never overridden by an older opt-in; re-subscribing to a topic afterwards gets it
    "opt-out after opt-in": (
        case((dict(candidate_id=1, customer_id=1, channel="push", topic="offers"), "global.consent_push"),
             (dict(candidate_id=2, customer_id=2, channel="push", topic="offers"), None),
             (dict(candidate_id=3, customer_id=3, channel="push"), "global.consent_push"),
             (dict(candidate_id=4, customer_id=4, channel="push"), "global.consent_push")),
        dict(consents=[
            consent_row("opt_in", customer_id=1, channel="push", topic="offers", brand="cruises", updated_at=T - 9 * DAY),
            consent_row("opt_out", customer_id=1, channel="push", updated_at=T - DAY),
            consent_row("opt_out", customer_id=2, channel="push", updated_at=T - 9 * DAY),
            consent_row("opt_in", customer_id=2, channel="push", topic="offers", updated_at=T - DAY),
            consent_row("opt_in", customer_id=3, channel="push", brand="cruises", updated_at=T - DAY),
            consent_row("opt_out", customer_id=3, channel="push", updated_at=T - DAY),
            consent_row("opt_in", customer_id=4, channel="push", brand="cruises", updated_at=None),
            consent_row("opt_out", customer_id=4, channel="push", updated_at=None)]),
    ),
}


def dataset(name):
    (candidates, _), tables = CASES[name]
    tables = dict(tables)
    consents = tables.pop("consents", None)
    if consents is None:
        consents = OPT_IN_PUSH
    return data(candidates, consents=consents, **tables)


def keyed(decisions) -> list[tuple]:
    """(candidate_id, customer_id, rule) for each decision, in a stable order."""
    return sorted(((d.candidate_id, d.customer_id, d.rule) for d in decisions),
                  key=lambda row: tuple((v is None, str(v)) for v in row))


def expected(name) -> list[tuple]:
    (candidates, rules), _ = CASES[name]
    return keyed(type("D", (), dict(candidate_id=c["candidate_id"], customer_id=c["customer_id"], rule=rule))
                 for c, rule in zip(candidates, rules))


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_interpreter_fails_closed(name):
    decisions = decide(POLICY, dataset(name), T)
    assert keyed(decisions) == expected(name)
    assert all(d.as_of == T for d in decisions)


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_engine_fails_closed(name, engine):
    engine.load(POLICY, dataset(name))
    decisions = decide_on(engine, POLICY, T)
    assert keyed(decisions) == expected(name)
    assert all(d.as_of == T for d in decisions)  # each row says the instant it was decided for


def test_sqlite_compares_iso_timestamps_with_a_t_as_instants(engine_pool):
    """Timestamps stored as `2025-06-30T05:30:00` text, as many exporters write them, compare as the
    instants they are: a touch 30 minutes before T counts, an opt-out an hour before T is in force."""
    engine = engine_pool.get("sqlite")
    rows = dataset("touch classes")
    rows.consents = [consent_row("opt_out", customer_id=4, channel="email", updated_at=T - HOUR),
                     consent_row("opt_in", customer_id=4, channel="email", updated_at=T - 2 * HOUR)]
    rows.touches = [touch(T - timedelta(minutes=30), customer_id=1), touch(T - 8 * DAY, customer_id=2),
                    touch(T - timedelta(minutes=30, microseconds=500), customer_id=3)]
    engine.load(POLICY, rows)
    for table, column in (("touches", "sent_at"), ("consents", "updated_at")):
        engine.execute(f"UPDATE {table} SET {column} = REPLACE({column}, ' ', 'T')")
    assert engine.execute("SELECT sent_at FROM touches ORDER BY customer_id")[0][0] == "2026-06-01T11:30:00"
    want = {1: "global.email_weekly", 2: None, 3: "global.email_weekly", 4: "global.consent_email"}
    assert {d.customer_id: d.rule for d in decide_on(engine, POLICY, T)} == want
    assert {d.customer_id: d.rule for d in decide(POLICY, rows, T)} == want


# --- a malformed row never makes anyone else's suppression a send ---------------------------------

MALFORMED = {  # what is wrong with the added marketing row -> the row's fields
    "NULL id": dict(candidate_id=None),
    "negative cost": dict(cost=Decimal("-0.0001")),
    "unknown channel": dict(channel="Email"),
    "unknown unit": dict(business_unit=None),
    "bad class": dict(message_class="MARKETING"),
    "NULL priority": dict(priority=None),
    "unknown customer": dict(customer_id=None),
    "unknown topic": dict(topic="offers "),
}


@st.composite
def malformed_cases(draw):
    """(policy, as-of, a clean batch, one malformed marketing row to add, the id it repeats or None)."""
    texts, as_of, data = draw(equivalence_cases())
    if not data.candidates:
        data.candidates.append(candidate(1, customer_id=data.customers[0]["customer_id"]))
    model = dict(draw(st.sampled_from(data.candidates)), message_class="marketing")
    fault = draw(st.sampled_from(sorted(MALFORMED) + ["repeated id"]))
    if fault == "repeated id":
        return texts, as_of, data, model, model["candidate_id"]
    fresh = max((c["candidate_id"] for c in data.candidates if isinstance(c["candidate_id"], int)), default=0) + 1
    row = model | {"candidate_id": fresh if isinstance(model["candidate_id"], int) else "~new"} | MALFORMED[fault]
    return texts, as_of, data, row, None


def _identity(decision) -> tuple:
    return decision.candidate_id, decision.customer_id


def assert_fails_closed(policy, data, row, repeated, as_of) -> None:
    """Adding `row` to the batch suppresses it; every other row is decided as before, except that
    when `row` repeats an id, every marketing copy of that id is suppressed and the others are
    decided as if no copy were in the batch (a suppressed candidate counts against nothing)."""
    with_row = Dataset(**{**vars(data), "candidates": data.candidates + [row]})
    after = decide(policy, with_row, as_of)
    assert after[-1].decision == "suppress", after[-1]
    if repeated is None:
        assert after[:-1] == decide(policy, data, as_of)
        return
    copies = [i for i, c in enumerate(with_row.candidates) if c["candidate_id"] == repeated]
    for i in copies:
        if with_row.candidates[i].get("message_class") != "transactional":
            assert after[i].decision == "suppress", after[i]  # invalid_candidate, or an earlier built-in
    others = [c for c in data.candidates if c["candidate_id"] != repeated]
    without = decide(policy, Dataset(**{**vars(data), "candidates": others}), as_of)
    assert [d for d in after if d.candidate_id != repeated] == without


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(malformed_cases())
def test_a_malformed_row_never_turns_a_suppression_into_a_send(case):
    texts, as_of, data, row, repeated = case
    assert_fails_closed(build(tuple(sorted(texts.items()))), data, row, repeated, as_of)


def test_every_engine_decides_a_batch_with_a_malformed_row_as_the_interpreter(engine, engine_settings):
    @engine_settings
    @given(malformed_cases())
    def check(case):
        texts, as_of, data, row, _ = case
        with_row = Dataset(**{**vars(data), "candidates": data.candidates + [row]})
        assert_matches_reference(engine, build(tuple(sorted(texts.items()))), with_row, as_of)

    check()
