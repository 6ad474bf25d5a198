"""Bad input and broken environments: a clear message, the right exit code, nothing lost."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pypandoc
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from ruamel.yaml import YAML
from typer.testing import CliRunner

from report.cli import app

from .conftest import BAD, EPOCH, GOOD, ROOT, case_dir, run_cli
from .hostile import hostile_text
from .processes import marked, running_with

pytestmark = pytest.mark.xdist_group("build")


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def built_copy(three_build, tmp_path) -> Path:
    """A project folder with a finished build in it, to try to break."""
    root = tmp_path / "project"
    shutil.copytree(three_build.root, root)
    return root


def test_bad_input_leaves_earlier_documents_exactly_as_they_were(built_copy):
    before = digests(built_copy / "output"), digests(built_copy / "figures")
    shutil.copy(BAD / "negative_price.yaml", built_copy / "cases")
    run = run_cli("build", "--quiet", cwd=built_copy)
    assert run.code == 2
    assert run.err.splitlines()[0].startswith("cases/negative_price.yaml:9:62: pricing[0].input")
    assert (digests(built_copy / "output"), digests(built_copy / "figures")) == before


REAL_PANDOC = pypandoc.get_pandoc_path()


def fake_pandoc(folder: Path, script: str) -> Path:
    """Write a pandoc stand-in: it answers pypandoc's version check, then runs `script`."""
    fake = folder / "pandoc"
    fake.write_text("#!/bin/sh\n[ \"$1\" = --version ] && { echo 'pandoc 3.9'; exit 0; }\n"
                    + script + "\n")
    fake.chmod(0o755)
    return fake


@pytest.mark.parametrize("fails_on", ["*", "*docx*", "*page.html*"],
                         ids=["every-run", "docx-on-the-side-thread", "html-on-the-side-thread"])
def test_pandoc_failing_midway_leaves_earlier_documents_intact(built_copy, tmp_path, fails_on):
    before = digests(built_copy / "output")
    fake = fake_pandoc(tmp_path, f"case \"$*\" in {fails_on}) "
                                 "echo 'pandoc: out of cheese' >&2; exit 83;; esac\n"
                                 f'exec {REAL_PANDOC} "$@"')
    # A case edit forces new documents; the fake pandoc then fails on the first of them.
    case = built_copy / "cases" / "gamma.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("consumer app", "consumer service"),
                    encoding="utf-8")
    run = run_cli("build", "--quiet", cwd=built_copy, env={"PYPANDOC_PANDOC": str(fake)})
    assert run.code == 1
    assert run.err == "error: pandoc failed (exit 83): pandoc: out of cheese\n"
    assert digests(built_copy / "output") == before
    assert not list((built_copy / "output").glob(".staging-*"))


@pytest.fixture
def fresh(tmp_path) -> Path:
    """A project folder with the three synthetic cases and nothing built yet."""
    root = tmp_path / "fresh"
    case_dir(root, *GOOD.glob("*.yaml"))
    (root / "fonts.conf").write_text(
        '<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir></fontconfig>')
    (root / "afile").write_text("not a folder")
    return root


