"""Comparison + charts (+ the brief) → one pandoc Markdown source and its bibliography.

Every value a template prints is escaped unless the program wrote it (`Md`), so text from a
case file can never become template code, raw HTML, an image or a citation. The sentences are
the templates'; the words inside them come from the label catalogue (`labels/`).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..charts import Chart
from ..compare import CaseFacts, Comparison, Reference, cites, price_ranking
from ..escape import Md, attribute, citation, escape, metadata, sourced
from ..load.brief import Brief
from ..load.claims import ClaimsFile, key_of, verdicts_by_fact
from ..words.style import Style
from .livefacts import FactWriter
from .tables import MARKED, Cell, Table, Tables

FACT_PACK = ("findings", "glance", "strategy", "team", "pricing", "releases", "timeline",
             "appendix", "sources")
CASES_PER_TABLE = 4  # companies side by side that fit an A4 page's width


@dataclass(frozen=True)
class Briefing:
    """The composed document: Markdown for pandoc, CSL-JSON for citeproc, and metadata."""

    markdown: str
    bibliography: list[dict]
    title: str
    subtitle: str
    language: str = "en-GB"
    author: str = ""
    claim_reviews: list[dict] = field(default_factory=list)  # schema.org ClaimReview, JSON-LD
    print_labels: dict[str, str] = field(default_factory=dict)  # words the print style prints
    short_title: str = ""  # for running headers
    page_labels: dict[str, str] = field(default_factory=dict)  # words the HTML page's code uses


def compose(comparison: Comparison, charts: list[Chart], images: dict[str, Path],
            style: Style | None = None, brief: Brief | None = None,
            claims: ClaimsFile | None = None) -> Briefing:
    """Return the briefing's Markdown and bibliography: with a brief, its argument first, the
    claims checked, then the fact pack; without one, the fact pack alone."""
    style = style or Style()
    env = environment(style, comparison)
    tables = Tables(comparison, style, verdicts_by_fact(claims))
    title, subtitle = titles(comparison, style, brief)
    context = {
        "c": comparison,
        "s": style,
        "t": style.labels,
        "tables": tables,
        "title": title,
        "docx_abstract": docx_abstract(comparison, style, brief),
        "subtitle": subtitle,
        "meta": brief.meta if brief else None,
        "short_title": (brief.meta.short_title if brief and brief.meta.short_title
                        else short_title(comparison, style)),
        "h": Md("##" if brief else "#"),
        "language_tag": style.locale.replace("_", "-"),
        "charts": {chart.id: chart for chart in charts},
        "images": images,
        "accessed": style.date(common_access_date(comparison)) if comparison.references
        else "",
        "price_ranking": price_ranking,
        "sep": lambda loop: Md("; " if not loop.last else "."),
        "comma": lambda loop: Md(", " if not loop.last else ""),
        "claims_table": claims_table(claims, tables) if claims else None,
    }
    names = ["cover"]
    parts = []
    if brief is not None:
        parts.append(render_brief(brief, FactWriter(comparison, tables), charts, images, style))
        names = ["cover", *(["claims"] if claims else []), "factpack"]
    rendered = [env.get_template(f"{name}.md.j2").render(context) for name in names]
    rendered[1:1] = parts
    rendered += [env.get_template(f"{name}.md.j2").render(context) for name in FACT_PACK]
    markdown = "\n\n".join(part.strip() for part in rendered if part.strip()) + "\n"
    return Briefing(markdown, bibliography(comparison, style), title, subtitle,
                    short_title=context["short_title"],
                    language=style.locale.replace("_", "-"),
                    author=brief.meta.author if brief else "",
                    claim_reviews=claim_reviews(claims, brief, comparison) if claims else [],
                    print_labels={key: style.labels(f"print.{key}")
                                  for key in ("table", "figure", "page")},
                    page_labels={key: style.labels(f"print.{key}")
                                 for key in ("table", "figure", "confidence", "anchor")})


def render_brief(brief: Brief, writer: FactWriter, charts: list[Chart],
                 images: dict[str, Path], style: Style) -> Md:
    """Return the brief's Markdown with each live fact and exhibit written out.

    The analyst's Markdown is kept as written (it never passes through Jinja); only the marks
    the brief module found are replaced, from the end backwards so offsets stay valid.
    """
    by_id = {chart.id: chart for chart in charts}
    facts = sorted(brief.facts, key=lambda f: f.start)
    values = [writer.value(f) for f in facts]
    marks = [(f.start, f.end, writer.markdown(value, bare=_cited_again(
                brief.body, f, value, after, then)))
             for f, value, after, then in zip(facts, values, [*facts[1:], None],
                                              [*values[1:], None])]
    marks += [(e.start, e.end, render_figure(by_id[exhibit_chart_id(e.id)],
                                             images[exhibit_chart_id(e.id)], style))
              for e in brief.exhibits]
    body = brief.body
    for start, end, text in sorted(marks, reverse=True):
        body = body[:start] + text + body[end:]
    return Md(body)


SENTENCE_END = re.compile(r"[.!?;:]\s|\n\s*\n|\n\s*[-*+]\s|\n\s*\d+[.)]\s")


def _cited_again(body: str, fact, this, after, then) -> bool:
    """Whether the next live fact, in the same sentence, cites the same sources as sure: then
    this one is written bare and the citation follows the last ("CNY 1 from May 2024 [1, 2]",
    not "CNY 1 [1, 2] from May 2024 [1, 2]")."""
    if after is None or SENTENCE_END.search(body, fact.end, after.start):
        return False
    return this.cites == then.cites and this.confidence == then.confidence


def docx_abstract(c: Comparison, style: Style, brief: Brief | None) -> Md:
    """The Word cover's text: the questions the briefing answers, its scope and disclaimer,
    and the key to its confidence marks (the PDF and HTML covers set these out themselves)."""
    t, meta = style.labels, brief.meta if brief else None
    blocks = []
    if meta and meta.questions:
        blocks.append(f"**{escape(t('cover.questions'))}**")
        # pandoc writes the abstract as one paragraph with line breaks, and runs list items
        # together: so each question is a paragraph of its own behind a bullet.
        blocks += [f"• {escape(q)}" for q in meta.questions]
    blocks.append(escape(t("cover.abstract", scope=t(
        "cover.scope", as_of=style.date(c.as_of), built=style.date(c.build_date)),
        audience=t("cover.audience", audience=meta.audience) + ". " if meta and meta.audience
        else "", disclaimer=meta.disclaimer if meta and meta.disclaimer else "")))
    blocks.append(f"*{escape(t('cover.method'))}*")
    return Md("\n\n".join(blocks))


def exhibit_chart_id(exhibit_id: str) -> str:
    return f"fig-exhibit-{exhibit_id}"


def short_title(c: Comparison, style: Style) -> str:
    """The running header: the companies compared."""
    t = style.labels
    names = [case.name.en for case in c.cases]
    if len(names) > 3:
        return t("cover.title_many", n=len(names))
    return t.and_list(names)


def titles(c: Comparison, style: Style, brief: Brief | None = None) -> tuple[str, str]:
    t = style.labels
    if brief is not None:
        subtitle = brief.meta.subtitle or t("cover.subtitle", as_of=style.date(c.as_of),
                                            built=style.date(c.build_date))
        return brief.meta.title, subtitle
    names = [style.name(case.name) for case in c.cases]
    if len(names) <= 3:
        title = t("cover.title", names=t.and_list(names))
    else:
        title = t("cover.title_many", n=len(names))
    subtitle = t("cover.subtitle", as_of=style.date(c.as_of), built=style.date(c.build_date))
    return title, subtitle


def environment(style: Style, comparison: Comparison | None = None) -> Environment:
    """Return the one Jinja2 environment: templates are package data, undefined is an error."""
    env = Environment(
        loader=PackageLoader("report.compose", "templates"),
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
    env.filters.update(
        cell=lambda c: render_cell(c, style), cite=citation, md=Md,
        text=lambda v: Md(escape(str(v))), metadata=metadata,
        table=lambda table: render_table(table, style),
        figure=lambda chart, image, sources_below=False: render_figure(chart, image, style,
                                                                     sources_below),
        both=lambda case: style.name(case.name),
        price_cites=lambda prices: _keys(
            [*(cites(f.case, step.point) + comparison.converter.cites(value)
               for f, step, value in prices.ranking),
             *(cites(f.case, f.lowest_input.point) for f in comparison.facts
               if f.lowest_input)]),
        release_cites=lambda facts: _keys(cites(f.case, f.latest_model, f.latest_flagship)
                                          for f in facts),
        openness_cites=lambda facts: _keys(cites(f.case, f.best, f.worst) for f in facts),
        licence_cites=lambda facts: _keys(
            cites(f.case, *(f.relicensed or f.osi_now[:1]),
                  *(ch for r in f.relicensed for ch in r.licence_changes)) for f in facts),
        leader_cites=lambda facts: _keys(cites(f.case, *f.leaders_left) for f in facts),
        funding_cites=lambda facts: _keys(_funding_cites(f) for f in facts),
    )
    return env


def _keys(groups) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for group in groups for k in group))


def _funding_cites(f: CaseFacts) -> tuple[str, ...]:
    return cites(f.case, *f.funding.closed, f.funding.latest_valuation)


# ---------------------------------------------------------------- Markdown building blocks


def render_cell(cell: Cell, style: Style) -> Md:
    text = cell.text if isinstance(cell.text, Md) else escape(cell.text) if cell.text else ""
    if cell.confidence in MARKED:
        text += f" [({escape(style.labels(f'confidence.{cell.confidence.value}'))})]{{.confidence}}"
    return sourced(text, cell.cites, confidence_label(cell.confidence, style))


def confidence_label(confidence, style: Style) -> str | None:
    return None if confidence is None else style.labels(f"confidence.{confidence.value}")


def render_table(table: Table, style: Style) -> Md:
    """Return the table as pipe tables, split when more companies than a page holds."""
    return Md("\n\n".join(_pipe_table(part, style) for part in
                          table.chunks(CASES_PER_TABLE, style.labels)))


def _pipe_table(table: Table, style: Style) -> str:
    """Return a pipe table whose separator sets relative widths (pandoc reads the dashes).

    A cell's notes are lettered (a, b, …) and set in a line of notes under the table, as
    tables in reports carry them.
    """
    def row(cells) -> str:
        return "| " + " | ".join(c.replace("\n", " ") for c in cells) + " |"

    notes: list[str] = []

    def with_notes(cell: Cell) -> str:
        text = render_cell(cell, style)
        for note in cell.notes:
            if note not in notes:  # one letter for one note, however many cells carry it
                notes.append(note)
            text += f"^{_letter(notes.index(note) + 1)}^"
        return text

    header = row([escape(h) for h in table.header])
    # The separator line is longer than pandoc's --columns, so pandoc keeps these widths.
    rule = "|" + "|".join("-" * max(3, w * 2) for w in table.widths) + "|"
    body = [row([with_notes(c) for c in cells]) for cells in table.rows]
    caption = escape(table.caption)
    if table.cites:
        caption += " " + citation(table.cites)
    lines = [header, rule, *body, "", f": {caption} {{#{table.id}}}"]
    if notes:
        listed = " ".join(f"^{_letter(i)}^ {escape(_sentence(note))}" for i, note in
                          enumerate(notes, start=1))
        lines += ["", "::: table-notes", f"{escape(style.labels('table.notes'))} {listed}",
                  ":::"]
    return "\n".join(lines)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?。)" else text + "."


def _letter(n: int) -> str:
    """a, b, … z, aa, ab …: the marks of a table's notes."""
    text = ""
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


