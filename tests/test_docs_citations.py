"""Code, tests and docs cite the project's own docs, and every cited section exists.

The rules a policy follows are stated in `docs/` (docs/language.md first);
a citation names a page and a heading, as `docs/language.md, "Rule ids"` or
`docs/language.md#rule-ids`, or, inside docs/, a Markdown link
`[text](language.md#rule-ids)`. A numbered section of a document that is not in
the repository ("SPEC 5.4") cannot be checked or followed by a reader, so no
file may cite one.
"""
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SUFFIXES = {".py", ".md", ".toml", ".yml", ".yaml", ".lark", ".sql", ".cfg", ".txt"}
SKIPPED_DIRS = {"hypothesis-examples", "__pycache__", "build", "dist", "node_modules"}

# Built from parts so that this file does not cite what it forbids.
_SPEC = "SP" + "EC"
OUTSIDE_CITATIONS = [
    (re.compile(rf"\b{_SPEC}\s*(?:§\s*)?\d+(?:\.\d+)*"), "a numbered section of a spec that is not in the repository"),
    (re.compile(rf"\b{_SPEC}\.md\b", re.IGNORECASE), "a spec file that is not in the repository"),
    (re.compile(r"\b(?:the|product) spec(?:ification)?\b", re.IGNORECASE),
     "an outside spec; cite the section of docs/ that states the rule"),
    (re.compile(r"/work/shared"), "a path outside the repository"),
]

PAGE_SECTIONS = re.compile(r'docs/([\w-]+\.md),\s*"([^"]+)"((?:\s*(?:,|and)\s*"[^"]+")*)')
PAGE_ANCHOR = re.compile(r"docs/([\w-]+\.md)#([\w-]+)")
PAGE = re.compile(r"docs/([\w-]+\.md)\b")
DOCS_LINK = re.compile(r"\]\(((?:[\w-]+\.md)?)(?:#([\w-]+))?\)")


def repository_files() -> list[Path]:
    files = []
    for path in sorted(ROOT.rglob("*")):
        parts = path.relative_to(ROOT).parts
        if any(part.startswith(".") or part.endswith(".egg-info") or part in SKIPPED_DIRS for part in parts):
            continue
        if path.is_file() and path.suffix in SUFFIXES and path != Path(__file__).resolve():
            files.append(path)
    return files


def headings(page: Path) -> list[str]:
    """The page's Markdown headings, outside fenced code blocks, as written."""
    found, fenced = [], False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.+)", line)):
            found.append(match.group(1).strip())
    return found


def heading_names(page: Path) -> set[str]:
    return {name for heading in headings(page) for name in (heading, heading.replace("`", ""))}


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = heading.strip().lower()
    kept = "".join(ch for ch in text if ch in " -_" or unicodedata.category(ch)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for heading in headings(page):
        base = anchor(heading)
        result.add(base if base not in seen else f"{base}-{seen[base]}")
        seen[base] = seen.get(base, 0) + 1
    return result


def citations(path: Path) -> list[tuple[str, str, str]]:
    """(page, kind, target) for every citation of a docs page in the file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    flat = re.sub(r"\s*\n\s*(?:#\s*)?", " ", text)  # a citation may wrap, in a docstring or a comment
    found = [(page, "page", "") for page in PAGE.findall(text)]
    for page, first, more in PAGE_SECTIONS.findall(flat):
        found += [(page, "section", name) for name in [first, *re.findall(r'"([^"]+)"', more)]]
    found += [(page, "anchor", target) for page, target in PAGE_ANCHOR.findall(text)]
    if path.parent == DOCS and path.suffix == ".md":
        for page, target in DOCS_LINK.findall(text):
            found.append((page or path.name, "anchor" if target else "page", target))
    return found


def test_anchor_follows_github():
    assert anchor("Stop … after N unopened") == "stop--after-n-unopened"
    assert anchor("Project config: policylang.yaml") == "project-config-policylangyaml"
    assert anchor("PL210 `unknown-name`") == "pl210-unknown-name"


def test_the_checks_catch_what_they_are_for(tmp_path):
    """A bad citation of each kind is caught (guards the patterns themselves)."""
    bad = tmp_path / "bad.py"
    bad.write_text(f'"""As {_SPEC} 5.4 says; see docs/language.md, "No such section" and docs/data.md#nowhere."""\n')
    assert OUTSIDE_CITATIONS[0][0].search(bad.read_text())
    problems = [problem for page, kind, target in citations(bad) if (problem := broken(page, kind, target))]
    assert len(problems) == 2


def test_no_file_cites_a_document_outside_the_repository():
    problems = []
    for path in repository_files():
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for pattern, why in OUTSIDE_CITATIONS:
                if match := pattern.search(line):
                    problems.append(f"{path.relative_to(ROOT)}:{number}: `{match.group()}` cites {why}")
    assert not problems, "\n".join(problems)


def broken(page: str, kind: str, target: str) -> str | None:
    path = DOCS / page
    if not path.is_file():
        return f"docs/{page} does not exist"
    if kind == "section" and target not in heading_names(path):
        return f'docs/{page} has no section "{target}"'
    if kind == "anchor" and target not in anchors(path):
        return f"docs/{page} has no heading with the anchor #{target}"
    return None


@pytest.mark.parametrize("path", repository_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_cited_docs_section_exists(path):
    problems = sorted({problem for page, kind, target in citations(path) if (problem := broken(page, kind, target))})
    assert not problems, "\n".join(problems)
