"""The project config, `policylang.yaml` (SPEC 6).

`Config` is the checked form; `load_config` reads the YAML, keeping each
node's `file:line:col` so that unknown keys, wrong types and missing files are
reported where they are written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .model import TABLE_COLUMNS

CONFIG_FILE = "policylang.yaml"


@dataclass(frozen=True)
class Config:
    root: Path  # the folder holding policylang.yaml
    business_units: tuple[str, ...]
    policies: str = "policies"  # folder of *.policy files, relative to root
    dialect: str = "duckdb"
    attributes: dict[str, str] = field(default_factory=dict)  # name -> text|integer|decimal|boolean|timestamp
    tables: dict[str, str] = field(default_factory=lambda: {t: t for t in TABLE_COLUMNS})
    columns: dict[str, dict[str, str]] = field(default_factory=dict)  # table -> {canonical column: warehouse column}
    data: dict[str, str] = field(default_factory=dict)  # table -> data file, relative to root
    preference_topics: tuple[str, ...] = ()  # preference_center.topics
    preference_frequency: bool = False  # preference_center.frequency
    path: Path | None = None  # the YAML file, when read from one

    @property
    def policies_dir(self) -> Path:
        return self.root / self.policies
