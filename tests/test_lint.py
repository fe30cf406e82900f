"""`check`'s lint semantics: every finding fails unless allowed in `lint:` or inline, with a reason.

Runs real projects end to end on the contention case (two PL501 findings, in
global.policy at lines 9 and 12) and on the PL6xx codes' own examples.
"""
import json
import re
import shutil
from pathlib import Path

import pytest

from policylang.cli import main
from policylang.codes import REGISTRY
from policylang.findings_doc import example_files
from policylang.links import help_uri

ROOT = Path(__file__).parents[1]
CASE = ROOT / "tests" / "analysis_cases" / "contention"
FINDINGS_DOC = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path):
    shutil.copytree(CASE, tmp_path / "p")
    return tmp_path / "p"


def check(capsys, project, *argv, fmt="json"):
    code = main(["check", str(project), "--format", fmt, *argv])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if fmt == "json" else out), err


def add_config(project, text):
    with open(project / "policylang.yaml", "a", encoding="utf-8") as f:
        f.write(text)


def edit_line(project, file, line, suffix):
    """Append `suffix` to line `line` of `file` (its own comment removed)."""
    path = project / file
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[line - 1] = lines[line - 1].split("#")[0].rstrip() + suffix
    path.write_text("\n".join(lines), encoding="utf-8")


def codes(findings):
    return [(d["code"], d["line"], d["severity"]) for d in findings]


def test_a_warning_the_project_has_not_allowed_fails_and_is_shown_as_an_error(project, capsys):
    code, findings, _ = check(capsys, project)
    assert code == 1
    assert codes(findings) == [("PL501", 9, "error"), ("PL501", 12, "error")]


def test_warn_shows_without_failing_and_strict_fails_on_it(project, capsys):
    add_config(project, "lint:\n  warn: [PL501]\n")
    code, findings, _ = check(capsys, project)
    assert code == 0 and codes(findings) == [("PL501", 9, "warning"), ("PL501", 12, "warning")]
    assert check(capsys, project, "--strict")[0] == 1


def test_ignore_drops_the_code(project, capsys):
    add_config(project, "lint:\n  ignore: [PL501]\n")
    code, findings, _ = check(capsys, project)
    assert (code, findings) == (0, [])


def test_per_file_ignores_drop_the_code_in_matching_files_only(project, capsys):
    add_config(project, "lint:\n  per_file_ignores:\n    'glob*.policy': [PL501]\n")
    assert check(capsys, project) == (0, [], "")
    add_config(project, "    'hotels.policy': [PL501]\n")
    (project / "policylang.yaml").write_text(
        (project / "policylang.yaml").read_text().replace("'glob*.policy'", "'air.policy'"))
    assert codes(check(capsys, project)[1]) == [("PL501", 9, "error"), ("PL501", 12, "error")]


def test_an_inline_suppression_with_a_reason_drops_the_finding_on_its_line(project, capsys):
    edit_line(project, "global.policy", 9, "  # policylang: ignore[PL501] -- hotels only send in winter")
    code, findings, _ = check(capsys, project)
    assert code == 1 and codes(findings) == [("PL501", 12, "error")]


