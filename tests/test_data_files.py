"""`policylang.data_files`: the config's CSV and Parquet files as typed rows (policylang.dataset's types),
and every problem in them a finding at its file, line and column (docs/data.md)."""
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from policylang.data_files import load_dataset
from policylang.errors import ProjectError
from policylang.render import render
from strategies.config import make_config

CANDIDATES = ("candidate_id,customer_id,channel,business_unit,campaign_id,topic,message_class,priority,cost\n"
              "c1,1,email,cruises,42,offers,marketing,5,0.10\n"
              "c2,2,sms,hotels,,,marketing,-1,\n")
TOUCHES = ("customer_id,channel,business_unit,campaign_id,topic,message_class,sent_at,cost,opened_at,clicked_at,"
           "converted_at\n"
           "1,email,cruises,42,offers,marketing,2026-05-30T10:00:00Z,0.1234,2026-05-30 12:30:00+02:00,,\n")
CUSTOMERS = ("customer_id,tier,age,balance,vip,last_purchase_at\n"
             "1,gold,30,10.5,true,2026-01-01 00:00:00\n"
             "2,,,,,\n")
CANDIDATE_READS = {"candidates": frozenset({"candidate_id", "customer_id", "channel", "business_unit", "topic",
                                            "message_class", "priority", "cost"})}


def project(tmp_path, files: dict[str, str | bytes], **config):
    for name, text in files.items():
        (tmp_path / name).write_bytes(text if isinstance(text, bytes) else text.encode())
    return make_config(tmp_path, data={name.split(".")[0]: name for name in files}, **config)


def problems(config) -> list[tuple]:
    """(code, file name, line, col) of each finding `load_dataset` stops with."""
    with pytest.raises(ProjectError) as error:
        load_dataset(config)
    return [(d.code, Path(d.span.file).name if d.span else None, d.span and d.span.line, d.span and d.span.col)
            for d in error.value.diagnostics]


def findings(config):
    with pytest.raises(ProjectError) as error:
        load_dataset(config)
    return error.value


# --- typed values ----------------------------------------------------------------------

def test_csv_values_get_the_dataset_types(tmp_path):
    data = load_dataset(project(tmp_path, {"candidates.csv": CANDIDATES, "touches.csv": TOUCHES,
                                           "customers.csv": CUSTOMERS}))
    c1, c2 = data.candidates
    assert c1 == dict(candidate_id="c1", customer_id=1, channel="email", business_unit="cruises", campaign_id=42,
                      topic="offers", message_class="marketing", priority=5, cost=Decimal("0.10"))
    assert (c2["campaign_id"], c2["topic"], c2["cost"], c2["priority"]) == (None, None, None, -1)
    (t,) = data.touches
    assert t["sent_at"] == datetime(2026, 5, 30, 10) and t["opened_at"] == datetime(2026, 5, 30, 10, 30)
    assert t["cost"] == Decimal("0.1234") and t["clicked_at"] is None
    gold, empty = data.customers
    assert gold == dict(customer_id=1, tier="gold", age=30, balance=Decimal("10.5"), vip=True,
                        last_purchase_at=datetime(2026, 1, 1))
    assert set(empty.values()) == {2, None}


def test_a_table_without_a_file_is_empty(tmp_path):
    data = load_dataset(project(tmp_path, {"candidates.csv": CANDIDATES}))
    assert data.touches == [] and data.customers == [] and len(data.candidates) == 2


def test_ids_are_text_everywhere_when_one_file_has_a_text_id(tmp_path):
    customers = "customer_id,tier,age,balance,vip,last_purchase_at\n1,,,,,\nx7,,,,,\n"
    data = load_dataset(project(tmp_path, {"candidates.csv": CANDIDATES, "customers.csv": customers}))
    assert [c["customer_id"] for c in data.candidates] == ["1", "2"]
    assert [c["customer_id"] for c in data.customers] == ["1", "x7"]


