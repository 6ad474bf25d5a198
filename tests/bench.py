"""Benchmark: cold build, no-op rebuild, one-field edit, the floor, and report preview's
save-to-reload; then scale (2 and 50 synthetic companies) and peak memory.

Run with `make bench` (not part of `make test`). Each build runs as `python -m report build`
in a fresh folder, as a user runs it. The floor is what any build of the same briefing must
pay: pandoc and WeasyPrint on the same final Markdown and HTML, plus one kaleido batch of the
same figures. Peak memory is the build process's own maximum RSS (Chromium, a separate
process, is not counted).
"""

from __future__ import annotations

import os
import re
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


def project(folder: Path) -> Path:
    """A fresh project whose cases/ is a copy of every input in `folder` (case files,
    exchange rates, claims, the brief)."""
    root = Path(tempfile.mkdtemp(prefix="bench-"))
    shutil.copytree(folder, root / "cases")
    return root


def edit_one_field(root: Path) -> None:
    """Change one free-text note the documents show (the annex, with a short briefing), as
    an analyst fixing a sentence would (no chart shows it): the first such note in the first
    case file."""
    path = sorted((root / "cases").glob("*.yaml"))[0]
    shown = "".join(p.read_text(encoding="utf-8") for p in (
        root / "output" / "briefing.md", root / "output" / "annex.md") if p.exists())
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for i, line in enumerate(lines):
        m = re.match(r'(\s*note: ")(?:Edited \d+\. )?(.{30})', line)
        if m and m.group(2) in shown:
            lines[i] = re.sub(r'note: "(?:Edited \d+\. )?', f'note: "Edited {time.time_ns()}. ',
                              line, count=1)
            path.write_text("".join(lines), encoding="utf-8")
            return
    raise SystemExit(f"no note in {path} is shown in the briefing")


def edit_brief(root: Path) -> None:
    """Change one sentence of the brief's argument, as an analyst revising it would."""
    path = root / "cases" / "brief.md"
    text = path.read_text(encoding="utf-8")
    added = "\n\nThis sentence was added by the benchmark.\n"
    new = text[:-len(added)] if text.endswith(added) else text.rstrip("\n") + added
    path.write_text(new, encoding="utf-8")


def edit_exhibit_data(root: Path) -> None:
    """Change a price an exhibit draws (the first price point the brief's `prices` exhibit
    names), nudging its input price by a cent each time."""
    brief = (root / "cases" / "brief.md").read_text(encoding="utf-8")
    found = re.search(r'prices: \["([a-z0-9-]+):([a-z0-9-]+)"', brief)
    if not found:
        raise SystemExit("the brief has no prices exhibit to edit")
    path = root / "cases" / f"{found.group(1)}.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"id: {found.group(2)}\n")
    m = re.compile(r"(\n\s*input: )([0-9.]+)").search(text, start)
    value = round(float(m.group(2)) + (0.01 if "1" not in m.group(2)[-1:] else -0.01), 4)
    path.write_text(text[:m.start(2)] + f"{value:g}" + text[m.end(2):], encoding="utf-8")


