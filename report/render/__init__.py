"""briefing.md → PDF, DOCX and HTML through pandoc (and WeasyPrint for the PDF).

All three formats come from the same Markdown, so they never disagree. Each is written to a
staging folder first and moved into place only when every requested format succeeded: a failed
build leaves the previous documents exactly as they were.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..charts import Chart
from ..compose import Briefing
from ..compose.bibliography import write_bibliography
from ..escape import html_text
from .assets import asset, write_csl
from .pandoc import (
    CSL,
    HTML,
    READ,
    READER,
    WRITE,
    PandocInTurn,
    citations,
    docx_job,
    finish_pandoc,
    start_pandoc,
)
from .pdf import (
    CITE_RANGE,
    FIGURE_SCHEME,
    key_data_on_cover,
    page_footnotes,
    sibling_links_as_text,
    write_pdf,
)
from .wordtext import Roles

if TYPE_CHECKING:
    from .docx import Origin

FORMATS = ("pdf", "docx", "html")

__all__ = ["FORMATS", "READER", "Rendered", "render"]


def word_styles() -> Roles:
    """The names of the DOCX's own styles, from the label catalogue."""
    from ..words.labels import Labels

    labels = Labels()
    return Roles(labels("docx.style.fact"), labels("docx.style.confidence"),
                 labels("docx.style.citation"), labels("docx.style.key_data"))


@dataclass(frozen=True)
class Rendered:
    """The documents one render wrote, by format, and the PDF's page count (None: no PDF)."""

    documents: dict[str, Path]
    pdf_pages: int | None


def render(briefing: Briefing, charts: list[Chart], images: dict[str, Path], formats: list[str],
           staging: Path, on_step: Callable[[str], None] = lambda step: None,
           origin: Origin | None = None) -> Rendered:
    """Write the requested documents into `staging`, named after the briefing (`briefing.pdf`,
    `annex.pdf` …), with its Markdown beside them; the DOCX records `origin`, what it was
    built from (for `report absorb`)."""
    # A short briefing places some of the charts, its annex the others.
    charts = [chart for chart in charts if images[chart.id].name in briefing.markdown]
    images = {chart.id: images[chart.id] for chart in charts}
    md = staging / f"{briefing.name}.md"
    md.write_text(briefing.markdown, encoding="utf-8")
    bib = staging / "references.json"
    write_bibliography(briefing, bib)
    figure_dirs = sorted({p.parent for p in images.values()})
    write_csl(staging / CSL, briefing.citation_terms)
    # pandoc runs inside the staging folder with relative names: the DOCX records the
    # bibliography and style it used, and must not record this machine's folders. The HTML
    # writers need no image file; the DOCX writer does, so it gets its own, checked run
    # (`docx_job`).
    read = [*READ, *citations(bib.name)]
    common = [md.name, *read, *WRITE]
    out = {fmt: staging / f"{briefing.name}.{fmt}" for fmt in FORMATS if fmt in formats}
    side_jobs = {}
    if "html" in out:
        side_jobs["html"] = [*common, *HTML, "-s", f"--template={asset('templates/page.html')}"]
    styles = word_styles()
    if "docx" in out:
        side_jobs["docx"] = docx_job([md.name, *read], WRITE, images, out["docx"], styles)
    pdf_pages = None
    page = None
    anchor_pages: dict[str, int] = {}  # the PDF's page of each anchor: the DOCX's contents
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
            page = sibling_links_as_text(key_data_on_cover(page_footnotes(page)))
            page = CITE_RANGE.sub(r'<span class="cite-range">\g<0></span>', page)
            pdf_pages = write_pdf(page, out["pdf"], allowed=[*figure_dirs, asset("styles")],
                                  on_step=on_step, labels=briefing.print_labels,
                                  anchors=anchor_pages)
        if side_jobs:
            on_step("Waiting for pandoc (" + ", ".join(f.upper() for f in side_jobs) + ")")
        results = side.join()
    finally:
        side.cancel()
    if "docx" in out:
        from .docx import Furnishing, furnish

        furnish(out["docx"], Furnishing(briefing.short_title,
                                        briefing.print_labels.get("page", "{page}"),
                                        styles=styles, pages=anchor_pages, origin=origin))
    if "html" in out:
        from .html import interactive_page

        out["html"].write_text(interactive_page(results["html"], charts, images,
                                                briefing.page_labels, briefing.claim_reviews),
                               encoding="utf-8")
    return Rendered({**out, "md": md}, pdf_pages)
