"""The documented GitHub workflows work as written: docs/examples/policylang.yml (and its copy in
docs/pull-requests.md) installs policylang from its repository at a full commit SHA, as action.yml
installs itself from its own ref (no release is on PyPI), and every `policylang` command a
documented workflow runs is one the command line accepts."""
import re
import shlex
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from policylang.cli import build_parser

ROOT = Path(__file__).parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "policylang.yml"
GUIDE = ROOT / "docs" / "pull-requests.md"
# what a step's environment holds when it runs, for the command lines below
SHELL = {"$PROJECT": ".", "$BASE": "HEAD~1"}


def workflows() -> list[tuple[str, dict]]:
    """(where, workflow) for the example file and every workflow in the guide."""
    found = [(EXAMPLE.name, yaml.safe_load(EXAMPLE.read_text(encoding="utf-8")))]
    for number, block in enumerate(re.findall(r"```yaml\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)):
        document = yaml.safe_load(block)
        if isinstance(document, dict) and "jobs" in document and "env" in document:
            found.append((f"{GUIDE.name} block {number + 1}", document))
    return found


def commands(workflow: dict) -> list[list[str]]:
    """The argv of every `policylang` command the workflow's steps run (redirections left out)."""
    found = []
    for job in workflow["jobs"].values():
        for step in job["steps"]:
            for line in step.get("run", "").splitlines():
                words = shlex.split(line)
                cut = next((i for i, w in enumerate(words) if w in (">", ">>", "|", "||", "&&")), len(words))
                if words and words[0] == "policylang":
                    found.append([SHELL.get(w, w) for w in words[1:cut]])
    return found


def test_the_guide_shows_the_example_file_as_it_is():
    assert EXAMPLE.read_text(encoding="utf-8") in GUIDE.read_text(encoding="utf-8")


@pytest.mark.parametrize("where, workflow", workflows(), ids=[w for w, _ in workflows()])
def test_a_workflow_installs_policylang_from_its_repository_at_a_commit(where, workflow):
    requirement = Requirement(workflow["env"]["POLICYLANG"])
    assert requirement.name == "policylang"
    assert re.fullmatch(r"git\+https://github\.com/[\w.-]+/policylang@[0-9a-f]{40}", requirement.url or ""), where
    installs = [step["run"] for job in workflow["jobs"].values() for step in job["steps"]
                if "pip install" in step.get("run", "")]
    assert installs == ['pip install "$POLICYLANG"']


@pytest.mark.parametrize("where, workflow", workflows(), ids=[w for w, _ in workflows()])
def test_every_policylang_command_of_a_workflow_parses(where, workflow):
    argvs = commands(workflow)
    assert argvs, f"{where} runs no policylang command"
    for argv in argvs:
        try:
            build_parser().parse_args(argv)
        except SystemExit:
            pytest.fail(f"{where}: `policylang {' '.join(argv)}` is not a command policylang accepts")


def test_a_command_policylang_does_not_accept_is_caught():
    with pytest.raises(SystemExit):
        build_parser().parse_args(commands({"jobs": {"j": {"steps": [{"run": "policylang check . --format xml"}]}}})[0])