def floor(root: Path) -> tuple[float, float]:
    """Time one kaleido batch of the build's figures, then pandoc and WeasyPrint on its
    own Markdown with its own templates: the work any build of this briefing must do.
    Returns (chart export seconds, render seconds); their sum is the floor of a cold build,
    the render part alone the floor of a rebuild whose charts are cached."""
    script = f"""
import os, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from report.build import BuildOptions, compose_briefing
from report.compose import compose_annex
from report.charts import find_browser
from report.load import load_inputs
from report.render import FORMATS, render
from report.render.environment import fewer_gc_passes
import kaleido
root = Path({str(root)!r})
out = Path(tempfile.mkdtemp(dir=root))
options = BuildOptions(cases_dir=root / "cases", figures_dir=out)
inputs = load_inputs(root / "cases")
composed = compose_briefing(inputs, {EPOCH}, options, export=False)
charts, images = composed.charts, composed.images
os.environ["BROWSER_PATH"] = find_browser()
with fewer_gc_passes():  # the same collector setting the build runs with
    start = time.perf_counter()
    kaleido.write_fig_from_object_sync(
        [{{"fig": c.figure, "path": images[c.id], "opts": {{"format": "png", "width": 1000,
          "height": c.height, "scale": 2}}}} for c in charts], kopts={{"n": 1, "mathjax": False}})
    middle = time.perf_counter()
    render(composed.briefing, charts, images, list(FORMATS), out)
    annex = compose_annex(composed.comparison, charts, images, composed.style,
                          inputs.brief, inputs.claims)
    if annex is not None:  # the evidence annex: rendered by a build after the briefing
        render(annex, charts, images, list(FORMATS), out)
    print(middle - start, time.perf_counter() - middle)
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH}, check=True)
    charts, rendering = map(float, proc.stdout.strip().splitlines()[-1].split())
    return charts, rendering


def preview_reloads(root: Path, saves: int = 5, edit=None) -> list[float]:
    """Seconds from a save to the page fetched again, as a browser waits: `report preview`'s
    event stream says `reload`, then the page is fetched once. The first save is the first
    after the preview started (while it still builds the documents in the background); each
    save is a one-field edit (or `edit`). The PDF, DOCX and HTML are built in the background
    meanwhile, as they are for a user."""
    from .preview_client import Events, Preview, fetch

    edit = edit or edit_brief  # the page shows the argument (a note may be the annex's alone)
    preview = Preview(root)
    try:
        events = Events(preview.url)
        # the page a browser opens first (the stream tells the current state at once)
        _, ready = events.until(lambda name, data: name == "reload" and data["version"] >= 1)
        version, seconds = ready["version"], []
        for _ in range(saves):
            start = time.perf_counter()
            edit(root)
            _, done = events.until(lambda name, data, v=version: name == "reload"
                                   and data["version"] > v)
            status, _page = fetch(preview.url)
            seconds.append(time.perf_counter() - start)
            if status != 200:
                raise SystemExit(f"the preview answered {status}")
            version = done["version"]
        events.close()
        preview.stop()
        return seconds
    finally:
        preview.kill()


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    cold, noop, edit, base, render_floor, reloads, roots = ([] for _ in range(7))
    brief_edit, brief_pdf = [], []
    for _ in range(RUNS):
        root = project(ROOT / "cases")
        roots.append(root)
        cold.append(build(root)[0])
        noop.append(build(root)[0])
        edit_one_field(root)
        edit.append(build(root)[0])
        charts, rendering = floor(root)
        base.append(charts + rendering)
        render_floor.append(rendering)
        edit_brief(root)  # the whole build: the briefing's three formats, the annex kept
        brief_edit.append(build(root)[0])
        edit_brief(root)  # the short briefing's PDF alone
        brief_pdf.append(timed([sys.executable, "-m", "report", "build", "--quiet",
                                "--format", "pdf"], root)[0])
    reloads = preview_reloads(roots[-1])
    exhibit_saves = preview_reloads(roots[-1], edit=edit_exhibit_data)
    edit_one_field(roots[-1])
    breakdown = steps(roots[-1])
    for root in roots:
        shutil.rmtree(root, ignore_errors=True)
    c, n, e, f, r, p = map(median, (cold, noop, edit, base, render_floor, reloads))
    b, bp, x = map(median, (brief_edit, brief_pdf, exhibit_saves))
    first = max(reloads[0], exhibit_saves[0])
    print(f"\nThe project's cases, median of {RUNS} runs (seconds; preview: of "
          f"{len(reloads)} saves)\n")
    print(f"| {'measure':<50} | {'median s':>9} |")
    print(f"|{'-' * 52}|{'-' * 11}|")
    for label, value in (("(a) cold build", c), ("(b) no-op rebuild", n),
                         ("(c) rebuild after one edit", e),
                         ("(d) floor: one kaleido batch + pandoc, WeasyPrint", f),
                         ("    of which pandoc and WeasyPrint (rendering floor)", r),
                         ("(e) report preview: save to page fetched", p),
                         ("    the first save after it started", reloads[0]),
                         ("    slowest save", max(reloads)),
                         ("(f) edit in the brief: build (annex kept)", b),
                         ("    the short briefing's PDF alone (--format pdf)", bp),
                         ("(g) preview: save changing an exhibit's data", x),
                         ("    the first such save after it started", exhibit_saves[0])):
        print(f"| {label:<50} | {value:>9.2f} |")

    scale = {}
    peaks = []
    for n_cases in (2, 50):
        folder = Path(tempfile.mkdtemp(prefix="synth-"))
        write_cases(n_cases, folder)
        root = project(folder)
        scale[n_cases] = build(root)
        peaks.append(scale[n_cases][1])
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(folder, ignore_errors=True)
    peak = max(peaks)

    print(f"\n| {'ratio':<50} | {'value':>9} | target  | met |")
    print(f"|{'-' * 52}|{'-' * 11}|---------|-----|")
    for label, value, limit in (
            ("preview save to page fetched, s (slowest save)", max(reloads), 1.0),
            ("preview first save to page fetched, s", first, 1.0),
            ("preview exhibit-data save to page, s (slowest)", max(exhibit_saves), 1.0),
            ("brief edit: briefing PDF / one-field edit build", bp / e, 0.25),
            ("edited build / rendering floor", e / r, 1.15),
            ("cold build / floor", c / f, 1.2),
            ("no-op rebuild / cold build", n / c, 0.10),
            ("50 companies / 2 companies, cold build", scale[50][0] / scale[2][0], 20.0),
            ("peak RSS of a build, MiB", peak, 1024.0)):
        met = "yes" if value <= limit else "NO"
        print(f"| {label:<50} | {value:>9.2f} | <= {limit:<5g}| {met:>3} |")
    print("\nWhere a rebuild after one edit spends its time (report build --timings):\n")
    print(breakdown)
    print("\nScale: synthetic companies, cold build\n")
    print(f"| {'companies':>9} | {'seconds':>8} | {'s per company':>13} | {'peak MiB':>8} |")
    print(f"|{'-' * 11}|{'-' * 10}|{'-' * 15}|{'-' * 10}|")
    for n_cases, (seconds, rss) in scale.items():
        print(f"| {n_cases:>9} | {seconds:>8.2f} | {seconds / n_cases:>13.2f} | {rss:>8.0f} |")


if __name__ == "__main__":
    main()
