"""Where `policylang run` writes its decisions, and how what is there stays safe.

`parse_output` reads `--out` (a `.csv` or `.parquet` file, or `table:NAME`
with `--db`); `refuse_inputs` stops a run whose output names one of its
inputs before anything runs. A file is written through `claimed` (a lock file
beside it, so two runs never write it at once) and `staged_file` (a new file
in the same folder, moved over the old one with `os.replace` only when
complete). Tables are swapped in by the engine (`Engine.replacing`).
docs/run.md has the whole story, engine by engine.
"""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import DataError, UsageError

try:
    import fcntl
except ImportError:  # Windows: no advisory file locks (the file is still replaced whole)
    fcntl = None

FILE_FORMATS = (".csv", ".parquet")


@dataclass(frozen=True)
class Output:
    file: Path | None = None
    table: str | None = None


def parse_output(text: str | None, db: str | None) -> Output:
    """`--out` as given: nothing, a file, or `table:NAME` (which needs `--db`)."""
    if text is None:
        return Output()
    if text.startswith("table:"):
        name = text[len("table:"):]
        if not db:
            raise UsageError(f"`--out {text}` writes to a database table: add `--db URL`, "
                             "or write a `.csv` or `.parquet` file")
        if not name:
            raise UsageError("`--out table:` needs a table name, e.g. `--out table:decisions`")
        return Output(table=name)
    path = Path(text)
    if path.suffix.lower() not in FILE_FORMATS:
        raise UsageError(f"cannot tell the format of `--out {text}`: name a `.csv` or `.parquet` file, "
                         "or `table:NAME` with `--db`")
    return Output(file=path)


# --- an output must not be an input --------------------------------------------------------------

def refuse_inputs(output: Output, config, tables: dict[str, str]) -> None:
    """A `UsageError` when `output` names a warehouse table the policy reads (`tables`, the policy's
    canonical -> warehouse names) or a file of the project: a `data:` file, policylang.yaml or a
    policy file. Nothing has run yet."""
    if output.table:
        for name in tables.values():
            if same_table(output.table, name):
                raise UsageError(f"`--out table:{output.table}` names the input table `{name}`, which the run "
                                 "reads; write the decisions to another table, e.g. `--out table:decisions`")
    if output.file:
        for path in project_files(config):
            if same_file(output.file, path):
                raise UsageError(f"`--out {output.file}` names the project's file `{path}`, which the run "
                                 "reads; write the decisions to another file, e.g. `--out decisions.csv`")


def same_table(a: str, b: str) -> bool:
    """Could the warehouse names `a` and `b` (dotted, `crm.touches`) be one table? Parts compare without
    case (unquoted names fold case), and a name without a schema may be in any schema."""
    from ..table_names import name_parts  # with sqlglot, which `run --help` does not need

    first, second = (name_parts(name.lower()) for name in (a, b))
    return all(x == y for x, y in zip(reversed(first), reversed(second)))


def project_files(config) -> list[Path]:
    """The files a run reads: the `data:` files, policylang.yaml and the policy files (only those: the
    policy folder may be the project's own, where earlier decisions are written)."""
    files = [config.root / file for file in config.data.values()]
    if config.path:
        files.append(config.path)
    return files + sorted(config.policies_dir.glob("*.policy"))


def same_file(a: Path, b: Path) -> bool:
    """Are `a` and `b` one file: the same path once resolved (symbolic links followed), or, both
    existing, the same file on disk (a hard link, another case on a case-insensitive disk)?"""
    if a.resolve() == b.resolve():
        return True
    with suppress(OSError):
        return os.path.samefile(a, b)
    return False


# --- writing a file whole, one run at a time -----------------------------------------------------

@contextmanager
def claimed(path: Path | None) -> Iterator[None]:
    """Hold, for the block, the lock file beside `path` (`.NAME.lock`, removed on the way out), so that
    two runs never write `path` at once; another run holding it is a `DataError`. None: no file."""
    if path is None or fcntl is None:
        yield
        return
    lock = path.with_name(f".{path.name}.lock")
    descriptor = _locked(lock, path)
    try:
        yield
    finally:
        with suppress(OSError):
            lock.unlink()
        os.close(descriptor)


def _locked(lock: Path, path: Path) -> int:
    """A descriptor of `lock` holding its exclusive lock. A lock file its holder removed while this run
    opened it is stale: open the new one."""
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        while True:
            descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                raise DataError(f"another run is writing `{path}`; wait for it to finish, "
                                "or write another file") from None
            if _same_inode(descriptor, lock):
                return descriptor
            os.close(descriptor)
    except OSError as exc:
        raise DataError(f"cannot write `{path}` ({exc.strerror or exc}): "
                        "choose a file in a folder you can write to") from None


def _same_inode(descriptor: int, path: Path) -> bool:
    """Is the file open as `descriptor` still the one at `path`?"""
    try:
        return os.path.samestat(os.fstat(descriptor), os.stat(path))
    except FileNotFoundError:
        return False


@contextmanager
def staged_file(path: Path) -> Iterator[Path]:
    """A new file beside `path` (`.NAME.<random>.tmp`) for the block to write; moved over `path` with
    `os.replace` when the block completes, removed when it fails, so `path` is always either the old
    file or the whole new one."""
    staged = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        yield staged
        os.replace(staged, path)
    except BaseException:
        with suppress(OSError):
            staged.unlink()
        raise
