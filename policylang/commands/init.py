"""`policylang init [DIR]`: a new project that `check`, `test` and `run` accept as it is.

Writes policylang.yaml (one business unit, one attribute, a data file per
table), a global policy with consent for its two channels, one unit's policy,
a policy test (tests/consent.yaml) and a data folder of CSV files holding only
their headers (docs/data.md). An existing project is never touched: DIR must
be a new or empty folder. The files are written into a temporary folder beside
DIR and moved into place only once all are written.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import UsageError
from .arguments import add_project_argument

HELP = "start a project: config, policies, a policy test and empty data files"
UNIT = "retail"
ATTRIBUTES = {"loyalty_tier": "text"}

CONFIG = """\
# A policylang project; docs/language.md ("Project config") lists every key.
#   policylang check      lint the policies (any finding fails; lint: in this file allows some)
#   policylang test       run the cases in tests/
#   policylang run --as-of 2025-06-30T06:00:00Z    decide the candidates in data/candidates.csv
policies: policies
dialect: duckdb
business_units: [{unit}]
attributes:
{attributes}data:
{data}"""

GLOBAL = """\
# The global policy: the channels, the consent each needs, and the limits every unit shares.
policy global

channels email, sms
consent email requires opt_in
consent sms requires opt_in

cap marketing 3 per 7 days as weekly
"""

UNIT_POLICY = f"""\
# The {UNIT} business unit's own rules, on top of the global ones.
policy business_unit {UNIT}

gap email 2 days
"""

TEST = f"""\
# A policy test: table rows, an as-of time, and the decision expected for every candidate.
# docs/policy-tests.md describes the format; `policylang test` runs it.
as_of: 2025-06-30T06:00:00
defaults:
  candidates: {{customer_id: 1, channel: email, business_unit: {UNIT}, message_class: marketing, priority: 5}}
tables:
  customers:
    - {{customer_id: 1, loyalty_tier: gold}}
cases:
  - name: a customer who opted in to email is sent the email
    tables:
      consents:
        - {{customer_id: 1, channel: email, status: opt_in, updated_at: 2025-01-01T00:00:00}}
      candidates:
        - {{candidate_id: 1}}
    expect:
      - {{candidate_id: 1, decision: send}}
  - name: without an opt-in the email is suppressed
    tables:
      candidates:
        - {{candidate_id: 1}}
    expect:
      - {{candidate_id: 1, decision: suppress, rule: global.consent_email}}
"""


def add_arguments(parser):
    add_project_argument(parser, help="the folder to create the project in, new or empty (default: the current folder)")


def skeleton() -> dict[str, str]:
    """Relative path -> text of every file of a new project."""
    from ..model import TABLE_COLUMNS

    headers = {table: ",".join(columns + (tuple(ATTRIBUTES) if table == "customers" else ()))
               for table, columns in TABLE_COLUMNS.items()}
    files = {f"data/{table}.csv": header + "\n" for table, header in headers.items()}
    files["policylang.yaml"] = CONFIG.format(
        unit=UNIT, attributes="".join(f"  {name}: {kind}\n" for name, kind in ATTRIBUTES.items()),
        data="".join(f"  {table}: data/{table}.csv\n" for table in TABLE_COLUMNS))
    files["policies/global.policy"] = GLOBAL
    files[f"policies/{UNIT}.policy"] = UNIT_POLICY
    files["tests/consent.yaml"] = TEST
    return files


def run(args) -> int:
    target = Path(args.project)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        what = "a folder that is not empty" if target.is_dir() else "not a folder"
        raise UsageError(f"`{args.project}` is {what}; policylang init never writes over existing files: "
                         "name a new or empty folder")
    target.absolute().parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".policylang-init-", dir=target.absolute().parent))
    try:
        for path, text in skeleton().items():
            (staging / path).parent.mkdir(parents=True, exist_ok=True)
            (staging / path).write_text(text, encoding="utf-8")
        if target.exists():  # an empty folder (perhaps the current one): move the entries in, config last
            for entry in sorted(staging.iterdir(), key=lambda p: p.name == "policylang.yaml"):
                os.replace(entry, target / entry.name)
        else:
            os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    print(f"created a policylang project in `{args.project}`; next: policylang check {args.project}")
    return 0
