"""`policylang simulate`: the replay against the reference interpreter, and its figures.

The oracle is a replay loop over the reference interpreter written here
(`reference_replay`): each day's marketing touches, numbered in send-time
order, decided as one batch as of the day's batch time against the touches
before the period, the transactional ones and what earlier days kept
(docs/simulate.md). The replay on DuckDB and PostgreSQL (and SQLite and
MariaDB, with fewer examples) must give every candidate the same decision and
rule. A policy with nothing but the consent
statements a valid policy needs, over data without an opt-out, must keep the
history exactly, counted here from the generated rows themselves.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import scaled_settings
from policylang.cli import main
from policylang.compilers.reference import decide
from policylang.project import load_texts
from policylang.simulate.replay import DAY, Simulation, replay_on
from policylang.simulate.figures import figures
from strategies.config import AS_OF, CHANNELS, TOPICS, UNITS, make_config
from strategies.data import datasets
from strategies.policies import policy_sets

REPLAY_ENGINES = ("duckdb", "postgres", "sqlite", "mariadb")  # not Spark: simulate refuses it
KEYS = ("customer_id", "channel", "business_unit", "topic", "campaign_id", "message_class", "cost",
        "opened_at", "clicked_at", "converted_at")
NO_RULES = ("policy global\nchannels email, sms, push, direct_mail\ntopics offers, newsletter\n"
            + "".join(f"consent {channel} allowed unless opt_out\n" for channel in CHANNELS))


def _null_last(value) -> tuple:
    return (value is None, value if value is not None else 0)


def _marketing(touch: dict) -> bool:
    return touch["message_class"] != "transactional"


def reference_replay(policy, data, start: date, end: date, batch_time: time = time(0)) -> list[tuple]:
    """The replay with the reference interpreter: (candidate_id, customer_id, sent_at, business_unit,
    channel, topic, cost, decision, rule) per marketing touch of the period, by candidate id."""
    low, high = datetime.combine(start, batch_time), datetime.combine(end, batch_time) + DAY
    in_period = [t for t in data.touches if _marketing(t) and t["sent_at"] is not None and low <= t["sent_at"] < high]
    history = [t for t in data.touches if not any(t is p for p in in_period)]
    numbered = list(enumerate(sorted(in_period, key=lambda t: (t["sent_at"], *(_null_last(t[k]) for k in KEYS))), 1))
    outcomes = []
    day = start
    while day <= end:
        as_of = datetime.combine(day, batch_time)
        batch = [(i, t) for i, t in numbered if as_of <= t["sent_at"] < as_of + DAY]
        candidates = [dict(candidate_id=i, customer_id=t["customer_id"], channel=t["channel"],
                           business_unit=t["business_unit"], campaign_id=t["campaign_id"], topic=t["topic"],
                           message_class="marketing", priority=0, cost=_cost(t["cost"])) for i, t in batch]
        decided = {d.candidate_id: d for d in decide(policy, replace(data, touches=history, candidates=candidates),
                                                      as_of)}
        history = history + [t for i, t in batch if decided[i].decision == "send"]
        outcomes += [(i, t["customer_id"], t["sent_at"], t["business_unit"], t["channel"], t["topic"],
                      _cost(t["cost"]), decided[i].decision, decided[i].rule) for i, t in batch]
        day += timedelta(days=1)
    return sorted(outcomes)


def _cost(cost) -> Decimal:
    return cost if cost is not None and cost > 0 else Decimal(0)


def as_rows(simulation: Simulation) -> list[tuple]:
    return [(o.candidate_id, o.customer_id, o.sent_at, o.business_unit, o.channel, o.topic, o.cost, o.decision,
             o.rule) for o in simulation.outcomes]


def build(texts: dict[str, str]):
    project = load_texts(texts, make_config())
    assert project.policy is not None, project.diagnostics
    return project.policy


PERIOD = ((AS_OF - timedelta(days=1)).date(), (AS_OF + timedelta(days=3)).date())  # consents are dated up to AS_OF


@st.composite
def replay_cases(draw):
    """A generated policy and dataset (`strategies`), plus 3-12 touches spread over the period's days that
    echo one to three of the drawn batch's candidates (customer, channel, unit, topic: those the consent
    stories are drawn for), so that days compete for the same caps, gaps and stops."""
    policy = build(draw(policy_sets()))
    data = draw(datasets(policy))
    low = datetime.combine(PERIOD[0], time(0))
    marketing = [c for c in data.candidates if c["message_class"] == "marketing"]
    echoes = draw(st.lists(st.sampled_from(marketing), min_size=1, max_size=3)) if marketing else []
    extra = []
    for c in draw(st.lists(st.sampled_from(echoes), min_size=3, max_size=12)) if echoes else []:
        sent = low + timedelta(minutes=draw(st.integers(0, 5 * 24 * 60 - 1)))
        extra.append(dict(customer_id=c["customer_id"], channel=c["channel"], business_unit=c["business_unit"],
                          topic=c["topic"], campaign_id=c["campaign_id"], message_class="marketing", sent_at=sent,
                          cost=c["cost"], opened_at=draw(st.sampled_from([None, sent + timedelta(hours=1)])),
                          clicked_at=None, converted_at=None))
    return policy, replace(data, touches=data.touches + extra)


@pytest.mark.parametrize("name", REPLAY_ENGINES)
def test_replay_decides_every_day_as_the_reference_interpreter(engine_pool, name):
    engine = engine_pool.get(name)

    @scaled_settings({"duckdb": 16, "postgres": 10}.get(name, 5))
    @given(replay_cases(), st.sampled_from([time(0), time(0), time(12)]))
    def check(case, batch_time):
        policy, data = case
        engine.load(policy, data)
        got = as_rows(replay_on(engine, policy, *PERIOD, batch_time=batch_time))
        assert got == reference_replay(policy, data, *PERIOD, batch_time)

    check()


def test_replay_keeps_what_earlier_days_sent_and_forgets_what_they_suppressed(engine_pool):
    """By hand: `cap email 1 per 7 days`. Day 1 sends customer 1's first email and suppresses the second; on
    day 2 the cap counts only the one sent (so day 2's email is suppressed too), while customer 2, whose
    only history email was suppressed on day 1 by consent, gets day 2's email through."""
    engine = engine_pool.get("duckdb")
    policy = build({"global.policy": NO_RULES.replace("consent email allowed unless opt_out",
                                                      "consent email requires opt_in") + "cap email 1 per 7 days\n"})
    d1, d2 = datetime(2026, 5, 1, 9), datetime(2026, 5, 2, 9)
    touch = dict(channel="email", business_unit="cruises", topic=None, campaign_id=None, message_class="marketing",
                 cost=None, opened_at=None, clicked_at=None, converted_at=None)
    data = replace(datasets_example(), touches=[
        dict(touch, customer_id=1, sent_at=d1), dict(touch, customer_id=1, sent_at=d1 + timedelta(hours=1)),
        dict(touch, customer_id=2, sent_at=d1), dict(touch, customer_id=1, sent_at=d2),
        dict(touch, customer_id=2, sent_at=d2)],
        consents=[dict(customer_id=1, channel="email", topic=None, brand=None, status="opt_in", updated_at=None),
                  dict(customer_id=2, channel="email", topic=None, brand=None, status="opt_in",
                       updated_at=datetime(2026, 5, 2))])
    engine.load(policy, data)
    got = [(o.candidate_id, o.customer_id, o.decision, o.rule) for o in
           replay_on(engine, policy, date(2026, 5, 1), date(2026, 5, 2)).outcomes]
    assert got == [(1, 1, "send", None), (2, 2, "suppress", "global.consent_email"),
                   (3, 1, "suppress", "global.cap_email_7d"), (4, 1, "suppress", "global.cap_email_7d"),
                   (5, 2, "send", None)]


def datasets_example():
    from policylang.dataset import Dataset

    return Dataset(customers=[dict(customer_id=c, tier="gold", age=30, balance=None, vip=False,
                                   last_purchase_at=None) for c in (1, 2, 3)])


@st.composite
def clean_histories(draw):
    """Touches every batch accepts as they are (known customer, declared channel and topic, a unit of
    the config), around a few days, with every kind of class and cost; customers 1-3."""
    start = datetime(2026, 5, 1)
    touch = st.fixed_dictionaries(dict(
        customer_id=st.sampled_from([1, 2, 3]), channel=st.sampled_from(CHANNELS),
        business_unit=st.sampled_from(UNITS), topic=st.sampled_from([None, *TOPICS]),
        campaign_id=st.none(), message_class=st.sampled_from(["marketing", "transactional", None, "promo"]),
        sent_at=st.integers(-3 * 24, 12 * 24).map(lambda h: start + timedelta(hours=h)),
        cost=st.sampled_from([None, Decimal("0.5"), Decimal("-1"), Decimal("2.0001")]),
        opened_at=st.none(), clicked_at=st.none(), converted_at=st.none()))
    return replace(datasets_example(), touches=draw(st.lists(touch, max_size=40)))


def test_a_policy_without_rules_reproduces_the_history_exactly(engine_pool):
    engine = engine_pool.get("duckdb")
    policy = build({"global.policy": NO_RULES})
    start, end = date(2026, 5, 1), date(2026, 5, 10)

    @scaled_settings(15)
    @given(clean_histories())
    def check(data):
        engine.load(policy, data)
        result = figures(replay_on(engine, policy, start, end))
        low, high = datetime(2026, 5, 1), datetime(2026, 5, 11)
        period = [t for t in data.touches if low <= t["sent_at"] < high]
        marketing = [t for t in period if t["message_class"] != "transactional"]
        assert result.totals.kept == result.totals.before == len(marketing)
        assert result.transactional == len(period) - len(marketing)
        assert {k: s.kept for k, s in result.by_unit.items()} == Counter(t["business_unit"] for t in marketing)
        assert {k: s.kept for k, s in result.by_channel.items()} == Counter(t["channel"] for t in marketing)
        assert all(s.suppressed == 0 for s in result.by_week.values()) and result.by_rule == {}
        assert sum(s.kept for s in result.by_week.values()) == len(marketing)
        assert result.spend_after == result.spend_before == sum(_cost(t["cost"]) for t in marketing)
        assert result.customers_after == result.customers_before == len({t["customer_id"] for t in marketing})
        assert result.never_after == 0
        assert all(before == after for before, after in result.weekly_contacts.values())

    check()


def test_figures_of_a_replay_worked_out_by_hand():
    from policylang.simulate.replay import Outcome

    t = datetime(2026, 5, 1, 10)
    outcomes = [Outcome(1, 7, t, "cruises", "email", None, Decimal("1.5"), "send", None),
                Outcome(2, 7, t + timedelta(days=1), "cruises", "email", None, Decimal("2"), "suppress", "global.g"),
                Outcome(3, 8, t + timedelta(days=8), "hotels", "sms", None, Decimal("0"), "suppress", "global.g"),
                Outcome(4, 7, t + timedelta(days=9), None, "sms", None, Decimal("1"), "suppress", "hotels.c")]
    result = figures(Simulation("v", date(2026, 5, 1), date(2026, 5, 10), time(0), outcomes, transactional=2))
    assert (result.totals.kept, result.totals.suppressed) == (1, 3)
    assert result.by_rule == {"global.g": 2, "hotels.c": 1}
    assert {k: (s.kept, s.suppressed) for k, s in result.by_unit.items()} == {
        "(none)": (0, 1), "cruises": (1, 1), "hotels": (0, 1)}
    assert {k: (s.kept, s.suppressed) for k, s in result.by_week.items()} == {
        "2026-05-01": (1, 1), "2026-05-08": (0, 2)}
    # customer-weeks: (7, wk1) 2 -> 1, (8, wk2) 1 -> 0, (7, wk2) 1 -> 0
    assert result.weekly_contacts == {0: (0, 2), 1: (2, 1), 2: (1, 0)}
    assert [(c.customer_id, c.before, c.after) for c in result.top_customers] == [(7, 3, 1), (8, 1, 0)]
    assert (result.customers_before, result.customers_after, result.never_after) == (2, 1, 1)
    assert (result.spend_before, result.spend_after) == (Decimal("4.5"), Decimal("1.5"))


def test_the_command_prints_json_and_writes_the_report(tmp_path, capsys):
    from pathlib import Path

    example = Path(__file__).parent.parent / "policies"
    report = tmp_path / "out.html"
    assert main(["simulate", str(example), "--from", "2025-06-28", "--to", "2025-06-29", "--format", "json",
                 "--report", str(report)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["days"] == 2 and document["from"] == "2025-06-28"
    assert document["sends"]["before"] == document["sends"]["kept"] + document["sends"]["suppressed"] > 0
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert document["policy_version"] in text


@pytest.mark.parametrize("argv, message", [
    (["--from", "2025-06-29", "--to", "2025-06-01"], "is before --from"),
    (["--from", "2025-06-01", "--to", "2025-06-02", "--report", "policylang.yaml"], "HTML report"),
    (["--from", "2025-06-01", "--to", "2025-06-02", "--report", "data/touches.html", "--priority", "p"],
     "`--priority` names a column"),
])
def test_usage_errors_exit_2_with_a_message(argv, message, capsys, monkeypatch):
    from pathlib import Path

    monkeypatch.chdir(Path(__file__).parent.parent / "policies")
    assert main(["simulate", ".", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_report_that_is_a_project_file_is_refused(tmp_path, capsys):
    """`report.html`, a symbolic link to the touches data file, names an input: refused, the file intact."""
    from pathlib import Path

    touches = Path(__file__).parent.parent / "policies" / "data" / "touches.csv"
    before = touches.read_bytes()
    link = tmp_path / "report.html"
    link.symlink_to(touches)
    assert main(["simulate", str(touches.parent.parent), "--from", "2025-06-01", "--to", "2025-06-01",
                 "--report", str(link)]) == 2
    assert "names the project's file" in capsys.readouterr().err
    assert touches.read_bytes() == before


def test_a_touches_table_without_an_optional_column_replays_and_without_a_needed_one_is_an_error(engine_pool):
    """`--db` tables may lack the columns nothing reads (clicks here): the replay runs. Without `sent_at`
    it cannot place a touch in a day: a data error naming the column, and no scratch table left."""
    from policylang.errors import DataError

    engine = engine_pool.get("duckdb")
    policy = build({"global.policy": NO_RULES})
    touch = dict(customer_id=1, channel="sms", business_unit="hotels", topic=None, campaign_id=None,
                 message_class=None, cost=None, opened_at=None, clicked_at=None, converted_at=None,
                 sent_at=datetime(2026, 5, 1, 8))
    engine.load(policy, replace(datasets_example(), touches=[touch]))
    engine.execute('ALTER TABLE touches DROP COLUMN clicked_at')
    (outcome,) = replay_on(engine, policy, date(2026, 5, 1), date(2026, 5, 1)).outcomes
    assert (outcome.customer_id, outcome.channel, outcome.decision) == (1, "sms", "send")
    engine.execute('ALTER TABLE touches DROP COLUMN sent_at')
    with pytest.raises(DataError, match="has no column `sent_at`"):
        replay_on(engine, policy, date(2026, 5, 1), date(2026, 5, 1))
    scratch = "SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'policylang_sim%'"
    assert engine.execute(scratch) == []


def test_priority_comes_from_the_named_touches_column(engine_pool):
    """By hand: `cap sms 1 per 7 days`; customer 1 has two sms on one day. With priority 0 for both the
    earlier send (id 1) wins; with the column `prio` giving the later one 5, the later one (id 2) does."""
    engine = engine_pool.get("duckdb")
    policy = build({"global.policy": NO_RULES + "cap sms 1 per 7 days\n"})
    touch = dict(customer_id=1, channel="sms", business_unit="hotels", topic=None, campaign_id=None,
                 message_class="marketing", cost=None, opened_at=None, clicked_at=None, converted_at=None)
    engine.load(policy, replace(datasets_example(), touches=[dict(touch, sent_at=datetime(2026, 5, 1, 8)),
                                                           dict(touch, sent_at=datetime(2026, 5, 1, 9))]))
    day = date(2026, 5, 1)
    assert [o.decision for o in replay_on(engine, policy, day, day).outcomes] == ["send", "suppress"]
    engine.execute("ALTER TABLE touches ADD COLUMN prio BIGINT")
    engine.execute("UPDATE touches SET prio = 5 WHERE sent_at = TIMESTAMP '2026-05-01 09:00:00'")
    outcomes = replay_on(engine, policy, day, day, priority="prio").outcomes
    assert [(o.candidate_id, o.decision, o.rule) for o in outcomes] == [(1, "suppress", "global.cap_sms_7d"),
                                                                        (2, "send", None)]


def test_simulate_on_a_database_loaded_from_the_files_says_what_it_says_on_the_files(tmp_path, capsys):
    from pathlib import Path

    example = str(Path(__file__).parent.parent / "policies")
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    assert main(["load", example, "--db", url]) == 0
    capsys.readouterr()
    period = ["--from", "2025-06-25", "--to", "2025-06-29", "--format", "json"]
    assert main(["simulate", example, *period]) == 0
    on_files = json.loads(capsys.readouterr().out)
    assert main(["simulate", example, "--db", url, *period]) == 0
    assert json.loads(capsys.readouterr().out) == on_files
    assert on_files["sends"]["suppressed"] > 0
