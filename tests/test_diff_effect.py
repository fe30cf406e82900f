"""`diff --data`: the simulated effect of a change, by hand on outcomes and end to end on the example data."""
from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from policylang.cli import main
from policylang.diff.effect import compare_outcomes
from policylang.simulate.replay import Outcome

ROOT = Path(__file__).parents[1]


def outcome(cid, customer, unit, channel, decision, rule=None):
    return Outcome(cid, customer, datetime(2025, 6, 1), unit, channel, None, Decimal(0), decision, rule)


def test_gained_and_lost_sends_are_counted_per_place_rule_and_customer():
    before = [outcome(1, "a", "cruises", "email", "suppress", "global.weekly"),
              outcome(2, "a", "cruises", "email", "suppress", "global.gap_email"),
              outcome(3, "b", "hotels", "sms", "send"),
              outcome(4, "b", "hotels", "sms", "send"),
              outcome(5, "c", "hotels", "sms", "suppress", "global.weekly")]
    after = [outcome(1, "a", "cruises", "email", "send"),
             outcome(2, "a", "cruises", "email", "send"),
             outcome(3, "b", "hotels", "sms", "suppress", "global.sms_cap"),
             outcome(4, "b", "hotels", "sms", "send"),
             outcome(5, "c", "hotels", "sms", "send")]
    effect = compare_outcomes(before, after, date(2025, 6, 1), date(2025, 6, 2))
    # by hand: a gains 2 (0 -> 2), b loses 1 (2 -> 1), c gains 1 (0 -> 1); 2 sends before, 4 after
    assert (effect.base_sends, effect.head_sends) == (2, 4)
    assert effect.gained == {("cruises", "email"): 2, ("hotels", "sms"): 1}
    assert effect.lost == {("hotels", "sms"): 1}
    assert effect.gained_by_rule == {"global.weekly": 2, "global.gap_email": 1}
    assert effect.lost_by_rule == {"global.sms_cap": 1}
    assert effect.customers == [("a", 0, 2), ("c", 0, 1)]


def test_data_flags_without_data_or_without_a_period_are_usage_errors(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["diff", "a", "b", "--from", "2025-06-01"]) == 2
    assert "--from belong(s) to --data" in capsys.readouterr().err
    assert main(["diff", "a", "b", "--data"]) == 2
    assert "--data needs the period to replay" in capsys.readouterr().err


def test_the_effect_of_a_lower_weekly_cap_on_the_example_data(tmp_path, capsys, monkeypatch):
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "policies", repo / "policies")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run([*git, "add", "."], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "example"], cwd=repo, check=True)
    policy = repo / "policies" / "global.policy"
    policy.write_text(policy.read_text().replace("cap marketing 6 per 7 days", "cap marketing 2 per 7 days"))
    subprocess.run([*git, "commit", "-qam", "tighter"], cwd=repo, check=True)
    monkeypatch.chdir(repo)
    code = main(["diff", "HEAD~1", "HEAD", "policies", "--data", "--from", "2025-06-27", "--to", "2025-06-29",
                 "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    effect = report["effect"]
    assert (effect["from"], effect["to"]) == ("2025-06-27", "2025-06-29")
    places = [row for row in effect["rows"] if not row["where"].startswith("rule ")]
    rules = {row["where"]: row for row in effect["rows"] if row["where"].startswith("rule ")}
    # the same candidates under both: the sends lost minus those gained is the change in sends, per place and
    # per rule alike; and the lower cap is the rule that takes the most away
    assert effect["head_sends"] < effect["base_sends"]
    assert sum(r["lost"] - r["gained"] for r in places) == effect["base_sends"] - effect["head_sends"]
    assert sum(r["lost"] - r["gained"] for r in rules.values()) == effect["base_sends"] - effect["head_sends"]
    assert max(rules.values(), key=lambda r: r["lost"])["where"] == "rule global.weekly_pressure"
