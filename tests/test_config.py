"""policylang.yaml loading (docs/language.md#project-config-policylangyaml): values, defaults, and every finding at its exact line:col."""
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from policylang.config import Config, load_config
from policylang.model import TABLE_COLUMNS


def write_project(root: Path, yaml_text: str, files=(), folders=("policies",)) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "policylang.yaml").write_text(yaml_text)
    for folder in folders:
        (root / folder).mkdir(parents=True, exist_ok=True)
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x\n")
    return root


def findings(root: Path, yaml_text: str, **kwargs):
    config, diagnostics = load_config(write_project(root, yaml_text, **kwargs))
    assert config is None
    return [(d.code, d.span.line, d.span.col) for d in diagnostics], diagnostics


SPEC_EXAMPLE = """\
policies: policies              # folder of *.policy files
dialect: duckdb                 # default target of `compile`
business_units: [cruises, hotels, air]
attributes:                     # customer attributes usable in conditions
  loyalty_tier: text            # text | integer | decimal | boolean | timestamp
  last_purchase_at: timestamp
  lifecycle_stage: text
tables:                         # warehouse names, may be qualified (crm.touches)
  customers: customers
  touches: crm.touches
  consents: consents
  preferences: preferences
  events: events
  candidates: candidates
columns:                        # optional renames, table.column: warehouse column
  touches.sent_at: sent_ts
data:                           # CSV or Parquet files backing each table for the
  customers: data/customers.csv #   embedded DuckDB default (`run`, `simulate`)
preference_center:              # what the preference centre asks customers
  topics: [offers, newsletter]
  frequency: true
"""


def test_spec_example_loads(tmp_path):
    root = write_project(tmp_path, SPEC_EXAMPLE, files=["data/customers.csv"])
    config, diagnostics = load_config(root)
    assert diagnostics == []
    assert config == Config(
        root=root, path=root / "policylang.yaml", business_units=("cruises", "hotels", "air"),
        policies="policies", dialect="duckdb",
        attributes={"loyalty_tier": "text", "last_purchase_at": "timestamp", "lifecycle_stage": "text"},
        tables={"customers": "customers", "touches": "crm.touches", "consents": "consents",
                "preferences": "preferences", "events": "events", "candidates": "candidates"},
        columns={"touches": {"sent_at": "sent_ts"}}, data={"customers": "data/customers.csv"},
        preference_topics=("offers", "newsletter"), preference_frequency=True)
    assert config.policies_dir == root / "policies"


def test_defaults_when_only_business_units_is_given(tmp_path):
    config, diagnostics = load_config(write_project(tmp_path, "business_units: [cruises]\n"))
    assert diagnostics == []
    assert (config.policies, config.dialect, config.attributes, config.columns, config.data) == \
        ("policies", "duckdb", {}, {}, {})
    assert config.tables == {t: t for t in TABLE_COLUMNS}
    assert (config.preference_topics, config.preference_frequency) == ((), False)


def test_empty_mappings_may_be_left_blank(tmp_path):
    config, diagnostics = load_config(write_project(
        tmp_path, "business_units: [a]\nattributes:\ncolumns:\ndata:\npreference_center:\n"))
    assert diagnostics == []
    assert (config.attributes, config.columns, config.data, config.preference_topics) == ({}, {}, {}, ())


def test_partial_tables_keep_the_other_defaults(tmp_path):
    config, _ = load_config(write_project(tmp_path, "business_units: [a]\ntables:\n  touches: crm.touches\n"))
    assert config.tables["touches"] == "crm.touches" and config.tables["events"] == "events"


def test_attribute_columns_may_be_renamed(tmp_path):
    config, diagnostics = load_config(write_project(
        tmp_path, "business_units: [a]\nattributes:\n  tier: text\ncolumns:\n  customers.tier: tier_code\n"))
    assert diagnostics == []
    assert config.columns == {"customers": {"tier": "tier_code"}}


def test_parquet_data_and_other_policy_folder(tmp_path):
    root = write_project(tmp_path, "business_units: [a]\npolicies: rules\ndata:\n  touches: t.PARQUET\n",
                         files=["t.PARQUET"], folders=["rules"])
    config, diagnostics = load_config(root)
    assert diagnostics == []
    assert (config.policies, config.data, config.policies_dir) == ("rules", {"touches": "t.PARQUET"}, root / "rules")


