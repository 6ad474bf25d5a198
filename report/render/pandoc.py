"""pandoc: how every format reads the Markdown, and pandoc run as a child process (one at a
time beside WeasyPrint, on the core it leaves free)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path

from ..errors import EnvironmentFault
from .assets import asset

# Pandoc reads no raw HTML/TeX and no math from the Markdown: case text is escaped before it
# gets here, and this keeps anything that slipped through as text.
READER = "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
# How every format reads the Markdown and lays out its sections. --sandbox: pandoc reads only
# the files named on its command line, so nothing in the Markdown can make it read a local
# file or fetch a URL.
READ = [f"--from={READER}", "--sandbox"]
WRITE = ["--columns=60", "--number-sections", "--toc", "--toc-depth=2"]
# The HTML of the page and of the PDF. --wrap=none: a wrapped subtitle would put line breaks
# into <meta> and PDF metadata.
HTML = ["-t", "html5", "--wrap=none"]
CSL = "briefing.csl"  # the citation style, copied beside the Markdown
# How long one pandoc run may take before it is stopped: the project's 70-page briefing takes
# a few seconds; a document past this is one pandoc reads pathologically slowly (`report
# check` refuses the kinds it knows of first, each at its line).
TIME_LIMIT = 300.0


def citations(bibliography: str) -> list[str]:
    """pandoc's arguments that number the citations and list the sources (citeproc), then
    group the list by kind of source (a filter run after citeproc: styles/source-tiers.lua)."""
    return ["--citeproc", f"--bibliography={bibliography}", f"--csl={CSL}",
            f"--lua-filter={asset(TIERS_FILTER)}"]


TIERS_FILTER = "styles/source-tiers.lua"


IMAGE_FOLDER = "figures"  # in the staging folder: the chart images, and nothing else


def docx_job(read: list[str], write: list[str], images: dict[str, Path], target: Path,
             styles=None):
    """Return the DOCX job: pandoc must read the chart images to embed them, so it cannot
    run sandboxed. Instead the Markdown is first read in the sandbox into pandoc's document
    tree, every image in it is checked to be one of this build's charts, and only then is
    the tree written out as DOCX, with the charts (and nothing else) in its resource path.
    On the way the tree gets the tool's character styles (`docx.mark_for_word`, with the
    style names `styles`).
    """
    allowed = {path.name for path in images.values()}

    def run(turn: PandocInTurn, cwd: Path) -> str:
        tree = turn.pandoc([*read, "-t", "json"], cwd)
        wanted = images_in(json.loads(tree))
        if not wanted <= allowed:
            raise EnvironmentFault("the briefing asks for an image that is not a chart of this "
                                   "build: " + ", ".join(sorted(wanted - allowed))[:200])
        folder = cwd / IMAGE_FOLDER
        folder.mkdir(exist_ok=True)
        for path in images.values():
            if (folder / path.name).exists():  # placed for another document of this build
                continue
            try:
                os.link(path, folder / path.name)
            except OSError:  # another file system, or one without hard links
                shutil.copyfile(path, folder / path.name)
        if styles is not None:
            from .docx import mark_for_word

            tree = json.dumps(mark_for_word(json.loads(tree), styles), ensure_ascii=False)
        (cwd / f"{target.stem}.json").write_text(tree, encoding="utf-8")
        return turn.pandoc([f"{target.stem}.json", "--from=json", *write,
                            "-t", "docx+native_numbering", f"--resource-path={IMAGE_FOLDER}",
                            f"--reference-doc={asset('styles/reference.docx')}",
                            "-o", target.name], cwd)

    return run


def images_in(node) -> set[str]:
    """Return the targets of every image in a pandoc JSON document tree."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if item.get("t") == "Image":
                found.add(item["c"][2][0])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class PandocInTurn:
    """Runs pandoc jobs one after another on a side thread, on the core WeasyPrint leaves
    free: two at once would only slow the PDF down on a two-core machine. A job is pandoc's
    arguments, or a function that runs pandoc through `pandoc` (the DOCX's two steps)."""

    def __init__(self, jobs: dict, cwd: Path) -> None:
        self.results: dict[str, str] = {}
        self.error: BaseException | None = None
        self.proc: subprocess.Popen | None = None
        self.cancelled = False
        self.thread = threading.Thread(target=self._run, args=(jobs, cwd), daemon=True)
        self.thread.start()

    def _run(self, jobs: dict[str, list[str]], cwd: Path) -> None:
        try:
            for fmt, job in jobs.items():
                if self.cancelled:
                    return
                self.results[fmt] = job(self, cwd) if callable(job) else self.pandoc(job, cwd)
        except BaseException as err:  # handed to the main thread by `join`
            self.error = err

    def pandoc(self, args: list[str], cwd: Path) -> str:
        """Run one pandoc, which `cancel` can stop; return its standard output."""
        if self.cancelled:
            raise EnvironmentFault("cancelled")
        self.proc = start_pandoc(args, cwd)
        return finish_pandoc(self.proc)

    def join(self) -> dict[str, str]:
        """Wait for every job; return each one's standard output by format."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.results

    def cancel(self) -> None:
        """Stop what is still running (nothing, after `join`)."""
        self.cancelled = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self.thread.join()


def pandoc(args: list[str], cwd: Path | None = None) -> str:
    """Run pandoc; return its standard output, or raise a fault carrying its complaint."""
    return finish_pandoc(start_pandoc(args, cwd))


def read_tree(markdown: str, limit: float) -> tuple[dict, list[str]]:
    """Return the document tree pandoc reads from `markdown` as every format reads it (its
    JSON), and pandoc's warnings; raise TooSlow past `limit` seconds."""
    proc = start_pandoc([*READ, "-t", "json"], stdin=True)
    warned: list[str] = []
    tree = json.loads(finish_pandoc(proc, limit, markdown, warned))
    return tree, warned


