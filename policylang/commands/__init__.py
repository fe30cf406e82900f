"""One module per CLI command; see `policylang.cli`."""
