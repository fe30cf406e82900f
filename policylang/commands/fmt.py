"""`policylang fmt [DIR|FILES...] [--check]`: rewrite policy files in the one canonical layout.

A folder holding `policylang.yaml` means the policy files `check` reads (the
config's `policies:` folder); any other folder means every `*.policy` under
it. Rewritten files (with `--check`: files that would be) are listed on
standard output. A file with syntax errors is left alone and its findings are
printed. Exit 0 when nothing is wrong (and with `--check`, nothing would
change), 1 otherwise, 2 on a usage error.
"""
from __future__ import annotations

import sys
from pathlib import Path

from ..errors import UsageError

HELP = "rewrite policy files in the one canonical layout (--check: list files that would change)"
POLICY_GLOB = "*.policy"


def add_arguments(parser):
    parser.add_argument("paths", nargs="*", default=["."], metavar="DIR|FILE",
                        help="a project folder, a folder of policy files, or policy files (default: the current folder)")
    parser.add_argument("--check", action="store_true",
                        help="rewrite nothing; list the files that would change and exit 1 if there are any")


def run(args) -> int:
    from ..diagnostics import Diagnostic, has_errors
    from ..syntax.fmt import format_file
    from ..syntax.parse import parse_bytes
    from ..render import print_diagnostics
    from ..source import SourceFile, Span

    paths, findings = _policy_paths(args.paths)
    sources: dict[str, SourceFile] = {}
    changed = []
    for path in paths:
        shown = str(path)
        try:
            data = path.read_bytes()
        except OSError as exc:
            findings.append(Diagnostic("PL105", f"cannot read `{shown}` ({exc.strerror or exc}); make it readable",
                                       Span(shown, 1, 1, 1, 1)))
            continue
        parsed, syntax = parse_bytes(shown, data)
        if has_errors(syntax):
            sources[shown] = SourceFile(shown, data.decode("utf-8", errors="replace"))
            findings.extend(syntax)
            continue
        formatted = format_file(parsed).encode("utf-8")
        if formatted != data:
            changed.append(shown)
            if not args.check:
                path.write_bytes(formatted)
    for shown in changed:
        print(shown)
    if findings:
        print_diagnostics(findings, sys.stderr, sources)
    return 1 if has_errors(findings) or (args.check and changed) else 0


def _policy_paths(args: list[str]) -> tuple[list[Path], list]:
    """The files named by the command line, each once, and any config findings."""
    from ..config import CONFIG_FILE, load_config

    paths: list[Path] = []
    findings = []
    for arg in args:
        path = Path(arg)
        if not path.exists():
            raise UsageError(f"`{arg}` does not exist; pass a project folder, a folder of policy files or policy files")
        if not path.is_dir():
            paths.append(path)
        elif (path / CONFIG_FILE).is_file():
            config, found = load_config(path)
            findings.extend(found)
            if config is not None:
                paths.extend(sorted(p for p in config.policies_dir.glob(POLICY_GLOB)
                                    if p.is_file() and not p.name.startswith(".")))
        else:
            paths.extend(sorted(p for p in path.rglob(POLICY_GLOB) if p.is_file()))
    seen, unique = set(), []
    for path in paths:
        if path.resolve() not in seen:
            seen.add(path.resolve())
            unique.append(path)
    return unique, findings
