"""The two sides of a diff: a project read from a Git revision or from a folder.

A revision is read with `git ls-tree` and `git cat-file` (no checkout): the
project folder's `policylang.yaml` and every `*.policy` file under it are
copied into a temporary folder and loaded by the normal loader
(`policylang.project.load_project`). Findings and rule locations then name
files relative to the repository's top (`policies/global.policy`); a side's
errors are raised as a `ProjectError` whose files are named `REV:path`, so
the usual diagnostics say which revision is wrong. A folder side is loaded in
place, as `check` loads it.
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

from ..diagnostics import Diagnostic, Related
from ..discovery import project_root
from ..errors import ProjectError, UsageError
from ..project import POLICY_SUFFIX, Project, load_project, require_policy
from ..source import SourceFile

CONFIG_FILE = "policylang.yaml"


@dataclass
class Side:
    """One loaded side: what the user called it (`main`, `HEAD`, a folder) and its project."""

    label: str
    project: Project
    prefix: str = ""  # the temporary folder a revision was copied to, stripped from paths

    @property
    def policy(self):
        return self.project.policy

    def path(self, file: str) -> str:
        """A file of this side as users know it: repository-relative for a revision, as given for a folder."""
        if self.prefix and file.startswith(self.prefix):
            return file[len(self.prefix):]
        return file


def _git(args: list[str], cwd: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git ({exc.strerror or exc}); install git, or pass two folders") from exc


def repository_top() -> Path:
    """The top of the Git repository holding the current folder, or a `UsageError`."""
    found = _git(["rev-parse", "--show-toplevel"])
    if found.returncode:
        raise UsageError("the current folder is not inside a Git repository; run `diff` in the repository, "
                         "or pass two project folders")
    return Path(found.stdout.decode().strip())


def _commit(revision: str) -> str:
    found = _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"])
    if found.returncode or revision.startswith("-"):
        raise UsageError(f"`{revision}` is neither a folder nor a Git revision of this repository; "
                         "pass a branch, tag or commit (`main`, `HEAD~1`), or two project folders")
    return found.stdout.decode().strip()


def project_in_repository(folder: str, top: Path) -> str:
    """The project folder `folder` (as given, relative to the current folder) relative to the repository top."""
    where = project_root(folder).absolute() if Path(folder).is_dir() else Path(os.path.abspath(folder))
    try:
        relative = PurePosixPath(os.path.relpath(where, top).replace(os.sep, "/"))
    except ValueError as exc:
        raise UsageError(f"project folder `{folder}` is not inside the repository at `{top}`") from exc
    if relative.parts[:1] == ("..",):
        raise UsageError(f"project folder `{folder}` is not inside the repository at `{top}`")
    return "" if str(relative) == "." else str(relative)


def _wanted(path: str, folder: str) -> bool:
    inside = folder == "" or path.startswith(folder + "/")
    rest = path[len(folder) + 1:] if folder else path
    return inside and (rest == CONFIG_FILE or path.endswith(POLICY_SUFFIX))


def read_revision(revision: str, folder: str, top: Path, into: Path) -> Side:
    """The project in `folder` (repository-relative) at `revision`, copied under `into` and loaded."""
    commit = _commit(revision)
    listed = _git(["ls-tree", "-r", "-z", "--name-only", commit, "--", folder or "."], cwd=str(top))
    if listed.returncode:
        raise UsageError(f"cannot list `{folder or '.'}` at `{revision}`: {listed.stderr.decode().strip()}")
    paths = [p for p in listed.stdout.decode().split("\0") if p and _wanted(p, folder)]
    if not any(PurePosixPath(p) == PurePosixPath(folder or ".") / CONFIG_FILE for p in paths):
        raise UsageError(f"`{revision}` has no `{PurePosixPath(folder or '.') / CONFIG_FILE}`; "
                         "pass the project folder as DIR")
    for path in paths:
        blob = _git(["cat-file", "blob", f"{commit}:{path}"], cwd=str(top))
        if blob.returncode:
            raise UsageError(f"cannot read `{path}` at `{revision}`: {blob.stderr.decode().strip()}")
        target = into / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blob.stdout)
    prefix = str(into) + os.sep
    side = Side(revision, load_project(into / folder if folder else into), prefix)
    _require(side, lambda file: f"{revision}:{side.path(file)}")
    return side


def read_folder(folder: str) -> Side:
    """The project in `folder` (or the nearest above it holding policylang.yaml)."""
    side = Side(folder, load_project(project_root(folder)))
    _require(side, lambda file: file)
    return side


def _require(side: Side, name) -> None:
    """A `ProjectError` naming files by `name(file)` when the side's policy does not load."""
    project = side.project
    if project.policy is not None:
        return
    try:
        require_policy(project)
    except ProjectError as exc:
        sources = {name(path): SourceFile(name(path), source.text) for path, source in project.sources.items()}
        config = project.root / CONFIG_FILE
        if config.is_file():
            sources[name(str(config))] = SourceFile(name(str(config)), config.read_bytes().decode("utf-8", "replace"))
        raise ProjectError([_renamed(d, name) for d in exc.diagnostics], sources) from None


def _renamed(d: Diagnostic, name) -> Diagnostic:
    span = d.span and replace(d.span, file=name(d.span.file))
    related = tuple(Related(replace(r.span, file=name(r.span.file)), r.message) for r in d.related)
    return replace(d, span=span, related=related)


def load_sides(base: str, head: str, folder: str | None, workspace: str) -> tuple[Side, Side]:
    """BASE and HEAD: two folders when both name one (DIR must then be left out), else two revisions
    of the project in `folder` (default: the project of the current folder), copied under `workspace`."""
    if Path(base).is_dir() and Path(head).is_dir():
        if folder is not None:
            raise UsageError("DIR is for comparing Git revisions; with two folders, pass just the two folders")
        return read_folder(base), read_folder(head)
    top = repository_top()
    inside = project_in_repository(folder if folder is not None else ".", top)
    sides = []
    for name, revision in (("base", base), ("head", head)):
        into = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=workspace))
        sides.append(read_revision(revision, inside, top, into))
    return sides[0], sides[1]


def data_project(base: str, head: str, folder: str | None) -> Project:
    """The project whose data `diff --data` replays: HEAD's folder for two folders, else the project in DIR
    (default: the current folder) as it is on disk."""
    if Path(base).is_dir() and Path(head).is_dir():
        return load_project(project_root(head))
    return load_project(project_root(folder if folder is not None else "."))
