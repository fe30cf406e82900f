"""No input, however malformed, ends in a traceback (docs/messages.md: every problem a user
can cause is a finding, never a traceback).

Random text, mutated valid policies, random bytes, a 1 MB file, 5,000-deep
parentheses and malformed policylang.yaml files go through the real command
line (`policylang.cli.main`, and the installed `policylang` script). Every
outcome must be exit 0 with no error-level finding, or exit 1 with findings
that all have a location; never exit 2, never a traceback or an internal error.
"""
import contextlib
import io
import json
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylang.cli import main
from policylang.codes import REGISTRY, Severity
from strategies.config import ATTRIBUTES, UNITS
from strategies.policies import policy_sets
from spec_example import SPEC_CRUISES as CRUISES, SPEC_GLOBAL as GLOBAL  # the seed every mutation starts from

CONFIG = """\
business_units: [cruises]
attributes:
  loyalty_tier: text
  last_purchase_at: timestamp
  lifecycle_stage: text
  industry: text
  employees: integer
  country: text
  cruises_taken: integer
"""


SEEDS = {"global.policy": GLOBAL, "cruises.policy": CRUISES}


def write_project(root: Path, policies: dict[str, str | bytes], config: str | bytes = CONFIG) -> Path:
    def write(path: Path, content):
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))

    write(root / "policylang.yaml", config)
    (root / "policies").mkdir(exist_ok=True)
    for name, content in policies.items():
        write(root / "policies" / name, content)
    return root


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse's way out; not expected here
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def assert_no_crash(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    assert "internal error" not in err, err
    assert code in (0, 1), (code, err)


def assert_checks_cleanly(root: Path, text: bool = True) -> list[dict]:
    """Run `check` on `root` in JSON (and in text, unless told not to); the outcome must be
    exit 0 without errors or exit 1 with located findings. Returns the findings."""
    code, out, err = run_cli("check", str(root), "--format", "json")
    assert_no_crash(code, out, err)
    findings = json.loads(out)
    errors = [d for d in findings if d["severity"] == "error"]
    assert (code == 1) == bool(errors), findings
    unlocated = [d for d in findings if d["file"] is None or d["line"] is None or d["col"] is None]
    assert not unlocated, unlocated
    if text:
        assert_no_crash(*run_cli("check", str(root)))
    return findings


def check_policies(policies: dict[str, str | bytes], config: str | bytes = CONFIG, text: bool = True) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        return assert_checks_cleanly(write_project(Path(tmp), policies, config), text)


def test_the_seed_example_checks_without_errors():
    # the mutations below start from a valid policy set, not from one that is already broken
    findings = check_policies(SEEDS)
    assert [d for d in findings if d["severity"] == "error"] == []


# --- random and mutated policy text ----------------------------------------------

@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=300), header=st.booleans())
def test_random_text(text, header):
    check_policies({"global.policy": ("policy global\n" if header else "") + text})


WORDS = """policy global business_unit cruises hotels channels topics consent requires opt_in allowed unless
opt_out segment score cap per day days hour hours week weeks month years spend gap block for cooldown after
event stop unopened conversion honor preferences campaign stage as when within sent opened clicked converted
and or not in is null true false days_since otherwise topic marketing email sms push direct_mail offers
newsletter loyalty_tier last_purchase_at employees country high_affinity fit engagement""".split()
SYMBOLS = [":", ",", "(", ")", "{", "}", "+", "-", "=", "!=", "<", "<=", ">", ">=", "#", "\n", "\n", "\n",
           "0", "1", "3", "2.5", "25.00", "1.00001", "-1", "99999999999999999999999", '"gold"', '"a\\"b"',
           '"complaint"', '"\\n"', '"unterminated']
token_soup = st.lists(st.sampled_from(WORDS + SYMBOLS), max_size=60).map(" ".join)


@settings(max_examples=100, deadline=None)
@given(soup=token_soup, header=st.sampled_from(["", "policy global\n", "policy global\nchannels email\n"
                                                "consent email requires opt_in\n"]))
def test_token_soup(soup, header):
    check_policies({"global.policy": header + soup, "cruises.policy": CRUISES})


def pieces(text: str) -> list[str]:
    """Tokens and the whitespace between them; joined they give `text` back."""
    return re.findall(r'\s+|"(?:[^"\\\n]|\\.)*"|\w+|\S', text)


def mutate(text: str, ops: list[tuple[str, int, int]]) -> str:
    for op, i, j in ops:
        unit, action = op.split("-")
        parts = pieces(text) if unit == "token" else text.splitlines(keepends=True)
        if not parts:
            break
        i, j = i % len(parts), j % len(parts)
        if action == "delete":
            del parts[i]
        elif action == "duplicate":
            parts.insert(i, parts[i])
        else:
            parts[i], parts[j] = parts[j], parts[i]
        text = "".join(parts)
    return text


OPS = [f"{unit}-{action}" for unit in ("token", "line") for action in ("delete", "duplicate", "swap")]
mutations = st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10**6), st.integers(0, 10**6)), min_size=1, max_size=4)


