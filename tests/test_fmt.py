"""The formatter: hand-written golden layouts, comments kept, the round-trip and
idempotence properties, and `policylang fmt` with and without `--check`."""
from hypothesis import HealthCheck, given, settings

from policylang.cli import main
from policylang.syntax.fmt import format_file
from policylang.syntax.parse import parse_file
from strategies.policies import policy_files, policy_sets
from test_parse import SPEC_CRUISES, SPEC_GLOBAL

PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])

MESSY = '''\
# leading

policy   global   # the header
channels email,sms ,  push
   consent email requires opt_in


consent push allowed unless opt_out
segment vip_gold: ((tier = "gold")) and (vip = true or age >= 65)   # trailing
segment s2: not (tier in ("a","b")) or (not vip = true and (age < 3 or age > 4))
score fit {
20 when tier is not null
  -0 when true

    + 5 per email opened within 1 days
}
cap email per 2 week as t {   # tiers
  # first
  vip_gold: 005
  otherwise: 1
  # last
}
cap direct_mail spend 25.00 per 1 hours
gap email 36 hour
block sms unless tier = "a \\"q\\" \\\\ b"
# before end
'''

MESSY_FORMATTED = '''\
# leading

policy global # the header
channels email, sms, push
consent email requires opt_in

consent push allowed unless opt_out
segment vip_gold: tier = "gold" and (vip = true or age >= 65) # trailing
segment s2: not tier in ("a", "b") or not vip = true and (age < 3 or age > 4)
score fit {
  +20 when tier is not null
  +0 when true

  +5 per email opened within 1 day
}
cap email per 2 weeks as t { # tiers
  # first
  vip_gold: 005
  otherwise: 1
  # last
}
cap direct_mail spend 25.00 per 1 hour
gap email 36 hours
block sms unless tier = "a \\"q\\" \\\\ b"
# before end
'''


def fmt(text: str) -> str:
    pf, diagnostics = parse_file("t.policy", text)
    assert diagnostics == []
    return format_file(pf)


# --- golden layouts ------------------------------------------------------------------

def test_messy_file_to_canonical_layout():
    assert fmt(MESSY) == MESSY_FORMATTED


def test_the_spec_examples_are_already_canonical():
    assert fmt(SPEC_GLOBAL) == SPEC_GLOBAL
    assert fmt(SPEC_CRUISES) == SPEC_CRUISES


def test_crlf_tabs_and_a_missing_final_newline():
    text = "policy business_unit cruises\r\ncampaign spring {\r\n stage a : email day 0\r\n\tstage b: sms day 3\r\n}"
    assert fmt(text) == ("policy business_unit cruises\ncampaign spring {\n  stage a: email day 0\n"
                         "  stage b: sms day 3\n}\n")


def test_blank_lines_collapse_and_vanish_at_the_ends():
    assert fmt("\n\npolicy global\n\n\n\n# a\n\n# b\n\n\n") == "policy global\n\n# a\n\n# b\n"
    assert fmt("policy global\ncap email per 1 day {\n\n  true: 1\n\n}\n") == (
        "policy global\ncap email per 1 day {\n  true: 1\n}\n")


def test_fewest_parentheses_by_precedence():
    assert fmt("policy global\nsegment s: (a or b) and not (c or d) or (e)\n") == (
        "policy global\nsegment s: (a or b) and not (c or d) or e\n")
    assert fmt("policy global\nsegment s: not (not (a)) and ((b and c) and d)\n") == (
        "policy global\nsegment s: not not a and b and c and d\n")


def test_selectors_topics_and_names():
    assert fmt("policy global\nstop   marketing topic offers after 3 unopened as   tired\n") == (
        "policy global\nstop marketing topic offers after 3 unopened as tired\n")


# --- properties ----------------------------------------------------------------------

def check_round_trip(text: str) -> None:
    parsed, diagnostics = parse_file("t.policy", text)
    assert diagnostics == []
    once = format_file(parsed)
    reparsed, diagnostics = parse_file("t.policy", once)
    assert diagnostics == []
    assert (reparsed.header, reparsed.statements) == (parsed.header, parsed.statements)
    assert [c.text for c in reparsed.comments] == [c.text for c in parsed.comments]
    assert format_file(reparsed) == once


@PROPERTY
@given(policy_files())
def test_messy_files_round_trip_and_format_idempotently(text):
    check_round_trip(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(policy_sets())
def test_policy_sets_round_trip(files):
    for text in files.values():
        check_round_trip(text)


# --- the command ---------------------------------------------------------------------

UGLY = "policy global\ngap  email 2 days   # x\n"
PRETTY = "policy global\ngap email 2 days # x\n"


def run(capsys, *args):
    code = main(["fmt", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def test_check_lists_what_would_change_and_changes_nothing(tmp_path, capsys):
    (tmp_path / "a.policy").write_text(UGLY)
    (tmp_path / "b.policy").write_text(PRETTY)
    assert run(capsys, tmp_path, "--check") == (1, [str(tmp_path / "a.policy")], "")
    assert (tmp_path / "a.policy").read_text() == UGLY


def test_fmt_rewrites_then_check_passes(tmp_path, capsys):
    (tmp_path / "a.policy").write_text(UGLY)
    (tmp_path / "b.policy").write_text(PRETTY)
    assert run(capsys, tmp_path) == (0, [str(tmp_path / "a.policy")], "")
    assert (tmp_path / "a.policy").read_text() == PRETTY
    assert run(capsys, tmp_path, "--check") == (0, [], "")


def test_a_file_with_syntax_errors_is_reported_and_left_alone(tmp_path, capsys):
    broken = "policy global\ngap email 2 dayz\n"
    (tmp_path / "bad.policy").write_text(broken)
    (tmp_path / "a.policy").write_text(UGLY)
    code, out, err = run(capsys, tmp_path / "bad.policy", tmp_path / "a.policy")
    assert code == 1 and out == [str(tmp_path / "a.policy")]
    assert f"{tmp_path / 'bad.policy'}:2:13: error[PL100]" in err
    assert (tmp_path / "bad.policy").read_text() == broken
    assert (tmp_path / "a.policy").read_text() == PRETTY


def test_a_project_folder_means_its_policies_folder(tmp_path, capsys):
    (tmp_path / "policylang.yaml").write_text("business_units: [cruises]\npolicies: rules\n")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "global.policy").write_text(UGLY)
    (tmp_path / "stray.policy").write_text(UGLY)
    assert run(capsys, tmp_path, "--check") == (1, [str(tmp_path / "rules" / "global.policy")], "")


def test_a_plain_folder_means_every_policy_file_below_it(tmp_path, capsys):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    (tmp_path / "deep" / "er" / "x.policy").write_text(UGLY)
    (tmp_path / "notes.txt").write_text(UGLY)
    assert run(capsys, tmp_path, "--check") == (1, [str(tmp_path / "deep" / "er" / "x.policy")], "")


def test_a_missing_path_is_a_usage_error(tmp_path, capsys):
    code, out, err = run(capsys, tmp_path / "nope")
    assert code == 2 and "does not exist" in err
