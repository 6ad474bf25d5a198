"""The whole pipeline in one function: cases → comparison → charts → Markdown → documents."""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import EnvironmentFault, InputError, display_path
from .load.cases import input_paths, is_input_name
from .load.files import InputFiles
from .render import FORMATS

if TYPE_CHECKING:
    from .charts import Chart
    from .compose import Briefing
    from .load import Inputs

PACKAGE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class BuildOptions:
    cases_dir: Path = Path("cases")
    out_dir: Path = Path("output")
    figures_dir: Path = Path("figures")
    formats: tuple[str, ...] = FORMATS
    brief: Path | None = None  # default: brief.md beside the case files, if there is one
    strict: bool = False  # numbers in the brief's prose without a source are errors


@dataclass(frozen=True)
class BuildResult:
    documents: dict[str, Path]
    manifest: Path
    charts_exported: int
    up_to_date: bool = False  # nothing changed since the last build: nothing was rendered
    warnings: tuple = ()  # problems that do not stop a build (unsourced numbers in the brief)


def build(options: BuildOptions, on_step: Callable[[str], None] = lambda step: None) -> BuildResult:
    """Build the briefing documents; earlier documents stay untouched unless all succeed."""
    on_step("Reading case files")
    # Every input is read once, here: the fingerprint, the build date and the documents all
    # come from these bytes, and a file that is no regular file is refused before anything.
    files = InputFiles(options.cases_dir)
    epoch = source_date_epoch(options.cases_dir, files)
    try:
        key = fingerprint(options, epoch, files)
    except InputError:
        from .load import load_inputs

        load_inputs(options.cases_dir, options.brief, options.strict, files)  # every problem
        raise
    done = previous_build(options, key)
    if done is not None:
        return done
    # pandoc and WeasyPrint read the date from the environment. It is put back afterwards,
    # so that the next build in this process (`report watch`) works out its own date.
    with environment("SOURCE_DATE_EPOCH", str(epoch)), fewer_gc_passes():
        return _build(options, epoch, key, on_step, files)


def _build(options: BuildOptions, epoch: int, key: str,
           on_step: Callable[[str], None], files: InputFiles) -> BuildResult:
    """The stages in order: load, compare, draw, compose, render, publish."""
    from filelock import FileLock

    from .load import load_inputs

    inputs = load_inputs(options.cases_dir, options.brief, options.strict, files)
    case_files = inputs.case_files
    check_environment(options.formats)
    prepare_dir(options.out_dir, "--out")
    prepare_dir(options.figures_dir, "--figures")
    # Two builds into one folder take turns, so neither sees the other's half-written files.
    with FileLock(str(options.out_dir / ".report.lock")):
        composed = compose_briefing(inputs, epoch, options, on_step)
        images = composed.images
        try:
            documents, manifest_path = _render_and_publish(
                options, composed.briefing, composed.charts, images, case_files, epoch, key,
                on_step, files)
        except OSError as err:  # disk full, folder removed under us, …
            raise EnvironmentFault(
                f"could not write the documents into {display_path(options.out_dir)} "
                f"({err.strerror}); free some disk space or choose another folder with --out; "
                "earlier documents are unchanged") from None
        prune_figures(options.figures_dir, set(images.values()))
    return BuildResult(documents, manifest_path, composed.exported, warnings=inputs.warnings)


@dataclass(frozen=True)
class Composed:
    """A briefing ready to render: its Markdown, its charts and where their images live."""

    briefing: Briefing
    charts: list[Chart]
    images: dict[str, Path]
    exported: int  # chart images drawn for it (0: all cached, or not asked for)


