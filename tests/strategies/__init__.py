"""Hypothesis strategies shared by the test suite: policy text and table data
over one fixed test configuration (`strategies.config`)."""