def test_columns_are_read_under_their_warehouse_names(tmp_path):
    renamed = TOUCHES.replace("sent_at", "sent_ts")
    data = load_dataset(project(tmp_path, {"touches.csv": renamed}, columns={"touches": {"sent_at": "sent_ts"}}))
    assert data.touches[0]["sent_at"] == datetime(2026, 5, 30, 10)


def test_whole_numbers_and_exact_costs_written_with_trailing_zeros_are_read(tmp_path):
    candidates = CANDIDATES.replace(",5,0.10", ",5.000,25.00040").replace(",-1,", ",-1.0,")
    c1, c2 = load_dataset(project(tmp_path, {"candidates.csv": candidates})).candidates
    assert (c1["priority"], c1["cost"], c2["priority"]) == (5, Decimal("25.0004"), -1)


def test_negative_costs_and_odd_classes_are_not_data_errors(tmp_path):
    """They fail closed in the decision query instead (docs/data.md)."""
    candidates = CANDIDATES.replace("marketing,5,0.10", "MARKETING,5,-3.5")
    (c1, _) = load_dataset(project(tmp_path, {"candidates.csv": candidates})).candidates
    assert (c1["message_class"], c1["cost"]) == ("MARKETING", Decimal("-3.5"))


def test_parquet_files_are_read_and_typed(tmp_path):
    table = pa.table({"customer_id": [1, 2], "event_type": ["complaint", None],
                      "occurred_at": pa.array([datetime(2026, 5, 1, 8), None], pa.timestamp("us", tz="UTC"))})
    pq.write_table(table, tmp_path / "events.parquet")
    data = load_dataset(make_config(tmp_path, data={"events": "events.parquet"}))
    assert data.events == [dict(customer_id=1, event_type="complaint", occurred_at=datetime(2026, 5, 1, 8)),
                           dict(customer_id=2, event_type=None, occurred_at=None)]


def test_explain_loads_only_the_customers_it_needs(tmp_path):
    candidates = CANDIDATES + "c3,,email,cruises,,,marketing,1,\n"
    config = project(tmp_path, {"candidates.csv": candidates, "touches.csv": TOUCHES, "customers.csv": CUSTOMERS})
    by_candidate = load_dataset(config, customers_with=("candidate_id", "c1"))
    assert [c["candidate_id"] for c in by_candidate.candidates] == ["c1"]
    assert [c["customer_id"] for c in by_candidate.customers] == [1] and len(by_candidate.touches) == 1
    by_customer = load_dataset(config, customers_with=("customer_id", "2"))
    assert [c["candidate_id"] for c in by_customer.candidates] == ["c2"] and by_customer.touches == []
    orphan = load_dataset(config, customers_with=("candidate_id", "c3"))  # a NULL customer_id: the candidate alone
    assert [c["candidate_id"] for c in orphan.candidates] == ["c3"] and orphan.customers == []


def test_explain_keeps_the_copies_of_a_repeated_candidate_id(tmp_path):
    """A repeated id fails closed whoever the copies belong to, so `explain` must see every copy."""
    candidates = CANDIDATES + "c1,2,push,hotels,,,marketing,1,\n"
    config = project(tmp_path, {"candidates.csv": candidates, "customers.csv": CUSTOMERS})
    by_customer = load_dataset(config, customers_with=("customer_id", "1"))
    assert sorted((c["candidate_id"], c["customer_id"]) for c in by_customer.candidates) == [("c1", 1), ("c1", 2)]
    assert [c["customer_id"] for c in by_customer.customers] == [1]  # the copy's customer is not loaded


# --- columns ---------------------------------------------------------------------------

LEAN = "candidate_id,customer_id,channel,business_unit,message_class,priority\n1,1,email,cruises,marketing,3\n"


def test_without_a_policy_the_optional_candidate_columns_may_be_missing(tmp_path):
    (row,) = load_dataset(project(tmp_path, {"candidates.csv": LEAN})).candidates
    assert (row["candidate_id"], row["topic"], row["campaign_id"], row["cost"]) == (1, None, None, None)


