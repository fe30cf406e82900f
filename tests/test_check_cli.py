"""`policylang check`: exit codes, formats, ordering, usage errors and a fast start.

The first group pins the command's contract over a stand-in loader (findings in,
report and exit code out); the second runs real projects end to end.
"""
import json
import subprocess
import sys
import textwrap
import types
from dataclasses import dataclass, field

import pytest

from policylang.cli import main
from policylang.diagnostics import Diagnostic
from policylang.source import SourceFile, Span


@dataclass
class StandIn:
    diagnostics: list
    policy: object = None
    sources: dict = field(default_factory=dict)
    files: tuple = ()
    config: object = None


@pytest.fixture
def loaded(monkeypatch, tmp_path):
    """Make `load_project` return a given project and `analyze` given findings; returns a setter."""
    calls = {"analyze": []}

    def set_project(project, analysis=()):
        monkeypatch.setitem(sys.modules, "policylang.project", types.SimpleNamespace(load_project=lambda root: project))

        def analyze(policy):
            calls["analyze"].append(policy)
            return list(analysis)

        monkeypatch.setattr("policylang.analyze.analyze", analyze)
        return calls

    return set_project


def finding(code, file, line, message="m `x`"):
    return Diagnostic(code, message, Span(file, line, 1, line, 2))


def check(capsys, *argv):
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_clean_project_exits_0(loaded, tmp_path, capsys):
    loaded(StandIn([], policy=object()))
    assert check(capsys, str(tmp_path)) == (0, "all checks passed\n", "")


def test_error_exits_1(loaded, tmp_path, capsys):
    loaded(StandIn([finding("PL210", "g.policy", 3, "unknown channel `emial`")]))
    code, out, _ = check(capsys, str(tmp_path))
    assert code == 1
    assert out.startswith("g.policy:3:1: error[PL210]: unknown channel `emial`\n")
    assert out.endswith("\n1 error\n")


@pytest.mark.parametrize("code_", ["PL500", "PL505", "PL210"])
@pytest.mark.parametrize("strict", [False, True])
def test_any_finding_the_project_has_not_allowed_fails(loaded, tmp_path, capsys, code_, strict):
    loaded(StandIn([], policy=object()), analysis=[finding(code_, "g.policy", 1)])
    argv = [str(tmp_path)] + (["--strict"] if strict else [])
    code, out, err = check(capsys, *argv, "--format", "json")
    assert (code, [d["severity"] for d in json.loads(out or "[]")], err) == (1, ["error"], "")


def test_analysis_runs_only_on_a_resolved_policy(loaded, tmp_path, capsys):
    calls = loaded(StandIn([finding("PL210", "g.policy", 1)], policy=None), analysis=[finding("PL500", "g.policy", 2)])
    code, out, _ = check(capsys, str(tmp_path), "--format", "json")
    assert code == 1
    assert [d["code"] for d in json.loads(out)] == ["PL210"]
    assert calls["analyze"] == []


def test_findings_are_merged_sorted_and_deduplicated(loaded, tmp_path, capsys):
    policy = object()
    dup = finding("PL210", "b.policy", 1)
    calls = loaded(StandIn([dup, dup, finding("PL207", "a.policy", 9)], policy=policy),
                   analysis=[finding("PL500", "a.policy", 5), finding("PL508", "b.policy", 1)])
    code, out, _ = check(capsys, str(tmp_path), "--format", "json")
    assert calls["analyze"] == [policy]
    assert [(d["file"], d["line"], d["code"]) for d in json.loads(out)] == [
        ("a.policy", 5, "PL500"), ("a.policy", 9, "PL207"), ("b.policy", 1, "PL210"), ("b.policy", 1, "PL508")]
    assert code == 1


def test_text_output_uses_the_project_sources(loaded, tmp_path, capsys):
    src = SourceFile("g.policy", "policy global\ngap emial 1 day\n")
    loaded(StandIn([Diagnostic("PL210", "unknown channel `emial`", Span("g.policy", 2, 5, 2, 10))], sources={"g.policy": src}))
    out = check(capsys, str(tmp_path))[1]
    assert "2 | gap emial 1 day\n  |     ^^^^^\n" in out
    assert out.endswith("\n1 error in 1 file\n")


