"""`policylang diff`: what a policy change does, judged by meaning and proved with customers.

| module | holds |
| --- | --- |
| `sides` | loading BASE and HEAD from Git revisions (no checkout) or folders |
| `match` | pairing rules by id, by meaning (a rename), by scope, kind and selector |
| `scenarios` | the customers, histories and candidates tried on a changed rule |
| `witness` | deciding them with the reference interpreter on both sides: counter-examples |
| `compare` | classifying each change (and config changes): loosened, tightened, both, not decided |
| `effect` | the simulated effect (`--data`): both sides replayed, sends gained and lost |
| `describe` | rules and counter-examples in words and as JSON |
| `render` | text, markdown, GitHub annotations and JSON output |

docs/diff.md describes the command, its output and the decisions behind it.
"""

FORMATS = ("text", "markdown", "github", "json")  # here, so the command line need not import the rest
