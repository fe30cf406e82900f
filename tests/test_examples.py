"""The shipped example project: it checks clean, its sample data is what the
generator makes, and a run of the sample is a realistic mix of decisions."""
from __future__ import annotations

import filecmp
import importlib.util
import re
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from policylang.cli import main
from policylang.compilers.reference import decide
from policylang.data_files import load_dataset
from policylang.model import BUILTIN_RULES
from policylang.project import load_project
from spec_example import SPEC_CRUISES, SPEC_GLOBAL

ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
SAMPLE_AS_OF = datetime(2025, 6, 30, 6, 0, 0)  # the batch day of policies/data (bench/generate_data.py)


def test_check_policies_is_clean_even_with_strict(capsys):
    assert main(["check", str(POLICIES), "--strict"]) == 0
    out = capsys.readouterr()
    assert "warning" not in out.out + out.err and "error" not in out.out + out.err


def test_no_finding_at_any_severity():
    from policylang.analyze import analyze

    project = load_project(POLICIES)
    assert project.diagnostics == []
    assert analyze(project.policy) == []


def statements(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def documented_file(name: str) -> str:
    """The ```policy block docs/language.md introduces as `policies/NAME` (the sentence before its fence)."""
    text = (ROOT / "docs" / "language.md").read_text(encoding="utf-8")
    [block] = re.findall(rf"`policies/{re.escape(name)}`[^`]*?:\n\n```policy\n(.*?)```", text, re.S)
    return block


@pytest.mark.parametrize("name", ["global.policy", "cruises.policy"])
def test_the_documented_examples_are_shipped_as_written(name):
    assert statements((POLICIES / name).read_text()) == statements(documented_file(name))


@pytest.mark.parametrize("name, text", [("global.policy", SPEC_GLOBAL), ("cruises.policy", SPEC_CRUISES)],
                         ids=["global.policy", "cruises.policy"])
def test_the_tests_seed_example_is_the_documented_one(name, text):
    assert statements(text) == statements(documented_file(name))


def test_every_rule_kind_is_used():
    kinds = {type(rule).__name__ for rule in load_project(POLICIES).policy.rules}
    assert kinds == {"ConsentRule", "BlockRule", "CooldownRule", "StopUnopenedRule", "StopConversionRule",
                     "GapRule", "CapRule", "SpendCapRule", "PreferencesRule"}


def load_generator():
    """bench/generate_data.py as a module (bench/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("generate_data", ROOT / "bench" / "generate_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sample_data_is_what_the_documented_command_makes(tmp_path):
    load_generator().main(["--customers", "300", "--out", str(tmp_path), "--seed", "7"])
    shipped = sorted(p.name for p in (POLICIES / "data").glob("*.csv"))
    assert shipped == sorted(p.name for p in tmp_path.glob("*.csv"))
    match, mismatch, errors = filecmp.cmpfiles(POLICIES / "data", tmp_path, shipped, shallow=False)
    assert (mismatch, errors) == ([], [])


@pytest.fixture(scope="module")
def sample():
    project = load_project(POLICIES)
    data = load_dataset(project.config)
    return data, decide(project.policy, data, SAMPLE_AS_OF)


def test_sample_history_is_realistic(sample):
    data, _ = sample
    touches = data.touches
    assert 200 <= len(data.customers) <= 400 and 1000 <= len(touches) <= 10_000
    assert [t["sent_at"] for t in touches] == sorted(t["sent_at"] for t in touches)
    assert (SAMPLE_AS_OF - touches[0]["sent_at"]).days in range(380, 401)
    assert all(t["sent_at"] <= SAMPLE_AS_OF for t in touches)
    trackable = [t for t in touches if t["channel"] in ("email", "push")]
    assert 0.15 <= sum(t["opened_at"] is not None for t in trackable) / len(trackable) <= 0.35
    assert 0 < sum(t["message_class"] == "transactional" for t in touches) < 0.1 * len(touches)
    email_opt_in = {c["customer_id"] for c in data.consents
                    if c["channel"] == "email" and c["status"] == "opt_in" and c["brand"] is None}
    assert len(email_opt_in) > len(data.customers) / 2
    specificities = {(c["topic"] is not None, c["brand"] is not None) for c in data.consents}
    assert {(False, False), (True, False), (False, True)} <= specificities


def test_a_run_of_the_sample_mixes_sends_and_many_rules(sample):
    data, decisions = sample
    assert 800 <= len(decisions) <= 1200
    rules = Counter(d.rule for d in decisions if d.decision == "suppress")
    sent = sum(d.decision == "send" for d in decisions)
    assert 0.25 * len(decisions) <= sent <= 0.75 * len(decisions)
    assert len(rules) >= 15
    assert set(BUILTIN_RULES) <= set(rules)
    assert {rule.split(".")[0] for rule in rules if "." in rule} == {"global", "cruises", "hotels", "air"}
