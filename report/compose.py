"""Comparison + charts → one pandoc Markdown source and its CSL-JSON bibliography (Jinja2).

Every value a template prints is escaped unless the program wrote it (`Md`), so text from a
case file can never become template code, raw HTML, an image or a citation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from .charts import Chart
from .compare import Cell, Comparison, Reference, Table
from .markdown import Md, citation, escape
from .model import DIMENSIONS, Confidence

SECTIONS = ("cover", "findings", "glance", "strategy", "team", "pricing", "openness",
            "timeline", "appendix", "sources")
SHOWN_CONFIDENCE = {Confidence.claimed, Confidence.rumour, Confidence.denied,
                    Confidence.disputed}


@dataclass(frozen=True)
class Briefing:
    """The composed document: Markdown for pandoc, CSL-JSON for citeproc, and metadata."""

    markdown: str
    bibliography: list[dict]
    title: str
    subtitle: str
    language: str = "en-GB"


def compose(comparison: Comparison, charts: list[Chart], images: dict[str, Path]) -> Briefing:
    """Return the briefing's Markdown and bibliography for `comparison`."""
    env = environment()
    title, subtitle = titles(comparison)
    context = {
        "c": comparison,
        "title": title,
        "subtitle": subtitle,
        "charts": {chart.id: chart for chart in charts},
        "images": images,
        "dimensions": DIMENSIONS,
    }
    parts = [env.get_template(f"{name}.md.j2").render(context) for name in SECTIONS]
    markdown = "\n\n".join(part.strip() for part in parts if part.strip()) + "\n"
    return Briefing(markdown, [csl_item(ref) for ref in comparison.references], title, subtitle)


def titles(c: Comparison) -> tuple[str, str]:
    names = [case.name.both() for case in c.cases]
    if len(names) <= 3:
        title = "Comparative briefing: " + " and ".join([", ".join(names[:-1]), names[-1]]
                                                        if len(names) > 1 else names)
    else:
        title = f"Comparative briefing: {len(names)} companies"
    subtitle = f"Facts as of {c.as_of.human()} · built {c.build_date:%-d %B %Y}"
    return title, subtitle


def environment() -> Environment:
    """Return the one Jinja2 environment: templates are package data, undefined is an error."""
    env = Environment(
        loader=PackageLoader("report", "templates"),
        undefined=StrictUndefined,
        finalize=lambda v: v if isinstance(v, Md) else escape(str(v)),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Pandoc attributes such as `{#findings}` must not open Jinja comments.
        comment_start_string="{##",
        comment_end_string="##}",
    )
    env.filters.update(cell=render_cell, table=render_table, cite=citation, figure=render_figure,
                       text=lambda v: Md(escape(str(v))), md=Md)
    return env


# ---------------------------------------------------------------- Markdown building blocks


def render_cell(cell: Cell) -> Md:
    text = escape(cell.text) if cell.text else ""
    if cell.confidence in SHOWN_CONFIDENCE:
        text += f" *({cell.confidence.value})*"
    cite = citation(cell.cites)
    return Md(f"{text} {cite}".strip() if cite else text)


CASES_PER_TABLE = 4  # companies side by side that fit an A4 page's width


def render_table(table: Table) -> Md:
    """Return the table as pipe tables, split when more companies than a page holds."""
    return Md("\n\n".join(_pipe_table(part) for part in table.chunks(CASES_PER_TABLE)))


def _pipe_table(table: Table) -> str:
    """Return a pipe table whose separator sets relative widths (pandoc reads the dashes)."""
    def row(cells) -> str:
        return "| " + " | ".join(c.replace("\n", " ") for c in cells) + " |"

    header = row([escape(h) for h in table.header])
    # The separator line is longer than pandoc's --columns, so pandoc keeps these widths.
    rule = "|" + "|".join("-" * max(3, w * 2) for w in table.widths) + "|"
    body = [row([render_cell(c) for c in cells]) for cells in table.rows]
    caption = escape(table.caption)
    if table.cites:
        caption += " Sources: " + citation(table.cites)
    return "\n".join([header, rule, *body, "", f": {caption} {{#{table.id}}}"])


def render_figure(chart: Chart, image: Path) -> Md:
    caption = escape(chart.caption)
    if chart.cites:
        caption += ". Sources: " + citation(chart.cites)
    alt = chart.alt.replace('"', "'").replace("\\", "")
    # A bare file name, found through pandoc's --resource-path: the Markdown (and every
    # document made from it) does not depend on the folder the build ran in.
    return Md(f'![{caption}]({image.name}){{#{chart.id} alt="{alt}" width=100%}}')


def csl_item(ref: Reference) -> dict:
    """Return the CSL-JSON entry citeproc formats for a source."""
    s = ref.source
    kind = {"primary": "webpage", "press": "article-newspaper", "blog": "post-weblog",
            "analysis": "report"}[s.kind.value]
    item: dict = {"id": ref.key, "type": kind, "title": s.title, "language": s.language}
    if s.author:
        item["author"] = [{"literal": s.author}]
    if s.publisher:
        item["publisher"] = s.publisher
    if s.date:
        item["issued"] = {"date-parts": [_parts(s.date)]}
    if s.url:
        item["URL"] = s.url
    if s.accessed:
        item["accessed"] = {"date-parts": [_parts(s.accessed)]}
    return item


def _parts(d) -> list[int]:
    return [p for p in (d.year, d.month, d.day) if p]


def write_bibliography(briefing: Briefing, path: Path) -> None:
    path.write_text(json.dumps(briefing.bibliography, ensure_ascii=False, indent=1),
                    encoding="utf-8")