def test_a_suppression_alone_on_its_line_covers_the_next_statement(project, capsys):
    path = project / "global.policy"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[11:11] = ["# policylang: ignore[PL500, PL501] -- the budget is split by hand", "# another comment", ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, findings, _ = check(capsys, project)
    assert codes(findings) == [("PL501", 9, "error"), ("PL602", 12, "error")]
    assert findings[1]["message"] == "`PL500` is not reported on line 15; remove it from the suppression"


def test_a_suppression_without_a_reason_still_suppresses_but_fails(project, capsys):
    edit_line(project, "global.policy", 9, "  # policylang: ignore[PL501]")
    edit_line(project, "global.policy", 12, "  # policylang: ignore[PL501] --   ")
    code, findings, _ = check(capsys, project)
    assert code == 1 and codes(findings) == [("PL601", 9, "error"), ("PL601", 12, "error")]


def test_an_unused_suppression_is_reported_and_can_itself_be_allowed(project, capsys):
    edit_line(project, "air.policy", 3, "  # policylang: ignore[PL508] -- was shadowed")
    add_config(project, "lint:\n  warn: [PL501]\n")
    code, findings, _ = check(capsys, project)
    assert code == 1 and ("PL602", 3, "error") in codes(findings)
    (project / "policylang.yaml").write_text((project / "policylang.yaml").read_text().replace(
        "warn: [PL501]", "warn: [PL501, PL602]"))
    assert check(capsys, project)[0] == 0


@pytest.mark.parametrize("comment, message", [
    ("# policylang: ignore PL501", "a suppression is written `# policylang: ignore[CODE] -- reason`; fix this comment"),
    ("# policylang: ignore[PL999] -- x", "`PL999` is not a finding code; list codes such as `PL501`"),
    ("# policylang: ignore[PL210] -- x", "`PL210` cannot be suppressed: it is an error, and the policy does not "
                                          "compile with it"),
    ("# policylang: ignore[PL602] -- x", "`PL602` cannot be suppressed: fix the suppression instead"),
])
def test_a_malformed_suppression_is_pl600_and_suppresses_nothing(project, capsys, comment, message):
    edit_line(project, "global.policy", 9, "  " + comment)
    code, findings, _ = check(capsys, project)
    assert code == 1
    assert [(d["code"], d["line"], d["message"]) for d in findings if d["code"] == "PL600"] == [("PL600", 9, message)]
    assert ("PL501", 9, "error") in codes(findings)


def test_errors_are_never_suppressed(project, capsys):
    (project / "air.policy").write_text("policy business_unit air\ncap pish 1 per 1 day  # policylang: ignore[PL210] -- x\n")
    code, findings, _ = check(capsys, project)
    assert code == 1 and [d["code"] for d in findings] == ["PL210", "PL600"]


@pytest.mark.parametrize("lint, where, message", [
    ("lint:\n  ignore: [PL210]\n", "policylang.yaml:13:12",
     "`PL210` is an error and cannot be allowed: the policy does not compile with it; fix what it reports"),
    ("lint:\n  warn: [PL501, PL5O1]\n", "policylang.yaml:13:17", "`lint.warn` must list finding codes; `PL5O1` is not one"),
    ("lint:\n  ignore: [PL501]\n  warn: [PL501]\n", "policylang.yaml:14:9",
     "`lint.ignore` and `lint.warn` both list `PL501`; keep it in one of them"),
    ("lint:\n  warn: PL501\n", "policylang.yaml:13:9", "`lint.warn` must be a list of codes such as `[PL501]`"),
    ("lint:\n  warnings: [PL501]\n", "policylang.yaml:13:3", "unknown key `warnings`; remove it or fix its spelling"),
])
def test_lint_config_errors_are_reported_where_written(project, capsys, lint, where, message):
    add_config(project, lint)
    code, out, _ = check(capsys, project, fmt="text")
    assert code == 1
    header = out.splitlines()[0]
    assert header == f"{project / where}: error[PL40{'1' if 'unknown key' in message else '2'}]: {message}"
    assert out.splitlines()[2].strip().startswith("|") and "^" in out.splitlines()[2]


@pytest.mark.parametrize("code", sorted(c for c in REGISTRY if c.startswith("PL6")))
def test_each_suppression_example_triggers_its_code_and_nothing_else(code, tmp_path, capsys):
    for path, text in example_files(REGISTRY[code].example).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text, encoding="utf-8")
    exit_code, findings, _ = check(capsys, tmp_path)
    assert exit_code == 1 and [d["code"] for d in findings] == [code]


def test_every_sarif_rule_links_to_its_section_of_the_findings_doc(project, capsys):
    rules = check(capsys, project, fmt="sarif")[1]
    rules = json.loads(rules)["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len(REGISTRY)
    headings = {f"#{h[0].lower()}-{h[1]}" for h in re.findall(r"^### (PL\d+) `([a-z-]+)`$", FINDINGS_DOC, re.M)}
    for rule in rules:
        assert rule["helpUri"] == help_uri(rule["id"])
        assert rule["helpUri"].endswith("/docs/findings.md" + f"#{rule['id'].lower()}-{rule['name']}")
        assert "#" + rule["helpUri"].split("#")[1] in headings


def test_every_text_finding_ends_with_its_docs_link(project, capsys):
    out = check(capsys, project, fmt="text")[1]
    blocks = out.strip().split("\n\n")[:-1]
    assert len(blocks) == 2
    for block in blocks:
        assert block.splitlines()[-1].strip() == f"= docs: {help_uri('PL501')}"
