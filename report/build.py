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

from .cases import input_paths
from .errors import EnvironmentFault, display_path
from .render import FORMATS

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
    epoch = source_date_epoch(options.cases_dir)
    key = fingerprint(options, epoch)
    done = previous_build(options, key)
    if done is not None:
        return done
    # pandoc and WeasyPrint read the date from the environment. It is put back afterwards,
    # so that the next build in this process (`report watch`) works out its own date.
    with environment("SOURCE_DATE_EPOCH", str(epoch)), fewer_gc_passes():
        return _build(options, epoch, key, on_step)


def _build(options: BuildOptions, epoch: int, key: str,
           on_step: Callable[[str], None]) -> BuildResult:
    """The stages in order: load, compare, draw, compose, render, publish."""
    from filelock import FileLock

    from .charts import build_charts, export_charts, image_paths
    from .compare import compare
    from .compose import compose
    from .inputs import load_inputs
    from .style import Style

    inputs = load_inputs(options.cases_dir, options.brief, options.strict)
    case_files = inputs.case_files
    check_environment(options.formats)
    prepare_dir(options.out_dir)
    prepare_dir(options.figures_dir)
    # Two builds into one folder take turns, so neither sees the other's half-written files.
    with FileLock(str(options.out_dir / ".report.lock")):
        on_step("Comparing cases")
        comparison = compare(inputs.cases,
                             dt.datetime.fromtimestamp(epoch, dt.timezone.utc).date(),
                             inputs.rates, inputs.currency,
                             tuple(inputs.claims.sources) if inputs.claims else ())
        style = Style()
        on_step("Drawing charts")
        exhibits = inputs.brief.meta.exhibits if inputs.brief else ()
        charts = build_charts(comparison, style, exhibits)
        images = image_paths(charts, options.figures_dir)
        # Drawing the charts is not overlapped with pandoc: on two cores Chromium and pandoc
        # only slow each other down (measured: 11.4 s overlapped, 11.1 s one after the other).
        exported = export_charts(charts, images)
        on_step("Writing the briefing")
        briefing = compose(comparison, charts, images, style, inputs.brief, inputs.claims)
        try:
            documents, manifest_path = _render_and_publish(
                options, briefing, charts, images, case_files, epoch, key, on_step)
        except OSError as err:  # disk full, folder removed under us, …
            raise EnvironmentFault(
                f"could not write the documents into {display_path(options.out_dir)} "
                f"({err.strerror}); free some disk space or choose another folder with --out; "
                "earlier documents are unchanged") from None
        prune_figures(options.figures_dir, set(images.values()))
    return BuildResult(documents, manifest_path, exported, warnings=inputs.warnings)


def _render_and_publish(options, briefing, charts, images, case_files, epoch, key, on_step):
    """Render into a staging folder beside the output, then move each document into place."""
    from .render import render

    with tempfile.TemporaryDirectory(dir=options.out_dir, prefix=".staging-") as tmp:
        staging = Path(tmp)
        on_step("Rendering " + ", ".join(f.upper() for f in options.formats))
        rendered = render(briefing, charts, images, list(options.formats), staging, on_step)
        staged = {**rendered.documents, "md": staging / "briefing.md"}
        manifest = staging / "manifest.json"
        write_manifest(manifest, staged, rendered.pdf_pages, case_files, epoch, key)
        on_step("Publishing")
        with interrupts_deferred():  # the documents of one build appear together or not at all
            documents = {kind: publish(path, options.out_dir / path.name)
                         for kind, path in staged.items()}
            manifest_path = publish(manifest, options.out_dir / "manifest.json")
    return documents, manifest_path


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


def prepare_dir(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".report-write-test-"):
            pass
    except OSError as err:
        raise EnvironmentFault(f"cannot write to {display_path(path)}: {err.strerror}; "
                               "choose another folder with --out, or fix its permissions") from None