def compose_briefing(inputs: Inputs, epoch: int, options: BuildOptions,
                     on_step: Callable[[str], None] = lambda step: None,
                     export: bool = True) -> Composed:
    """Compare the cases, draw the charts and write the Markdown.

    `export=False` names the chart images without drawing them: the HTML page draws its
    charts itself, so `report preview` shows a page without waiting for the browser.
    """
    from .charts import build_charts, export_charts, image_paths
    from .charts.export import chart_size_problems
    from .compare import compare
    from .compose import compose
    from .words.style import Style

    on_step("Comparing cases")
    comparison = compare(inputs.cases, dt.datetime.fromtimestamp(epoch, dt.timezone.utc).date(),
                         inputs.rates, inputs.currency,
                         tuple(inputs.claims.sources) if inputs.claims else ())
    style = Style()
    on_step("Drawing charts")
    exhibits = inputs.brief.meta.exhibits if inputs.brief else ()
    charts = build_charts(comparison, style, exhibits)
    images = image_paths(charts, options.figures_dir)
    too_tall = chart_size_problems(charts, display_path(options.cases_dir))
    if too_tall:
        raise InputError(too_tall)
    # Drawing the charts is not overlapped with pandoc: on two cores Chromium and pandoc
    # only slow each other down (measured: 11.4 s overlapped, 11.1 s one after the other).
    exported = export_charts(charts, images) if export else 0
    on_step("Writing the briefing")
    briefing = compose(comparison, charts, images, style, inputs.brief, inputs.claims)
    return Composed(briefing, charts, images, exported)


def _render_and_publish(options, briefing, charts, images, case_files, epoch, key, on_step,
                        files):
    """Render into a staging folder beside the output, then publish it as one generation
    (publish.py): readers see the whole previous build or the whole new one."""
    from .publish import MANIFEST, PUBLISHED, STAGING_PREFIX, publish
    from .render import render

    staging = Path(tempfile.mkdtemp(dir=options.out_dir, prefix=STAGING_PREFIX))
    umask = os.umask(0o022)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)  # readable like any folder, not mkdtemp's owner-only
    try:
        on_step("Rendering " + ", ".join(f.upper() for f in options.formats))
        rendered = render(briefing, charts, images, list(options.formats), staging, on_step)
        staged = {**rendered.documents, "md": staging / "briefing.md"}
        for helper in staging.iterdir():  # what pandoc read: bibliography, style, images
            if helper.name not in PUBLISHED:
                shutil.rmtree(helper) if helper.is_dir() else helper.unlink()
        write_manifest(staging / MANIFEST, staged, rendered.pdf_pages, case_files, epoch, key,
                       files)
        on_step("Publishing")
        with interrupts_deferred():  # the documents of one build appear together or not at all
            published = publish(options.out_dir, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already when published
    return ({kind: published[path.name] for kind, path in staged.items()},
            published[MANIFEST])


@contextmanager
def environment(name: str, value: str):
    """Set one environment variable for the block, then restore what was there."""
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


@contextmanager
def fewer_gc_passes():
    """Run the garbage collector's youngest pass every 50,000 new objects instead of 700.

    WeasyPrint allocates millions of small objects while laying out the PDF, and with the
    default threshold Python kept re-scanning them: a rebuild took 6.5–7.3 s with it and
    5.5–6.0 s without, with the same peak memory (measured on 2 and on 50 companies).
    """
    previous = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


@contextmanager
def interrupts_deferred():
    """Ignore Ctrl-C (SIGINT) and SIGTERM for the block: it is short, and once it has begun
    finishing is the only way to leave a consistent set of documents."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT,
                                                                     signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def prepare_dir(path: Path, option: str) -> None:
    """Make sure a folder the build writes to exists and takes a file; `option` is the
    command-line option that chooses it, for the message."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".report-write-test-"):
            pass
    except OSError as err:
        raise EnvironmentFault(f"cannot write to {display_path(path)}: {err.strerror}; "
                               f"choose another folder with {option}, or fix its "
                               "permissions") from None


def prune_figures(figures_dir: Path, keep: set[Path]) -> None:
    """Remove chart images of earlier builds, so the cache holds what this build uses."""
    names = {p.name for p in keep}
    for png in figures_dir.glob("fig-*.png"):
        if png.name not in names:
            png.unlink(missing_ok=True)


def check_environment(formats: tuple[str, ...]) -> None:
    """Fail early, naming the fix, when the fonts or programs a format needs are missing."""
    # Python quietly uses /tmp when TMPDIR is unusable, but Chromium and pandoc do not: it
    # used to end in "check that Chromium runs".
    tmp = os.environ.get("TMPDIR")
    if tmp and not (os.path.isdir(tmp) and os.access(tmp, os.W_OK | os.X_OK)):
        why = "does not exist" if not os.path.lexists(tmp) else "is not a folder you can write to"
        raise EnvironmentFault(f"TMPDIR={tmp} {why}; Chromium and pandoc keep their temporary "
                               "files there: create it, or unset TMPDIR")
    # Chromium is looked for only when a chart image has to be drawn (charts.export_charts):
    # a build whose charts are all cached does not need it.
    if {"pdf", "docx", "html"} & set(formats) and not has_cjk_font():
        raise EnvironmentFault("no Noto CJK font: Chinese would print as empty boxes; run "
                               "`make setup` or `apt-get install fonts-noto-cjk`")


def has_cjk_font() -> bool:
    """Return whether the Noto CJK font the print style names is installed."""
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":family=Noto Sans CJK SC", "family"],
                             capture_output=True, text=True).stdout
        return bool(out.strip())
    # Without fontconfig's tools, look where Debian puts the font.
    return any(Path("/usr/share/fonts").glob("**/NotoSansCJK*"))


