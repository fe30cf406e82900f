"""The example database of the `dev` and `deep` profiles keeps failures and nothing else
(tests/conftest.py, `FailuresOnlyDatabase`; docs/testing.md, "Hypothesis profiles").

A property that fails for x >= 10 and steers towards large x with `target()`
is run against a database in a temporary folder: the failure is saved, and
replayed by a run that does nothing but replay; Hypothesis's `.pareto` (the
targets' best examples) and `.secondary` entries, which the plain directory
database would also write, are not. (The directory database also keeps an
index of its keys, under the hash of `.hypothesis-keys`.)
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import Phase, given, settings, target
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from conftest import FailuresOnlyDatabase


def failing_property(database, phases=tuple(Phase)):
    seen = []

    @settings(database=database, max_examples=200, phases=phases, derandomize=False, deadline=None,
              print_blob=False)
    @given(st.integers(0, 1000))
    def prop(x):
        seen.append(x)
        target(float(x), label="x")
        assert x < 10

    return prop, seen


def folders(path: Path) -> list[Path]:
    return [p for p in path.iterdir() if p.is_dir()]


def test_a_failure_is_saved_and_replayed_and_nothing_else_is_kept(tmp_path):
    prop, _ = failing_property(FailuresOnlyDatabase(tmp_path))
    with pytest.raises(AssertionError):
        prop()
    kept = folders(tmp_path)
    assert len(kept) == 2, kept  # the test's own key (its shrunk failure) and the directory's index of its keys
    replay, seen = failing_property(FailuresOnlyDatabase(tmp_path), phases=(Phase.reuse,))
    with pytest.raises(AssertionError):
        replay()
    assert set(seen) == {10}  # only the saved minimal failure is run (and run again to report it)


def test_the_plain_directory_database_would_keep_more(tmp_path):
    """The control: the same run writes bookkeeping keys beside the failure without the wrapper."""
    prop, _ = failing_property(DirectoryBasedExampleDatabase(str(tmp_path)))
    with pytest.raises(AssertionError):
        prop()
    assert len(folders(tmp_path)) > 2


def test_a_passing_run_keeps_nothing(tmp_path):
    @settings(database=FailuresOnlyDatabase(tmp_path), max_examples=50, deadline=None)
    @given(st.integers(0, 1000))
    def prop(x):
        target(float(x), label="x")

    prop()
    assert folders(tmp_path) == []
