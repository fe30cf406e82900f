"""Config discovery: the project a command works on, found as ruff finds pyproject.toml.

The folder named on the command line (by default the current one) is the
project when it holds policylang.yaml; otherwise its nearest parent that does
is, so every command works from any folder inside a project. The project is
named relative to the current folder when it lies above it (`..`, `../..`), so
findings keep naming files by short paths. Without a policylang.yaml anywhere
above, the folder as given is the project, and loading it reports PL405.
"""
from __future__ import annotations

import os
from pathlib import Path

from .errors import UsageError


def project_root(arg: str) -> Path:
    """The project folder for the folder `arg` given on the command line, or a `UsageError` saying
    what is wrong with `arg`. (The config module, and YAML with it, is imported only here.)"""
    from .config import CONFIG_FILE, exists

    root = Path(arg)
    if not root.exists():
        raise UsageError(f"project folder `{arg}` does not exist; pass the folder that holds policylang.yaml")
    if not root.is_dir():
        raise UsageError(f"`{arg}` is not a folder; pass the project folder that holds policylang.yaml")
    if exists(root / CONFIG_FILE, folder=False):
        return root
    for parent in root.absolute().parents:
        if exists(parent / CONFIG_FILE, folder=False):
            return Path(os.path.relpath(parent))
    return root
