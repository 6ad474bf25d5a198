"""Benchmark: cold build, no-op rebuild, one-field edit, and the floor; then scale.

Run with `make bench` (not part of `make test`). Each build runs as `python -m report build`
in a fresh folder, as a user runs it. The floor is what any build of the same briefing must
pay: pandoc and WeasyPrint on the same final Markdown and HTML, plus one kaleido batch of the
same figures. Peak memory is the build process's own maximum RSS (Chromium, a separate
process, is not counted).
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .synth import write_cases

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
EPOCH = "1767225600"


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """Run a command; return (seconds, peak RSS in MiB of the process)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=cwd, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(args)}\n{proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def build(cwd: Path) -> tuple[float, float]:
    return timed([sys.executable, "-m", "report", "build", "--quiet"], cwd)


def steps(cwd: Path) -> str:
    """Build once with --timings; return its table of steps."""
    proc = subprocess.run([sys.executable, "-m", "report", "build", "--quiet", "--timings"],
                          cwd=cwd, env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                          capture_output=True, text=True, check=True)
    return proc.stderr


def project(cases: list[Path]) -> Path:
    root = Path(tempfile.mkdtemp(prefix="bench-"))
    (root / "cases").mkdir()
    for case in cases:
        shutil.copy(case, root / "cases" / case.name)
    return root


def edit_one_field(root: Path) -> None:
    """Change one free-text note, as an analyst fixing a sentence would; no chart shows it."""
    path = sorted((root / "cases").glob("*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    assert 'note: "' in text, path
    path.write_text(text.replace('note: "', f'note: "Edited {time.time_ns()}. ', 1),
                    encoding="utf-8")


def floor(root: Path) -> tuple[float, float]:
    """Time one kaleido batch of the build's figures, then pandoc and WeasyPrint on its
    own Markdown with its own templates: the work any build of this briefing must do.
    Returns (chart export seconds, render seconds); their sum is the floor of a cold build,
    the render part alone the floor of a rebuild whose charts are cached."""
    script = f"""
import datetime as dt, os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from report.build import fewer_gc_passes
from report.cases import load_cases
from report.charts import build_charts, find_browser
from report.compare import compare
from report.compose import compose
from report.render import FORMATS, render
import kaleido
root = Path({str(root)!r})
comparison = compare([cf.case for cf in load_cases(root / "cases")], dt.date(2026, 1, 1))
charts = build_charts(comparison)
os.environ["BROWSER_PATH"] = find_browser()
out = Path(tempfile.mkdtemp(dir=root))
images = {{c.id: out / c.image_name() for c in charts}}
briefing = compose(comparison, charts, images)
with fewer_gc_passes():  # the same collector setting the build runs with
    start = time.perf_counter()
    kaleido.write_fig_from_object_sync(
        [{{"fig": c.figure, "path": images[c.id], "opts": {{"format": "png", "width": 1000,
          "height": c.height, "scale": 2}}}} for c in charts], kopts={{"n": 1, "mathjax": False}})
    middle = time.perf_counter()
    render(briefing, charts, images, list(FORMATS), out)
    print(middle - start, time.perf_counter() - middle)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, check=True)
    charts, rendering = map(float, proc.stdout.strip().splitlines()[-1].split())
    return charts, rendering


def preview(root: Path) -> float:
    """A rebuild after one edit of the HTML page alone, the quick way to check an edit."""
    edit_one_field(root)
    return timed([sys.executable, "-m", "report", "build", "--quiet", "--format", "html",
                  "--out", "preview"], root)[0]


def watched_edit(root: Path) -> float:
    """Seconds from saving a one-field edit to `report watch` saying the documents are built
    (the watcher's 0.4 s wait for the save to settle included)."""
    proc = subprocess.Popen([sys.executable, "-m", "report", "watch", "--quiet"], cwd=root,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        lines = iter(proc.stdout)
        next(line for line in lines if " built in " in line or "up to date" in line)
        start = time.perf_counter()
        edit_one_field(root)
        next(line for line in lines if " built in " in line)
        return time.perf_counter() - start
    finally:
        proc.kill()
        proc.wait()


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    cases = sorted((ROOT / "cases").glob("*.yaml"))
    cold, noop, edit, base, render_floor, html_only, watched, roots = ([] for _ in range(8))
    for _ in range(RUNS):
        root = project(cases)
        roots.append(root)
        cold.append(build(root)[0])
        noop.append(build(root)[0])
        edit_one_field(root)
        edit.append(build(root)[0])
        charts, rendering = floor(root)
        base.append(charts + rendering)
        render_floor.append(rendering)
        html_only.append(preview(root))
        watched.append(watched_edit(root))
    edit_one_field(roots[-1])
    breakdown = steps(roots[-1])
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)
    c, n, e, f, r, h, w = map(median, (cold, noop, edit, base, render_floor, html_only,
                                       watched))
    print(f"\nThe project's cases, median of {RUNS} runs (seconds)\n")
    print(f"| {'measure':<50} | {'median s':>9} |")
    print(f"|{'-' * 52}|{'-' * 11}|")
    for label, value in (("(a) cold build", c), ("(b) no-op rebuild", n),
                         ("(c) rebuild after one edit", e),
                         ("(d) floor: one kaleido batch + pandoc, WeasyPrint", f),
                         ("    of which pandoc and WeasyPrint", r),
                         ("(e) one edit, --format html (a quick preview)", h),
                         ("(f) one edit under report watch, save to built", w)):
        print(f"| {label:<50} | {value:>9.2f} |")
    print(f"\n| {'ratio':<50} | {'value':>9} | target |")
    print(f"|{'-' * 52}|{'-' * 11}|--------|")
    for label, value, target in (("cold / floor", c / f, "≤ 1.2"),
                                 ("no-op / cold", n / c, "< 0.10"),
                                 ("edit / cold", e / c, "< 0.40"),
                                 ("edit / its floor (pandoc and WeasyPrint)", e / r, ""),
                                 ("html preview / cold", h / c, ""),
                                 ("report watch edit / cold", w / c, "")):
        print(f"| {label:<50} | {value:>9.2f} | {target:>6} |")
    print("\nWhere a rebuild after one edit spends its time (report build --timings):\n")
    print(breakdown)

    print("\nScale: synthetic companies, cold build\n")
    print(f"| {'companies':>9} | {'seconds':>8} | {'s per company':>13} | {'peak MiB':>8} |")
    print(f"|{'-' * 11}|{'-' * 10}|{'-' * 15}|{'-' * 10}|")
    for n_cases in (2, 10, 50):
        folder = Path(tempfile.mkdtemp(prefix="synth-"))
        root = project(write_cases(n_cases, folder))
        seconds, peak = build(root)
        print(f"| {n_cases:>9} | {seconds:>8.2f} | {seconds / n_cases:>13.2f} | {peak:>8.0f} |")
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