ENVIRONMENT_FAULTS = {
    "no Chromium": (
        [], {"BROWSER_PATH": "/nonexistent/chromium"},
        "error: BROWSER_PATH=/nonexistent/chromium does not exist; unset it, or point it at "
        "Chromium (`apt-get install chromium`)\n"),
    "no CJK font": (
        [], {"FONTCONFIG_FILE": "{root}/fonts.conf"},
        "error: no Noto CJK font: Chinese would print as empty boxes; run `make setup` or "
        "`apt-get install fonts-noto-cjk`\n"),
    "output folder not writable": (
        ["--out", "afile/out"], {},
        "error: cannot write to afile/out: Not a directory; choose another folder with --out, "
        "or fix its permissions\n"),
    "figures folder not writable": (
        ["--figures", "afile/figures"], {},
        "error: cannot write to afile/figures: Not a directory; choose another folder with "
        "--figures, or fix its permissions\n"),
    "no TMPDIR": (
        [], {"TMPDIR": "{root}/gone"},
        "error: TMPDIR={root}/gone does not exist; Chromium and pandoc keep their temporary "
        "files there: create it, or unset TMPDIR\n"),
    "TMPDIR a file": (
        [], {"TMPDIR": "{root}/afile"},
        "error: TMPDIR={root}/afile is not a folder you can write to; Chromium and pandoc keep "
        "their temporary files there: create it, or unset TMPDIR\n"),
    "PYPANDOC_PANDOC a failing program": (
        [], {"PYPANDOC_PANDOC": "/bin/false"},
        "error: pandoc failed (exit 1): (it said nothing); PYPANDOC_PANDOC=/bin/false chose "
        "this program: unset it to use the pandoc `make setup` installed\n"),
    "PYPANDOC_PANDOC no program": (
        [], {"PYPANDOC_PANDOC": "{root}/afile"},
        "error: PYPANDOC_PANDOC={root}/afile is not a program that can run: unset it to use "
        "the pandoc `make setup` installed, or point it at pandoc 3\n"),
    **{f"SOURCE_DATE_EPOCH={value}": (
        [], {"SOURCE_DATE_EPOCH": value},
        f"error: SOURCE_DATE_EPOCH={value} is not a build time: write whole seconds since 1970 "
        "in ASCII digits, at most 4133980799 (the end of 2100), or unset it\n")
       for value in ("99999999999999999999", "٣٣٣", "-5", "253402300800", "1e9", "soon")},
}


@pytest.mark.parametrize("fault", ENVIRONMENT_FAULTS)
def test_an_environment_fault_is_one_line_that_names_the_fix(fresh, fault):
    args, env, message = ENVIRONMENT_FAULTS[fault]
    env = {k: v.format(root=fresh) for k, v in env.items()}
    run = run_cli("build", "--quiet", *args, cwd=fresh, env=env)
    assert (run.code, run.err) == (1, message.format(root=fresh))


@pytest.mark.parametrize("make, kind", [
    (lambda lock, outside: lock.symlink_to(outside), "a symbolic link"),
    (lambda lock, outside: lock.symlink_to(outside.parent / "gone"), "a symbolic link"),
    (lambda lock, outside: os.mkfifo(lock), "not a file"),
], ids=["a link out of the folder", "a dangling link", "a pipe"])
def test_a_lock_file_that_is_no_file_is_never_opened(fresh, tmp_path, make, kind):
    outside = tmp_path / "outside"
    outside.write_text("precious", encoding="utf-8")
    (fresh / "output").mkdir()
    make(fresh / "output" / ".report.lock", outside)
    run = run_cli("build", "--quiet", "--format", "html", cwd=fresh)
    assert (run.code, run.err) == (1, (
        f"error: output/.report.lock is {kind}, not the lock file builds take turns with: "
        "delete it (a build makes it again)\n"))
    assert outside.read_text(encoding="utf-8") == "precious"
    assert not (outside.parent / "gone").exists()


def test_an_output_folder_removed_during_the_build_is_named_as_the_cause(fresh):
    """pandoc, run in a staging folder that is gone, blamed a file it could not find."""
    wrapper = fresh / "pandoc-that-removes-output"
    wrapper.write_text(f"#!/bin/sh\nrm -rf '{fresh / 'output'}'\n"
                       f"exec '{pypandoc.get_pandoc_path()}' \"$@\"\n")
    wrapper.chmod(0o755)
    run = run_cli("build", "--quiet", "--format", "html", cwd=fresh,
                  env={"PYPANDOC_PANDOC": str(wrapper)})
    assert (run.code, run.err) == (1, "error: output was removed or moved while the build "
                                      "wrote into it; nothing was published: build again\n")


def test_an_unknown_format_is_bad_input(tmp_path):
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    run = run_cli("build", "--format", "pdf,odt", cwd=tmp_path)
    assert (run.code, run.err) == (2, "error: unknown format odt; choose from pdf, docx, html\n")


