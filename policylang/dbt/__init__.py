"""`policylang compile --format dbt`: the decision query as a dbt model (docs/dbt.md).

`model` compiles the query with a `{{ source() }}` for each table and the
as-of time from a dbt var; `project` writes the model, `sources.yml` and
`schema.yml` (with data tests) into the `--out` folder, swapped in whole.
"""
