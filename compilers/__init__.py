"""Back ends, one module each: `reference` (the Python interpreter, the oracle)
and `sql` (one decision query as a sqlglot syntax tree, for any dialect).
Installed as `policylang.compilers`."""
