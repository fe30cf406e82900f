"""The documentation's examples are real.

Every ```policy block of docs/language.md and README.md parses with no finding,
is left unchanged by `policylang fmt`, and checks clean at every severity (as
`policylang check --strict` would): a global file on its own, a business
unit's file together with the first global file of its document (the one the
doc presents as the project's). The config declares the attributes the
examples use. docs/language.md's tables are held to the language too: the rule
ids, the NULL truth table, the reserved words and the config example.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from policylang.analyze import analyze
from policylang.cli import main
from policylang.compilers.reference.conditions import holds
from policylang.compilers.reference.customer import Customer
from policylang.config import KEYS, Config, load_config
from policylang.project import load_texts
from policylang.render import render
from policylang.syntax.parse import parse_file, reserved_words

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = ROOT / "docs" / "language.md"
DOCS = (LANGUAGE, ROOT / "README.md")
FENCE = re.compile(r"^```policy\n(.*?)^```$", re.M | re.S)
BUSINESS_UNITS = ("cruises", "hotels", "air")
ATTRIBUTES = {
    "loyalty_tier": "text", "last_purchase_at": "timestamp", "lifecycle_stage": "text", "industry": "text",
    "employees": "integer", "country": "text", "cruises_taken": "integer", "hotel_nights": "integer",
    "lifetime_value": "decimal",
}
CONFIG = Config(root=ROOT, business_units=BUSINESS_UNITS, attributes=ATTRIBUTES)
GLOBAL_PRELUDE = """policy global
channels email, sms, push, direct_mail
topics offers, newsletter, service
consent email requires opt_in
consent sms requires opt_in
consent push allowed unless opt_out
consent direct_mail allowed unless opt_out
"""


def policy_blocks(doc: Path) -> list[tuple[str, str]]:
    """(`doc:line` of the fence, block text) for every ```policy block of `doc`."""
    text = doc.read_text(encoding="utf-8")
    return [(f"{doc.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}", m.group(1))
            for m in FENCE.finditer(text)]


def unit_of(block: str) -> str | None:
    """The business unit a block's header names; None for the global file."""
    header = re.search(r"^policy (global|business_unit ([a-z_][a-z0-9_]*))$", block, re.M)
    assert header, "the block has no `policy` header line"
    return header.group(2)


BLOCKS = [pytest.param(where, block, id=where) for doc in DOCS for where, block in policy_blocks(doc)]
# per document, its first global file: the project's, which its unit files are checked with
PROJECT_GLOBAL = {str(doc.relative_to(ROOT)): next(b for _, b in policy_blocks(doc) if unit_of(b) is None)
                  for doc in DOCS}


def section(heading: str) -> str:
    """The text of docs/language.md under `heading`, up to the next heading of any level."""
    text = LANGUAGE.read_text(encoding="utf-8")
    body = text[text.index(f"\n{heading}\n") + len(heading) + 2:]
    following = re.search(r"^#+ ", body, re.M)
    return body[:following.start()] if following else body


def table_rows(text: str) -> list[list[str]]:
    """The cells of the body rows of the first markdown table in `text`."""
    rows = [line.strip("|").split(" | ") for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| --- ")]
    return [[cell.strip() for cell in row] for row in rows[1:]]


def checked(texts: dict[str, str]):
    """The policy set of `texts` (display path -> text) under CONFIG; fails with the rendered findings."""
    project = load_texts(texts, CONFIG)
    findings = project.diagnostics + (analyze(project.policy) if project.policy else [])
    assert not findings, render(findings, sources=project.sources)
    return project.policy


def test_both_documents_have_policy_examples():
    assert len(policy_blocks(LANGUAGE)) >= 15
    assert len(policy_blocks(ROOT / "README.md")) == 1


@pytest.mark.parametrize("where, block", BLOCKS)
def test_block_parses_with_no_finding(where, block):
    parsed, findings = parse_file(where, block)
    assert findings == []
    assert parsed.header is not None


@pytest.mark.parametrize("where, block", BLOCKS)
def test_fmt_leaves_block_unchanged(where, block, tmp_path, capsys):
    path = tmp_path / "example.policy"
    path.write_text(block, encoding="utf-8")
    assert main(["fmt", str(path)]) == 0
    assert path.read_text(encoding="utf-8") == block
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("where, block", BLOCKS)
def test_block_checks_clean(where, block):
    unit = unit_of(block)
    if unit is None:
        checked({"policies/global.policy": block})
    else:
        checked({"policies/global.policy": PROJECT_GLOBAL[where.split(":")[0]], f"policies/{unit}.policy": block})


def test_language_reference_starts_every_block_with_its_header():
    assert all(block.startswith("policy ") for _, block in policy_blocks(LANGUAGE))


ID_ROWS = table_rows(section("## Rule ids"))


@pytest.mark.parametrize("statement, rule_id", [(s.strip("`"), i.strip("`")) for s, i in ID_ROWS])
def test_rule_id_table(statement, rule_id):
    prelude = "".join(line for line in GLOBAL_PRELUDE.splitlines(True) if line.strip() != statement)
    policy = checked({"policies/global.policy": prelude + statement + "\n"})
    line = prelude.count("\n") + 1
    assert [r.id for r in policy.rules if r.span.line == line] == [rule_id]


TRUTH_SECTION = section("### NULL and two-valued logic")
TIERS = ("gold", "silver", None)  # the columns of the table, as its header names them


def test_truth_table_columns_are_gold_silver_null():
    header = next(line for line in TRUTH_SECTION.splitlines() if line.startswith("| condition"))
    assert header == '| condition | `loyalty_tier` = `"gold"` | `"silver"` | NULL |'


@pytest.mark.parametrize("row", table_rows(TRUTH_SECTION), ids=lambda row: row[0])
def test_truth_table_row(row):
    condition, *cells = row
    policy = checked({"policies/global.policy": GLOBAL_PRELUDE + f"segment s: {condition.strip('`')}\n"})
    segment = policy.segments["global.s"].condition
    as_of = datetime(2025, 6, 30, 6)
    seen = [holds(segment, Customer(1, {"customer_id": 1, "loyalty_tier": tier}, as_of, policy)) for tier in TIERS]
    assert seen == [cell == "true" for cell in cells]


def test_reserved_word_list_is_the_parsers():
    assert tuple(re.findall(r"`([a-z_]+)`", section("### Reserved words"))) == reserved_words()


def test_config_example_loads_and_shows_every_key(tmp_path):
    [example] = re.findall(r"^```yaml\n(.*?)^```$", section("## Project config: policylang.yaml"), re.M | re.S)
    (tmp_path / "policylang.yaml").write_text(example, encoding="utf-8")
    (tmp_path / "policies").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "customers.csv").write_text("customer_id\n", encoding="utf-8")
    config, findings = load_config(tmp_path)
    assert findings == []
    assert set(re.findall(r"^([a-z_]+):", example, re.M)) == set(KEYS)