def test_two_builds_at_once_both_finish_with_whole_files(built_copy):
    case = built_copy / "cases" / "gamma.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("consumer app", "consumer gadget"),
                    encoding="utf-8")
    env = {"SOURCE_DATE_EPOCH": EPOCH}
    procs = [subprocess.Popen([sys.executable, "-m", "report", "build", "--quiet"],
                              cwd=built_copy, env={**__import__("os").environ, **env},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=600) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    reader = PdfReader(built_copy / "output" / "briefing.pdf")
    assert "consumer gadget" in "".join(page.extract_text() for page in reader.pages)


def test_a_rebuild_with_cached_charts_needs_no_browser(built_copy):
    # Positioning appears in no chart, so every chart image comes from the cache.
    case = built_copy / "cases" / "alpha.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("Open models first", "Open first"),
                    encoding="utf-8")
    run = run_cli("build", "--quiet", "--timings", cwd=built_copy,
                  env={"BROWSER_PATH": "/nonexistent"})
    assert run.code == 0, run.err
    assert "Open first" in "".join(
        p.extract_text() for p in PdfReader(built_copy / "output" / "briefing.pdf").pages)
    # --timings names every step, in order, with its seconds, and the total.
    steps = [re.fullmatch(r"(.+?)\s+(\d+\.\d\d) s", line) for line in run.err.splitlines()]
    assert all(steps), run.err
    names = [m.group(1) for m in steps]
    assert names == ["Starting", "Reading case files", "Comparing cases", "Drawing charts",
                     "Writing the briefing", "Rendering PDF, DOCX, HTML",
                     "Converting Markdown to HTML for the PDF", "Laying out the PDF",
                     "Writing the PDF", "Waiting for pandoc (HTML, DOCX)",
                     "Writing the data workbook", "Publishing", "total"]
    seconds = [float(m.group(2)) for m in steps]
    assert abs(sum(seconds[:-1]) - seconds[-1]) < 0.1  # each is rounded to 0.01 s


def test_a_rebuild_with_nothing_changed_renders_nothing(built_copy):
    before = {p.name: p.stat().st_mtime_ns for p in (built_copy / "output").iterdir()}
    run = run_cli("build", cwd=built_copy, env={"PYPANDOC_PANDOC": "/nonexistent"})
    assert run.code == 0, run.err
    assert run.out.splitlines() == [f"up to date output/briefing.{f}" for f in ("pdf", "docx",
                                                                               "html")] + [
        "up to date output/data.xlsx"]
    assert {p.name: p.stat().st_mtime_ns for p in (built_copy / "output").iterdir()} == before


def test_a_reader_that_stops_early_gets_no_traceback(built_copy):
    # `report build | head -1`: the CLI exits without Python's teardown, flushing what it
    # printed itself, and must survive a pipe the reader has already closed.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen([sys.executable, "-m", "report", "build"], cwd=built_copy,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**env, "SOURCE_DATE_EPOCH": EPOCH})
    proc.stdout.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr.read().decode() == ""


