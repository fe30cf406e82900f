"""Renderers of findings: exact text, JSON shape, GitHub escaping, SARIF against the official schema."""
import io
import json
from decimal import Decimal
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policylang.codes import REGISTRY, Severity
from policylang.diagnostics import Diagnostic, Related
from policylang.links import help_uri
from policylang.render import print_diagnostics, render
from policylang.source import SourceFile, Span

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.schema.json").read_text())
G = "policies/global.policy"
GLOBAL = SourceFile(G, "policy global\nchannels email\nconsent email requires opt_in\ngap emial 1 day\n")
SOURCES = {G: GLOBAL}


def unknown_channel():
    return Diagnostic("PL210", "unknown channel `emial`", Span(G, 4, 5, 4, 10), help="did you mean `email`?",
                      related=(Related(Span(G, 2, 10, 2, 15), "channels are declared here"),))


# --- text ------------------------------------------------------------------

def test_text_shows_caret_help_related_and_summary():
    assert render([unknown_channel()], "text", SOURCES) == (
        "policies/global.policy:4:5: error[PL210]: unknown channel `emial`\n"
        "4 | gap emial 1 day\n"
        "  |     ^^^^^\n"
        "  = help: did you mean `email`?\n"
        "policies/global.policy:2:10: note: channels are declared here\n"
        "2 | channels email\n"
        "  |          ^^^^^\n"
        f"  = docs: {help_uri('PL210')}\n"
        "\n"
        "1 error in 1 file\n"
    )


def test_multi_line_span_is_underlined_to_the_end_of_its_first_line():
    d = Diagnostic("PL500", "cap `x` can never bind", Span(G, 3, 9, 4, 4))
    assert render([d], "text", SOURCES) == (
        "policies/global.policy:3:9: warning[PL500]: cap `x` can never bind\n"
        "3 | consent email requires opt_in\n"
        "  |         ^^^^^^^^^^^^^^^^^^^^^\n"
        f"  = docs: {help_uri('PL500')}\n"
        "\n"
        "1 warning in 1 file\n"
    )


def test_empty_span_at_end_of_line_gets_one_caret():
    src = SourceFile("a.policy", "policy global\ncap email 3 per\n")
    d = Diagnostic("PL100", "expected a duration after `per`", Span("a.policy", 2, 16, 2, 16))
    out = render([d], "text", {"a.policy": src})
    assert "2 | cap email 3 per\n  |                ^\n" in out


def test_finding_without_span_is_still_shown():
    d = Diagnostic("PL405", "the folder `x` has no policylang.yaml", None, help="create `x/policylang.yaml`")
    assert render([d], "text") == (
        "policylang: error[PL405]: the folder `x` has no policylang.yaml\n"
        "  = help: create `x/policylang.yaml`\n"
        f"  = docs: {help_uri('PL405')}\n"
        "\n"
        "1 error\n"
    )


def test_wide_line_numbers_widen_the_gutter_and_help():
    text = "policy global\n" + "\n" * 10 + "gap emial 1 day\n"
    src = SourceFile("b.policy", text)
    d = Diagnostic("PL210", "unknown channel `emial`", Span("b.policy", 12, 5, 12, 10), help="did you mean `email`?")
    out = render([d], "text", {"b.policy": src})
    assert "12 | gap emial 1 day\n   |     ^^^^^\n   = help: did you mean `email`?\n" in out


def test_missing_source_line_shows_no_snippet():
    d = Diagnostic("PL210", "unknown channel `x`", Span(G, 99, 1, 99, 2))
    assert render([d], "text", SOURCES).splitlines()[:3] == [
        "policies/global.policy:99:1: error[PL210]: unknown channel `x`", f"   = docs: {help_uri('PL210')}", ""]


def test_tabs_keep_the_caret_aligned_and_crlf_is_dropped():
    src = SourceFile("t.policy", "policy global\r\n\tgap\temial 1 day\r\n")
    d = Diagnostic("PL210", "unknown channel `emial`", Span("t.policy", 2, 6, 2, 11))
    out = render([d], "text", {"t.policy": src})
    assert "2 | \tgap\temial 1 day\n  | \t   \t^^^^^\n" in out


def test_lines_are_counted_at_newlines_only():
    # a form feed is a line break to str.splitlines but not to the parser
    src = SourceFile("f.policy", "policy global\x0c# x\ngap emial 1 day\n")
    d = Diagnostic("PL210", "unknown channel `emial`", Span("f.policy", 2, 5, 2, 10))
    assert "2 | gap emial 1 day\n" in render([d], "text", {"f.policy": src})


def test_control_characters_cannot_reach_the_terminal():
    src = SourceFile("c.policy", "policy global\nsegment s: \x1b[31m\n")
    d = Diagnostic("PL100", "unexpected character `\x1b`", Span("c.policy", 2, 12, 2, 13))
    out = render([d], "text", {"c.policy": src})
    assert "\x1b" not in out
    assert "unexpected character `\ufffd`" in out
    assert "2 | segment s: \ufffd[31m\n  |            ^\n" in out


