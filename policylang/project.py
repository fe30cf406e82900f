"""A policy project in one call: config, policy files, parse, resolve.

`load_project` reads a folder (its `policylang.yaml`, then every `*.policy` in
the policy folder, sorted by name); `load_texts` does the same from strings,
for tests. Paths shown to users are the project folder as the user wrote it
joined with the file's path (`policies/global.policy`). A project whose files
have syntax errors is not resolved, so one typo does not cascade into name
errors. Commands that need a policy call `require_policy`. Once the policy
resolves, the project's config knows which columns it reads (`Config.reads`,
compiled only when data is read), so data files are checked against them.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from .config import CONFIG_FILE, Config, load_config
from .diagnostics import Diagnostic, has_errors, sort_key
from .errors import ProjectError
from .gc_pause import gc_paused
from .model import PolicySet
from .resolve import resolve
from .source import SourceFile, Span
from .syntax import ast
from .syntax.parse import parse_bytes

POLICY_SUFFIX = ".policy"
VERSION_DIGITS = 12


@dataclass
class Project:
    root: Path
    config: Config | None
    sources: dict[str, SourceFile]  # display path -> text as read
    files: list[ast.PolicyFile]
    policy: PolicySet | None  # None when any finding is an error
    diagnostics: list[Diagnostic] = field(default_factory=list)  # config, syntax and resolve findings, by location
    version: str = ""  # policy_version, when the config could be read

    @property
    def has_errors(self) -> bool:
        return has_errors(self.diagnostics)


def load_project(root: str | Path) -> Project:
    """Load the project in folder `root` (findings name files under `root` as written)."""
    root = Path(root)
    config, diagnostics = load_config(root)
    if config is None:
        return Project(root, None, {}, [], None, diagnostics)
    paths = sorted((p for p in config.policies_dir.glob("*" + POLICY_SUFFIX)
                    if p.is_file() and not p.name.startswith(".")), key=lambda p: p.name)
    contents = {}
    for path in paths:
        try:
            contents[str(path)] = path.read_bytes()
        except OSError as exc:
            diagnostics.append(Diagnostic("PL105", f"cannot read `{path}` ({exc.strerror or exc}); make it readable",
                                          Span(str(path), 1, 1, 1, 1)))
    config_bytes = config.path.read_bytes() if config.path else b""
    version = policy_version(config_bytes, {Path(p).name: data for p, data in contents.items()})
    return _assemble(root, config, contents, version, diagnostics)


def load_texts(texts: dict[str, str], config: Config) -> Project:
    """A project from policy texts keyed by display path, under an in-memory `config` (no disk)."""
    canonical = json.dumps({k: v for k, v in asdict(config).items() if k not in ("root", "path", "spans", "reads")},
                           sort_keys=True, default=list).encode()
    contents = {path: text.encode("utf-8") for path, text in sorted(texts.items())}
    return _assemble(config.root, config, contents, policy_version(canonical, contents), [])


def require_policy(project: Project) -> PolicySet:
    """The project's policy set; `ProjectError` with its error findings when it has none."""
    if project.policy is None:
        raise ProjectError([d for d in project.diagnostics if d.is_error], project.sources)
    return project.policy


def policy_version(config: bytes, policies: dict[str, bytes]) -> str:
    """SHA-256 over the config and each policy file (sorted by name, name and content), first 12 hex digits.

    Policy files are keyed by file name, not by display path, so the version does
    not depend on how the project folder was named on the command line."""
    digest = hashlib.sha256()
    for part in (config, *(piece for name in sorted(policies) for piece in (name.encode(), policies[name]))):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()[:VERSION_DIGITS]


def _assemble(root: Path, config: Config, contents: dict[str, bytes], version: str,
              diagnostics: list[Diagnostic]) -> Project:
    """Parse `contents` (display path -> bytes, in load order), then resolve when the syntax is clean."""
    sources: dict[str, SourceFile] = {}
    files: list[ast.PolicyFile] = []
    policy = None
    with gc_paused():
        for path, data in contents.items():
            parsed, found = parse_bytes(path, data)
            sources[path] = SourceFile(path, data.decode("utf-8-sig", errors="replace"))  # as the parser reads it
            files.append(parsed)
            diagnostics.extend(found)
        if not contents:
            where = config.spans.get("policies", Span(str(config.path or CONFIG_FILE), 1, 1, 1, 1))
            diagnostics.append(Diagnostic("PL211", f"no `*{POLICY_SUFFIX}` file in `{config.policies_dir}`; add a "
                                          "global policy file, or point `policies:` at the folder holding them", where))
        elif not has_errors(diagnostics):
            policy, found = resolve(files, config, version)
            diagnostics.extend(found)
    if policy is not None:
        config = replace(config, reads=_reads(policy))
    return Project(root, config, sources, files, policy, sorted(diagnostics, key=sort_key), version)


def _reads(policy: PolicySet):
    """What `Config.reads` calls: the columns `policy` reads, the compiler imported only then."""
    def reads():
        from .compilers.sql.reads import policy_reads

        return policy_reads(policy)
    return reads