def test_help_and_check_import_no_heavy_library():
    code = ("import sys, report.cli, report.load, report.load.cases, report.build;"
            "print(sorted({m.split('.')[0] for m in sys.modules} & "
            "{'plotly', 'weasyprint', 'kaleido', 'pypandoc', 'docx'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stderr


# ---------------------------------------------------------------- property-based


def clean_lines(output: str) -> bool:
    """Whether every line printed is one line with no control character in it."""
    return not any(unicodedata.category(ch) == "Cc" for line in output.splitlines()
                   for ch in line)


def _mutations():
    """Strategies that damage a valid case file the way hands and paste buffers do."""
    junk = st.one_of(hostile_text(), st.integers(), st.floats(allow_nan=True),
                     st.booleans(), st.none(), st.lists(st.text(max_size=5), max_size=3),
                     st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
    return st.lists(st.tuples(st.sampled_from(["replace", "delete", "insert", "text"]),
                              st.integers(min_value=0, max_value=10_000), junk),
                    min_size=1, max_size=4)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


def _mutate(text: str, ops) -> str:
    yaml = YAML(typ="safe", pure=True)
    data = yaml.load(text)
    for op, n, value in ops:
        if op == "text":
            pos = n % (len(text) + 1)
            text = text[:pos] + str(value) + text[pos:]
            return text
        paths = [p for p in _paths(data) if p]
        path = paths[n % len(paths)]
        parent = data
        for part in path[:-1]:
            parent = parent[part]
        if op == "replace":
            parent[path[-1]] = value
        elif op == "delete":
            del parent[path[-1]]
        elif op == "insert" and isinstance(parent, dict):
            parent[str(value)[:10] or "x"] = value
    import io

    out = io.StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


ORIGINAL = (GOOD / "alpha.yaml").read_text(encoding="utf-8")


@settings(max_examples=120, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=_mutations())
@example(ops=[("replace", 15, [])])  # a source id that is a list: found by this test
@example(ops=[("replace", 7, 5)])
def test_any_damaged_case_file_exits_0_or_2_without_a_traceback(tmp_path_factory, ops):
    folder = tmp_path_factory.mktemp("mutated")
    case_dir(folder, GOOD / "beta.yaml")
    (folder / "cases" / "alpha.yaml").write_text(_mutate(ORIGINAL, ops), encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "--cases", str(folder / "cases")])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert clean_lines(result.output), result.output


KINDS = {
    "text": lambda path, text: path.write_text(text, encoding="utf-8"),
    "fifo": lambda path, text: os.mkfifo(path),
    "folder": lambda path, text: path.mkdir(),
    "loop": lambda path, text: os.symlink(path.name, path),
    "dangling": lambda path, text: os.symlink("nowhere", path),
    "device": lambda path, text: os.symlink("/dev/zero", path),
    "inside": lambda path, text: os.symlink("beta.yaml", path),
}
# File names from hostile text: no '/' or NUL (no file system allows them), not too long.
file_names = hostile_text(4).map(lambda s: s.replace("/", "").replace("\x00", "")[:60] + ".yaml")


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=st.lists(st.tuples(file_names, st.sampled_from(sorted(KINDS)), hostile_text()),
                      max_size=4))
@example(files=[("x.yaml", "fifo", ""), ("a\nb.yaml", "text", "\x1b[2J")])
def test_any_files_named_yaml_exit_0_or_2_with_clean_lines(tmp_path_factory, files):
    folder = tmp_path_factory.mktemp("files")
    cases = case_dir(folder, *GOOD.glob("*.yaml"))
    for name, kind, text in files:
        path = cases / name
        if os.path.lexists(path) or name.startswith((".", "#")):
            continue
        try:
            KINDS[kind](path, text)
        except OSError:  # a name this file system refuses (too long in bytes, …)
            continue
    result = CliRunner().invoke(app, ["check", "--cases", str(cases)])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert clean_lines(result.output), result.output


def test_a_full_disk_ends_with_one_line_and_no_partial_files(fresh):
    root = fresh
    tiny = root / "tiny"
    tiny.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(tiny)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here to fill up")
    try:
        run = run_cli("build", "--quiet", "--out", "tiny", cwd=root)
        assert run.code == 1
        assert run.err == ("error: could not write the documents into tiny (No space left on "
                           "device); free some disk space or choose another folder with --out; "
                           "earlier documents are unchanged\n")
        assert [p.name for p in tiny.iterdir()] == [".report.lock"]
    finally:
        subprocess.run(["umount", str(tiny)])


def test_an_interrupted_build_leaves_earlier_documents_intact(built_copy):
    before = digests(built_copy / "output")
    case = built_copy / "cases" / "alpha.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("Open models first", "Open first"),
                    encoding="utf-8")
    code, err = interrupt_build(  # once rendering has begun
        built_copy, lambda: list((built_copy / "output").glob(".staging-*")), after=0.5)
    assert code == 130, err
    assert err == "error: interrupted; earlier documents are unchanged\n"
    assert digests(built_copy / "output") == before
    assert not list((built_copy / "output").glob(".staging-*"))
    assert processes_working_in(built_copy / "output") == []  # no pandoc left behind


