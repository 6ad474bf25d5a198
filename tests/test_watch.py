"""`report watch`: a rebuild per save, problems reported without stopping, Ctrl-C ends it."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from report.build import BuildOptions
from report.errors import InputError
from report.live.watch import (
    BackgroundBuild,
    EditLoop,
    Finished,
    Problems,
    Ready,
    check_inputs,
    is_case_file,
    watch,
)

from .conftest import BAD, DATA, EPOCH, GOOD, case_dir
from .processes import all_gone, marked, running_with


def test_each_batch_of_saves_is_one_build_and_a_bad_save_keeps_the_last_documents(
        tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    alpha = cases / "alpha.yaml"
    options = BuildOptions(cases_dir=cases, out_dir=tmp_path / "output",
                           figures_dir=tmp_path / "figures", formats=("html",))
    page = options.out_dir / "briefing.html"
    seen: list[str] = []

    def saves():
        """Stands in for the file watcher: edits a case file, then reports one batch."""
        seen.append(page.read_text(encoding="utf-8"))
        alpha.write_text(alpha.read_text(encoding="utf-8").replace(
            "Open models first", "Open first, edited"), encoding="utf-8")
        yield {("modified", str(alpha))}
        seen.append(page.read_text(encoding="utf-8"))
        good = alpha.read_text(encoding="utf-8")
        alpha.write_text((BAD / "negative_price.yaml").read_text(encoding="utf-8"),
                         encoding="utf-8")
        yield {("modified", str(alpha))}
        seen.append(page.read_text(encoding="utf-8"))
        alpha.write_text(good, encoding="utf-8")
        yield {("modified", str(alpha))}

    outcomes = []
    watch(options, outcomes.append, changes=saves())
    assert [o.error is None for o in outcomes] == [True, True, False, True]
    assert "Open first, edited" not in seen[0] and "Open first, edited" in seen[1]
    assert seen[2] == seen[1]  # the bad save left the last good page in place
    assert str(outcomes[2].error.problems[0]).startswith(
        f"{alpha}:9:62: pricing[0].input")
    # Put back as it was last built: the documents are current, nothing is redone.
    assert outcomes[3].result.up_to_date is True
    assert outcomes[1].result.up_to_date is False
    assert all(o.seconds > 0 for o in outcomes)


def test_only_case_files_start_a_build():
    assert is_case_file(None, "/p/cases/alpha.yaml")
    assert is_case_file(None, "/p/cases/beta.yml")
    assert not is_case_file(None, "/p/cases/.alpha.yaml.swp")
    assert not is_case_file(None, "/p/cases/#alpha.yaml#")
    assert not is_case_file(None, "/p/cases/.alpha.yaml")
    assert not is_case_file(None, "/p/cases/notes.md")


class Watching:
    """`report watch --format html --quiet` running in `root`, its output line by line."""

    def __init__(self, root: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "report", "watch", "--format", "html", "--quiet"],
            cwd=root, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = {"out": queue.Queue(), "err": queue.Queue()}
        for name, stream in (("out", self.proc.stdout), ("err", self.proc.stderr)):
            threading.Thread(target=self._pump, args=(stream, self.lines[name]),
                             daemon=True).start()
        assert self.next() == "watching cases (Ctrl-C stops)"
        # the first build: the page and the workbook
        assert self.next().endswith(": output/briefing.html, output/data.xlsx")

    @staticmethod
    def _pump(stream, lines: queue.Queue) -> None:
        for line in stream:
            lines.put(line.rstrip("\n"))

    def next(self, stream: str = "out") -> str:
        """The next line the command printed on `stream` (out or err)."""
        return self.lines[stream].get(timeout=60)

    def stop(self) -> int:
        """Press Ctrl-C; return the exit code."""
        self.proc.send_signal(signal.SIGINT)
        assert self.next() == "stopped watching"
        return self.proc.wait(timeout=30)


def test_the_command_rebuilds_on_save_reports_problems_and_stops_on_ctrl_c(tmp_path):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    page = tmp_path / "output" / "briefing.html"
    watching = Watching(tmp_path)
    try:
        alpha = cases / "alpha.yaml"
        good = alpha.read_text(encoding="utf-8")
        alpha.write_text(good.replace("Open models first", "Saved from an editor"),
                         encoding="utf-8")
        assert " built in " in watching.next()
        assert "Saved from an editor" in page.read_text(encoding="utf-8")
        alpha.write_text((BAD / "negative_price.yaml").read_text(encoding="utf-8"),
                         encoding="utf-8")
        assert watching.next("err").startswith("cases/alpha.yaml:9:62: pricing[0].input")
        assert watching.next().endswith("not built (1 problem); waiting for the next save")
        # An editor's lock file beside the cases (Emacs: a symlink to nowhere) is not a case.
        (cases / ".#alpha.yaml").symlink_to("user@host.4242:1764000000")
        alpha.write_text(good.replace("Open models first", "Saved again"), encoding="utf-8")
        assert " built in " in watching.next()
        assert "Saved again" in page.read_text(encoding="utf-8")
        assert watching.stop() == 0
    finally:
        watching.proc.kill()


def test_a_cases_folder_removed_and_put_back_is_watched_again(tmp_path):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    page = tmp_path / "output" / "briefing.html"
    watching = Watching(tmp_path)
    try:
        # As a checkout or a move does: the folder goes, then comes back as a new folder.
        shutil.move(cases, tmp_path / "elsewhere")
        assert watching.next("err") == "cases: no such directory of case files"
        assert watching.next().endswith("not built (1 problem); waiting for the next save")
        alpha = tmp_path / "elsewhere" / "alpha.yaml"
        alpha.write_text(alpha.read_text(encoding="utf-8").replace(
            "Open models first", "Back in place"), encoding="utf-8")
        shutil.move(tmp_path / "elsewhere", cases)
        assert " built in " in watching.next()
        assert "Back in place" in page.read_text(encoding="utf-8")
        beta = cases / "beta.yaml"  # and saves in the new folder are seen
        beta.write_text(beta.read_text(encoding="utf-8") + "\n", encoding="utf-8")
        assert " built in " in watching.next()
        assert watching.stop() == 0
    finally:
        watching.proc.kill()


def test_watch_survives_every_kind_of_bad_save_and_builds_after_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    alpha = cases / "alpha.yaml"
    good = alpha.read_text(encoding="utf-8")
    options = BuildOptions(cases_dir=cases, out_dir=tmp_path / "output",
                           figures_dir=tmp_path / "figures", formats=("html",))
    # Each bad save, and the line the loop reports for it.
    saves = [
        (lambda: os.mkfifo(cases / "x.yaml"), "cases/x.yaml: is a named pipe (FIFO)"),
        (lambda: os.symlink("/dev/zero", cases / "x.yaml"), "cases/x.yaml: is a symbolic link"),
        (lambda: os.symlink("x.yaml", cases / "x.yaml"), "cases/x.yaml: is a symbolic link"),
        (lambda: (cases / "x.yaml").mkdir(), "cases/x.yaml: is a folder"),
        (lambda: alpha.write_text(good.replace("input: 20,", "input: " + "9" * 5000 + ","),
                                  encoding="utf-8"), "cases/alpha.yaml:80:"),
        (lambda: alpha.write_text(good.replace("date: 2024-06,", "date: 9999-12,"),
                                  encoding="utf-8"), "cases/alpha.yaml:11:"),
        (lambda: alpha.write_text(good.replace("{en: Alpha Labs,", '{en: "A\\x1bB",'),
                                  encoding="utf-8"), "cases/alpha.yaml:6:"),
        (lambda: alpha.write_bytes(b"\xff\xfe"), "cases/alpha.yaml:1:1: not UTF-8"),
    ]

    def undo() -> None:
        path = cases / "x.yaml"
        if path.is_dir() and not path.is_symlink():
            path.rmdir()
        elif os.path.lexists(path):
            path.unlink()
        alpha.write_text(good, encoding="utf-8")

    def changes():
        for make, _ in saves:
            make()
            yield {("added", str(cases))}
            undo()
            yield {("modified", str(alpha))}

    monkeypatch.chdir(tmp_path)
    outcomes = []
    watch(options, outcomes.append, changes=changes())
    assert len(outcomes) == 1 + 2 * len(saves)
    for (_, line), bad, fixed in zip(saves, outcomes[1::2], outcomes[2::2]):
        assert bad.error is not None and bad.error.exit_code == 2, (line, bad)
        assert str(bad.error.problems[0]).startswith(line), (line, bad.error.problems)
        assert fixed.error is None, (line, fixed.error)


# ---------------------------------------------------------------- the edit loop of `report preview`


class StandIn:
    """Stands in for the background build: counts the builds the loop asks for, and notes
    when the loop pauses and resumes the one under way."""

    running = False

    def __init__(self) -> None:
        self.started = 0
        self.calls: list[str] = []

    def start(self) -> None:
        self.started += 1
        self.calls.append("start")

    def pause(self) -> None:
        self.calls.append("pause")

    def resume(self) -> None:
        self.calls.append("resume")

    def cancel(self) -> None:
        pass


def test_the_edit_loop_starts_a_build_per_good_save_and_none_for_a_bad_one(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    alpha = cases / "alpha.yaml"
    options = BuildOptions(cases_dir=cases, out_dir=tmp_path / "output",
                           figures_dir=tmp_path / "figures", formats=("html",))
    background = StandIn()
    seen: list[int] = []

    def saves():
        """Stands in for the file watcher: edits a case file, then reports one batch."""
        seen.append(background.started)
        good = alpha.read_text(encoding="utf-8")
        alpha.write_text(good.replace("Open models first", "Open first, edited"),
                         encoding="utf-8")
        yield {("modified", str(alpha))}
        seen.append(background.started)
        alpha.write_text((BAD / "negative_price.yaml").read_text(encoding="utf-8"),
                         encoding="utf-8")
        yield {("modified", str(alpha))}
        seen.append(background.started)  # a bad save starts no build, stops none
        (cases / "README.md").write_text("Notes, read by no build\n", encoding="utf-8")
        yield {("added", str(cases / "README.md"))}
        seen.append(background.started)
        alpha.write_text(good, encoding="utf-8")
        yield {("modified", str(alpha))}
        yield set()  # the watcher's wake-up with nothing saved
        seen.append(background.started)

    events = []
    EditLoop(options, events.append, background=background).run(saves())
    assert [type(e) for e in events] == [Ready, Ready, Problems, Problems, Ready]
    assert seen == [1, 2, 2, 2, 3]
    # While a page is made the build under way waits; a bad save lets it go on.
    assert background.calls == ["pause", "start", "pause", "start", "pause", "resume",
                                "pause", "resume", "pause", "start"]
    assert isinstance(events[2].error, InputError)
    assert str(events[2].error.problems[0]).startswith(f"{alpha}:9:62: pricing[0].input")
    assert all(e.seconds > 0 for e in events)


def test_a_bad_save_of_any_kind_shows_its_problem_and_the_next_save_is_taken(tmp_path,
                                                                           monkeypatch):
    """A save pandoc would read for hours, a divisor of 0 and a bug each end in Problems
    (the build under way is let go on); the next good save gives a page."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"), *(DATA / "brief").iterdir())
    brief, beta = cases / "brief.md", cases / "beta.yaml"
    good_brief, good_beta = brief.read_text(encoding="utf-8"), beta.read_text(encoding="utf-8")
    options = BuildOptions(cases_dir=cases, formats=("html",))
    background, events, pages = StandIn(), [], []

    def page(options, epoch, files):
        pages.append(epoch)
        if len(pages) == 4:
            raise ZeroDivisionError("division by zero")  # a bug, not bad input
        return check_inputs(options, epoch, files)

    def saves():
        brief.write_text(good_brief + "\nx " + "[a " * 26 + "\n", encoding="utf-8")
        yield {("modified", str(brief))}
        brief.write_text(good_brief, encoding="utf-8")
        beta.write_text(good_beta.replace("currency: CNY, input: 1,", "currency: CNY, input: 0,"),
                        encoding="utf-8")
        yield {("modified", str(beta))}
        beta.write_text(good_beta.replace("Beta AI", "Beta AI (edited)"), encoding="utf-8")
        yield {("modified", str(beta))}
        beta.write_text(good_beta.replace("Beta AI", "Beta AI (edited again)"),
                        encoding="utf-8")
        yield {("modified", str(beta))}

    started = time.monotonic()
    EditLoop(options, events.append, page=page, background=background).run(saves())
    assert time.monotonic() - started < 60
    assert [type(e) for e in events] == [Ready, Problems, Problems, Problems, Ready]
    said = [str(e.error).splitlines()[0] for e in events[1:4]]
    assert said[0].startswith(f"{brief}:51:3: 26 brackets in this paragraph are never closed")
    assert said[1].endswith("beta:beta-chat-2024-05-06-cny.input is 0: a ratio cannot divide "
                            "by it")
    assert said[2] == ("unexpected ZeroDivisionError: division by zero; this is a bug in "
                       "report, please report it with the file you saved")
    assert background.calls.count("pause") == background.calls.count("resume") + 2


