"""The README's five-minute path cannot drift: `tests/readme_walkthrough.py` runs its steps in a
copy of the example project, and this test fails when README.md's marked blocks differ from what
they print today.

To refresh the README after a change (on a laptop, then review the diff):
`POLICYLANG_UPDATE_README=1 python -m pytest tests/test_readme.py`, or
`python tests/readme_walkthrough.py --update`. Under CI=true the flag is refused: CI never rewrites.
"""
import os
import re

import pytest

import readme_walkthrough
from conftest import update_requested

FIRST_LINES = """\
# policylang

```sh
pip install '.[fast]' && policylang run policies --as-of 2025-06-30T06:00:00
pip install -e '.[test]' && python -m pytest
```
"""


def updating(env=os.environ) -> bool:
    """Does this run rewrite the README? Only when asked, and never under CI=true."""
    return update_requested("POLICYLANG_UPDATE_README", "the README's walkthrough blocks", env)


def test_the_readme_walkthrough_is_what_the_steps_print_today(capsys):
    code = readme_walkthrough.main(["--update"] if updating() else [])
    out = capsys.readouterr().out
    assert code == 0, out


def test_the_readme_starts_with_the_two_commands():
    assert readme_walkthrough.README.read_text(encoding="utf-8").startswith(FIRST_LINES)


def test_the_walkthrough_shows_a_failing_check_then_a_passing_one():
    readme = readme_walkthrough.README.read_text(encoding="utf-8")
    blocks = {m["name"]: m["body"] for m in readme_walkthrough.BLOCK.finditer(readme)}
    assert "error[PL509]" in blocks["check-conflict"] and blocks["check-conflict"].endswith("$ echo $?\n1\n```\n")
    assert "all checks passed\n$ echo $?\n0\n" in blocks["check-fixed"]
    assert re.search(r"\n\d+ passed, 0 failed\n\$ echo \$\?\n0\n", blocks["test"])
    assert "::error file=hotels.policy" in blocks["annotations"]


def test_a_stale_block_is_reported_not_rewritten(tmp_path, monkeypatch, capsys):
    readme = readme_walkthrough.README.read_text(encoding="utf-8")
    stale = readme.replace("all checks passed", "all checks passed, probably", 1)
    copy = tmp_path / "README.md"
    copy.write_text(stale, encoding="utf-8")
    monkeypatch.setattr(readme_walkthrough, "README", copy)
    monkeypatch.setattr(readme_walkthrough, "blocks", lambda: {
        m["name"]: m["body"] for m in readme_walkthrough.BLOCK.finditer(readme)})
    assert readme_walkthrough.main([]) == 1
    assert "-all checks passed, probably" in capsys.readouterr().out
    assert copy.read_text(encoding="utf-8") == stale


def test_update_is_refused_under_ci():
    with pytest.raises(pytest.fail.Exception, match="never by CI"):
        updating({"POLICYLANG_UPDATE_README": "1", "CI": "true"})
