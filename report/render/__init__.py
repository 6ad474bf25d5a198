"""briefing.md → PDF, DOCX and HTML through pandoc (and WeasyPrint for the PDF).

All three formats come from the same Markdown, so they never disagree. Each is written to a
staging folder first and moved into place only when every requested format succeeded: a failed
build leaves the previous documents exactly as they were.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..charts import Chart
from ..compose import Briefing, write_bibliography
from ..errors import EnvironmentFault
from ..escape import css_string, html_text

FORMATS = ("pdf", "docx", "html")
FIGURE_SCHEME = "figure"
# Pandoc reads no raw HTML/TeX and no math from the Markdown: case text is escaped before it
# gets here, and this keeps anything that slipped through as text.
READER = "markdown-raw_html-raw_tex-raw_attribute-tex_math_dollars-tex_math_single_backslash"
# How every format reads the Markdown and lays out its sections. --sandbox: pandoc reads only
# the files named on its command line, so nothing in the Markdown can make it read a local
# file or fetch a URL.
READ = [f"--from={READER}", "--fail-if-warnings", "--sandbox"]
WRITE = ["--columns=60", "--number-sections", "--toc", "--toc-depth=2"]
# The HTML of the page and of the PDF. --wrap=none: a wrapped subtitle would put line breaks
# into <meta> and PDF metadata.
HTML = ["-t", "html5", "--wrap=none"]
CSL = "briefing.csl"  # the citation style, copied beside the Markdown


def citations(bibliography: str) -> list[str]:
    """pandoc's arguments that number the citations and list the sources (citeproc)."""
    return ["--citeproc", f"--bibliography={bibliography}", f"--csl={CSL}"]


def asset(name: str) -> Path:
    """Return the path of a file shipped in `report/styles` or `report/templates`."""
    return Path(str(resources.files("report.render") / name))


@dataclass(frozen=True)
class Rendered:
    """The documents one render wrote, by format, and the PDF's page count (None: no PDF)."""

    documents: dict[str, Path]
    pdf_pages: int | None


def render(briefing: Briefing, charts: list[Chart], images: dict[str, Path], formats: list[str],
           staging: Path, on_step: Callable[[str], None] = lambda step: None) -> Rendered:
    """Write the requested documents into `staging`."""
    md = staging / "briefing.md"
    md.write_text(briefing.markdown, encoding="utf-8")
    bib = staging / "references.json"
    write_bibliography(briefing, bib)
    figure_dirs = sorted({p.parent for p in images.values()})
    shutil.copy(asset("styles/briefing.csl"), staging / CSL)
    # pandoc runs inside the staging folder with relative names: the DOCX records the
    # bibliography and style it used, and must not record this machine's folders. The HTML
    # writers need no image file; the DOCX writer does, so it gets its own, checked run
    # (`docx_job`).
    read = [*READ, *citations(bib.name)]
    common = [md.name, *read, *WRITE]
    out = {fmt: staging / f"briefing.{fmt}" for fmt in FORMATS if fmt in formats}
    side_jobs = {}
    if "html" in out:
        side_jobs["html"] = [*common, *HTML, "-s", f"--template={asset('templates/page.html')}"]
    if "docx" in out:
        side_jobs["docx"] = docx_job([md.name, *read], WRITE, images, out["docx"])
    pdf_pages = None
    page = None
    if "pdf" in out:
        # The PDF's HTML is on the critical path, so it gets both cores to itself first.
        on_step("Converting Markdown to HTML for the PDF")
        proc = start_pandoc([*common, *HTML, "-s", f"--template={asset('templates/print.html')}"],
                            cwd=staging)
        try:
            import weasyprint  # noqa: F401  (half a second of imports, while pandoc works)

            page = finish_pandoc(proc)
        finally:  # a failed import or a Ctrl-C must not leave pandoc running
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    side = PandocInTurn(side_jobs, staging)
    try:
        if page is not None:
            # Charts are named by a folder-independent URL, so the PDF does not change with
            # the folder the build ran in (WeasyPrint names image objects after their URL).
            for path in images.values():
                page = page.replace(f'src="{html_text(path.name)}"',
                                    f'src="{FIGURE_SCHEME}:{html_text(path.name)}"')
            page = page_footnotes(page)
            page = CITE_RANGE.sub(r'<span class="cite-range">\g<0></span>', page)
            pdf_pages = write_pdf(page, out["pdf"], allowed=[*figure_dirs, asset("styles")],
                                  on_step=on_step, labels=briefing.print_labels)
        if side_jobs:
            on_step("Waiting for pandoc (" + ", ".join(f.upper() for f in side_jobs) + ")")
        results = side.join()
    finally:
        side.cancel()
    if "docx" in out:
        from .docx import Furnishing, furnish

        furnish(out["docx"], Furnishing(briefing.short_title,
                                        briefing.print_labels.get("page", "{page}")))
    if "html" in out:
        from .html import interactive_page

        out["html"].write_text(interactive_page(results["html"], charts, images,
                                                briefing.page_labels, briefing.claim_reviews),
                               encoding="utf-8")
    return Rendered(out, pdf_pages)