def test_mutate_does_what_it_says():
    assert mutate("gap email 2 days\n", [("token-delete", 1, 0)]) == "gapemail 2 days\n"
    assert mutate("gap email 2 days\n", [("token-swap", 0, 2)]) == "email gap 2 days\n"
    assert mutate("a\nb\n", [("line-duplicate", 1, 0)]) == "a\nb\nb\n"
    assert mutate("a\nb\n", [("line-swap", 0, 1)]) == "b\na\n"


@settings(max_examples=100, deadline=None)
@given(target=st.sampled_from(sorted(SEEDS)), ops=mutations)
def test_mutated_valid_policies(target, ops):
    check_policies({**SEEDS, target: mutate(SEEDS[target], ops)})


TEST_CONFIG = "business_units: [{}]\nattributes:\n{}".format(
    ", ".join(UNITS), "".join(f"  {name}: {kind}\n" for name, kind in ATTRIBUTES.items()))


@settings(max_examples=40, deadline=None)
@given(files=policy_sets())
def test_generated_valid_policy_sets_have_no_errors(files):
    findings = check_policies(files, TEST_CONFIG)  # analysis findings fail `check` too, but are no errors
    assert [d for d in findings if REGISTRY[d["code"]].severity == Severity.ERROR] == []


@settings(max_examples=60, deadline=None)
@given(files=policy_sets(), data=st.data())
def test_mutated_generated_policy_sets(files, data):
    target = data.draw(st.sampled_from(sorted(files)))
    check_policies({**files, target: mutate(files[target], data.draw(mutations))}, TEST_CONFIG)


@settings(max_examples=30, deadline=None)
@given(data=st.binary(max_size=300))
def test_random_bytes(data):
    check_policies({"global.policy": data, "cruises.policy": CRUISES})


def test_invalid_utf8_is_a_located_finding():
    findings = check_policies({"global.policy": b"policy global\nchannels \xff\xfe\n"})
    assert any(d["code"] == "PL105" for d in findings)


# --- size and depth ------------------------------------------------------------

MEGABYTE = 1 << 20


@pytest.mark.parametrize("body", [
    "".join(f"segment s{i}: loyalty_tier = \"t{i}\"\n" for i in range(MEGABYTE // 30)),  # many valid lines
    "segment s: " + "loyalty_tier = \"x\" or " * (MEGABYTE // 22) + "true\n",  # one long valid line
    "x" * MEGABYTE,  # one long garbage line
], ids=["many-lines", "long-condition", "garbage"])
def test_a_one_megabyte_file(body):
    text = GLOBAL + body
    assert len(text) > MEGABYTE
    check_policies({"global.policy": text}, text=False)  # long lines in text output: see test_render


@pytest.mark.parametrize("condition", [
    "(" * 5000 + "true" + ")" * 5000,
    "not " * 5000 + "true",
    "(" * 5000 + "true",
    "true" + ")" * 5000,
], ids=["balanced", "nots", "unclosed", "unopened"])
def test_deep_nesting(condition):
    check_policies({"global.policy": GLOBAL + f"segment deep: {condition}\n"})


# --- malformed policylang.yaml ------------------------------------------------------

KEYS = ["policies", "dialect", "business_units", "attributes", "tables", "columns", "data", "preference_center",
        "topics", "frequency", "customers", "touches.sent_at", "loyalty_tier", "nope", "business_unit"]
SCALARS = ["policies", "duckdb", "[cruises]", "[cruises, hotels]", "{}", "[]", "text", "timestamp", "integer",
           "true", "null", "~", "3", "-1", "1.5", "data/x.csv", "'q'", '"q"', "&a", "*a", "!!str x", "|", ">", "[",
           "{", "]", "}", ":", "-", "---", "...", "%YAML 1.2", "@", "`", "#", "? x", "\t", "\u00e9", "\x00"]
yaml_lines = st.tuples(st.sampled_from(["", "  ", "    ", "- ", "  - ", "\t"]), st.sampled_from(KEYS + SCALARS),
                       st.sampled_from([": ", ":", " ", ", ", ": - "]), st.sampled_from(SCALARS + [""])).map("".join)
yaml_texts = st.lists(yaml_lines, max_size=8).map("\n".join) | st.text(max_size=100)


@settings(max_examples=80, deadline=None)
@given(config=yaml_texts, prefix=st.booleans())
def test_malformed_config(config, prefix):
    check_policies(SEEDS, ("business_units: [cruises]\n" if prefix else "") + config)


@settings(max_examples=20, deadline=None)
@given(config=st.binary(max_size=200))
def test_config_of_random_bytes(config):
    check_policies(SEEDS, config)


# --- the installed script ---------------------------------------------------------

def script(*argv):
    return subprocess.run(["policylang", *argv], capture_output=True, text=True, timeout=120)


def test_installed_script_reports_a_broken_policy(tmp_path):
    write_project(tmp_path, {"global.policy": GLOBAL + "cap email 3 per\n" + "(" * 5000 + "\n"})
    result = script("check", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert re.search(r"global\.policy:\d+:\d+: error\[PL1\d\d\]", result.stdout)


def test_installed_script_usage_error_is_one_line(tmp_path):
    result = script("check", str(tmp_path / "missing"))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "does not exist" in result.stderr