def test_a_column_the_policy_reads_must_be_there(tmp_path):
    config = project(tmp_path, {"candidates.csv": LEAN}, reads=lambda: CANDIDATE_READS)
    error = findings(config)
    assert [(d.code, d.span.line, d.span.col, d.span.end_col) for d in error.diagnostics] == [
        ("PL407", 1, 1, len(LEAN.splitlines()[0]) + 1)] * 2
    assert [d.message for d in error.diagnostics] == [
        f"`candidates.csv` has no column `{c}`, which the policy reads: add it, or map it under `columns:` "
        "in policylang.yaml" for c in ("topic", "cost")]


def test_a_column_the_policy_does_not_read_may_be_missing(tmp_path):
    lean = LEAN.replace("priority\n", "priority,topic,cost\n").replace(",3\n", ",3,,\n")
    (row,) = load_dataset(project(tmp_path, {"candidates.csv": lean}, reads=lambda: CANDIDATE_READS)).candidates
    assert row["campaign_id"] is None


def test_a_misspelt_header_is_missing_with_the_closest_as_did_you_mean(tmp_path):
    misspelt = CANDIDATES.replace(",topic,", ",Topic,")
    error = findings(project(tmp_path, {"candidates.csv": misspelt}, reads=lambda: CANDIDATE_READS))
    (d,) = error.diagnostics
    assert (d.code, d.span.line, d.span.col, d.span.end_col, d.help) == ("PL407", 1, 60, 65, "did you mean `Topic`?")
    assert render([d], "text", error.sources).splitlines()[1:4] == [
        f"1 | {misspelt.splitlines()[0]}", "  | " + " " * 59 + "^^^^^", "  = help: did you mean `Topic`?"]


def test_a_renamed_column_is_named_as_the_warehouse_and_the_policy_write_it(tmp_path):
    config = project(tmp_path, {"candidates.csv": CANDIDATES.replace("priority", "rank")},
                     columns={"candidates": {"priority": "prio"}}, reads=lambda: CANDIDATE_READS)
    (d,) = findings(config).diagnostics
    assert d.message.startswith("`candidates.csv` has no column `prio` (`candidates.priority`), which the policy reads")


@pytest.mark.parametrize("header, twice, first", [
    ("candidate_id,customer_id,channel,business_unit,topic,message_class,priority,topic", 77, 48),
    ("candidate_id,customer_id,channel,business_unit,topic,message_class,priority,Topic", 77, 48),
])
def test_a_column_present_twice_is_an_error_at_the_second(tmp_path, header, twice, first):
    (d,) = findings(project(tmp_path, {"candidates.csv": header + "\n1,1,email,cruises,a,marketing,1,b\n"})).diagnostics
    assert (d.code, d.span.col, d.related[0].span.col, d.related[0].message) == ("PL408", twice, first,
                                                                                 "the first is here")
    assert d.message == f"the column `topic` appears twice, as `topic` and `{header[-5:]}`: remove or rename one"


def test_a_parquet_column_present_twice_is_an_error(tmp_path):
    table = pa.Table.from_arrays([pa.array([1]), pa.array(["a"]), pa.array(["b"]), pa.array([datetime(2026, 1, 1)])],
                                 names=["customer_id", "event_type", "Event_Type", "occurred_at"])
    pq.write_table(table, tmp_path / "events.parquet")
    (d,) = findings(make_config(tmp_path, data={"events": "events.parquet"})).diagnostics
    assert (d.code, d.span.line, d.message) == (
        "PL408", 1, "the column `event_type` appears twice, as `event_type` and `Event_Type`: remove or rename one")


def test_extra_columns_are_fine(tmp_path):
    extra = CANDIDATES.replace("cost\n", "cost,notes,notes\n").replace("0.10\n", "0.10,a,b\n").replace(",\n", ",,,\n")
    assert len(load_dataset(project(tmp_path, {"candidates.csv": extra})).candidates) == 2


