"""`report watch`: build, then build again each time a case file is saved; and the edit
loop of `report preview`, which checks each save here and builds in a child process.

`report watch` keeps one process alive, so rebuilds skip Python's start-up and imports; the
build itself (and its no-op check) is `build.build`, unchanged.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..build import BuildOptions, BuildResult, build
from ..errors import EnvironmentFault, InputError, ReportError, display_path
from ..load.builddate import source_date_epoch
from ..load.cases import is_input_name
from ..load.files import InputFiles
from ..processes import TAG, kill_tagged, new_tag, tagged
from ..publish import checkpoint, interrupts_deferred
from ..publish.fingerprint import fingerprint

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


def case_file_saves(folder: Path, quiet_ms: int = 200) -> Iterator[set]:
    """Yield a batch of changed case files per save (and empty batches now and then).

    A save counts as done when the folder has been quiet for `quiet_ms` (an editor may write
    a file in pieces). Watching starts here, before the caller's first build, so a save made
    while that build runs starts the next one instead of being missed.
    """
    saves = _saves(folder, quiet_ms)
    next(saves)
    return saves


def _saves(folder: Path, quiet_ms: int) -> Iterator[set]:
    from watchfiles import watch as watch_files

    watched: tuple[int, int] | bool | None = None  # None: not yet; False: it is gone
    while True:
        identity = _identity(folder)
        if identity is None:  # removed (a checkout, a move): say so once, wait for it
            yield {("deleted", str(folder))} if watched else set()
            watched = False
            time.sleep(0.25)
            continue
        # step: how long a save must be quiet to count as done; debounce: the longest one
        # batch may grow while saves go on.
        batches = watch_files(folder, watch_filter=is_case_file, step=quiet_ms, debounce=1600,
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


# ---------------------------------------------------------------- the edit loop of `report preview`
#
# On each save, this process reads and checks the inputs and makes the HTML page the preview
# serves. A bad save is reported at once and disturbs nothing: the last good page stays, and
# so does a build of the documents still under way. A good save then starts `report build`
# in a child process, in the background: it publishes output/ the way it always does (all
# documents of one build, or none); a newer good save stops it and starts another; its memory
# goes back to the system when it ends; and stopping it stops whatever it started (pandoc,
# Chromium): it runs in a process group of its own, and whatever leaves that group still
# carries its tag (report/processes.py).

# How long a stopped build may take to clean up (its staging folder, its pandoc) before it
# and everything it started are killed.
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class Problems:
    """A save that could not be built; the last good page and documents stay."""

    error: ReportError
    seconds: float


@dataclass(frozen=True)
class Ready:
    """A good save: the page made of it and how long that took. The documents follow in
    the background."""

    value: Any
    seconds: float


@dataclass(frozen=True)
class Recovered:
    """The inputs are back as they were at the last good save: nothing to redo."""


@dataclass(frozen=True)
class Finished:
    """A background `report build` that ran to its end (one a newer save stopped is not
    reported)."""

    code: int
    out: list[str]
    err: list[str]
    seconds: float

    @property
    def documents(self) -> list[str]:
        """The documents it wrote or found up to date, as `report build` names them."""
        return [line.split(" ", 1)[1] if line.startswith("wrote ") else line[len("up to date "):]
                for line in self.out if line.startswith(("wrote ", "up to date "))]

    @property
    def up_to_date(self) -> bool:
        return bool(self.out) and all(line.startswith("up to date ") for line in self.out)


Event = Problems | Ready | Recovered | Finished
# Makes the page of a good save: (options, build date as SOURCE_DATE_EPOCH, the save's
# snapshot of its input files). Raises ReportError for a bad save.
PageMaker = Callable[[BuildOptions, int, InputFiles], Any]


def check_inputs(options: BuildOptions, epoch: int, files: InputFiles) -> None:
    """The page step when there is no page: read and check the inputs, nothing more."""
    from ..build import day_of
    from ..check import checked_inputs

    checked_inputs(options.cases_dir, options.brief, options.strict, files, day_of(epoch))


class EditLoop:
    """On each save: check the inputs and make the page; if that succeeded, start the
    background build and report the page."""

    def __init__(self, options: BuildOptions, report: Callable[[Event], None],
                 page: PageMaker = check_inputs,
                 background: BackgroundBuild | None = None) -> None:
        self.options = options
        self.report = report
        self.page = page
        self.background = background or BackgroundBuild(options, report)
        self.built_key: str | None = None  # the inputs of the last good save
        self.failing = False

    def run(self, saves: Iterable[set]) -> None:
        """Make the page now, then once per batch of saves, until interrupted (Ctrl-C)."""
        self.save()
        for batch in saves:
            if batch:  # empty: the watcher's periodic wake-up, nothing saved
                self.save()

    def save(self) -> None:
        start = time.perf_counter()
        # Every input is read once per save, and the build date worked out once: in a git
        # checkout that is two git commands.
        files = InputFiles(self.options.cases_dir)
        try:
            epoch = source_date_epoch(self.options.cases_dir, files)
            try:
                key = fingerprint(self.options, epoch, files)
            except InputError:
                key = None  # a file that is no regular file: the page step lists every problem
            if key is not None and key == self.built_key:  # a README saved: nothing to do
                if self.failing:
                    self.failing = False
                    self.report(Recovered())
                return
            # The documents under way are of older inputs: they wait while the page is made,
            # which on two cores would otherwise share a core with them. Whatever happens
            # while they wait (a bad save, a bug, Ctrl-C, SIGTERM), they go on or are
            # stopped: never left paused.
            started = False
            try:
                self.background.pause()
                if self.background.running:
                    checkpoint("preview-paused")
                value = self.page(self.options, epoch, files)
                self.failing = False
                self.built_key = key
                seconds = time.perf_counter() - start
                self.background.start()  # a few milliseconds: it does not wait for the old
                started = True
            finally:
                if not started:  # a bad save (or Ctrl-C) lets them go on
                    self.background.resume()
        except ReportError as err:
            self._failed(err, start)
            return
        except OSError as err:  # a file that vanished between listing and reading, …
            self._failed(EnvironmentFault(
                f"{display_path(Path(err.filename or self.options.cases_dir))}: "
                f"{err.strerror}"), start)
            return
        except Exception as err:  # noqa: BLE001 (a bug: said, and the next save is taken)
            self._failed(EnvironmentFault(
                f"unexpected {type(err).__name__}: {err}; this is a bug in report, please "
                "report it with the file you saved"), start)
            return
        self.report(Ready(value, seconds))

    def _failed(self, error: ReportError, start: float) -> None:
        self.failing = True
        self.report(Problems(error, time.perf_counter() - start))


class BackgroundBuild:
    """`report build` in a child process: one at a time, and the newest wins.

    The child runs in a session of its own, so the terminal's Ctrl-C does not reach it (the
    loop decides whether it finishes), and so that killing its process group leaves nothing
    it started behind. `nice` lowers its priority below the preview's page.
    """

    def __init__(self, options: BuildOptions, report: Callable[[Event], None],
                 nice: int = 0) -> None:
        self.options = options
        self.report = report
        self.nice = nice
        self._lock = threading.Lock()
        self._proc: subprocess.Popen | None = None
        self._thread: threading.Thread | None = None
        self._stoppers: list[threading.Thread] = []
        self._paused: list[subprocess.Popen] = []  # builds sent SIGSTOP, not yet SIGCONT

    def command(self) -> list[str]:
        """`report build`, given the options whole (as JSON): every option reaches it."""
        return [sys.executable, "-m", "report", "build", "--quiet", "--options",
                self.options.to_json()]

    def start(self) -> None:
        """Start a build of the inputs as they are now, stopping the one under way (without
        waiting for it: the new build waits for output/'s lock until the old one is gone)."""
        started = time.perf_counter()
        # Ctrl-C and SIGTERM wait for these few lines, so that no child can start unrecorded;
        # the build under way is let go on first, so it can take its SIGTERM (and is never
        # left paused, whatever ends this process next).
        with interrupts_deferred(then_act=True):
            self.resume()
            with self._lock:
                old = (self._proc, self._thread)
                self._proc = self._thread = None
            self._stoppers = [t for t in self._stoppers if t.is_alive()]
            if old[0] is not None:
                stopper = threading.Thread(target=self._stop, args=old, daemon=True,
                                           name="report-build-stop")
                self._stoppers.append(stopper)
                stopper.start()
            tag = new_tag()  # marks all it starts, Chromium too (which leaves the group)
            proc = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    encoding="utf-8", errors="replace", start_new_session=True,
                                    env={**os.environ, TAG: tag})
            proc.tag = tag
            if self.nice:
                try:  # pandoc and Chromium, started later, inherit it
                    os.setpriority(os.PRIO_PROCESS, proc.pid, self.nice)
                except OSError:
                    pass
            thread = threading.Thread(target=self._collect, args=(proc, started), daemon=True,
                                      name="report-build")
            with self._lock:
                self._proc, self._thread = proc, thread
            thread.start()

    def pause(self) -> None:
        """Stop the build under way from running (SIGSTOP), and all it started, until
        `resume` or until it is stopped for good."""
        with self._lock:
            proc = self._proc
            if proc is not None:
                self._paused.append(proc)
        if proc is not None:
            signal_build(proc, signal.SIGSTOP)

    def resume(self) -> None:
        """Let every build this paused run again (SIGCONT), and all it started."""
        with self._lock:
            paused, self._paused = self._paused, []
            proc = self._proc
        for paused_build in dict.fromkeys([*paused, *([proc] if proc is not None else [])]):
            signal_build(paused_build, signal.SIGCONT)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._proc is not None

    def describe(self) -> str:
        return ", ".join(f.upper() for f in self.options.formats)

    def wait(self) -> None:
        """Wait for the build under way to finish (Ctrl-C interrupts the wait)."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            while thread.is_alive():
                thread.join(0.2)

    def cancel(self) -> None:
        """Stop the build under way, if any, and wait until it and every build stopped
        before it are gone; output/ keeps the documents of the last finished build."""
        self.resume()  # a paused build could not act on SIGTERM; neither could what it started
        with self._lock:
            proc, thread = self._proc, self._thread
            self._proc = self._thread = None
        if proc is not None and thread is not None:
            self._stop(proc, thread)
        for stopper in self._stoppers:
            stopper.join()
        self._stoppers.clear()

    @staticmethod
    def _stop(proc: subprocess.Popen, thread: threading.Thread) -> None:
        if proc.poll() is None:
            signal_build(proc, signal.SIGCONT)  # a paused build could not act on SIGTERM
            try:  # `report build` stops on SIGTERM as on Ctrl-C: pandoc killed, staging removed
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        leftovers(proc)  # what it started and left, or all of it if it did not stop
        thread.join()

    def _collect(self, proc: subprocess.Popen, started: float) -> None:
        try:
            out, err = proc.communicate()
        finally:
            leftovers(proc)  # anything it started and left behind
        with self._lock:
            current = proc is self._proc
            if current:
                self._proc = self._thread = None
        if current:  # not stopped by a newer save or by the loop ending
            self.report(Finished(proc.returncode, out.splitlines(), err.splitlines(),
                                 time.perf_counter() - started))


def signal_build(proc: subprocess.Popen, sig: int) -> None:
    """Send `sig` to a background build and to everything it started."""
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
    for pid in tagged(proc.tag):
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            pass


def leftovers(proc: subprocess.Popen) -> None:
    """Kill what is left of a background build: its process group, and whatever carries
    its tag in another (Chromium runs in a session of its own)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    kill_tagged(proc.tag)