def render_figure(chart: Chart, image: Path, style: Style, sources_below: bool = False) -> Md:
    """A figure with its caption and a Sources line. `sources_below`: the fact pack's tables
    list every point with its own sources, so the line says so instead of citing them all
    (the fact pack's timeline cited some 250)."""
    text = chart.caption.strip()
    caption = escape(text if text[-1:] in ".!?。" else text + ".")
    if chart.cites and sources_below:
        caption += " [" + escape(style.labels("chart.sources_below")) + "]{.sources}"
    elif chart.cites:
        caption += (" [" + escape(style.labels("chart.sources")) + " " + citation(chart.cites)
                    + "]{.sources}")
    # A bare file name, found through pandoc's --resource-path: the Markdown (and every
    # document made from it) does not depend on the folder the build ran in.
    return Md(f'![{caption}]({image.name}){{#{chart.id} alt="{attribute(chart.alt)}" '
              'width=100%}')


# ---------------------------------------------------------------- bibliography


def bibliography(c: Comparison, style: Style) -> list[dict]:
    common = common_access_date(c)
    return [csl_item(ref, style, common) for ref in c.references]


def common_access_date(c: Comparison):
    """The access date most sources share: the source list gives it once."""
    dates = Counter(str(ref.source.accessed) for ref in c.references if ref.source.accessed)
    if not dates:
        return None
    from ..model import PartialDate

    return PartialDate.parse(dates.most_common(1)[0][0])