def test_long_lines_are_cut_to_a_window_around_the_span():
    line = "a" * 1000 + "XYZ" + "b" * 1000
    src = SourceFile("l.policy", "policy global\n" + line + "\n")
    d = Diagnostic("PL100", "unexpected `XYZ`", Span("l.policy", 2, 1001, 2, 1004))
    snippet_line, caret_line = render([d], "text", {"l.policy": src}).splitlines()[1:3]
    # 60 characters before the span, 160 shown, an ellipsis at each cut
    assert snippet_line == "2 | …" + "a" * 60 + "XYZ" + "b" * 97 + "…"
    assert caret_line == "  | " + " " * 61 + "^^^"


def test_summary_counts_severities_and_checked_files():
    sources = {f"{n}.policy": SourceFile(f"{n}.policy", "policy global\n") for n in "abcd"}
    findings = [
        Diagnostic("PL210", "unknown name `x`", Span("a.policy", 1, 1, 1, 2)),
        Diagnostic("PL210", "unknown name `y`", Span("b.policy", 1, 1, 1, 2)),
        Diagnostic("PL500", "cap `c` can never bind", Span("b.policy", 1, 1, 1, 2)),
    ]
    assert render(findings, "text", sources).endswith("\n2 errors, 1 warning in 4 files\n")
    info = Diagnostic("PL505", "segments `a` and `b` overlap", Span("a.policy", 1, 1, 1, 2))
    assert render([info, info], "text", sources).endswith("\n2 info in 4 files\n")
    assert render([], "text", sources) == "all checks passed\n"


# --- colour ------------------------------------------------------------------

class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("stream_type, env, color, expect_escape", [
    (io.StringIO, {}, None, False),
    (Terminal, {}, None, True),
    (Terminal, {"NO_COLOR": "1"}, None, False),
    (io.StringIO, {"FORCE_COLOR": "1"}, None, True),
    (io.StringIO, {}, True, True),
    (Terminal, {}, False, False),
])
def test_colour_only_on_a_terminal_unless_told(monkeypatch, stream_type, env, color, expect_escape):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    stream = stream_type()
    print_diagnostics([unknown_channel()], stream, SOURCES, color=color)
    out = stream.getvalue()
    assert ("\x1b[" in out) == expect_escape
    if not expect_escape:
        assert out == render([unknown_channel()], "text", SOURCES)


def test_coloured_text_says_the_same_as_plain_text():
    import re

    stream = Terminal()
    print_diagnostics([unknown_channel()], stream, SOURCES, color=True)
    assert re.sub(r"\x1b\[[0-9;]*m", "", stream.getvalue()) == render([unknown_channel()], "text", SOURCES)


# --- json --------------------------------------------------------------------

def test_json_shape():
    d = Diagnostic("PL501", "units `a` and `b` may send 4 emails per 7 days under a global cap of 3", Span(G, 2, 1, 2, 5),
                   related=(Related(Span("policies/a.policy", 3, 1, 3, 9), "unit `a` caps email at 2"),),
                   data={"limit": Decimal("2.50"), "units": ("a", "b")})
    bare = Diagnostic("PL405", "no policylang.yaml in `x`", None)
    assert json.loads(render([d, bare], "json")) == [
        {"code": "PL501", "name": "contention", "severity": "warning",
         "message": "units `a` and `b` may send 4 emails per 7 days under a global cap of 3", "help": None,
         "file": G, "line": 2, "col": 1, "end_line": 2, "end_col": 5,
         "related": [{"file": "policies/a.policy", "line": 3, "col": 1, "end_line": 3, "end_col": 9,
                      "message": "unit `a` caps email at 2"}],
         "data": {"limit": "2.50", "units": ["a", "b"]}},
        {"code": "PL405", "name": "missing-config", "severity": "error", "message": "no policylang.yaml in `x`",
         "help": None, "file": None, "line": None, "col": None, "end_line": None, "end_col": None,
         "related": [], "data": {}},
    ]


def test_json_of_no_findings_is_an_empty_list():
    assert json.loads(render([], "json")) == []


# --- github ------------------------------------------------------------------

def test_github_annotation():
    assert render([unknown_channel()], "github") == (
        "::error file=policies/global.policy,line=4,col=5,endLine=4,endColumn=10,title=PL210 unknown-name::"
        "unknown channel `emial`%0Ahelp: did you mean `email`?%0Anote: channels are declared here (policies/global.policy:2:10)\n"
    )


def test_github_escapes_data_and_properties():
    d = Diagnostic("PL500", "100% sure: a,b\r\nc", Span("dir,x/we:ird.policy", 1, 2, 3, 4), severity=Severity.INFO)
    assert render([d], "github") == (
        "::notice file=dir%2Cx/we%3Aird.policy,line=1,col=2,endLine=3,endColumn=4,title=PL500 redundant-cap::"
        "100%25 sure: a,b%0D%0Ac\n"
    )