def test_a_saved_readme_with_nothing_else_changed_builds_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    options = BuildOptions(cases_dir=cases, out_dir=tmp_path / "output",
                           figures_dir=tmp_path / "figures", formats=("html",))
    background, events = StandIn(), []

    def saves():
        (cases / "README.md").write_text("Notes\n", encoding="utf-8")
        yield {("added", str(cases / "README.md"))}

    EditLoop(options, events.append, background=background).run(saves())
    assert [type(e) for e in events] == [Ready] and background.started == 1


def test_the_page_step_gets_the_build_date_worked_out_once_per_save(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    given = []

    def page(options, epoch, files):
        given.append((epoch, files))
        return "page"

    events = []
    EditLoop(BuildOptions(cases_dir=cases), events.append, page=page,
             background=StandIn()).run(iter(()))
    assert [e.value for e in events] == ["page"] and [g[0] for g in given] == [int(EPOCH)]


class Sleeper(BackgroundBuild):
    """A background build that never ends by itself and starts a child of its own."""

    def command(self) -> list[str]:
        child = "import time; time.sleep(600)"
        # It stops on SIGTERM, as `report build` does (its handler replaces the ignoring
        # the child inherits from the moment it was started in).
        return [sys.executable, "-c",
                f"import signal, subprocess, sys, time; print('started', flush=True); "
                f"signal.signal(signal.SIGTERM, signal.SIG_DFL); "
                f"subprocess.Popen([sys.executable, '-c', {child!r}]); time.sleep(600)"]


def test_a_newer_build_stops_the_one_under_way_and_all_it_started(monkeypatch):
    marker = marked(monkeypatch)
    finished: queue.Queue = queue.Queue()
    sleeper = Sleeper(BuildOptions(), finished.put)
    try:
        sleeper.start()
        first = running_with(marker, wait_for=2)  # the build and the child it started
        sleeper.start()
        assert all_gone(first)
        assert len(running_with(marker, wait_for=2)) == 2 and sleeper.running
    finally:
        sleeper.cancel()
    assert running_with(marker) == {} and not sleeper.running
    assert finished.empty()  # a build that was stopped is not reported as finished


def states(pids, wanted: str, timeout: float = 30) -> set[str]:
    """The processes' states (R running, S sleeping, T stopped), once all are `wanted` or
    after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = {Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
                 for pid in pids}
        if found == {wanted} or time.monotonic() > deadline:
            return found
        time.sleep(0.02)


def test_a_paused_build_and_its_children_wait_and_a_paused_build_still_stops(monkeypatch):
    marker = marked(monkeypatch)
    sleeper = Sleeper(BuildOptions(), queue.Queue().put)
    try:
        sleeper.start()
        # The child must have started its own program: one paused between fork and exec
        # leaves its parent waiting in the kernel ("D"), not stopped ("T").
        pids = running_with(marker, wait_for=2, running=" -c import time; time.sleep(600)")
        sleeper.pause()
        assert states(pids, "T") == {"T"}
        sleeper.resume()
        assert states(pids, "S") == {"S"}
        sleeper.pause()
        proc = sleeper._proc
        sleeper.cancel()
        assert proc.returncode == -signal.SIGTERM  # it was let go on to take its SIGTERM
        assert all_gone(pids)
    finally:
        sleeper.cancel()


def test_a_build_that_ends_is_reported_with_what_it_printed():
    finished: queue.Queue = queue.Queue()
    build = BackgroundBuild(BuildOptions(), finished.put)
    build.command = lambda: [sys.executable, "-c",
                             "import sys; print('wrote output/briefing.pdf');"
                             "print('up to date output/briefing.html'); sys.exit(0)"]
    build.start()
    done = finished.get(timeout=60)
    assert isinstance(done, Finished) and done.code == 0
    assert done.documents == ["output/briefing.pdf", "output/briefing.html"]
    assert not done.up_to_date
    build.wait()
    assert not build.running


def test_a_signal_held_off_while_a_build_starts_is_acted_on_after_it():
    """SIGTERM while the preview started a build was ignored, and lost: a supervisor then
    killed the preview, leaving the build it had paused stopped. Now it waits, then acts."""
    from report.publish import interrupts_deferred

    heard: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: heard.append(signum))
    try:
        with interrupts_deferred(then_act=True):
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
            assert heard == []
        assert heard == [signal.SIGTERM]
        with interrupts_deferred():  # publishing: the block finishes the work, then ends
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.05)
        assert heard == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)
