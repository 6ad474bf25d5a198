"""`report build | check | schema`: argument parsing and exit codes only.

Exit codes: 0 success, 1 a broken environment (the message names the fix), 2 bad input.
Heavy libraries are imported by the commands that need them, so `--help` and `check` stay fast.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from .errors import InputError, ReportError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Build comparative case-study briefings from sourced case files.")

CasesOpt = Annotated[Path, typer.Option("--cases", help="Folder of case files (*.yaml).")]


def fail(err: ReportError) -> None:
    """Print an error the way an editor or CI log wants it, then exit with its code."""
    lines = [str(p) for p in err.problems] if isinstance(err, InputError) else [str(err)]
    for line in lines:
        print(f"{line}" if isinstance(err, InputError) else f"error: {line}", file=sys.stderr)
    if isinstance(err, InputError):
        n = len(err.problems)
        print(f"{n} problem{'s' * (n != 1)} found", file=sys.stderr)
    raise typer.Exit(err.exit_code)


@app.command()
def check(cases: CasesOpt = Path("cases")) -> None:
    """Validate a folder of case files; list every problem as path:line:col: field: message."""
    from .cases import load_cases

    try:
        loaded = load_cases(cases)
    except ReportError as err:
        fail(err)
    print(f"{len(loaded)} case files OK: " + ", ".join(cf.path.name for cf in loaded))


@app.command()
def build(
    cases: CasesOpt = Path("cases"),
    out: Annotated[Path, typer.Option("--out", help="Folder for the documents.")] = Path("output"),
    figures: Annotated[Path, typer.Option("--figures", help="Folder for chart images.")] = Path(
        "figures"),
    format: Annotated[str, typer.Option("--format", help="Comma-separated: pdf,docx,html.")] = (
        "pdf,docx,html"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    timings: Annotated[bool, typer.Option(
        "--timings", help="Print how long each step took (to standard error).")] = False,
) -> None:
    """Build the briefing as PDF, DOCX and HTML."""
    from .build import FORMATS, BuildOptions
    from .build import build as run_build

    formats = tuple(dict.fromkeys(f.strip().lower() for f in format.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        print(f"error: unknown format {', '.join(unknown) or '(none)'}; choose from "
              f"{', '.join(FORMATS)}", file=sys.stderr)
        raise typer.Exit(2)
    options = BuildOptions(cases_dir=cases, out_dir=out, figures_dir=figures, formats=formats)
    clock = StepClock()
    try:
        if quiet:
            result = run_build(options, on_step=clock.step)
        else:
            from rich.console import Console

            console = Console(stderr=True)
            with console.status("Starting") as status:
                def show(step: str) -> None:
                    clock.step(step)
                    status.update(step + " …")

                result = run_build(options, on_step=show)
    except ReportError as err:
        fail(err)
    except KeyboardInterrupt:
        print("error: interrupted; earlier documents are unchanged", file=sys.stderr)
        raise typer.Exit(130) from None
    if timings:
        print(clock.report(), file=sys.stderr)
    for kind in formats:
        print(f"{'up to date' if result.up_to_date else 'wrote'} {result.documents[kind]}")


class StepClock:
    """Times the build's steps: each lasts until the next one starts."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: list[tuple[str, float]] = [("Starting", self.start)]

    def step(self, name: str) -> None:
        self.marks.append((name, time.perf_counter()))

    def report(self) -> str:
        end = time.perf_counter()
        bounds = [*(t for _, t in self.marks[1:]), end]
        width = max((len(name) for name, _ in self.marks), default=0)
        lines = [f"{name:<{width}}  {stop - begin:6.2f} s"
                 for (name, begin), stop in zip(self.marks, bounds)]
        lines.append(f"{'total':<{width}}  {end - self.start:6.2f} s")
        return "\n".join(lines)


@app.command()
def schema() -> None:
    """Print the JSON Schema of a case file (for editors: yaml-language-server)."""
    from .model import case_schema

    print(json.dumps(case_schema(), indent=2, ensure_ascii=False))


def main() -> None:
    """Run the command, then leave without tearing the interpreter down.

    After a build, Python's own shutdown (a last garbage collection over WeasyPrint's layout
    objects, then every module) took about half a second; by then every file is written
    and closed, the lock released and the browser gone, so there is nothing left to do.
    """
    try:
        app()
        code = 0
    except SystemExit as done:
        if done.code is not None and not isinstance(done.code, int):
            raise
        code = done.code or 0
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`report build | head`)
            pass
    os._exit(code)