def publish(staged: Path, target: Path) -> Path:
    """Move a finished file into place atomically: readers see the old file or the new one."""
    try:
        os.replace(staged, target)
    except OSError as err:
        raise EnvironmentFault(f"cannot write {display_path(target)}: {err.strerror}") from None
    return target


def prune_figures(figures_dir: Path, keep: set[Path]) -> None:
    """Remove chart images of earlier builds, so the cache holds what this build uses."""
    names = {p.name for p in keep}
    for png in figures_dir.glob("fig-*.png"):
        if png.name not in names:
            png.unlink(missing_ok=True)


def check_environment(formats: tuple[str, ...]) -> None:
    """Fail early, naming the fix, when the fonts or programs a format needs are missing."""
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


def source_date_epoch(cases_dir: Path) -> int:
    """Return SOURCE_DATE_EPOCH, else when the case files last changed.

    That is the commit time of the case files when they are committed unchanged, so two
    builds of one commit are byte-identical; with uncommitted edits (or outside git) it is
    the newest case file's modification time, which stays put until the next edit.
    """
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    committed, dirty = _git_state(cases_dir)
    if committed is not None and not dirty:
        return committed
    mtimes = [int(p.stat().st_mtime) for p in input_paths(cases_dir)]
    return max([committed or 0, *mtimes]) or int(dt.datetime.now(dt.timezone.utc).timestamp())


def _git_state(cases_dir: Path) -> tuple[int | None, bool]:
    """Return (commit time of the case files, whether they have uncommitted changes)."""
    def git(*args: str) -> str | None:
        try:
            run = subprocess.run(["git", *args], cwd=cases_dir, capture_output=True, text=True,
                                 timeout=10)
        except (OSError, subprocess.SubprocessError):
            return None
        return run.stdout if run.returncode == 0 else None

    log = git("log", "-1", "--format=%ct", "--", ".")
    if not log or not log.strip().isdigit():
        return None, True
    status = git("status", "--porcelain", "--", ".")
    return int(log.strip()), bool(status and status.strip())


def fingerprint(options: BuildOptions, epoch: int) -> str:
    """Return a hash of everything a build's documents depend on.

    The case files' bytes, the formats, the dates, this package's code, templates and styles,
    and the versions of the tools that render: equal fingerprints give equal documents.
    """
    from importlib.metadata import version

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode() + data)

    add("formats", ",".join(options.formats).encode())
    add("strict", str(options.strict).encode())
    if options.brief is not None and options.brief.is_file():
        add("brief", options.brief.read_bytes())
    add("epoch", str(epoch).encode())
    for dist in ("pypandoc-binary", "weasyprint", "plotly", "kaleido", "pydantic", "jinja2"):
        add(dist, version(dist).encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            add(str(path.relative_to(PACKAGE)), path.read_bytes())
    for path in input_paths(options.cases_dir):
        add("input/" + path.name, path.read_bytes())
    return digest.hexdigest()


def previous_build(options: BuildOptions, key: str) -> BuildResult | None:
    """Return the last build if it was made from the same inputs and its files are intact."""
    manifest_path = options.out_dir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != key:
            return None
        documents = {}
        for kind, entry in manifest["documents"].items():
            path = options.out_dir / entry["file"]
            if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
                return None
            documents[kind] = path
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return BuildResult(documents, manifest_path, 0, up_to_date=True)


def write_manifest(path: Path, documents: dict[str, Path], pdf_pages: int | None, case_files,
                   epoch: int, key: str) -> None:
    """Write what went in and what came out, with hashes, so a reader can check an artefact."""
    def describe(p: Path) -> dict:
        data = p.read_bytes()
        entry = {"file": p.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if p.suffix == ".pdf":
            entry["pages"] = pdf_pages
        return entry

    manifest = {
        "fingerprint": key,
        "source_date_epoch": epoch,
        "documents": {kind: describe(p) for kind, p in sorted(documents.items())},
        "cases": [{"file": cf.path.name, "id": cf.case.id,
                   "sha256": hashlib.sha256(cf.path.read_bytes()).hexdigest()}
                  for cf in case_files],
    }
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