MAX_EPOCH = 4_133_980_799  # 2100-12-31 23:59:59 UTC: dates in a briefing run to 2100


def source_date_epoch(cases_dir: Path, files: InputFiles | None = None) -> int:
    """Return SOURCE_DATE_EPOCH, else when the case files last changed.

    That is the commit time of the case files when they are committed unchanged, so two
    builds of one commit are byte-identical; with uncommitted edits (or outside git) it is
    the newest case file's modification time, which stays put until the next edit.
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "")
    if raw:
        if not (raw.isascii() and raw.isdigit() and len(raw.lstrip("0")) <= 10
                and int(raw) <= MAX_EPOCH):
            raise EnvironmentFault(
                f"SOURCE_DATE_EPOCH={raw[:40]} is not a build time: write whole seconds since "
                f"1970 in ASCII digits, at most {MAX_EPOCH} (the end of 2100), or unset it")
        return int(raw)
    files = files if files is not None else InputFiles(cases_dir)
    read = {}
    for path in input_paths(cases_dir):
        try:
            read[path.name] = files.read(path, display_path(path))
        except InputError:  # reported when the inputs are loaded
            continue
    committed = git_commit_time(cases_dir, {name: r.data for name, r in read.items()})
    if committed is not None:
        return committed
    mtimes = [int(r.mtime) for r in read.values()]
    return max(mtimes, default=0) or int(dt.datetime.now(dt.timezone.utc).timestamp())


# git runs inside a folder that may come from anywhere, and a repository's own configuration
# can name programs for git to run: an fsmonitor, hooks, a pager, a signature checker, diff
# and filter drivers. So git reads no system or user configuration here, every setting that
# runs a program is overridden on the command line (which wins over the repository's), and
# only `log` and `ls-tree` run: neither reads the working tree, so no filter or fsmonitor
# is asked for. Whether the case files are committed unchanged is decided by hashing them
# here, as git would, against the blobs of HEAD. A repository git does not trust (owned by
# another user) makes git refuse, and the build date falls back to the files' times.
GIT_SAFE_CONFIG = ("core.fsmonitor=false", "core.hooksPath=/dev/null", "core.pager=cat",
                   "log.showSignature=false", "gpg.program=false", "diff.external=",
                   "core.untrackedCache=false", "core.sshCommand=false",
                   "credential.helper=", "protocol.allow=never")


def git(cases_dir: Path, *args: str) -> str | None:
    """Run a read-only git command in the cases folder; return its output, or None."""
    env = {"PATH": os.environ.get("PATH", os.defpath), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull, "HOME": os.devnull, "GIT_TERMINAL_PROMPT": "0",
           "GIT_OPTIONAL_LOCKS": "0", "GIT_NO_REPLACE_OBJECTS": "1", "LC_ALL": "C"}
    command = ["git", "--no-pager"]
    for setting in GIT_SAFE_CONFIG:
        command += ["-c", setting]
    try:
        run = subprocess.run([*command, *args], cwd=cases_dir, env=env, capture_output=True,
                             stdin=subprocess.DEVNULL, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if run.returncode != 0:
        return None
    try:
        return run.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return None


def git_commit_time(cases_dir: Path, inputs: dict[str, bytes]) -> int | None:
    """Return the commit time of the case files when HEAD holds exactly these inputs (by
    file name in the folder), else None: uncommitted edits, or no git at all."""
    log = git(cases_dir, "log", "-1", "--format=%ct", "--", ".")
    if not log or not log.strip().isascii() or not log.strip().isdigit():
        return None
    listing = git(cases_dir, "ls-tree", "-z", "HEAD", "--", ".")
    if listing is None:
        return None
    committed = {}
    for entry in listing.split("\0"):
        meta, _, name = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and is_input_name(name):
            committed[name] = parts[2]
    if set(committed) != set(inputs):
        return None
    for name, data in inputs.items():
        algorithm = "sha1" if len(committed[name]) == 40 else "sha256"
        blob = hashlib.new(algorithm, b"blob %d\0" % len(data) + data).hexdigest()
        if blob != committed[name]:
            return None
    return int(log.strip())


def fingerprint(options: BuildOptions, epoch: int, files: InputFiles | None = None) -> str:
    """Return a hash of everything a build's documents depend on.

    The case files' bytes, the formats, the dates, this package's code, templates and styles,
    and the tools that render (every installed package, pandoc, Chromium, the fonts): equal
    fingerprints give equal documents.
    """
    from .toolchain import toolchain

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode() + data)

    files = files if files is not None else InputFiles(options.cases_dir)
    add("formats", ",".join(options.formats).encode())
    add("strict", str(options.strict).encode())
    add("epoch", str(epoch).encode())
    add("toolchain", toolchain().key().encode())  # pandoc and Chromium: previous_build
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            add(str(path.relative_to(PACKAGE)), path.read_bytes())
    problems = []
    for path in input_paths(options.cases_dir, options.brief):
        try:
            add("input/" + path.name, files.read(path, display_path(path)).data)
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return digest.hexdigest()


def previous_build(options: BuildOptions, key: str) -> BuildResult | None:
    """Return the build the output folder shows if it was made from the same inputs with the
    same pandoc and Chromium, and its files are intact (and still published: a deleted link
    is put back by a new build)."""
    from .publish import MANIFEST, current_generation
    from .toolchain import toolchain

    generation = current_generation(options.out_dir)
    if generation is None and (options.out_dir / MANIFEST).is_file():
        generation = options.out_dir  # plain files, as an earlier version published them
    if generation is None:
        return None
    try:
        manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != key or not toolchain().same_programs(
                manifest.get("programs", {})):
            return None
        documents = {}
        for kind, entry in manifest["documents"].items():
            path = options.out_dir / entry["file"]
            if os.path.realpath(path) != os.path.realpath(generation / entry["file"]):
                return None
            if hashlib.sha256((generation / entry["file"]).read_bytes()).hexdigest() \
                    != entry["sha256"]:
                return None
            documents[kind] = path
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return BuildResult(documents, options.out_dir / MANIFEST, 0, up_to_date=True)


def write_manifest(path: Path, documents: dict[str, Path], pdf_pages: int | None, case_files,
                   epoch: int, key: str, files: InputFiles) -> None:
    """Write what went in and what came out, with hashes, so a reader can check an artefact."""
    def describe(p: Path) -> dict:
        data = p.read_bytes()
        entry = {"file": p.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if p.suffix == ".pdf":
            entry["pages"] = pdf_pages
        return entry

    from .toolchain import toolchain

    manifest = {
        "fingerprint": key,
        "programs": toolchain().programs(),
        "source_date_epoch": epoch,
        "documents": {kind: describe(p) for kind, p in sorted(documents.items())},
        "cases": [{"file": cf.path.name, "id": cf.case.id,
                   "sha256": hashlib.sha256(
                       files.read(cf.path, display_path(cf.path)).data).hexdigest()}
                  for cf in case_files],
    }
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
