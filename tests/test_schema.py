"""The one schema (policylang/schema.py) and the one splitter of warehouse table names (policylang/table_names.py)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from policylang.commands.run_output import same_table
from policylang.compilers.sql.dialects import Target
from policylang.compilers.sql.reads import policy_reads
from policylang.data_checks import column_kind
from policylang.dataset import Dataset
from policylang.engines.base import column_kinds, table_expression
from policylang.fixtures import read_fixture
from policylang.schema import COLUMN_KINDS, EXACT_COLUMNS, ID_COLUMNS, TABLE_COLUMNS, TIMESTAMP_COLUMNS
from policylang.table_names import name_parts
from test_engines import policy


def test_every_column_has_one_kind_and_every_kind_a_column():
    columns = {c for cs in TABLE_COLUMNS.values() for c in cs}
    assert columns == set(COLUMN_KINDS)


def test_derived_column_sets_are_the_ones_docs_data_lists():
    # written out by hand from docs/data.md, "Tables and columns"
    assert ID_COLUMNS == ("customer_id", "candidate_id", "campaign_id")
    assert TIMESTAMP_COLUMNS == ("sent_at", "opened_at", "clicked_at", "converted_at", "updated_at", "occurred_at")
    assert EXACT_COLUMNS == {"customer_id", "candidate_id", "campaign_id", "channel", "business_unit", "topic",
                             "message_class", "brand", "status", "event_type"}


def test_a_cost_is_money_everywhere_and_an_attribute_keeps_its_configured_kind():
    attributes = {"cost": "decimal", "vip": "boolean"}
    assert column_kind(attributes, "touches", "cost") == column_kind(attributes, "candidates", "cost") == "money"
    assert column_kind(attributes, "customers", "cost") == "decimal"
    assert column_kind(attributes, "customers", "vip") == "boolean"
    data = Dataset(candidates=[{"candidate_id": "c1", "customer_id": 7}])
    kinds = column_kinds(policy(attributes=attributes), data, "candidates")
    assert (kinds["candidate_id"], kinds["customer_id"], kinds["cost"], kinds["priority"]) == \
        ("text", "integer", "money", "integer")


def test_fixtures_read_a_cost_as_an_exact_decimal():
    text = ("as_of: 2025-06-30T06:00:00\ncases:\n- name: one\n  tables:\n    touches:\n"
            "    - {customer_id: 1, cost: 0.10, sent_at: 2025-06-29T06:00:00+02:00}\n  expect: []\n")
    (case,) = read_fixture("t.yaml", text, {})
    (touch,) = case.data.touches
    assert touch["cost"] == Decimal("0.10") and isinstance(touch["cost"], Decimal)
    assert touch["sent_at"] == datetime(2025, 6, 29, 4, 0)


@pytest.mark.parametrize("name, parts", [
    ("touches", ("touches",)),
    ("crm.touches", ("crm", "touches")),
    ('"crm.eu".touches', ("crm.eu", "touches")),
    ('wh."crm.eu"."my.touches"', ("wh", "crm.eu", "my.touches")),
    ('crm."say ""hi"".x"', ("crm", 'say "hi".x')),
])
def test_a_quoted_part_may_hold_dots(name, parts):
    assert name_parts(name) == parts


def test_engines_and_compiler_name_the_same_table_for_a_quoted_schema_with_a_dot():
    name = '"crm.eu".Touches'
    assert table_expression(name).sql(dialect="duckdb") == '"crm.eu"."Touches"'
    assert Target("duckdb", None).table(name, "t").sql(dialect="duckdb") == '"crm.eu"."Touches" AS t'
    assert same_table(name, 'other."crm.eu".touches')
    assert not same_table(name, "crm.eu.touches")  # schema `eu` of catalog `crm`: another table


def test_the_columns_read_are_found_for_a_quoted_qualified_table():
    reads = policy_reads(policy(tables={"candidates": '"crm.eu".candidates'}))
    assert {"candidate_id", "customer_id", "channel"} <= reads["candidates"]
