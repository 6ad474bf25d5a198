"""`report watch`: a rebuild per save, problems reported without stopping, Ctrl-C ends it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading

from report.build import BuildOptions
from report.watch import is_case_file, watch

from .conftest import BAD, EPOCH, GOOD, case_dir


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
        f"{alpha}:8:54: pricing[0].input")
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


def test_the_command_rebuilds_on_save_reports_problems_and_stops_on_ctrl_c(tmp_path):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    proc = subprocess.Popen(
        [sys.executable, "-m", "report", "watch", "--format", "html", "--quiet"],
        cwd=tmp_path, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[tuple[str, str]] = queue.Queue()
    for name, stream in (("out", proc.stdout), ("err", proc.stderr)):
        threading.Thread(target=lambda n=name, s=stream: [lines.put((n, ln.rstrip("\n")))
                                                          for ln in s], daemon=True).start()

    def next_line(stream: str) -> str:
        while True:
            name, line = lines.get(timeout=60)
            if name == stream:
                return line

    try:
        assert next_line("out") == "watching cases (Ctrl-C stops)"
        assert next_line("out").endswith("output/briefing.html")
        alpha = cases / "alpha.yaml"
        good = alpha.read_text(encoding="utf-8")
        alpha.write_text(good.replace("Open models first", "Saved from an editor"),
                         encoding="utf-8")
        assert " built in " in next_line("out")
        assert "Saved from an editor" in (tmp_path / "output" / "briefing.html").read_text(
            encoding="utf-8")
        alpha.write_text((BAD / "negative_price.yaml").read_text(encoding="utf-8"),
                         encoding="utf-8")
        assert next_line("err").startswith("cases/alpha.yaml:8:54: pricing[0].input")
        assert next_line("out").endswith("not built (1 problem); waiting for the next save")
        proc.send_signal(signal.SIGINT)
        assert next_line("out") == "stopped watching"
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
