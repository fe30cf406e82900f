"""Every command treats a folder that is not a project the same way (docs/design.md, "Decisions", its point "Project folders"):
a path that does not exist is a usage error (exit 2, one `policylang: error:` line naming it); a folder
without policylang.yaml in it or above is reported as PL405 (exit 1).

Commands are run as declared in `policylang.cli.COMMANDS`, with arguments built from each one's parser:
the folder goes to the project positional, or to each positional before it (`diff BASE HEAD [DIR]` takes
two folders), and required options get a value from `VALUES`. A new command with a required option
not in `VALUES` fails here until it is added."""
from __future__ import annotations

import argparse
import subprocess

import pytest

from policylang.cli import COMMANDS, build_parser, main

VALUES = {"--db": "duckdb:///:memory:", "--candidate": "1", "--from": "2025-01-01", "--to": "2025-01-02"}
NOT_PROJECT_COMMANDS = {
    "init": "creates the project in the folder it is given",
    "fmt": "formats any folder of policy files; a project folder is one case of it",
}


def subparsers() -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def argv(command: str, parser: argparse.ArgumentParser, folder: str) -> list[str]:
    """The command with `folder` in every positional up to the project's, and its required options."""
    positionals = [a for a in parser._actions if not a.option_strings]
    names = [a.dest for a in positionals]
    assert "project" in names, f"`{command}` takes no project folder: add it to NOT_PROJECT_COMMANDS with why"
    args = [command] + [folder] * max(1, names.index("project"))  # `diff BASE HEAD [DIR]`: two folders
    required = [a for a in parser._actions if a.option_strings and a.required]
    required += [group._group_actions[0] for group in parser._mutually_exclusive_groups if group.required]
    for action in required:
        option = action.option_strings[-1]
        assert option in VALUES, f"`{command}` requires {option}: give it a value in VALUES"
        args += [option, VALUES[option]]
    return args


PROJECT_COMMANDS = [c for c in COMMANDS if c not in NOT_PROJECT_COMMANDS]


def test_every_command_is_either_a_project_command_or_says_why_not():
    assert set(NOT_PROJECT_COMMANDS) <= set(COMMANDS)
    assert len(PROJECT_COMMANDS) >= 8


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "init"])
def test_a_folder_that_does_not_exist_is_a_usage_error(command, tmp_path, monkeypatch, capsys):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # so `diff` can tell a path from a revision
    monkeypatch.chdir(tmp_path)
    missing = str(tmp_path / "nowhere")
    parser = subparsers()[command]
    args = [command, missing] if command == "fmt" else argv(command, parser, missing)
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("policylang: error: "), err
    assert f"`{missing}`" in err[0]


@pytest.mark.parametrize("command", PROJECT_COMMANDS)
def test_a_folder_without_policylang_yaml_is_pl405(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "empty"
    folder.mkdir()
    assert main(argv(command, subparsers()[command], str(folder))) == 1
    shown = capsys.readouterr()
    printed = shown.out + shown.err  # `check` prints its findings, its report, on standard output
    assert "error[PL405]" in printed and f"no policylang.yaml in `{folder}`" in printed
