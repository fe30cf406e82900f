"""docs/findings.md, generated from the code registry (`policylang.codes`) so the two cannot drift.

    python -m policylang.findings_doc            # rewrite docs/findings.md
    python -m policylang.findings_doc --check    # exit 1 when it is out of date

Every code gets its name, severity, summary, minimal example and fix. An
example of several files (`# --- PATH` lines, see `policylang.codes`) is shown
file by file; an example in parentheses is a description, shown as text.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from .codes import REGISTRY, Code
from .links import anchor

DOC = Path(__file__).resolve().parents[1] / "docs" / "findings.md"
FILE_MARK = re.compile(r"^# --- (\S+)\n", re.MULTILINE)
SECTIONS = {"1": "Syntax", "2": "Names and structure", "3": "Types and values", "4": "Project config and data",
            "5": "Analysis: conflicts and dead rules", "6": "Suppressions"}

HEADER = """\
# Findings

Every code `policylang check` reports, with a minimal example that triggers it
and the fix. Generated from `policylang/codes.py` by
`python -m policylang.findings_doc`; a test keeps this file equal to the
registry, so change the registry, not this page.

## Allowing a finding

`check` fails (exit 1) on every finding the project has not chosen to allow,
as ruff does, and shows each such finding as an error; the severities below
are what a finding is shown as once it is allowed. Errors cannot be allowed:
the policy does not compile with them. A warning or info finding is allowed
in `policylang.yaml`:

```yaml
lint:
  ignore: [PL505]            # never reported
  warn: [PL501]              # reported, as a warning, without failing `check`
  per_file_ignores:          # globs relative to the folder holding policylang.yaml
    "policies/legacy_*.policy": [PL508, PL509]
```

or on one line of a policy file, with the reason it is fine:

```policy
cap email 2 per 7 days  # policylang: ignore[PL501] -- hotels send only in winter
```

A suppression covers the findings reported at its line; written alone on its
line, it covers the next line that holds a statement. A suppression without a
reason is PL601 (it still suppresses), a malformed one PL600, and a code it
lists that is not reported there PL602. `check --strict` fails on the `warn`
codes too. Each finding of the text format ends with a link to its section
below, and each SARIF rule carries it as `helpUri`.
"""


def example_files(example: str) -> dict[str, str] | None:
    """{path: text} of an example of several files, or None for a single text."""
    parts = FILE_MARK.split(example)
    if len(parts) < 3 or parts[0].strip():
        return None
    return dict(zip(parts[1::2], parts[2::2]))


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|")


def _fence(text: str, language: str) -> str:
    return f"```{language}\n{text.rstrip()}\n```\n"


def _example(code: Code) -> str:
    if code.example.startswith("("):
        return f"Example: {code.example.strip()}\n"
    files = example_files(code.example)
    if files is None:
        return "Example:\n\n" + _fence(code.example, "yaml" if code.code.startswith("PL4") else "policy")
    return "Example:\n\n" + "\n".join(
        f"`{path}`:\n\n" + _fence(text, "yaml" if path.endswith(".yaml") else "policy") for path, text in files.items())


def _entry(code: Code) -> str:
    return (f"### {code.code} `{code.name}`\n\n"
            f"**{code.severity.value}**: {code.summary}.\n\n"
            f"{_example(code)}\n"
            f"Fix: {code.fix}.\n")


def render() -> str:
    """The whole page."""
    codes = sorted(REGISTRY.values(), key=lambda c: c.code)
    index = ["| code | name | severity | summary |", "| --- | --- | --- | --- |"] + [
        f"| [{c.code}](#{anchor(c)}) | `{c.name}` | {c.severity.value} | {_cell(c.summary)} |" for c in codes]
    body = []
    for digit, title in SECTIONS.items():
        members = [c for c in codes if c.code[2] == digit]
        if members:
            body.append(f"## {title} (PL{digit}xx)\n\n" + "\n".join(_entry(c) for c in members))
    return HEADER + "\n" + "\n".join(index) + "\n\n" + "\n".join(body)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m policylang.findings_doc", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is out of date, change nothing")
    parser.add_argument("--out", type=Path, default=DOC, help=f"the file to write (default {DOC})")
    args = parser.parse_args(argv)
    text = render()
    current = args.out.read_text(encoding="utf-8") if args.out.exists() else None
    if args.check:
        if current != text:
            print(f"{args.out} is out of date: run python -m policylang.findings_doc", file=sys.stderr)
            return 1
        return 0
    if current != text:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
