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


def citations(bibliography: str) -> list[str]:
    """pandoc's arguments that number the citations and list the sources (citeproc)."""
    return ["--citeproc", f"--bibliography={bibliography}", f"--csl={CSL}"]


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


def start_pandoc(args: list[str], cwd: Path | None = None) -> subprocess.Popen:
    """Start pandoc in the background; `finish_pandoc` collects it."""
    import pypandoc

    try:
        binary = pypandoc.get_pandoc_path()
    except OSError:
        raise EnvironmentFault("pandoc not found: run `make setup` (it installs pypandoc-binary "
                               "into .venv)") from None
    try:
        return subprocess.Popen([binary, *args], cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8")
    except OSError as err:  # e.g. no more processes allowed, or a binary that cannot run
        raise EnvironmentFault(f"could not start pandoc ({binary}): {err.strerror}") from None


def finish_pandoc(proc: subprocess.Popen) -> str:
    """Wait for pandoc; return its output, or raise a fault with what it complained of."""
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        complaint = " ".join(stderr.split())[:500]
        raise EnvironmentFault(f"pandoc failed (exit {proc.returncode}): {complaint}")
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
