"""The registry of finding codes: one place for every code policylang reports.

A code never changes meaning once released. Each entry has a short kebab-case
name (the word used in docs and SARIF rule ids), a default severity, a one-line
summary, a minimal example that triggers it and the fix. `docs/findings.md` is
generated from this table (see `policylang.findings_doc`) and a test keeps them equal.

An example of several files (the config and policy files of a small project)
marks the start of each with a `# --- PATH` line.

Ranges: PL1xx syntax, PL2xx names and structure, PL3xx types and values,
PL4xx project config and data files, PL5xx analysis of rules (conflicts), PL6xx inline suppressions
(`check`'s lint semantics, `policylang.lint`).
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    severity: Severity
    summary: str
    example: str
    fix: str


E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO


def _project(config: str, *files: tuple[str, str]) -> str:
    """An example of several files: `# --- PATH` starts each (the config, then `policies/NAME.policy`)."""
    return "".join([f"# --- policylang.yaml\n{config}"] + [f"# --- policies/{name}.policy\n{text}" for name, text in files])


_ONE_UNIT = "business_units: [cruises]\n"
_TIER = "attributes: {tier: text}\n"
_EMAIL = "policy global\nchannels email\nconsent email requires opt_in\n"

_ALL = [
    # --- syntax -----------------------------------------------------------
    Code("PL100", "syntax-error", E, "the text is not valid policy syntax",
         "policy global\ncap email 3 per\n", "complete the statement as the message's `expected` list says"),
    Code("PL101", "calendar-duration", E, "a duration in months or years, whose length varies",
         "policy global\ngap email 1 month\n", "write the duration in days, e.g. `30 days`"),
    Code("PL102", "missing-header", E, "a policy file that does not start with its `policy` header",
         "cap email 3 per 7 days\n", "start the file with `policy global` or `policy business_unit NAME`"),
    Code("PL103", "not-whole-number", E, "a count of messages, days or points that is not a whole number",
         "policy global\ncap email 2.5 per 7 days\n", "use a whole number"),
    Code("PL104", "invalid-escape", E, "a string escape other than `\\\"` and `\\\\`",
         'policy global\nsegment s: tier = "a\\n"\n', "only `\\\"` and `\\\\` may follow a backslash"),
    Code("PL105", "unreadable-file", E, "a policy file that cannot be read as UTF-8 text",
         "(a file holding bytes that are not UTF-8)", "save the file as UTF-8"),
    # --- names and structure ----------------------------------------------
    Code("PL200", "global-only", E, "a statement that belongs in the global file appears in a business-unit file",
         "policy business_unit cruises\nconsent email requires opt_in\n", "move the statement to the global policy file"),
    Code("PL201", "unit-only", E, "a statement that belongs in a business-unit file appears in the global file",
         "policy global\ncampaign c {\n  stage a: email day 0\n}\n", "move the campaign to its business unit's file"),
    Code("PL202", "duplicate-global", E, "two files declare `policy global`",
         "(two files, each starting `policy global`)", "keep one global file; give the other a business unit header"),
    Code("PL203", "duplicate-unit", E, "the same business unit is defined in two files",
         "(two files, each starting `policy business_unit cruises`)", "merge the two files into one"),
    Code("PL204", "unknown-unit", E, "a business-unit file whose unit is not in the config's `business_units`",
         "policy business_unit ferries\n", "add the unit to `business_units` in policylang.yaml, or fix its name"),
    Code("PL205", "no-global", E, "the policy set has no global file",
         "(a folder holding only business-unit files)", "add a file starting `policy global` that declares channels and consent"),
    Code("PL206", "missing-consent", E, "a declared channel has no consent stance",
         "policy global\nchannels email\n", "add `consent email requires opt_in` or `consent email allowed unless opt_out`"),
    Code("PL207", "duplicate-definition", E, "a name (segment, score, channel, topic, campaign, stage, consent) is defined twice",
         "policy global\nchannels email\nconsent email requires opt_in\nsegment a: true\nsegment a: false\n", "rename or remove one of the two definitions"),
    Code("PL208", "duplicate-rule-id", E, "two rules of one scope have the same id",
         "policy global\nchannels email\nconsent email requires opt_in\ngap email 1 day\ngap email 2 days\n", "give one of them a distinct name with `as NAME`"),
    Code("PL209", "segment-cycle", E, "segments that are defined in terms of each other",
         "policy global\nsegment a: b\nsegment b: a\n", "break the cycle: define one segment from attributes only"),
    Code("PL210", "unknown-name", E, "a name (channel, topic, segment, score, attribute) that is not defined",
         "policy global\nchannels email\nconsent email requires opt_in\ngap emial 1 day\n", "use a defined name; the message suggests the closest one"),
    Code("PL211", "no-policy-files", E, "the policy folder holds no `*.policy` file",
         "(an empty policies folder)", "add a global policy file, or point `policies:` in policylang.yaml at the right folder"),
    Code("PL212", "score-in-score", E, "a score line that compares a score, directly or through a segment",
         "policy global\nscore a {\n  +1 when true\n}\nscore b {\n  +1 when score a > 0\n}\n",
         "build scores from attributes and history only; compare scores in segments and rules"),
    # --- types and values -------------------------------------------------
    Code("PL300", "type-mismatch", E, "a comparison that does not fit the attribute's or score's type",
         "policy global\nsegment s: loyalty_tier > 3\n", "compare the attribute with a literal of its type"),
    Code("PL301", "timestamp-comparison", E, "a timestamp attribute used outside `days_since(...)` and `is [not] null`",
         "policy global\nsegment s: last_purchase_at > 3\n", "write `days_since(last_purchase_at) > 3`"),
    Code("PL302", "days-since-type", E, "`days_since` applied to an attribute that is not a timestamp",
         "policy global\nsegment s: days_since(loyalty_tier) > 3\n", "pass a timestamp attribute to `days_since`"),
    Code("PL303", "empty-window", E, "a window or duration of zero length",
         "policy global\ngap email 0 days\n", "use a duration of at least one hour"),
    Code("PL304", "spend-precision", E, "a spend amount with more than 4 decimal places",
         "policy global\ncap direct_mail spend 1.00001 per 30 days\n", "round the amount to at most 4 decimal places"),
    Code("PL305", "cap-branch-order", E, "a tiered cap whose `otherwise` branch is not the last one",
         "policy global\ncap email per 7 days {\n  otherwise: 3\n  gold: 5\n}\n", "move `otherwise` to the end"),
    # --- project config and data ------------------------------------------
    Code("PL400", "config-syntax", E, "policylang.yaml is not valid YAML",
         "business_units: [cruises\n", "fix the YAML syntax at the location shown"),
    Code("PL401", "config-unknown-key", E, "policylang.yaml has a key policylang does not know",
         "business_unit: [cruises]\n", "remove the key or fix its spelling; the message suggests the closest one"),
    Code("PL402", "config-type", E, "a policylang.yaml value of the wrong type",
         "business_units: cruises\n", "give the value the type the message names"),
    Code("PL403", "config-missing-key", E, "policylang.yaml lacks a required key",
         "dialect: duckdb\n", "add the key, e.g. `business_units: [cruises, hotels]`"),
    Code("PL404", "missing-file", E, "a file or folder named in policylang.yaml does not exist",
         "data:\n  customers: data/nope.csv\n", "fix the path; it is relative to the folder holding policylang.yaml"),
    Code("PL405", "missing-config", E, "the project folder has no policylang.yaml",
         "(a folder without policylang.yaml)", "create policylang.yaml with at least `business_units: [...]`"),
    Code("PL406", "invalid-test-fixture", E, "a policy test file (`tests/*.yaml`) that does not follow the fixture format",
         "cases:\n  - name: c\n    expect: []\n    tables: {candidates: [{candidate_id: 1, cost: cheap}]}\n",
         "write the file as docs/policy-tests.md describes; the message names the value to fix"),
    # data errors: found by `run`, `explain` (and `simulate`) before anything is decided or written (docs/data.md)
    Code("PL407", "data-missing-column", E, "a data file or database table lacks a column the policy reads",
         "(`data/candidates.csv` with the header `Topic` where the policy reads `topic`)",
         "add the column or fix the header's spelling (names are case-sensitive), or map it under `columns:` "
         "in policylang.yaml"),
    Code("PL408", "data-duplicate-column", E, "a data file has the same column twice (names compared ignoring case)",
         "(`data/candidates.csv` with the header `candidate_id,topic,Topic,...`)", "remove or rename one of the two"),
    Code("PL409", "data-not-whole-number", E, "a `priority`, `max_count`, `window_days` or integer attribute "
         "that is not a whole number", "(`data/candidates.csv` with `priority` `1.5` on a row)",
         "write a whole number; policylang never rounds one"),
    Code("PL410", "data-decimal-places", E, "a cost with more than 4 decimal places (a decimal attribute: more "
         "than 10)", "(`data/touches.csv` with `cost` `25.00004` on a row)",
         "round the value in the data to the places the column keeps; policylang never rounds it"),
    Code("PL411", "data-bad-value", E, "a value that does not parse as its column's type (a number that is NaN "
         "or infinite included)", "(`data/touches.csv` with `sent_at` `yesterday` on a row)",
         "write the value in the column's type as docs/data.md lists it, or leave the field empty for NULL"),
    Code("PL412", "data-timestamp-text", E, "a SQLite timestamp that is not text of the form "
         "`YYYY-MM-DD HH:MM:SS` (or with `T`, optionally with 1 to 6 fraction digits)",
         "(a SQLite `touches` table whose `sent_at` holds `2025-06-30 05:30:00+02:00`)",
         "store UTC timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]` text, without a zone"),
    Code("PL413", "data-unreadable", E, "a data file or database table that cannot be read as a table",
         "(`data/events.parquet` holding text, or a `--db` database without a `touches` table)",
         "make the file a CSV file with a header row or a Parquet file, or create the table"),
    # --- analysis ---------------------------------------------------------
    Code("PL500", "redundant-cap", W, "a cap or spend cap that can never bind: another rule of its scope at least as strict governs every message it does",
         _project(_ONE_UNIT, ("global", _EMAIL + "cap marketing 2 per 7 days\ncap email 3 per 7 days\n")),
         "remove the looser cap, or make it the stricter one"),
    Code("PL501", "contention", W, "business-unit caps whose sum exceeds the global cap over them: the units compete and whoever sends first starves the others",
         _project("business_units: [cruises, hotels]\n", ("global", _EMAIL + "cap email 3 per 7 days\n"),
                  ("cruises", "policy business_unit cruises\ncap email 2 per 7 days\n"),
                  ("hotels", "policy business_unit hotels\ncap email 2 per 7 days\n")),
         "lower the units' caps so they sum to at most the global cap, or raise the global cap"),
    Code("PL502", "unreachable-tier", W, "a tier branch that no customer can reach because earlier branches cover it",
         _project(_ONE_UNIT + _TIER, ("global", _EMAIL + 'cap email per 7 days {\n  tier in ("gold", "silver"): 3\n'
                                                '  tier = "gold": 5\n  otherwise: 2\n}\n')),
         "reorder the branches or narrow the earlier condition"),
    Code("PL503", "vacuous-block", W, "a `block` whose condition no customer can satisfy, so it never blocks",
         _project(_ONE_UNIT + _TIER, ("global", _EMAIL + 'block email for tier = "a" and tier = "b"\n')),
         "fix the condition or remove the rule"),
    Code("PL504", "total-block", W, "a `block` whose condition every customer satisfies, so it blocks everyone",
         _project(_ONE_UNIT + _TIER, ("global", _EMAIL + 'block email for tier = "a" or not (tier = "a")\n')),
         "fix the condition, or drop the channel if it is really never used"),
    Code("PL505", "overlapping-tiers", I, "unit segments that overlap, putting one customer under conflicting tier limits",
         _project("business_units: [cruises, hotels]\nattributes: {cruises_taken: integer, stays: integer}\n",
                  ("global", _EMAIL),
                  ("cruises", "policy business_unit cruises\nsegment past_cruiser: cruises_taken >= 1\n"
                              "cap email per 7 days {\n  past_cruiser: 3\n}\n"),
                  ("hotels", "policy business_unit hotels\nsegment frequent_guest: stays >= 5\n"
                             "cap email per 7 days {\n  frequent_guest: 1\n}\n")),
         "make the branches disjoint if the overlap is unintended"),
    Code("PL506", "infeasible-campaign", W, "a campaign stage that would be suppressed even for a customer with no other traffic",
         _project(_ONE_UNIT, ("global", _EMAIL + "gap email 2 days\n"),
                  ("cruises", "policy business_unit cruises\ncampaign spring {\n  stage announce: email day 0\n"
                              "  stage reminder: email day 1\n}\n")),
         "space the stages further apart or relax the rule named"),
    Code("PL507", "unhonored-preference", W, "the preference centre collects a choice that no rule honours",
         _project(_ONE_UNIT + "preference_center:\n  frequency: true\n", ("global", _EMAIL)),
         "add `honor preferences` to the global file, or stop asking"),
    Code("PL508", "shadowed-rule", W, "a gap, block, cool-down or stop that another rule of the same kind in its scope makes redundant",
         _project(_ONE_UNIT, ("global", _EMAIL + "gap email 2 days\ngap email 1 day as short_gap\n")),
         "remove the weaker rule"),
    Code("PL509", "overridden-rule", W, "a business-unit rule that a global rule at least as strict makes redundant",
         _project(_ONE_UNIT, ("global", _EMAIL + "cap marketing 2 per 7 days\n"),
                  ("cruises", "policy business_unit cruises\ncap email 3 per 7 days\n")),
         "remove the unit's rule, or make it stricter than the global one"),
    Code("PL510", "dead-tier-branch", W, "a branch of a tiered cap that never binds: for every customer it applies to, "
         "another cap that counts every message it counts allows no more",
         _project(_ONE_UNIT + "attributes: {vip: boolean}\n",
                  ("global", _EMAIL + "cap marketing 4 per 7 days\n"),
                  ("cruises", "policy business_unit cruises\ncap email per 7 days {\n  vip = true: 6\n"
                              "  otherwise: 2\n}\n")),
         "lower the branch's limit to the stricter cap's, or remove the branch"),
    Code("PL511", "partly-binding-tier", I, "a tier branch that binds for only some of its customers: for the "
         "others another cap is stricter",
         _project(_ONE_UNIT + "attributes: {tier: text, vip: boolean}\n",
                  ("global", _EMAIL + 'cap marketing per 7 days {\n  tier = "gold": 2\n  otherwise: 6\n}\n'),
                  ("cruises", "policy business_unit cruises\ncap email per 7 days {\n  vip = true: 4\n"
                              "  otherwise: 1\n}\n")),
         "nothing, if the difference is intended; else make the two caps' limits agree for those customers"),
    Code("PL512", "partly-infeasible-campaign", W, "a campaign stage that some customers lose by default (to a gap, "
         "a flat cap or an `otherwise` branch), even with no other traffic",
         _project(_ONE_UNIT + "attributes: {value: integer}\n",
                  ("global", _EMAIL.replace("channels email", "channels email, sms") + "consent sms requires opt_in\n"
                   "segment high_value: value >= 1000\n"),
                  ("cruises", "policy business_unit cruises\ncap sms per 7 days {\n  high_value: 3\n  otherwise: 1\n}\n"
                              "campaign onboarding {\n  stage welcome: sms day 0\n  stage tips: sms day 3\n}\n")),
         "space the stages further apart, or relax the rule named for the customers it names"),
    Code("PL513", "empty-segment", W, "a segment a rule uses that no customer can match (contradictory tests, or a "
         "score threshold beyond the score's maximum or minimum)",
         _project(_ONE_UNIT + "attributes: {employees: integer}\n",
                  ("global", _EMAIL + "score fit {\n  +15 when employees >= 100\n}\nsegment good_fit: score fit >= 20\n"
                             "block email for good_fit or employees < 0\n")),
         "fix the segment's condition, or remove the segment"),
    Code("PL514", "dead-score-line", W, "a `when` line of a score a rule uses whose condition never holds, so it never adds",
         _project(_ONE_UNIT + "attributes: {employees: integer}\n",
                  ("global", _EMAIL + "score fit {\n  +15 when employees >= 100\n  +5 when employees < 5 and employees > 10\n}\n"
                             "block email for score fit >= 15\n")),
         "fix the line's condition, or remove the line"),
    Code("PL515", "equivalent-segments", I, "a segment a rule uses that matches exactly the customers another segment "
         "it can be used with matches",
         _project(_ONE_UNIT + _TIER, ("global", _EMAIL + 'segment gold: tier = "gold"\nblock email for gold and tier != "x"\n'),
                  ("cruises", 'policy business_unit cruises\nsegment best: tier in ("gold")\ncap email per 7 days {\n'
                              '  best: 2\n}\n')),
         "use the first segment's name and remove the second, unless the second name is deliberate"),
    # --- lint: suppressions (`check`; docs/findings.md, "Allowing a finding") -------------
    Code("PL600", "invalid-suppression", E, "a `# policylang:` comment that is not `ignore[CODE, ...] -- reason` "
         "naming codes a project may allow (warnings and info, not errors)",
         _project(_ONE_UNIT, ("global", _EMAIL + "gap email 1 day  # policylang: ignore PL508\n")),
         "write `# policylang: ignore[PL508] -- why it is fine`, listing warning or info codes only"),
    Code("PL601", "suppression-without-reason", E, "an inline suppression that does not say why the finding is fine",
         _project(_ONE_UNIT, ("global", _EMAIL + "gap email 2 days\n"
                                                  "gap email 1 day as short_gap  # policylang: ignore[PL508]\n")),
         "add the reason after ` -- `: `# policylang: ignore[PL508] -- kept until the spring campaign ends`"),
    Code("PL602", "unused-suppression", W, "an inline suppression of a code that is not reported on its line",
         _project(_ONE_UNIT, ("global", _EMAIL + "gap email 1 day  # policylang: ignore[PL508] -- was shadowed\n")),
         "remove the suppression, or the codes in it that no longer apply"),
]

REGISTRY: dict[str, Code] = {c.code: c for c in _ALL}
BY_NAME: dict[str, Code] = {c.name: c for c in _ALL}
assert len(REGISTRY) == len(_ALL) and len(BY_NAME) == len(_ALL), "duplicate code or name"


def get(code: str) -> Code:
    return REGISTRY[code]
