"""Where a finding's documentation lives: its section of docs/findings.md in the repository.

SARIF rules carry it as `helpUri` and the text format ends each finding with
it. `REPOSITORY` is the one place that names the repository.
"""
from __future__ import annotations

from .codes import REGISTRY, Code

REPOSITORY = "https://github.com/policylang/policylang"
FINDINGS = f"{REPOSITORY}/blob/main/docs/findings.md"


def anchor(code: Code) -> str:
    """The Markdown anchor of the code's heading (`### PL501 `contention``) in docs/findings.md."""
    return f"{code.code.lower()}-{code.name}"


def help_uri(code: str) -> str:
    return f"{FINDINGS}#{anchor(REGISTRY[code])}"
