"""`gc_paused()`: no cyclic garbage collection while a large, long-lived tree is built.

Parsing and resolving a big policy set, and building the decision query's
syntax tree, allocate hundreds of thousands of objects that all stay alive;
the collector's passes over them find nothing to free and cost a third of the
time or more. Reference
counting still frees everything as usual; collection resumes afterwards.
"""
from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block (re-entrant: an outer pause is kept)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