# --- values ----------------------------------------------------------------------------

@pytest.mark.parametrize("file, old, new, code, message", [
    ("candidates.csv", ",5,", ",1.5,", "PL409", "`priority` must hold whole numbers; `1.5` is not one"),
    ("candidates.csv", ",5,", ",15e-1,", "PL411", "`priority` must hold whole numbers; `15e-1` is not one"),
    ("candidates.csv", ",5,", ",99999999999999999999,", "PL411",
     "`priority` must hold whole numbers; `99999999999999999999` is not one"),
    ("candidates.csv", ",5,", ",high,", "PL411", "`priority` must hold whole numbers; `high` is not one"),
    ("candidates.csv", "0.10", "25.00004", "PL410", "`cost` has at most 4 decimal places; `25.00004` has more"),
    ("candidates.csv", "0.10", "NaN", "PL411", "`cost` must hold decimal numbers; `NaN` is not one"),
    ("candidates.csv", "0.10", "-inf", "PL411", "`cost` must hold decimal numbers; `-inf` is not one"),
    ("touches.csv", "2026-05-30T10:00:00Z", "yesterday", "PL411",
     "`sent_at` must hold timestamps such as `2025-06-30 05:30:00` (UTC unless a zone is given); "
     "`yesterday` is not one"),
    ("customers.csv", "true", "maybe", "PL411", "`vip` must hold `true` or `false`; `maybe` is not one"),
    ("customers.csv", ",30,", ",30.5,", "PL409", "`age` must hold whole numbers; `30.5` is not one"),
    ("customers.csv", "10.5", "10.12345678901", "PL410",
     "`balance` has at most 10 decimal places; `10.12345678901` has more"),
    ("customers.csv", "10.5", "inf", "PL411", "`balance` must hold decimal numbers; `inf` is not one"),
])
def test_a_value_that_cannot_be_right_is_a_finding_at_its_field(tmp_path, file, old, new, code, message):
    text = {"candidates.csv": CANDIDATES, "touches.csv": TOUCHES, "customers.csv": CUSTOMERS}[file]
    line = text.splitlines()[1].replace(old, new, 1)
    col = line.index(new) + 1 + new.startswith(",")
    error = findings(project(tmp_path, {file: text.replace(old, new, 1)}))
    (d,) = error.diagnostics
    assert (d.code, d.span.file, d.span.line, d.span.col, d.span.end_col, d.message) == (
        code, str(tmp_path / file), 2, col, col + len(new.strip(",")), message)


def test_every_problem_of_every_file_is_reported_in_one_pass_first_row_each(tmp_path):
    candidates = CANDIDATES.replace(",5,0.10", ",1.5,0.00001") + "c3,3,sms,hotels,,,marketing,2.5,nan\n"
    touches = TOUCHES.replace("2026-05-30T10:00:00Z", "soon")
    assert problems(project(tmp_path, {"candidates.csv": candidates, "touches.csv": touches,
                                       "customers.csv": CUSTOMERS.replace(",30,", ",x,")})) == [
        ("PL409", "candidates.csv", 2, 40), ("PL410", "candidates.csv", 2, 44), ("PL411", "candidates.csv", 4, 33),
        ("PL411", "customers.csv", 2, 8), ("PL411", "touches.csv", 2, 37)]


def test_a_rows_count_is_in_the_help(tmp_path):
    candidates = CANDIDATES.replace(",5,", ",1.5,").replace(",-1,", ",0.5,")
    (d,) = findings(project(tmp_path, {"candidates.csv": candidates})).diagnostics
    assert d.help == "policylang never rounds it: fix the data (2 rows; this is the first)"