def test_display_path_is_the_folder_as_given(tmp_path, monkeypatch):
    write_project(tmp_path / "proj", "business_units: cruises\n")
    monkeypatch.chdir(tmp_path)
    _, diagnostics = load_config(Path("proj"))
    assert [d.span.where for d in diagnostics] == ["proj/policylang.yaml:1:17"]


def test_missing_config(tmp_path):
    config, diagnostics = load_config(tmp_path)
    assert config is None
    assert [(d.code, d.span.file) for d in diagnostics] == [("PL405", str(tmp_path / "policylang.yaml"))]
    assert "business_units" in diagnostics[0].message


@pytest.mark.parametrize("text, where", [
    ("business_units: [cruises\n", ("PL400", 2, 1)),  # the flow list is still open at the end of the file
    ("dialect: duckdb: x\nbusiness_units: [a]\n", ("PL400", 1, 16)),  # a second `:` on one line
    ("business_units: [a]\n---\nbusiness_units: [b]\n", ("PL400", 2, 1)),  # two documents
    ("business_units: [a]\ndialect: duckdb\ndialect: sqlite\n", ("PL400", 3, 1)),  # the repeated key
])
def test_yaml_errors(tmp_path, text, where):
    assert findings(tmp_path, text)[0] == [where]


def test_undecodable_config(tmp_path):
    tmp_path.joinpath("policylang.yaml").write_bytes(b"business_units: [caf\xe9]\n")
    config, diagnostics = load_config(tmp_path)
    assert config is None and [(d.code, d.span.line, d.span.col) for d in diagnostics] == [("PL400", 1, 1)]
    assert "UTF-8" in diagnostics[0].message


def test_unknown_keys_with_did_you_mean(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\nbusiness_unit: [b]\n"
                                  "preference_center:\n  topic: [x]\n")
    assert where == [("PL401", 2, 1), ("PL401", 4, 3)]
    assert diagnostics[0].message == "unknown key `business_unit`; remove it or fix its spelling"
    assert diagnostics[0].help == "did you mean `business_units`?"
    assert diagnostics[1].help == "did you mean `topics`?"


def test_unknown_tables_and_columns(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\ntables:\n  customer: c\n"
                                  "columns:\n  touches.sentat: s\n  candidates: c\n  nope.sent_at: x\n")
    assert where == [("PL401", 3, 3), ("PL401", 5, 3), ("PL401", 6, 3), ("PL401", 7, 3)]
    assert [d.help for d in diagnostics[:2]] == ["did you mean `customers`?", "did you mean `touches.sent_at`?"]
    assert diagnostics[1].message.startswith("unknown column `touches.sentat`; write `table.column`")