def csl_item(ref: Reference, style: Style, common_access=None) -> dict:
    """Return the CSL-JSON entry citeproc formats for a source."""
    s = ref.source
    kind = {"primary": "webpage", "press": "article-newspaper", "blog": "post-weblog",
            "analysis": "report"}[s.kind.value]
    genre = style.labels("source.seed" if s.seed else f"source.{s.kind.value}")
    item: dict = {"id": ref.key, "type": kind, "title": s.title, "language": s.language,
                  "genre": genre}
    if s.author:
        item["author"] = [{"literal": s.author}]
    if s.publisher:
        item["publisher"] = s.publisher
    if s.date:
        item["issued"] = {"date-parts": [_parts(s.date)]}
    if s.url:
        item["URL"] = s.url
    if s.accessed and s.accessed != common_access:
        item["accessed"] = {"date-parts": [_parts(s.accessed)]}
    return item


def _parts(d) -> list[int]:
    return [p for p in (d.year, d.month or (3 * d.quarter - 2 if d.quarter else None), d.day)
            if p]


def write_bibliography(briefing: Briefing, path: Path) -> None:
    path.write_text(json.dumps(briefing.bibliography, ensure_ascii=False, indent=1),
                    encoding="utf-8")


# ---------------------------------------------------------------- claims checked