def test_lines_count_quoted_line_breaks_blank_lines_crlf_and_a_byte_order_mark(tmp_path):
    text = ('\ufeffcandidate_id;customer_id;channel;business_unit;message_class;priority\r\n'
            '"a\r\nb";1;email;cruises;marketing;1\r\n\r\n'
            '"c";2;"sms";"cruises\r\nx";marketing;"2.5"\r\n')
    error = findings(project(tmp_path, {"candidates.csv": text.encode("utf-8")}))
    (d,) = error.diagnostics
    assert (d.code, d.span.line, d.span.col, d.span.end_col) == ("PL409", 6, 14, 19)
    assert render([d], "text", error.sources).splitlines()[1:3] == ['6 | x";marketing;"2.5"', "  |" + " " * 14 + "^^^^^"]


def test_a_parquet_file_names_the_row(tmp_path):
    table = pa.table({"customer_id": [1, 2, 3], "channel": ["email"] * 3, "topic": [None] * 3,
                      "max_count": pa.array([1.0, 2.5, float("nan")]), "window_days": [7, 7, 7]})
    pq.write_table(table, tmp_path / "preferences.parquet")
    error = findings(make_config(tmp_path, data={"preferences": "preferences.parquet"}))
    assert [(d.code, d.span.line, d.message, d.help) for d in error.diagnostics] == [
        ("PL409", 1, "`max_count` must hold whole numbers; `2.5` is not one",
         "policylang never rounds it: fix the data (row 2)"),
        ("PL411", 1, "`max_count` must hold whole numbers; `nan` is not one", "fix the value, or make it NULL (row 3)")]
    assert "preferences.parquet" not in error.sources  # no line of a binary file is shown


def test_parquet_decimals_are_checked_exactly(tmp_path):
    costs = pa.array([Decimal("25.000400"), Decimal("25.000041")], pa.decimal128(18, 6))
    table = pa.table({"candidate_id": [1, 2], "customer_id": [1, 1], "channel": ["email"] * 2,
                      "business_unit": ["cruises"] * 2, "message_class": ["marketing"] * 2, "priority": [1, 2],
                      "cost": costs})
    pq.write_table(table, tmp_path / "candidates.parquet")
    (d,) = findings(make_config(tmp_path, data={"candidates": "candidates.parquet"})).diagnostics
    assert (d.code, d.message) == ("PL410", "`cost` has at most 4 decimal places; `25.000041` has more")


# --- files -----------------------------------------------------------------------------

def test_an_unreadable_file_is_a_finding(tmp_path):
    (d,) = findings(project(tmp_path, {"events.parquet": "not parquet"})).diagnostics
    assert d.code == "PL413" and d.message.startswith("cannot read `events.parquet` (")


def test_a_missing_file_is_a_finding_only_when_data_is_read(tmp_path):
    (d,) = findings(make_config(tmp_path, data={"events": "data/events.csv"})).diagnostics
    assert (d.code, d.message) == ("PL404", "data file `data/events.csv` does not exist; fix the path, which is "
                                            "relative to the folder holding policylang.yaml")


def test_a_data_finding_renders_in_every_format(tmp_path):
    error = findings(project(tmp_path, {"candidates.csv": CANDIDATES.replace(",5,", ",1.5,")}))
    (d,) = error.diagnostics
    file = str(tmp_path / "candidates.csv")
    (shown,) = json.loads(render([d], "json"))
    assert {k: shown[k] for k in ("code", "name", "file", "line", "col", "end_line", "end_col", "help")} == {
        "code": "PL409", "name": "data-not-whole-number", "file": file, "line": 2, "col": 40, "end_line": 2,
        "end_col": 43, "help": "policylang never rounds it: fix the data"}
    assert render([d], "github").startswith(f"::error file={file},line=2,col=40,endLine=2,endColumn=43,"
                                            "title=PL409 data-not-whole-number::`priority` must hold whole numbers")
    sarif = json.loads(render([d], "sarif"))
    jsonschema.validate(sarif, json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.schema.json").read_text()))
    assert sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert render([d], "text", error.sources).splitlines()[:3] == [
        f"{file}:2:40: error[PL409]: `priority` must hold whole numbers; `1.5` is not one",
        "2 | c1,1,email,cruises,42,offers,marketing,1.5,0.10", "  |                                        ^^^"]