def test_an_interrupt_while_pandoc_works_leaves_no_pandoc_behind(built_copy, tmp_path):
    # One process that waits 5 s, then becomes the real pandoc.
    slow = fake_pandoc(tmp_path, f"exec {sys.executable} -c 'import os, sys, time; "
                                 f"time.sleep(5); os.execv(\"{REAL_PANDOC}\", "
                                 "[\"pandoc\", *sys.argv[1:]])' \"$@\"")
    case = built_copy / "cases" / "alpha.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("Open models first", "Open first"),
                    encoding="utf-8")
    code, err = interrupt_build(  # once the PDF's pandoc has started
        built_copy, lambda: processes_working_in(built_copy / "output"), after=1,
        env={"PYPANDOC_PANDOC": str(slow)})
    assert code == 130, err
    assert processes_working_in(built_copy / "output") == []


def test_an_interrupt_while_charts_are_drawn_leaves_no_browser_behind(tmp_path, monkeypatch):
    # Chromium runs in a session of its own, drawing on a thread of kaleido's: a Ctrl-C
    # that ended the build used to leave it running.
    marker = marked(monkeypatch)
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    code, err = interrupt_build(tmp_path, lambda: any(
        "chrom" in command for command in running_with(marker).values()), after=0.5)
    assert code == 130, err
    assert running_with(marker) == {}
    assert not list((tmp_path / "figures").glob(".*.tmp"))


def interrupt_build(root: Path, ready, after: float, env: dict | None = None) -> tuple[int, str]:
    """Start `report build`, wait until `ready()` holds, then `after` seconds more; press
    Ctrl-C (SIGINT) and return the exit code and standard error."""
    import signal
    import time

    proc = subprocess.Popen([sys.executable, "-m", "report", "build", "--quiet"], cwd=root,
                            env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not ready():
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.05)
    time.sleep(after)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def processes_working_in(folder: Path) -> list[str]:
    """Return the command lines of live processes whose working folder is below `folder`."""
    found = []
    for proc_dir in Path("/proc").glob("[0-9]*"):
        try:
            cwd = os.readlink(proc_dir / "cwd")
            state = (proc_dir / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (proc_dir / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if cwd.startswith(str(folder)) and state != "Z":
            found.append(cmdline)
    return found


def test_build_dates_come_from_the_case_files(tmp_path, monkeypatch):
    import os

    from report.load.builddate import source_date_epoch

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    for i, path in enumerate(sorted(cases.iterdir())):
        os.utime(path, (1_700_000_000 + i, 1_700_000_000 + i))
    assert source_date_epoch(cases) == 1_700_000_003  # not in git: the newest input file

    env = {**os.environ, "GIT_COMMITTER_DATE": "2025-01-02T03:04:05Z",
           "GIT_AUTHOR_DATE": "2025-01-02T03:04:05Z", "GIT_AUTHOR_NAME": "t",
           "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org"}
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "cases"]):
        subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True)
    assert source_date_epoch(cases) == 1735787045  # committed and clean: the commit time

    edited = cases / "gamma.yaml"
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    os.utime(edited, (1_800_000_000, 1_800_000_000))
    assert source_date_epoch(cases) == 1_800_000_000  # an uncommitted edit: its time


def test_a_pandoc_that_cannot_start_on_the_side_thread_is_named(tmp_path, monkeypatch):
    # The DOCX is made on a side thread; a failure to start it (here: no more processes)
    # must reach the user as what it is, not as a later, unrelated error.
    import errno

    import report.render as render_module
    import report.render.pandoc as pandoc_module
    from report.compare import compare
    from report.compose import compose
    from report.errors import EnvironmentFault
    from report.load.cases import load_cases

    real_popen = subprocess.Popen

    def popen(args, **kwargs):
        if any("docx" in a for a in args):
            raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))
        return real_popen(args, **kwargs)

    monkeypatch.setattr(pandoc_module.subprocess, "Popen", popen)
    comparison = compare([cf.case for cf in load_cases(GOOD)], dt.date(2026, 1, 1))
    briefing = compose(comparison, [], {})
    with pytest.raises(EnvironmentFault, match=r"^could not start pandoc \(.+\): "
                                               r"Resource temporarily unavailable$"):
        render_module.render(briefing, [], {}, ["docx", "html"], tmp_path)