IMAGE_FOLDER = "figures"  # in the staging folder: the chart images, and nothing else


def docx_job(read: list[str], write: list[str], images: dict[str, Path], target: Path):
    """Return the DOCX job: pandoc must read the chart images to embed them, so it cannot
    run sandboxed. Instead the Markdown is first read in the sandbox into pandoc's document
    tree, every image in it is checked to be one of this build's charts, and only then is
    the tree written out as DOCX, with the charts (and nothing else) in its resource path.
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
            try:
                os.link(path, folder / path.name)
            except OSError:  # another file system, or one without hard links
                shutil.copyfile(path, folder / path.name)
        (cwd / "briefing.json").write_text(tree, encoding="utf-8")
        return turn.pandoc(["briefing.json", "--from=json", *write, "--fail-if-warnings",
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
    return stdout


# ---------------------------------------------------------------- PDF


def write_pdf(page: str, target: Path, allowed: list[Path],
              on_step: Callable[[str], None] = lambda step: None,
              labels: dict[str, str] | None = None) -> int:
    """Render the print HTML with WeasyPrint, fetching only the build's own files; return the
    number of pages."""
    from weasyprint import CSS, HTML

    from .pdf import faster_pdf

    fetcher = build_fetcher(allowed)
    css = CSS(filename=str(asset("styles/print.css")), url_fetcher=fetcher)
    words = CSS(string=label_css(labels or {}), url_fetcher=fetcher)
    options = {"stylesheets": [css, words], "pdf_variant": "pdf/ua-1", "uncompressed_pdf": False,
               "custom_metadata": True}
    on_step("Laying out the PDF")
    # Laid out and written in two calls (as HTML.write_pdf does) to keep the page count,
    # which the manifest records, without reading the PDF back.
    with faster_pdf():  # steps aside where WeasyPrint's internals are not what it knows
        document = HTML(string=page, base_url=str(allowed[0]) + "/",
                        url_fetcher=fetcher).render(**options)
        on_step("Writing the PDF")
        document.write_pdf(target, **options)
    if fetcher.refused:
        target.unlink(missing_ok=True)
        raise EnvironmentFault("the PDF asked for resources outside the build: "
                               + ", ".join(sorted(fetcher.refused)[:3]))
    return len(document.pages)


# A range of citation numbers ("3–6"): the print style keeps it on one line.
CITE_RANGE = re.compile(r'<a href="#ref-[^"]*" role="doc-biblioref">\d+</a>–'
                        r'<a href="#ref-[^"]*" role="doc-biblioref">\d+</a>')


def page_footnotes(page: str) -> str:
    """Move pandoc's endnotes to where they are called, as CSS footnotes: WeasyPrint then
    sets each at the foot of the page that calls it."""
    notes = dict(re.findall(r'<li id="(fn\d+)"[^>]*>(.*?)</li>', page, re.S))
    if not notes:
        return page

    def body(note: str) -> str:
        note = re.sub(r'<a href="#fnref\d+"[^>]*>.*?</a>', "", note, flags=re.S)
        return re.sub(r"</?p>", "", note).strip()

    page = re.sub(r'<a href="#(fn\d+)" class="footnote-ref"[^>]*>.*?</a>',
                  lambda m: f'<span class="footnote">{body(notes.get(m.group(1), ""))}</span>',
                  page, flags=re.S)
    return re.sub(r'<section id="footnotes"[^>]*>.*?</section>', "", page, flags=re.S)


def caption_css(labels: dict[str, str]) -> str:
    """The words before table and figure numbers, from the label catalogue, as CSS."""
    return (f'caption::before {{ content: {css_string(labels.get("table", ""))} " " '
            'counter(table) ". "; }\n'
            f'figcaption::before {{ content: {css_string(labels.get("figure", ""))} " " '
            'counter(figure) ". "; }\n')


def label_css(labels: dict[str, str]) -> str:
    """The print style's words (table and figure labels, the page footer) as CSS."""
    parts = re.split(r"(\{page\}|\{pages\})", labels.get("page", "{page}"))
    footer = " ".join(f"counter({p[1:-1]})" if p in ("{page}", "{pages}") else css_string(p)
                      for p in parts if p)
    return caption_css(labels) + f"@page {{ @bottom-right {{ content: {footer}; }} }}\n"


def build_fetcher(allowed: list[Path]):
    """Return a WeasyPrint URL fetcher that serves `data:` and files below `allowed` only."""
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class BuildOnlyFetcher(URLFetcher):
        refused: set[str] = set()

        def __init__(self):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.refused = set()

        def fetch(self, url, headers=None):
            from weasyprint.urls import URLFetcherResponse

            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == FIGURE_SCHEME:
                name = url.split(":", 1)[1]
                for root in roots:
                    candidate = (root / name).resolve()
                    if candidate.parent == root and candidate.is_file():
                        return URLFetcherResponse(url, candidate.read_bytes(),
                                                  {"Content-Type": "image/png"})
            if scheme == "file":
                path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in roots) and path.is_file():
                    return super().fetch(url, headers)
            self.refused.add(url)
            raise ValueError(f"refused to fetch {url}: not part of this build")

    return BuildOnlyFetcher()