def test_business_units_must_be_a_list_of_names(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: cruises\n")
    assert where == [("PL402", 1, 17)]
    assert diagnostics[0].message == "`business_units` must be a list of names"


@pytest.mark.parametrize("text, col", [
    ("business_units: [cruises, Hotels]\n", 27),
    ("business_units: [cruises, 3rd]\n", 27),
    ("business_units: [cruises, [a]]\n", 27),
    ("business_units: [cruises, cruises]\n", 27),  # listed twice
    ("business_units: [global]\n", 18),  # reserved for the global policy
])
def test_business_unit_items(tmp_path, text, col):
    assert findings(tmp_path, text)[0] == [("PL402", 1, col)]


def test_business_units_required(tmp_path):
    assert findings(tmp_path, "# no keys yet\n\ndialect: duckdb\n")[0] == [("PL403", 3, 1)]


def test_empty_config_lacks_business_units(tmp_path):
    where, diagnostics = findings(tmp_path, "")
    assert where == [("PL403", 1, 1)]
    assert diagnostics[0].message == "`business_units` is required; add e.g. `business_units: [cruises, hotels]`"


def test_config_must_be_a_mapping(tmp_path):
    assert findings(tmp_path, "- business_units\n")[0] == [("PL402", 1, 1)]


def test_attribute_types_and_names(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\nattributes:\n  age: intger\n"
                                  "  Tier: text\n  vip: [boolean]\n")
    assert where == [("PL402", 3, 8), ("PL402", 4, 3), ("PL402", 5, 8)]
    assert diagnostics[0].message.startswith("`attributes.age` must be one of text, integer, decimal, boolean, timestamp")
    assert diagnostics[0].help == "did you mean `integer`?"


def test_attributes_must_be_a_mapping(tmp_path):
    assert findings(tmp_path, "business_units: [a]\nattributes: [tier]\n")[0] == [("PL402", 2, 13)]


def test_dialect_must_be_known_to_sqlglot(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\ndialect: snowflak\n")
    assert where == [("PL402", 2, 10)]
    assert diagnostics[0].help == "did you mean `snowflake`?"


def test_text_values_must_be_given(tmp_path):
    where, _ = findings(tmp_path, "business_units: [a]\ntables:\n  touches:\ncolumns:\n  touches.cost: {a: b}\n")
    assert where == [("PL402", 3, 11), ("PL402", 5, 17)]


def test_data_files(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\ndata:\n  customers: data/c.csv\n"
                                  "  touches: data/t.json\n  event: data/e.csv\n", files=["data/t.json"])
    assert where == [("PL402", 4, 12), ("PL401", 5, 3)]
    assert diagnostics[0].message == "`data.touches` must be a .csv or .parquet file path"


def test_missing_data_files_are_not_looked_for(tmp_path):
    """`check` and `compile` never need the data (policylang.data_files reports a missing file)."""
    config, diagnostics = load_config(write_project(tmp_path, "business_units: [a]\ndata:\n  customers: data/c.csv\n"))
    assert diagnostics == [] and config.data == {"customers": "data/c.csv"}
    assert (config.spans["data.customers"].line, config.spans["data.customers"].col) == (3, 14)


def test_policy_folder_must_exist(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\npolicies: rules\n", folders=())
    assert where == [("PL404", 2, 11)]
    assert "`rules`" in diagnostics[0].message


def test_default_policy_folder_must_exist(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\n", folders=())
    assert where == [("PL404", 1, 1)]
    assert "`policies`" in diagnostics[0].message


def test_preference_center_types(tmp_path):
    where, diagnostics = findings(tmp_path, "business_units: [a]\npreference_center:\n"
                                  "  topics: offers\n  frequency: \"true\"\n")
    assert where == [("PL402", 3, 11), ("PL402", 4, 14)]
    assert diagnostics[1].message == "`preference_center.frequency` must be `true` or `false`"


def test_findings_are_reported_together_in_file_order(tmp_path):
    where, _ = findings(tmp_path, "dialect: nope\nattributes:\n  x: text\nextra: 1\n")
    assert where == [("PL403", 1, 1), ("PL402", 1, 10), ("PL401", 4, 1)]


def test_deeply_nested_yaml(tmp_path):
    assert findings(tmp_path, "business_units: " + "[" * 5000 + "]" * 5000 + "\n")[0] == [("PL400", 1, 1)]


def test_paths_the_system_cannot_look_up_are_missing(tmp_path):
    where, _ = findings(tmp_path, "business_units: [a]\npolicies: " + "x" * 5000 + "\n")
    assert where == [("PL404", 2, 11)]


YAML_PIECES = ["business_units", "policies", "dialect", "attributes", "tables", "columns", "data",
               "preference_center", "topics", "frequency", "touches.sent_at", "customers", "text", "integer",
               "true", "null", "cruises", "Hotels", "3", "data/c.csv", ":", ": ", "- ", "[", "]", "{", "}", ",",
               "\n", "\n  ", "  ", "#", "\"", "'", "&a ", "*a", "!t ", "---\n", "\t", "?"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=40).map("".join))
def test_any_text_gives_a_config_or_findings(tmp_path, text):
    (tmp_path / "policylang.yaml").write_text(text)
    config, diagnostics = load_config(tmp_path)
    assert (config is None) == any(d.is_error for d in diagnostics)
    assert all(d.span.file == str(tmp_path / "policylang.yaml") and d.span.line >= 1 for d in diagnostics)
