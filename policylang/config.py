"""The project config, `policylang.yaml` (docs/language.md, "Project config: policylang.yaml").

`Config` is the checked form; `load_config` reads the YAML, keeping each
node's `file:line:col` so that unknown keys, wrong types and missing files are
reported where they are written. A config with any error is not returned.
The `data:` files are not looked for here: `check` and `compile` never need
them (a repository may keep customer data out of Git), so a missing one is
reported by the commands that read data (`policylang.data_files`), at the
place in policylang.yaml that names it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping

import yaml

from .diagnostics import Diagnostic, did_you_mean, sort_key
from .model import ATTRIBUTE_TYPES, TABLE_COLUMNS
from .schema import table_columns
from .source import Span

CONFIG_FILE = "policylang.yaml"
NAME = re.compile(r"[a-z_][a-z0-9_]*\Z")
DATA_SUFFIXES = (".csv", ".parquet")
KEYS = ("policies", "dialect", "business_units", "attributes", "tables", "columns", "data", "preference_center", "lint")
PREFERENCE_KEYS = ("topics", "frequency")
LINT_KEYS = ("ignore", "warn", "per_file_ignores")
COMMON_DIALECTS = ("duckdb", "postgres", "sqlite", "mysql", "spark", "databricks", "snowflake", "bigquery", "redshift",
                   "tsql")  # each a sqlglot dialect name


@dataclass(frozen=True)
class Lint:
    """The `lint:` section: which findings `check` drops, and which it shows without failing (docs/findings.md)."""

    ignore: frozenset[str] = frozenset()
    warn: frozenset[str] = frozenset()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (glob relative to the root, codes)


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
    lint: Lint = field(default_factory=Lint)
    path: Path | None = None  # the YAML file, when read from one
    # where some values are written, for findings reported against the config later:
    # "policies" -> its value, "preference_center.topics.NAME" -> that list item, "data.TABLE" -> its file
    spans: dict[str, Span] = field(default_factory=dict, compare=False, repr=False)
    # the columns the project's policy reads (canonical table -> columns, `compilers.sql.reads`), asked for
    # only when data is read; set by `policylang.project` once the policy resolves, None otherwise
    reads: Callable[[], Mapping[str, frozenset[str]]] | None = field(default=None, compare=False, repr=False)

    @property
    def policies_dir(self) -> Path:
        return self.root / self.policies


def load_config(root: Path) -> tuple[Config | None, list[Diagnostic]]:
    """Read and check `root/policylang.yaml`; the config is None when it has errors.

    Paths in findings are `root` as given joined with `policylang.yaml`."""
    root = Path(root)
    path = root / CONFIG_FILE
    start = Span(str(path), 1, 1, 1, 1)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None, [Diagnostic("PL405", f"no {CONFIG_FILE} in `{root}`; create it with at least `business_units: [...]`",
                                 start)]
    except UnicodeDecodeError as exc:
        return None, [Diagnostic("PL400", f"{CONFIG_FILE} is not UTF-8 text; save it as UTF-8", start,
                                 help=f"undecodable byte at offset {exc.start}")]
    except OSError as exc:
        return None, [Diagnostic("PL405", f"cannot read `{path}` ({exc.strerror or exc}); make it a readable file", start)]
    return _ConfigReader(root, path, text).read()


def exists(path: Path, folder: bool) -> bool:
    """Is there a folder (or file) at `path`? A path the system cannot even look up is not there."""
    try:
        return path.is_dir() if folder else path.is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte
        return False


class _ConfigReader:
    """Checks the composed YAML node tree key by key, collecting findings."""

    def __init__(self, root: Path, path: Path, text: str):
        self.root, self.path, self.text = root, path, text
        self.display = str(path)
        self.diagnostics: list[Diagnostic] = []
        self.spans: dict[str, Span] = {}

    # --- reporting and node access ------------------------------------------

    def span(self, node) -> Span:
        start, end = node.start_mark, node.end_mark
        return Span(self.display, start.line + 1, start.column + 1, end.line + 1, end.column + 1)

    def error(self, code: str, message: str, node, help: str | None = None) -> None:
        span = self.span(node) if node is not None else Span(self.display, 1, 1, 1, 1)
        self.diagnostics.append(Diagnostic(code, message, span, help=help))

    def wrong_type(self, key: str, expected: str, node) -> None:
        self.error("PL402", f"`{key}` must be {expected}", node)

    @staticmethod
    def is_null(node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"

    def entries(self, node, key: str, known: tuple[str, ...] | None) -> list[tuple[str, object, object]] | None:
        """A mapping's (key text, key node, value node) entries; null is an empty mapping.

        Keys outside `known` (when given) are PL401 with a did-you-mean."""
        if self.is_null(node):
            return []
        if not isinstance(node, yaml.MappingNode):
            self.wrong_type(key, "a mapping of keys to values", node)
            return None
        seen: set[str] = set()
        result = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.error("PL402", f"keys of `{key}` must be plain names", key_node)
                continue
            name = key_node.value
            if name in seen:
                self.error("PL400", f"duplicate key `{name}`; remove one of the two", key_node)
                continue
            seen.add(name)
            if known is not None and name not in known:
                self.unknown_key(name, key_node, known)
                continue
            result.append((name, key_node, value_node))
        return result

    def unknown_key(self, name: str, node, known) -> None:
        self.error("PL401", f"unknown key `{name}`; remove it or fix its spelling", node,
                   help=did_you_mean(name, known) or "known keys: " + ", ".join(known))

    def name(self, node, key: str, expected: str) -> str | None:
        """A scalar written as a policylang name (`[a-z_][a-z0-9_]*`), by its text as written."""
        if not isinstance(node, yaml.ScalarNode) or self.is_null(node):
            self.wrong_type(key, expected, node)
            return None
        if not NAME.match(node.value):
            self.error("PL402", f"`{key}` must be {expected}; `{node.value}` is not a name "
                       "(lower-case letters, digits and `_`, not starting with a digit)", node)
            return None
        return node.value

    def string(self, node, key: str, expected: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or self.is_null(node) or not node.value.strip():
            self.wrong_type(key, expected, node)
            return None
        return node.value

    def names(self, node, key: str) -> tuple[str, ...] | None:
        """A list of distinct names; null is an empty list."""
        if self.is_null(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.wrong_type(key, "a list of names", node)
            return None
        result: list[str] = []
        for item in node.value:
            value = self.name(item, key, "a list of names")
            if value is None:
                continue
            if value in result:
                self.error("PL402", f"`{key}` lists `{value}` twice; remove one", item)
                continue
            self.spans[f"{key}.{value}"] = self.span(item)
            result.append(value)
        return tuple(result) if len(result) == len(node.value) else None

    # --- the document ---------------------------------------------------------

    def read(self) -> tuple[Config | None, list[Diagnostic]]:
        try:
            document = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            span = Span(self.display, mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1)
            return None, [Diagnostic("PL400", f"invalid YAML, {exc.problem or exc.context}; fix the syntax here", span,
                                     help=exc.context if exc.problem else None)]
        except yaml.YAMLError as exc:
            return None, [Diagnostic("PL400", f"invalid YAML ({exc}); fix the file", Span(self.display, 1, 1, 1, 1))]
        except RecursionError:
            return None, [Diagnostic("PL400", "the YAML nests too deeply to read; flatten it",
                                     Span(self.display, 1, 1, 1, 1))]
        entries = self.entries(document, CONFIG_FILE, KEYS) if document is not None else []  # None: empty file
        if entries is None:
            return None, self.diagnostics
        nodes = {name: value for name, _, value in entries}
        fields = self.fields(nodes, document)
        if self.diagnostics:
            return None, sorted(self.diagnostics, key=sort_key)
        return Config(root=self.root, path=self.path, spans=self.spans, **fields), []

    def fields(self, nodes: dict, document) -> dict:
        """Config fields from the top-level value nodes (defaults for absent keys)."""
        fields: dict = {}
        if "business_units" in nodes:
            fields["business_units"] = self.names(nodes["business_units"], "business_units")
            if "business_units.global" in self.spans:
                self.diagnostics.append(Diagnostic("PL402", "`global` names the global policy, not a business unit; "
                                                   "rename the unit", self.spans["business_units.global"]))
        else:
            self.error("PL403", "`business_units` is required; add e.g. `business_units: [cruises, hotels]`",
                       document)
        if "policies" in nodes:
            fields["policies"] = self.policies(nodes["policies"])
        elif not exists(self.root / "policies", folder=True):
            self.error("PL404", "the default policy folder `policies` does not exist; create it, "
                       "or set `policies:` to the folder holding your `*.policy` files", None)
        if "dialect" in nodes:
            fields["dialect"] = self.dialect(nodes["dialect"])
        attributes = self.attributes(nodes["attributes"]) if "attributes" in nodes else {}
        fields["attributes"] = attributes
        if "tables" in nodes:
            fields["tables"] = self.tables(nodes["tables"])
        if "columns" in nodes:
            fields["columns"] = self.columns(nodes["columns"], attributes or {})
        if "data" in nodes:
            fields["data"] = self.data(nodes["data"])
        if "preference_center" in nodes:
            fields.update(self.preference_center(nodes["preference_center"]))
        if "lint" in nodes:
            fields["lint"] = self.lint(nodes["lint"])
        return fields

    # --- one key each ---------------------------------------------------------

    def policies(self, node) -> str | None:
        folder = self.string(node, "policies", "a folder path")
        self.spans["policies"] = self.span(node)
        if folder is not None and not exists(self.root / folder, folder=True):
            self.error("PL404", f"policy folder `{folder}` does not exist; fix the path, "
                       f"which is relative to the folder holding {CONFIG_FILE}", node)
        return folder

    def dialect(self, node) -> str | None:
        value = self.name(node, "dialect", "a sqlglot dialect name")
        if value is None:
            return None
        if value in COMMON_DIALECTS:  # sqlglot knows these; importing it just to say so costs ~0.1 s
            return value
        from sqlglot.dialects.dialect import Dialects

        known = tuple(d.value for d in Dialects if d.value)
        if value not in known:
            self.error("PL402", f"`dialect` must be a sqlglot dialect; `{value}` is not one", node,
                       help=did_you_mean(value, known) or "e.g. " + ", ".join(known[:8]))
        return value

    def attributes(self, node) -> dict[str, str] | None:
        entries = self.entries(node, "attributes", None)
        if entries is None:
            return None
        result = {}
        for name, key_node, value_node in entries:
            if self.name(key_node, "attributes", "a mapping of attribute names to types") is None:
                continue
            kind = self.name(value_node, f"attributes.{name}", "one of " + ", ".join(ATTRIBUTE_TYPES))
            if kind is not None and kind not in ATTRIBUTE_TYPES:
                self.error("PL402", f"`attributes.{name}` must be one of {', '.join(ATTRIBUTE_TYPES)}; "
                           f"`{kind}` is not", value_node, help=did_you_mean(kind, ATTRIBUTE_TYPES))
                continue
            result[name] = kind
        return result

    def tables(self, node) -> dict[str, str]:
        tables = {t: t for t in TABLE_COLUMNS}
        for name, _, value_node in self.entries(node, "tables", tuple(TABLE_COLUMNS)) or ():
            tables[name] = self.string(value_node, f"tables.{name}", "a table name")
        return tables

    def columns(self, node, attributes: dict[str, str]) -> dict[str, dict[str, str]]:
        known = {t: table_columns(t, attributes) for t in TABLE_COLUMNS}
        qualified = tuple(f"{t}.{c}" for t, cols in known.items() for c in cols)
        result: dict[str, dict[str, str]] = {}
        for name, key_node, value_node in self.entries(node, "columns", None) or ():
            if name not in qualified:
                self.error("PL401", f"unknown column `{name}`; write `table.column` naming a standard column "
                           "or a configured attribute", key_node, help=did_you_mean(name, qualified))
                continue
            table, column = name.split(".")
            result.setdefault(table, {})[column] = self.string(value_node, f"columns.{name}", "a column name")
        return result

    def data(self, node) -> dict[str, str]:
        result = {}
        for name, _, value_node in self.entries(node, "data", tuple(TABLE_COLUMNS)) or ():
            file = self.string(value_node, f"data.{name}", "a .csv or .parquet file path")
            if file is None:
                continue
            if not file.lower().endswith(DATA_SUFFIXES):
                self.wrong_type(f"data.{name}", "a .csv or .parquet file path", value_node)
            self.spans[f"data.{name}"] = self.span(value_node)  # a missing file is reported where data is read
            result[name] = file
        return result

    def preference_center(self, node) -> dict:
        fields = {}
        for name, _, value_node in self.entries(node, "preference_center", PREFERENCE_KEYS) or ():
            if name == "topics":
                fields["preference_topics"] = self.names(value_node, "preference_center.topics")
            elif self.is_null(value_node) or value_node.tag != "tag:yaml.org,2002:bool":
                self.wrong_type("preference_center.frequency", "`true` or `false`", value_node)
            else:
                fields["preference_frequency"] = yaml.constructor.SafeConstructor.bool_values[value_node.value.lower()]
                self.spans["preference_center.frequency"] = self.span(value_node)
        return fields

    def lint(self, node) -> Lint:
        values: dict = {}
        for name, _, value_node in self.entries(node, "lint", LINT_KEYS) or ():
            if name != "per_file_ignores":
                values[name] = self.codes(value_node, f"lint.{name}")
                if name == "warn" and values[name] & values.get("ignore", frozenset()):
                    self.error("PL402", f"`lint.ignore` and `lint.warn` both list "
                               f"`{min(values[name] & values['ignore'])}`; keep it in one of them", value_node)
                continue
            values[name] = tuple((glob, self.codes(codes_node, f"lint.per_file_ignores.{glob}"))
                                 for glob, _, codes_node in self.entries(value_node, "lint.per_file_ignores", None) or ())
        return Lint(**values)

    def codes(self, node, key: str) -> frozenset[str]:
        """A list of finding codes that a project may allow: every code but the errors, which stop the
        policy from compiling whatever the config says."""
        from .codes import REGISTRY, Severity

        if self.is_null(node):
            return frozenset()
        if not isinstance(node, yaml.SequenceNode):
            self.wrong_type(key, "a list of codes such as `[PL501]`", node)
            return frozenset()
        result = set()
        for item in node.value:
            code = item.value if isinstance(item, yaml.ScalarNode) else None
            if code not in REGISTRY:
                self.error("PL402", f"`{key}` must list finding codes; `{code if code is not None else '?'}` is not one",
                           item, help="docs/findings.md lists the codes")
            elif REGISTRY[code].severity == Severity.ERROR:
                self.error("PL402", f"`{code}` is an error and cannot be allowed: the policy does not compile with it; "
                           "fix what it reports", item)
            else:
                result.add(code)
        return frozenset(result)
