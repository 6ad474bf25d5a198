"""Publishing a build: the output folder shows the whole previous build or the whole new one,
at every instant, even if the process is killed (kill -9) half-way.

Moving several files into place one by one cannot promise that: a kill between two renames
leaves a new PDF beside an old DOCX. So each build's documents live in a folder of their own,
a generation, and one symbolic link says which generation is current; switching that link
(a rename, which is atomic) switches every document at once:

    output/
      briefing.pdf  -> .current/briefing.pdf     one fixed link per document, never changed
      briefing.docx -> .current/briefing.docx
      briefing.html -> .current/briefing.html
      briefing.md   -> .current/briefing.md
      manifest.json -> .current/manifest.json    what the current build made, with hashes
      .current      -> .build-1f2e3d4c5b6a-x7y8  the one pointer
      .build-1f2e3d4c5b6a-x7y8/                  the current build's files

Publishing a generation, in order (each step is a `checkpoint`, where the tests kill it):
1. the staged files are flushed to disk and their folder renamed to `.build-…`;
2. a folder from before this scheme, whose documents are plain files, is first taken over:
   its files are linked (hard links) into a generation of their own, `.current` points at
   it, and each plain file is replaced by its fixed link, so readers see the same bytes
   throughout;
3. the fixed link of every document the new build made is put in place (it shows the
   current generation's file, or nothing while that has none);
4. `.current` is switched to the new generation: from here on readers see the new build;
5. fixed links to documents the new build did not make (a `--format html` build after a
   full one) are removed, since they now lead nowhere, and earlier generations are deleted.
A failure before step 4 removes what it added and leaves the previous build as it was; a
kill leaves at most an unused generation folder, which the next publish deletes.

Every reader goes through the links, or through `current_generation` to read one build's
files together (the no-op check, `report watch`, a preview server).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from ..errors import EnvironmentFault, display_path

POINTER = ".current"
GENERATION_PREFIX = ".build-"
STAGING_PREFIX = ".staging-"
TEMPORARY_PREFIX = ".new-"  # a link about to be renamed into place
MANIFEST = "manifest.json"
# Names a build may publish: a fixed link is only ever made, or removed, for these.
# The short briefing (or the one document), its evidence annex, and every fact as data.
DOCUMENTS = ("briefing", "annex")
DATA = ("data.xlsx", *(f"data-{name}.csv" for name in (
    "profile", "funding", "strategy", "team", "pricing", "releases", "timeline", "sources")))
PUBLISHED = (*(f"{doc}.{ext}" for doc in DOCUMENTS for ext in ("pdf", "docx", "html", "md")),
             *DATA, MANIFEST)


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


LOCK = ".report.lock"  # two builds into one folder take turns through it


@contextmanager
def build_lock(out_dir: Path):
    """Hold the output folder's lock for the block: two builds into one folder take turns,
    so neither sees the other's half-written files. The lock is a plain file in the folder;
    anything else by its name (a link out of the folder, a pipe) is never opened."""
    from filelock import FileLock

    lock = out_dir / LOCK
    try:
        info = os.lstat(lock)
    except FileNotFoundError:
        info = None
    except OSError as err:
        raise EnvironmentFault(f"cannot read {display_path(lock)}: {err.strerror}") from None
    if info is not None and not stat.S_ISREG(info.st_mode):
        kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a file"
        raise EnvironmentFault(f"{display_path(lock)} is {kind}, not the lock file builds take "
                               "turns with: delete it (a build makes it again)")
    try:
        taken = FileLock(str(lock))
        taken.acquire()
    except OSError as err:  # replaced by a link since it was looked at, a read-only folder …
        raise EnvironmentFault(f"cannot take the lock {display_path(lock)}: {err.strerror}; "
                               "delete it if it is not a plain file, and check the folder "
                               "can be written") from None
    try:
        yield
    finally:
        taken.release()


@contextmanager
def staging_folder(out_dir: Path):
    """Yield a new staging folder inside `out_dir`, removed afterwards (gone already once
    published); a write that fails (a full disk, a folder removed under us) is one fault
    that says the earlier documents are unchanged."""
    try:
        staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=STAGING_PREFIX))
        umask = os.umask(0o022)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)  # readable like any folder, not mkdtemp's owner-only
        try:
            yield staging
        except (EnvironmentFault, OSError):
            if not staging.is_dir():  # pandoc, say, then blames a file it cannot find
                raise EnvironmentFault(
                    f"{display_path(out_dir)} was removed or moved while the build wrote into "
                    "it; nothing was published: build again") from None
            raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as err:
        raise EnvironmentFault(
            f"could not write the documents into {display_path(out_dir)} "
            f"({err.strerror}); free some disk space or choose another folder with --out; "
            "earlier documents are unchanged") from None


def publish_staged(out_dir: Path, staging: Path, documents: dict[str, Path],
                   write_manifest: Callable[[Path, dict[str, Path]], None],
                   on_step: Callable[[str], None] = lambda step: None) -> dict[str, Path]:
    """Publish the staged documents and their manifest as one generation; return where each
    document (and `manifest`) is published, by kind."""
    for helper in staging.iterdir():  # what pandoc read: bibliography, style, images
        if helper.name not in PUBLISHED:
            shutil.rmtree(helper) if helper.is_dir() else helper.unlink()
    write_manifest(staging / MANIFEST, documents)
    on_step("Publishing")
    with interrupts_deferred():  # the documents of one build appear together or not at all
        published = publish(out_dir, staging)
    return {**{kind: published[path.name] for kind, path in documents.items()},
            "manifest": published[MANIFEST]}


@contextmanager
def interrupts_deferred(then_act: bool = False):
    """Hold Ctrl-C (SIGINT) and SIGTERM off for the block: it is short, and once it has
    begun finishing is the only way to leave a consistent state. With `then_act`, one that
    arrived meanwhile is acted on once the block is done (`report preview` starting a build
    must not lose a SIGTERM); without, it is dropped (the block finishes the work)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    arrived: list[int] = []
    previous = {sig: signal.signal(sig, lambda signum, _frame: arrived.append(signum))
                for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if then_act:
            for sig in dict.fromkeys(arrived):
                signal.raise_signal(sig)


def checkpoint(step: str) -> None:
    """A step of publishing where `make test` kills the build to prove the output folder is
    whole at every one: with REPORT_TEST_PAUSE=STEP:FILE set, the build writes FILE when it
    reaches STEP and waits there to be killed."""
    wanted = os.environ.get("REPORT_TEST_PAUSE")
    if not wanted:
        return
    name, _, marker = wanted.partition(":")
    if name == step:
        Path(marker).write_text(str(os.getpid()), encoding="utf-8")
        while True:
            time.sleep(3600)


def current_generation(out_dir: Path) -> Path | None:
    """Return the folder of the build the output folder shows now, or None."""
    try:
        target = os.readlink(out_dir / POINTER)
    except OSError:
        return None
    folder = out_dir / target
    if "/" in target or not target.startswith(GENERATION_PREFIX) or not folder.is_dir():
        return None
    return folder


def publish(out_dir: Path, staged: Path) -> dict[str, Path]:
    """Make the files in `staged` (a folder inside `out_dir`) the current build; return
    where each is published (`output/briefing.pdf` …), by file name."""
    names = sorted(p.name for p in staged.iterdir())
    unknown = set(names) - set(PUBLISHED)
    if unknown:
        raise ValueError(f"not a published document: {', '.join(sorted(unknown))}")
    _flush(staged, names)
    checkpoint("staged")
    generation = out_dir / f"{GENERATION_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-" \
                           f"{secrets.token_hex(4)}"
    os.rename(staged, generation)
    checkpoint("generation")
    added: list[Path] = []
    try:
        _take_over_plain_files(out_dir)
        for name in names:
            if _ensure_link(out_dir / name):
                added.append(out_dir / name)
            checkpoint(f"link-{name}")
        _point(out_dir, generation)  # the switch
    except BaseException:
        for link in added:
            if not link.exists():  # it leads nowhere in the previous build: take it away
                with contextlib.suppress(OSError):
                    link.unlink()
        shutil.rmtree(generation, ignore_errors=True)
        raise
    checkpoint("switched")
    _tidy(out_dir, generation, names)
    checkpoint("tidied")
    return {name: out_dir / name for name in names}


def _flush(folder: Path, names: list[str]) -> None:
    """Put the files and their folder on disk before they are made current, so a power cut
    cannot leave a current build of empty files."""
    for name in names:
        fd = os.open(folder / name, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    _sync_dir(folder)


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _link_target(name: str) -> str:
    return f"{POINTER}/{name}"


def _ensure_link(path: Path) -> bool:
    """Put the fixed link `name -> .current/name` in place; return whether it was new."""
    if os.path.islink(path) and os.readlink(path) == _link_target(path.name):
        return False
    _link_in_place(path, _link_target(path.name))
    return True


def _link_in_place(path: Path, target: str) -> None:
    """Make `path` a symbolic link to `target` in one rename: a reader finds what was there
    before or the new link, never nothing."""
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{secrets.token_hex(4)}-{path.name}")
    os.symlink(target, temporary)
    try:
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


def _point(out_dir: Path, generation: Path) -> None:
    """Switch `.current` to `generation` in one rename."""
    pointer = out_dir / POINTER
    if os.path.lexists(pointer) and not pointer.is_symlink():
        # A copy that followed the links (`cp -rL`, `shutil.copytree`) made it a folder;
        # no fixed link leads through it then (they were copied as plain files).
        os.rename(pointer, out_dir / f"{GENERATION_PREFIX}displaced-{secrets.token_hex(4)}")
    _link_in_place(pointer, generation.name)
    _sync_dir(out_dir)


def _take_over_plain_files(out_dir: Path) -> None:
    """Turn documents published as plain files (by an earlier version) into a generation of
    their own, without a moment at which readers see anything else."""
    plain = [out_dir / name for name in PUBLISHED
             if (out_dir / name).is_file() and not (out_dir / name).is_symlink()]
    if not plain:
        return
    if current_generation(out_dir) is None:
        legacy = out_dir / f"{GENERATION_PREFIX}earlier-{secrets.token_hex(4)}"
        legacy.mkdir()
        for path in plain:
            try:
                os.link(path, legacy / path.name)
            except OSError:  # a file system without hard links
                shutil.copy2(path, legacy / path.name)
        _sync_dir(legacy)
        _point(out_dir, legacy)
        checkpoint("took-over")
    for path in plain:
        _ensure_link(path)


def _tidy(out_dir: Path, current: Path, names: list[str]) -> None:
    """Remove what no longer belongs to the current build; what cannot be removed now (a
    file in use elsewhere) is left for the next publish."""
    for name in PUBLISHED:
        path = out_dir / name
        if name not in names and os.path.islink(path) and \
                os.readlink(path) == _link_target(name):
            with contextlib.suppress(OSError):
                path.unlink()
    for entry in out_dir.iterdir():
        stale = entry.name.startswith(GENERATION_PREFIX) and entry.name != current.name
        # Left by a build killed half-way (builds into one folder take turns, so none of
        # these belongs to a build still running).
        stale |= entry.name.startswith((STAGING_PREFIX, TEMPORARY_PREFIX))
        if stale:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()
