"""Every planted bug of tests/mutants.py still has its anchor in the source (docs/testing.md, "Mutants").

A mutant is an exact text edit: when a refactoring moves or rewrites the code a
mutant's `old` text sits in, the mutant would plant nothing. This fast test
fails at once, naming the mutant, so whoever moved the code updates its
`path`/`old`/`new` in tests/mutants.py.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def _mutants_module():
    spec = importlib.util.spec_from_file_location("policylang_test_mutants", HERE / "mutants.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve the module by name
    spec.loader.exec_module(module)
    return module


MUTANTS_MODULE = _mutants_module()


@pytest.mark.parametrize("mutant", MUTANTS_MODULE.MUTANTS, ids=lambda m: m.name)
def test_anchor_occurs_exactly_once_and_the_edit_changes_it(mutant):
    text = (MUTANTS_MODULE.ROOT / mutant.path).read_text(encoding="utf-8")
    assert text.count(mutant.old) == 1, f"{mutant.path}: the `old` text of `{mutant.name}` occurs " \
                                        f"{text.count(mutant.old)} times; update its anchor in tests/mutants.py"
    assert mutant.new != mutant.old


def test_names_are_unique():
    names = [m.name for m in MUTANTS_MODULE.MUTANTS]
    assert len(names) == len(set(names))


def test_a_broken_anchor_is_reported(tmp_path):
    """anchor_problems (which `python tests/mutants.py` runs before anything else) names a mutant whose
    text is gone, one whose file is gone, and is silent on the real tree."""
    assert MUTANTS_MODULE.anchor_problems() == []
    first = MUTANTS_MODULE.MUTANTS[0]
    second = next(m for m in MUTANTS_MODULE.MUTANTS if m.path != first.path)
    (tmp_path / first.path).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / first.path).write_text("moved elsewhere\n", encoding="utf-8")
    problems = MUTANTS_MODULE.anchor_problems(tmp_path)
    assert any(first.name in p and "occurs 0 times" in p for p in problems)
    assert any(second.name in p and "does not exist" in p for p in problems)