@pytest.mark.parametrize("fmt", ["github", "sarif"])
def test_machine_formats_go_to_stdout_without_colour_or_summary(loaded, tmp_path, capsys, fmt):
    loaded(StandIn([finding("PL210", "g.policy", 1)]))
    code, out, err = check(capsys, str(tmp_path), "--format", fmt)
    assert code == 1 and err == ""
    assert "error" in out and "\x1b[" not in out and "1 error" not in out


# --- usage errors -------------------------------------------------------------

def test_missing_folder_is_a_usage_error(tmp_path, capsys):
    code, out, err = check(capsys, str(tmp_path / "nope"))
    assert (code, out) == (2, "")
    assert err == f"policylang: error: project folder `{tmp_path / 'nope'}` does not exist; pass the folder that holds policylang.yaml\n"


def test_a_file_is_not_a_project_folder(tmp_path, capsys):
    (tmp_path / "policylang.yaml").write_text("business_units: [a]\n")
    code, out, err = check(capsys, str(tmp_path / "policylang.yaml"))
    assert (code, out) == (2, "")
    assert "is not a folder" in err and len(err.splitlines()) == 1


def test_unknown_format_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["check", str(tmp_path), "--format", "xml"])
    assert exc.value.code == 2
    assert "invalid choice: 'xml'" in capsys.readouterr().err


def test_check_starts_without_heavy_libraries():
    probe = ("import sys, policylang.cli; policylang.cli.build_parser(); "
             "print(sorted(m for m in ('sqlglot', 'duckdb', 'z3', 'rich', 'pyarrow', 'lark', 'pyspark') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"


# --- real projects, end to end ---------------------------------------------------

GLOBAL = """\
policy global

channels email, sms
topics offers

consent email requires opt_in
consent sms allowed unless opt_out

cap marketing 6 per 7 days
gap email 2 days
"""


def write_project(root, files, config="business_units: [cruises]\n"):
    (root / "policylang.yaml").write_text(config)
    (root / "policies").mkdir()
    for name, text in files.items():
        (root / "policies" / name).write_text(textwrap.dedent(text))
    return root


def test_a_valid_project_passes(tmp_path, capsys):
    write_project(tmp_path, {"global.policy": GLOBAL, "cruises.policy": "policy business_unit cruises\ncap email 2 per 7 days\n"})
    assert check(capsys, str(tmp_path)) == (0, "all checks passed\n", "")


def test_an_unknown_channel_is_reported_where_it_is_written(tmp_path, capsys):
    write_project(tmp_path, {"global.policy": GLOBAL + "gap emial 1 day\n"})
    code, out, _ = check(capsys, str(tmp_path), "--format", "json")
    assert code == 1
    found = [(d["code"], d["line"], d["col"], d["end_col"]) for d in json.loads(out)]
    assert ("PL210", 11, 5, 10) in found  # `emial` on line 11, columns 5-9
    assert next(d for d in json.loads(out) if d["code"] == "PL210")["help"] == "did you mean `email`?"


def test_a_syntax_error_exits_1_with_a_location(tmp_path, capsys):
    write_project(tmp_path, {"global.policy": GLOBAL + "cap email 3 per\n"})
    code, out, _ = check(capsys, str(tmp_path), "--format", "json")
    assert code == 1
    assert [d["code"] for d in json.loads(out)] == ["PL100"]
    assert json.loads(out)[0]["line"] in (11, 12)  # at the end of `per` or at the end of the file


def test_the_policy_folder_defaults_to_the_current_one(tmp_path, capsys, monkeypatch):
    write_project(tmp_path, {"global.policy": GLOBAL})
    monkeypatch.chdir(tmp_path)
    assert check(capsys)[0] == 0


def test_config_findings_show_their_yaml_line(tmp_path, capsys):
    write_project(tmp_path, {"global.policy": GLOBAL}, config="business_units: [cruises]\nbusiness_unit: 3\n")
    code, out, _ = check(capsys, str(tmp_path))
    assert code == 1
    assert out.startswith(f"{tmp_path / 'policylang.yaml'}:2:1: error[PL401]: ")
    assert "\n2 | business_unit: 3\n  | ^^^^^^^^^^^^^\n" in out  # the unknown key, underlined
    assert out.endswith("\n1 error in 1 file\n")  # the config stops the check before the policy files
