"""report: comparative case-study briefings from sourced case files."""

__version__ = "0.1.0"
