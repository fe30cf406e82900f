"""docs/messages.md shows what policylang prints, not what it once printed.

The page marks its example: `<!-- example-input: PATH -->` before a fenced block
makes the block the file PATH of the example project, and `<!-- example-output:
policylang ARGS (exit N) -->` before a fenced block says that `policylang ARGS`,
run in that project, prints the block on standard output and exits N. The test
writes the project to a temporary folder, runs every command there as a user
would (`python -m policylang`, no terminal, no colour) and compares.

After a deliberate change to the output, `POLICYLANG_UPDATE_GOLDEN=1 python3 -m
pytest tests/test_docs_messages.py` writes the real output into the page instead
(review the diff); under CI=true the flag is refused, as for the golden SQL files.
"""
from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from test_golden import updating

PAGE = Path(__file__).resolve().parent.parent / "docs" / "messages.md"
EXAMPLE = re.compile(r"^<!-- example-(input|output): (.+?) -->\n```[\w-]*\n(.*?)^```$", re.M | re.S)


def examples(text: str) -> tuple[dict[str, str], list[re.Match]]:
    """The example project's files, and the marked outputs in page order."""
    found = list(EXAMPLE.finditer(text))
    files = {match.group(2): match.group(3) for match in found if match.group(1) == "input"}
    return files, [match for match in found if match.group(1) == "output"]


def command(marker: str) -> tuple[list[str], int]:
    match = re.fullmatch(r"policylang(?: (.*?))? \(exit (\d+)\)", marker)
    assert match, f"docs/messages.md: `{marker}` is not `policylang ARGS (exit N)`"
    return shlex.split(match.group(1) or ""), int(match.group(2))


def run(project: Path, args: list[str]) -> subprocess.CompletedProcess:
    env = {name: value for name, value in os.environ.items() if name != "FORCE_COLOR"} | {"NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "policylang", *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_page_marks_its_example():
    files, outputs = examples(PAGE.read_text(encoding="utf-8"))
    assert {"policylang.yaml", "policies/global.policy"} <= set(files)
    assert [command(match.group(2))[0] for match in outputs] == [
        ["check"], ["check", "--format", "json"], ["check", "--format", "github"]]


def test_every_example_output_is_what_policylang_prints(tmp_path):
    text = PAGE.read_text(encoding="utf-8")
    files, outputs = examples(text)
    for path, content in files.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content, encoding="utf-8")
    update = updating(os.environ)
    for match in reversed(outputs):  # from the end, so earlier spans stay valid when updating
        args, exit_code = command(match.group(2))
        result = run(tmp_path, args)
        assert result.returncode == exit_code, f"`policylang {shlex.join(args)}` exited {result.returncode}: " \
                                               f"{result.stderr}"
        if update:
            text = text[:match.start(3)] + result.stdout + text[match.end(3):]
        else:
            assert result.stdout == match.group(3), f"docs/messages.md shows another output for " \
                                                    f"`policylang {shlex.join(args)}`"
    if update:
        PAGE.write_text(text, encoding="utf-8")
