"""Errors a person can act on: bad input (exit 2) and a broken environment (exit 1)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .escape import terminal


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input file, at a place a text editor can jump to."""

    path: str
    line: int
    column: int
    field: str
    message: str

    def __str__(self) -> str:
        """One line, whatever the file, key or value names hold (newlines, escape codes)."""
        # A problem with a whole file or folder has no line to point at.
        where = f"{self.path}:{self.line}:{self.column}" if self.line else self.path
        field = f"{self.field}: " if self.field else ""
        return terminal(f"{where}: {field}{self.message}")


class ReportError(Exception):
    """Base of the errors the CLI turns into one-line messages."""

    exit_code = 1


class InputError(ReportError):
    """The case files are wrong; every problem found is listed."""

    exit_code = 2

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class EnvironmentFault(ReportError):
    """Something outside the input is missing or broken; the message says how to fix it."""

    exit_code = 1


def display_path(path: Path) -> str:
    """Return `path` relative to the working directory where it lies below it.

    Symbolic links are not followed (a link in a loop has nowhere to resolve to), so a file
    is named as it was found."""
    try:
        absolute = Path(os.path.abspath(path))
        return str(absolute.relative_to(os.path.abspath(Path.cwd())))
    except (ValueError, OSError):  # elsewhere, or the working folder is gone
        return str(path)