@pytest.mark.parametrize("command", [["check"], ["build", "--quiet", "--format", "html"]])
def test_a_standard_output_that_cannot_be_written_is_one_line(fresh, command):
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    with open("/dev/full", "w") as full:  # a full disk
        proc = subprocess.run([sys.executable, "-m", "report", *command], cwd=fresh, env=env,
                              stdout=full, stderr=subprocess.PIPE, text=True)
    assert (proc.returncode, proc.stderr) == (1, (
        "error: cannot write to standard output (No space left on device); the command's work "
        "is done but its report is lost: send it to a file or a terminal\n"))
    closed = subprocess.run(  # `report build >&-`
        f"{sys.executable} -m report {' '.join(command)} >&-", shell=True, cwd=fresh, env=env,
        stderr=subprocess.PIPE, text=True)
    assert (closed.returncode, closed.stderr) == (1, (
        "error: cannot write to standard output (standard output is closed); the command's "
        "work is done but its report is lost: send it to a file or a terminal\n"))


def test_a_chart_image_that_comes_back_broken_fails_the_build_and_is_not_cached(
        fresh, monkeypatch):
    import kaleido

    def three_bytes(jobs, **kwargs):  # what Chromium handed back for a 3,000-person chart
        for job in jobs:
            Path(job["path"]).write_bytes(b"\x00\x00\x00")

    monkeypatch.setattr(kaleido, "write_fig_from_object_sync", three_bytes)
    monkeypatch.chdir(fresh)
    result = CliRunner().invoke(app, ["build", "--quiet", "--format", "html"])
    assert result.exit_code == 1
    assert result.output == (
        "error: chart fig-timeline came back from Chromium broken (3 bytes, not a PNG); "
        "nothing was cached; check that Chromium runs (`chromium --headless --version`) and "
        "that memory and disk space are free, then build again\n")
    assert list((fresh / "figures").iterdir()) == []
    assert not (fresh / "output" / "briefing.html").exists()


def test_a_chart_too_tall_to_draw_is_refused_before_chromium_starts(tmp_path):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    alpha = cases / "alpha.yaml"
    people = "".join(f"    - {{id: p{i}, name: {{en: Person {i}}}, role: Staff, level: staff, "
                     "function: other, joined: 2023-05, cite: [news], confidence: reported}\n"
                     for i in range(3000))
    alpha.write_text(alpha.read_text(encoding="utf-8").replace("  people:\n",
                                                               "  people:\n" + people),
                     encoding="utf-8")
    message = ("cases: chart fig-team would be 132,600 pixels tall, more than a chart image "
               "can be (60,000): it has a row per person, release or company compared; compare "
               "fewer companies or record fewer of them\n1 problem found\n")
    run = run_cli("build", "--quiet", "--format", "html", cwd=tmp_path,
                  env={"BROWSER_PATH": "/nonexistent"})
    assert (run.code, run.err) == (2, message)
    # what the build refuses, check refuses first
    assert (lambda r: (r.code, r.err))(run_cli("check", cwd=tmp_path)) == (2, message)


def test_a_full_disk_while_drawing_charts_names_the_figures_folder(fresh):
    tiny = fresh / "tiny"
    tiny.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=200k", "tmpfs", str(tiny)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here to fill up")
    try:
        run = run_cli("build", "--quiet", "--format", "html", "--figures", "tiny", cwd=fresh)
        assert (run.code, run.err) == (1, (
            "error: no space left to draw the charts: tiny has 0.2 MB free; free some disk "
            "space, or choose another folder with --figures\n"))
        assert [p.name for p in tiny.iterdir()] == []
    finally:
        subprocess.run(["umount", str(tiny)])


def test_the_chart_drivers_own_tracebacks_never_reach_the_terminal():
    """kaleido's browser driver logs a traceback when a full disk cuts a message short (seen
    once in CI); the build's own one-line error is all a user sees. In a fresh interpreter:
    pytest's own log capture would hide what Python prints without it."""
    code = ("import logging, report.charts.export\n"
            "try:\n    raise ValueError('cut short')\n"
            "except ValueError:\n"
            "    logging.getLogger('choreographer.channels.pipe').exception('JSONError')\n"
            "    logging.getLogger('kaleido').error('browser went away')\n"
            "logging.getLogger('report-test').error('others still print')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (run.returncode, run.stderr) == (0, "others still print\n")
