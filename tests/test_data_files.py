"""`policylang.data_files`: the config's CSV and Parquet files as typed rows (policylang.dataset's types)."""
from datetime import datetime
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from policylang.data_files import load_dataset
from policylang.errors import DataError
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


def project(tmp_path, files: dict[str, str], **config):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return make_config(tmp_path, data={name.split(".")[0]: name for name in files}, **config)


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


def test_optional_candidate_columns_may_be_missing(tmp_path):
    lean = "candidate_id,customer_id,channel,business_unit,message_class,priority\n1,1,email,cruises,marketing,3\n"
    (row,) = load_dataset(project(tmp_path, {"candidates.csv": lean})).candidates
    assert (row["candidate_id"], row["topic"], row["campaign_id"], row["cost"]) == (1, None, None, None)


@pytest.mark.parametrize("files, words", [
    ({"candidates.csv": CANDIDATES.replace("priority", "rank")}, ["candidates.csv", "`priority`", "columns:"]),
    ({"touches.csv": TOUCHES.replace(",opened_at", ",opened")}, ["touches.csv", "`opened_at`"]),
    ({"touches.csv": TOUCHES.replace("2026-05-30T10:00:00Z", "yesterday")}, ["touches.csv", "`sent_at`", "timestamps"]),
    ({"candidates.csv": CANDIDATES.replace(",5,", ",high,")}, ["candidates.csv", "`priority`", "whole numbers"]),
    ({"customers.csv": CUSTOMERS.replace("true", "maybe")}, ["customers.csv", "`vip`", "true or false"]),
])
def test_bad_files_are_data_errors_naming_file_and_column(tmp_path, files, words):
    with pytest.raises(DataError) as error:
        load_dataset(project(tmp_path, files))
    assert all(word in str(error.value) for word in words), str(error.value)


def test_an_unreadable_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read `events.parquet`"):
        load_dataset(project(tmp_path, {"events.parquet": "not parquet"}))


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