def claims_table(claims: ClaimsFile, tables: Tables) -> Table:
    """One row per claim: who made it and the quote, the verdict, and why, with evidence."""
    t = tables.t
    rows = []
    for claim in claims.claims:
        quote = t("quote.join").join(q for q in (claim.quote.zh, claim.quote.en) if q)
        said = Md(f"{escape(claim.claimant.who)}: “{escape(quote)}” "
                  f"{citation([key_of(claim.claimant.source)])}")
        evidence = " ".join(f"{escape(ev.text)} {citation(key_of(k) for k in ev.cite)}"
                            for ev in claim.evidence)
        why = Md(f"{escape(claim.reason)} {escape(t('claims.evidence'))} {evidence}")
        rows.append((Cell(said), Cell(Md(f"**{escape(t(f'verdict.{claim.verdict.value}'))}**")),
                     Cell(why)))
    return Table("tbl-claims", t("table.claims.caption"),
                 tuple(t(f"table.claims.col.{k}") for k in ("claim", "verdict", "why")),
                 (36, 15, 49), tuple(rows))  # "contradicted" in bold fits a Word cell


def claim_reviews(claims: ClaimsFile, brief: Brief | None, c: Comparison) -> list[dict]:
    """Return the register as schema.org ClaimReview objects, for the HTML's JSON-LD."""
    sources = c.sources()
    author = {"@type": "Organization", "name": brief.meta.organisation or brief.meta.author} \
        if brief else {"@type": "Organization", "name": "report"}
    reviews = []
    for claim in claims.claims:
        where = sources.get(key_of(claim.claimant.source))
        appearance = {"@type": "CreativeWork", "headline": where.title if where else ""}
        if where is not None and where.url:
            appearance["url"] = where.url
        if where is not None and where.date:
            appearance["datePublished"] = str(where.date)
        rating = {"@type": "Rating", "alternateName": claim.verdict.value}
        if claim.verdict.rating:
            rating.update(ratingValue=claim.verdict.rating, bestRating=5, worstRating=1)
        review = {
            "@context": "https://schema.org", "@type": "ClaimReview",
            "claimReviewed": claim.quote.en or claim.quote.zh,
            "itemReviewed": {"@type": "Claim", "author": {"@type": "Organization",
                                                          "name": claim.claimant.who},
                             "appearance": appearance},
            "reviewRating": rating, "reviewBody": claim.reason, "author": author,
        }
        if brief is not None:
            review["datePublished"] = str(brief.meta.date)
        reviews.append(review)
    return reviews
