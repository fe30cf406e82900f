"""policylang: a declarative contact-policy language compiled to one SQL decision query.

Stages, one module each: `grammar/policy.lark` (the grammar) → `parse` (text to
`ast`) → `resolve` (names, types, rule ids: `model.PolicySet`) → `analyze`
(conflicts) → `compilers` (`reference` interpreter, `sql` via sqlglot).
`project` loads a project folder; `cli` and `commands` are the command line.
"""

__version__ = "0.1.0"
