"""Paths as CI tools want them: relative to the working folder, with `/` separators."""
from __future__ import annotations

from pathlib import Path, PurePath


def relative_path(file: str) -> str:
    """`file` relative to the current folder when it lies under it, in POSIX form."""
    path = PurePath(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            pass
    return path.as_posix()
