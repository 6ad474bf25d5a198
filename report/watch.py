"""`report watch`: build, then build again each time a case file is saved.

The loop keeps one process alive, so rebuilds skip Python's start-up and imports; the
build itself (and its no-op check) is `build.build`, unchanged.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from .build import BuildOptions, BuildResult, build
from .cases import is_input_name
from .errors import EnvironmentFault, ReportError, display_path

# A callable that opens the progress display of one build and yields its `on_step`.
Progress = Callable[[], AbstractContextManager[Callable[[str], None]]]


@dataclass(frozen=True)
class Outcome:
    """One build of the watch loop: its result, or the error that stopped it."""

    result: BuildResult | None
    error: ReportError | None
    seconds: float


def is_case_file(_change, path: str) -> bool:
    """Only saved input files start a build (not editor swap files or the output)."""
    return is_input_name(Path(path).name)


def watch(options: BuildOptions, report: Callable[[Outcome], None],
          progress: Progress = lambda: nullcontext(lambda step: None),
          changes: Iterable[set] | None = None) -> None:
    """Build now, then once per batch of saved case files, until interrupted (Ctrl-C).

    `changes` stands in for the file watcher in tests; by default it is watchfiles'.
    """
    if changes is None:
        changes = case_file_saves(options.cases_dir)
    report(build_once(options, progress))
    for batch in changes:
        if batch:  # empty: the watcher's periodic wake-up, nothing saved
            report(build_once(options, progress))


def build_once(options: BuildOptions, progress: Progress) -> Outcome:
    """Build, turning every failure into an outcome: the loop outlives a bad save."""
    start = time.perf_counter()
    try:
        # The progress display closes before the outcome is printed, so that line goes to
        # standard output and not into the display.
        with progress() as on_step:
            result = build(options, on_step)
        outcome = Outcome(result, None, time.perf_counter() - start)
    except ReportError as err:
        outcome = Outcome(None, err, time.perf_counter() - start)
    except OSError as err:  # a case file that vanished between listing and reading, …
        fault = EnvironmentFault(f"{display_path(Path(err.filename or options.cases_dir))}: "
                                 f"{err.strerror}")
        outcome = Outcome(None, fault, time.perf_counter() - start)
    except Exception as err:  # a bug: said once, and the loop waits for the next save
        fault = EnvironmentFault(f"unexpected {type(err).__name__}: {err}; this is a bug in "
                                 "report, please report it with the file you saved")
        outcome = Outcome(None, fault, time.perf_counter() - start)
    # A build leaves cyclic garbage the collector's rare full pass would free only much
    # later: without this, 30 PDF rebuilds grew the process from 290 MB to 820 MB.
    gc.collect()
    return outcome


def case_file_saves(folder: Path) -> Iterator[set]:
    """Yield a batch of changed case files per save (and empty batches now and then).

    Watching starts here, before the caller's first build, so a save made while that build
    runs starts the next one instead of being missed.
    """
    saves = _saves(folder)
    next(saves)
    return saves


def _saves(folder: Path) -> Iterator[set]:
    from watchfiles import watch as watch_files

    watched: tuple[int, int] | bool | None = None  # None: not yet; False: it is gone
    while True:
        identity = _identity(folder)
        if identity is None:  # removed (a checkout, a move): say so once, wait for it
            yield {("deleted", str(folder))} if watched else set()
            watched = False
            time.sleep(0.25)
            continue
        # step: a save must be quiet for 200 ms to count as done (an editor may write a
        # file in pieces); debounce: the longest one batch may grow while saves go on.
        batches = watch_files(folder, watch_filter=is_case_file, step=200, debounce=1600,
                              recursive=False, yield_on_timeout=True, rust_timeout=250)
        if watched is not None:  # a new folder under the same name: build from it, once
            # the watcher runs on it, so a save made during that build is not missed
            yield {("added", str(folder))} | next(batches)
        watched = identity
        for batch in batches:
            yield batch
            if _identity(folder) != identity:  # gone, or another folder by that name
                break


def _identity(folder: Path) -> tuple[int, int] | None:
    """Return which folder `folder` names now (device, inode), or None if there is none."""
    try:
        info = os.stat(folder)
    except OSError:
        return None
    return info.st_dev, info.st_ino
