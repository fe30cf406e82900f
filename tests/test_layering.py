"""Which modules may import which: engines run SQL they are given and never import the compiler."""
from __future__ import annotations

import ast
from pathlib import Path

ENGINES = Path(__file__).resolve().parent.parent / "policylang" / "engines"


def imported(path: Path) -> set[str]:
    """Every module `path` imports, relative imports written as `..name`."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


def test_no_engine_imports_the_compiler():
    found = {path.name: sorted(n for n in imported(path) if "compilers" in n) for path in sorted(ENGINES.glob("*.py"))}
    assert len(found) >= 7  # base, urls and the five engines
    assert {name: names for name, names in found.items() if names} == {}