def start_pandoc(args: list[str], cwd: Path | None = None,
                 stdin: bool = False) -> subprocess.Popen:
    """Start pandoc in the background; `finish_pandoc` collects it."""
    binary = pandoc_binary()
    try:
        proc = subprocess.Popen([binary, *args], cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                errors="replace",
                                stdin=subprocess.PIPE if stdin else subprocess.DEVNULL)
    except OSError as err:  # e.g. no more processes allowed, or a binary that cannot run
        raise EnvironmentFault(f"could not start pandoc ({binary}): {err.strerror}"
                               f"{_configured()}") from None
    return proc


def pandoc_binary() -> str:
    """The pandoc to run: PYPANDOC_PANDOC when it is set (as pypandoc does), else the one
    pypandoc-binary installed."""
    configured = os.environ.get("PYPANDOC_PANDOC")
    if configured:
        found = shutil.which(configured) or configured
        if not (os.path.isfile(found) and os.access(found, os.X_OK)):
            raise EnvironmentFault(f"PYPANDOC_PANDOC={configured} is not a program that can "
                                   "run: unset it to use the pandoc `make setup` installed, or "
                                   "point it at pandoc 3")
        return found
    import logging

    import pypandoc

    logging.getLogger("pypandoc").setLevel(logging.CRITICAL)  # its own traceback, if any
    try:
        return pypandoc.get_pandoc_path()
    except (OSError, RuntimeError):
        raise EnvironmentFault("pandoc not found: run `make setup` (it installs pypandoc-binary "
                               "into .venv)") from None


def _configured() -> str:
    """What to say of PYPANDOC_PANDOC when the pandoc it names fails."""
    configured = os.environ.get("PYPANDOC_PANDOC")
    return (f"; PYPANDOC_PANDOC={configured} chose this program: unset it to use the pandoc "
            "`make setup` installed" if configured else "")


class TooSlow(EnvironmentFault):
    """pandoc ran past its time limit and was stopped."""


def finish_pandoc(proc: subprocess.Popen, limit: float = TIME_LIMIT, given: str | None = None,
                  warned: list[str] | None = None) -> str:
    """Wait for pandoc (at most `limit` seconds; `given`: its standard input); return its
    output, or raise a fault with what it complained of. Its warnings fail it too, unless
    `warned` is given: then they are added to it for the caller to judge."""
    try:
        stdout, stderr = proc.communicate(given, timeout=limit)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise TooSlow(f"pandoc did not finish within {limit:g} s and was stopped: the "
                      "briefing holds Markdown pandoc reads very slowly; run `report check`, "
                      "which names such Markdown in the brief, and report the brief if it "
                      "passes") from None
    except BaseException:  # Ctrl-C: pandoc goes too
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        raise
    if proc.returncode != 0:
        complaint = " ".join(stderr.split())[:500]
        # A program that says nothing is likely no pandoc at all: say which one ran.
        raise EnvironmentFault(f"pandoc failed (exit {proc.returncode}): " + (
            complaint or f"(it said nothing){_configured()}"))
    if warned is not None:
        warned += warnings_in(stderr)
        return stdout
    failing = [w for w in warnings_in(stderr) if not HARMLESS.match(w)]
    if failing:
        complaint = " ".join(" ".join(failing).split())[:500]
        raise EnvironmentFault(f"pandoc failed: {complaint}")
    return stdout


# pandoc's warnings fail the build (a dropped image, a citation it could not find …) except
# these: a language pandoc has no words for ("Figure", "Table" …) takes the catalogue's
# words anyway (the captions and the contents title come from it), so the document is
# whole. `--fail-if-warnings` made such a language fail every build.
HARMLESS = re.compile(r"\[WARNING\] (Could not load translations for |The term .* has no "
                      r"translation defined)")


def warnings_in(stderr: str) -> list[str]:
    """pandoc's warnings, each with the indented lines that continue it."""
    found: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("[WARNING]"):
            found.append(line)
        elif found and line.startswith(" "):
            found[-1] += "\n" + line
    return found
