"""`report watch`: build, then build again each time a case file is saved.

The loop keeps one process alive, so rebuilds skip Python's start-up and imports; the
build itself (and its no-op check) is `build.build`, unchanged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .build import BuildOptions, BuildResult, build
from .errors import ReportError

CASE_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Outcome:
    """One build of the watch loop: its result, or the error that stopped it."""

    result: BuildResult | None
    error: ReportError | None
    seconds: float


def is_case_file(_change, path: str) -> bool:
    """Only saved case files start a build (not editor swap files or the output)."""
    name = Path(path).name
    return name.endswith(CASE_SUFFIXES) and not name.startswith((".", "#"))


def watch(options: BuildOptions, report: Callable[[Outcome], None],
          on_step: Callable[[str], None] = lambda step: None,
          changes: Iterable[object] | None = None) -> None:
    """Build now, then once per batch of saved case files, until interrupted (Ctrl-C).

    `changes` stands in for the file watcher in tests; by default it is watchfiles'.
    """
    if changes is None:
        changes = case_file_saves(options.cases_dir)
    report(build_once(options, on_step))
    for batch in changes:
        if batch:  # empty: the watcher's periodic wake-up, nothing saved
            report(build_once(options, on_step))


def case_file_saves(folder: Path) -> Iterator[set]:
    """Yield a batch of changed case files per save (and empty batches now and then)."""
    from watchfiles import watch as watch_files

    # debounce: an editor's save (write, rename, touch) arrives as one batch.
    saves = watch_files(folder, watch_filter=is_case_file, debounce=400, recursive=False,
                        yield_on_timeout=True, rust_timeout=250)
    # The watcher starts on the first step, so take it before the first build: a save made
    # while that build runs then starts the next one instead of being missed.
    next(saves)
    return saves


def build_once(options: BuildOptions, on_step: Callable[[str], None]) -> Outcome:
    start = time.perf_counter()
    try:
        result = build(options, on_step)
    except ReportError as err:
        return Outcome(None, err, time.perf_counter() - start)
    return Outcome(result, None, time.perf_counter() - start)
