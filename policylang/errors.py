"""The exception hierarchy.

Users never see these as tracebacks: the CLI turns a `PolicyError` into its
diagnostics and an exit code. `UsageError` is a bad command line (exit 2);
`ProjectError` carries findings that stop a command before it can run (exit 1).
"""
from __future__ import annotations


class PolicyError(Exception):
    """Base of every error policylang raises on purpose."""


class UsageError(PolicyError):
    """The command line asks for something impossible."""


class ProjectError(PolicyError):
    """The project has error-level findings; `diagnostics` holds them."""

    def __init__(self, diagnostics, sources=None):
        self.diagnostics = list(diagnostics)
        self.sources = sources  # path -> SourceFile, for the source lines under each finding
        super().__init__(f"{len(self.diagnostics)} error(s) in the project")


class DataError(PolicyError):
    """Input data cannot be read (a missing file, a table without a required column)."""
