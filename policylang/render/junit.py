"""JUnit XML for CI systems that read test reports: `check --format junit` and `test --format junit`.

`check`: one test suite per file with findings, one test case per finding
(`PL501 at 9:1`), a `<failure>` when the finding fails the check and
`<skipped>` when the project shows it without failing (`lint: warn`); a clean
project is one passing case. `test`: one test suite per fixture file, one
test case per case, a `<failure>` listing the candidates that differ, an
`<error>` when the compiled SQL did not run. Text is made printable (no
control characters, which XML 1.0 cannot carry).
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable
from xml.etree import ElementTree as ET

from ..diagnostics import Diagnostic
from ..links import help_uri
from .text import printable


def _document(suites: list[ET.Element]) -> str:
    root = ET.Element("testsuites", name="policylang")
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(sum(int(s.get(key, "0")) for s in suites)))
    root.extend(suites)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _suite(name: str, cases: list[ET.Element]) -> ET.Element:
    suite = ET.Element("testsuite", name=printable(name), tests=str(len(cases)))
    for key, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
        suite.set(key, str(sum(case.find(tag) is not None for case in cases)))
    suite.extend(cases)
    return suite


def _case(classname: str, name: str, outcome: str | None = None, message: str = "", text: str = "") -> ET.Element:
    case = ET.Element("testcase", classname=printable(classname), name=printable(name))
    if outcome is not None:
        ET.SubElement(case, outcome, message=printable(message)).text = _lines(text) or None
    return case


def _lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.split("\n"))


def check_junit(shown: Iterable[Diagnostic], failing: Iterable[Diagnostic]) -> str:
    """The findings `check` shows; those in `failing` fail, the others are skipped."""
    failed = {id(d) for d in failing}
    by_file: dict[str, list[ET.Element]] = defaultdict(list)
    for d in shown:
        where = f"{d.span.line}:{d.span.col}" if d.span else "the project"
        lines = [f"{d.span.where if d.span else 'policylang'}: {d.code} {d.name}: {d.message}"]
        lines += [f"help: {d.help}"] if d.help else []
        lines += [f"note: {r.span.where}: {r.message}" for r in d.related] + [f"docs: {help_uri(d.code)}"]
        outcome = "failure" if id(d) in failed else "skipped"
        by_file[d.span.file if d.span else "policylang"].append(
            _case(d.span.file if d.span else "policylang", f"{d.code} at {where}", outcome,
                  d.message, "\n".join(lines)))
    if not by_file:
        return _document([_suite("policylang check", [_case("policylang check", "all checks passed")])])
    return _document([_suite(file, cases) for file, cases in by_file.items()])


def test_junit(outcomes, table) -> str:
    """The policy test outcomes (`commands.test.Outcome`); `table` renders a case's differences."""
    by_file: dict[str, list[ET.Element]] = defaultdict(list)
    for o in outcomes:
        if o.error:
            case = _case(o.file, o.name, "error", o.error, o.error)
        elif o.differences:
            n = len(o.differences)
            case = _case(o.file, o.name, "failure", f"{n} candidate{' differs' if n == 1 else 's differ'}",
                         "\n".join(line.strip() for line in table(o.differences)))
        else:
            case = _case(o.file, o.name)
        by_file[o.file].append(case)
    return _document([_suite(file, cases) for file, cases in by_file.items()])