def test_github_warning_and_finding_without_span():
    warn = Diagnostic("PL500", "cap `c` can never bind", Span("a.policy", 1, 1, 1, 2))
    bare = Diagnostic("PL405", "no policylang.yaml in `x`", None)
    assert render([warn, bare], "github").splitlines() == [
        "::warning file=a.policy,line=1,col=1,endLine=1,endColumn=2,title=PL500 redundant-cap::cap `c` can never bind",
        "::error title=PL405 missing-config::no policylang.yaml in `x`",
    ]


def test_github_paths_are_relative_to_the_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    d = Diagnostic("PL210", "unknown name `x`", Span(str(tmp_path / "policies" / "g.policy"), 1, 1, 1, 2))
    assert render([d], "github").startswith("::error file=policies/g.policy,line=1,")


# --- sarif -------------------------------------------------------------------

def validate_sarif(text):
    log = json.loads(text)
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(log)
    return log


def test_sarif_validates_and_carries_rules_results_and_locations():
    findings = [
        unknown_channel(),
        Diagnostic("PL500", "cap `c` can never bind", Span("policies/a b.policy", 3, 1, 4, 2), data={"n": Decimal("1.5")}),
        Diagnostic("PL505", "segments `a` and `b` overlap", Span(G, 1, 1, 1, 1)),
        Diagnostic("PL405", "no policylang.yaml in `x`", None),
    ]
    log = validate_sarif(render(findings, "sarif"))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(REGISTRY)
    pl500 = next(r for r in rules if r["id"] == "PL500")
    assert pl500 == {"id": "PL500", "name": "redundant-cap", "shortDescription": {"text": REGISTRY["PL500"].summary},
                     "help": {"text": REGISTRY["PL500"].fix}, "helpUri": help_uri("PL500"),
                     "defaultConfiguration": {"level": "warning"}}
    results = run["results"]
    assert [(r["ruleId"], r["level"]) for r in results] == [("PL210", "error"), ("PL500", "warning"), ("PL505", "note"), ("PL405", "error")]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    first = results[0]
    assert first["message"] == {"text": "unknown channel `emial`\nhelp: did you mean `email`?"}
    assert first["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": G},
                                   "region": {"startLine": 4, "startColumn": 5, "endLine": 4, "endColumn": 10}}}]
    assert first["relatedLocations"] == [{"id": 0, "message": {"text": "channels are declared here"},
                                          "physicalLocation": {"artifactLocation": {"uri": G},
                                                               "region": {"startLine": 2, "startColumn": 10, "endLine": 2, "endColumn": 15}}}]
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "policies/a%20b.policy"
    assert results[1]["properties"] == {"data": {"n": "1.5"}}
    assert "locations" not in results[3]


def test_sarif_of_no_findings_validates():
    assert validate_sarif(render([], "sarif"))["runs"][0]["results"] == []


def test_the_schema_rejects_what_it_should():
    # guards the guard: a result with a region starting at column 0 is not SARIF
    log = json.loads(render([unknown_channel()], "sarif"))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(log)


# --- any finding renders in every format ---------------------------------------

positions = st.integers(min_value=0, max_value=40)
spans = st.builds(Span, st.sampled_from([G, "x/y z.policy", "/abs/p.policy"]), positions, positions, positions, positions)
texts = st.text(max_size=30)
diagnostics = st.builds(
    Diagnostic,
    code=st.sampled_from(sorted(REGISTRY)),
    message=texts,
    span=st.none() | spans,
    help=st.none() | texts,
    severity=st.none() | st.sampled_from(list(Severity)),
    related=st.lists(st.builds(Related, spans, texts), max_size=2).map(tuple),
    data=st.dictionaries(st.text(max_size=5), st.integers() | texts | st.decimals(allow_nan=False), max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(diagnostics, max_size=4))
def test_every_format_renders_any_findings(findings):
    assert render(findings, "text", SOURCES).endswith("\n")
    validate_sarif(render(findings, "sarif"))
    assert len(json.loads(render(findings, "json"))) == len(findings)
    assert render(findings, "github").count("\n") == len(findings)


def test_carets_line_up_under_wide_characters():
    src = SourceFile("w.policy", 'policy global\nsegment s: tier = "日本" and x = 1\n')
    on_string = Diagnostic("PL300", "`tier` is not `x`", Span("w.policy", 2, 19, 2, 23))
    after = Diagnostic("PL210", "unknown attribute `x`", Span("w.policy", 2, 28, 2, 29))
    out = render([on_string, after], "text", {"w.policy": src})
    # `"日本"` is 4 characters but 6 columns wide; `x` is 27 characters, 29 columns in
    assert "\n  | " + " " * 18 + "^" * 6 + "\n" in out
    assert "\n  | " + " " * 29 + "^\n" in out
