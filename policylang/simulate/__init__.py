"""`policylang simulate`'s machinery: history replayed day by day under a policy (docs/simulate.md).

`replay` plays the period with the compiled decision query on scratch tables
and returns every marketing touch's outcome; `figures` folds the outcomes
into counts; `tables` lays the figures out once for the text, Markdown and
JSON output; `report` writes the self-contained HTML report, whose inline SVG
bar charts `charts` draws. `policylang.diff.effect` replays two policies with
`replay` for `diff --data`.
"""
