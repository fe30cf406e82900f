"""docs/findings.md against the code registry, and the analysis codes' examples against the analysis."""

import pytest

from policylang.analyze import analyze
from policylang.codes import REGISTRY
from policylang.findings_doc import DOC, example_files, main, render
from policylang.project import load_project

ANALYSIS = sorted(code for code in REGISTRY if code.startswith("PL5"))


def test_the_doc_is_the_registry_rendered():
    assert DOC.read_text(encoding="utf-8") == render(), "run python -m policylang.findings_doc"


def test_every_code_has_a_section_with_its_fix():
    text = render()
    for code in REGISTRY.values():
        assert f"### {code.code} `{code.name}`" in text
        assert f"Fix: {code.fix}." in text


def test_check_mode_reports_a_stale_file_and_leaves_it(tmp_path, capsys):
    stale = tmp_path / "findings.md"
    stale.write_text("# Findings\n", encoding="utf-8")
    assert main(["--check", "--out", str(stale)]) == 1
    assert stale.read_text(encoding="utf-8") == "# Findings\n"
    assert "out of date" in capsys.readouterr().err
    assert main(["--out", str(stale)]) == 0
    assert main(["--check", "--out", str(stale)]) == 0


def test_example_files_splits_on_file_marks():
    assert example_files("# --- a.yaml\nx: 1\n# --- policies/g.policy\npolicy global\n") == {
        "a.yaml": "x: 1\n", "policies/g.policy": "policy global\n"}
    assert example_files("policy global\ncap email 3 per\n") is None


@pytest.mark.parametrize("code", ANALYSIS)
def test_each_analysis_example_triggers_its_code_and_nothing_else(code, tmp_path):
    files = example_files(REGISTRY[code].example)
    assert files is not None, "an analysis example is a whole small project"
    for path, text in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    project = load_project(tmp_path)
    assert not project.diagnostics, [d.message for d in project.diagnostics]
    assert [d.code for d in analyze(project.policy)] == [code]
