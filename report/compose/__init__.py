"""Comparison + charts (+ the brief) → one pandoc Markdown source and its bibliography.

Every value a template prints is escaped unless the program wrote it (`Md`), so text from a
case file can never become template code, raw HTML, an image or a citation. The sentences are
the templates'; the words inside them come from the label catalogue (`words/labels/`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from ..charts import Chart
from ..charts.exhibits import chart_id, is_table, options_of, sentence
from ..compare import CaseFacts, Comparison, cites, price_ranking
from ..compare.figures import evaluate
from ..escape import Md, citation, escape, metadata
from ..load.brief import Brief
from ..model.claims import ClaimsFile, verdicts_by_fact
from ..words.style import Style
from .bibliography import (
    TIERS,
    bibliography,
    canonical_citations,
    common_access_date,
    write_bibliography,
)
from .claims import claim_reviews, claims_table
from .livefacts import FactWriter
from .markdown import CASES_PER_TABLE, render_cell, render_figure, render_table
from .tables import Tables

__all__ = ["CASES_PER_TABLE", "Briefing", "compose", "compose_annex", "key_data_rows",
           "render_brief", "render_table", "write_bibliography"]

FACT_PACK = ("findings", "glance", "strategy", "team", "pricing", "releases", "timeline",
             "appendix", "sources")


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
    citation_terms: dict[str, str] = field(default_factory=dict)  # the source list's words
    name: str = "briefing"  # the documents' file name: briefing.pdf, annex.pdf …


def compose(comparison: Comparison, charts: list[Chart], images: dict[str, Path],
            style: Style | None = None, brief: Brief | None = None,
            claims: ClaimsFile | None = None) -> Briefing:
    """Return the briefing's Markdown and bibliography: with a brief, its argument first, the
    claims checked, then the fact pack; without one, the fact pack alone.

    A brief whose front matter has `briefing:` makes the short briefing: the argument, the
    claims and fact-pack sections it names, and the sources it cites; `compose_annex` then
    writes everything else."""
    style = style or Style()
    env = environment(style, comparison)
    short = brief.meta.briefing if brief is not None else None
    shown = claims
    if claims is not None and short is not None:
        chosen = {claim_id: i for i, claim_id in enumerate(short.claims)}
        shown = claims.model_copy(update={"claims": sorted(
            (c for c in claims.claims if c.id in chosen), key=lambda c: chosen[c.id])})
        if not shown.claims:
            shown = None
    context = _context(comparison, charts, images, style, brief, shown,
                       "briefing" if short is not None else "whole", claims)
    names = ["cover"]
    parts = []
    if brief is not None:
        body, context["findings"] = render_brief(
            brief, FactWriter(comparison, context["tables"], brief.meta.groups), charts,
            images, style)
        parts.append(body)
        names = ["cover", *(["claims"] if shown else []), "factpack"]
    rendered = [env.get_template(f"{name}.md.j2").render(context) for name in names]
    rendered[1:1] = parts
    sections = FACT_PACK if short is None else (*short.fact_pack, "sources")
    rendered += [env.get_template(f"{name}.md.j2").render(context) for name in sections]
    return _briefing(comparison, style, brief, shown, context, rendered)


def compose_annex(comparison: Comparison, charts: list[Chart], images: dict[str, Path],
                  style: Style | None = None, brief: Brief | None = None,
                  claims: ClaimsFile | None = None) -> Briefing | None:
    """Return the evidence annex to a short briefing (None when the brief asks for one
    document): the whole fact pack, every claim checked, the appendices and every source.

    It reads the brief's front matter only, never its prose, so an edit to the argument
    leaves the annex as it was."""
    if brief is None or brief.meta.briefing is None:
        return None
    style = style or Style()
    env = environment(style, comparison)
    context = _context(comparison, charts, images, style, brief, claims, "annex", claims)
    # the findings the brief writes itself are the fact pack's, in the annex too
    _, context["findings"] = render_brief(
        brief, FactWriter(comparison, context["tables"], brief.meta.groups), charts, images,
        style)
    names = ["cover", "factpack", *FACT_PACK[:-2], *(["claims"] if claims else []),
             *FACT_PACK[-2:]]
    rendered = [env.get_template(f"{name}.md.j2").render(context) for name in names]
    return _briefing(comparison, style, brief, claims, context, rendered, name="annex")


def _context(comparison: Comparison, charts: list[Chart], images: dict[str, Path],
             style: Style, brief: Brief | None, claims: ClaimsFile | None, part: str,
             every: ClaimsFile | None) -> dict:
    """What every template reads; `part` is `whole` (one document), `briefing` or `annex`;
    `claims` are those the document checks, `every` the whole register (a fact a claim
    repeats is marked with its verdict wherever it stands)."""
    tables = Tables(comparison, style, verdicts_by_fact(every))
    title, subtitle = titles(comparison, style, brief)
    if part == "annex":
        subtitle = style.labels("annex.subtitle", title=title)
        title = style.labels("annex.title", names=short_title(comparison, style))
    return {
        "c": comparison,
        "s": style,
        "t": style.labels,
        "part": part,
        "tables": tables,
        "title": title,
        "docx_abstract": docx_abstract(comparison, style, brief, part),
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
        "claims_all": len(every.claims) if every else 0,
        "findings": {},  # the findings the brief writes itself, by id
        "dropped": set(brief.meta.drop_findings) if brief else set(),
        "tiers": TIERS,  # the source list's groups
    }


def _briefing(comparison: Comparison, style: Style, brief: Brief | None,
              claims: ClaimsFile | None, context: dict, rendered: list[str],
              name: str = "briefing") -> Briefing:
    markdown = "\n\n".join(part.strip() for part in rendered if part.strip()) + "\n"
    # a source two files record is one entry: a citation of either record cites that one
    markdown = canonical_citations(markdown, comparison.aliases)
    return Briefing(markdown, bibliography(comparison, style), context["title"],
                    context["subtitle"], name=name,
                    short_title=context["short_title"],
                    language=style.locale.replace("_", "-"),
                    author=brief.meta.author if brief else "",
                    claim_reviews=claim_reviews(claims, brief, comparison) if claims else [],
                    print_labels={key: style.labels(f"print.{key}")
                                  for key in ("table", "figure", "page")},
                    page_labels={key: style.labels(f"print.{key}")
                                 for key in ("table", "figure", "confidence", "anchor")},
                    citation_terms={key: style.labels(f"csl.{key}")
                                    for key in ("accessed", "no date")})


KEY_DATA = re.compile(r"^(:::+) *(?:key-data|\{\.key-data\}) *\n", re.M)


def key_data_titled(body: Md, comparison: Comparison, style: Style) -> Md:
    """The brief's key-data box (a `::: key-data` div: the numbers a reader will quote) with
    its title, which names the one date the facts are as of."""
    title = style.labels("cover.key_data", as_of=style.date(comparison.as_of))
    return Md(KEY_DATA.sub(lambda m: f"{m.group(1)} {{.key-data}}\n[{escape(title)}]"
                           "{.key-data-title}\n\n", body, count=1))


def render_brief(brief: Brief, writer: FactWriter, charts: list[Chart],
                 images: dict[str, Path], style: Style) -> tuple[Md, dict[str, Md]]:
    """Return the brief's Markdown with each live fact and exhibit written out and its
    key-data box titled, and the findings the brief writes itself (by id), taken out of the
    body for the fact pack.

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
    placed = {e.id: e for e in brief.meta.exhibits}
    marks += [(e.start, e.end, key_data(placed[e.id], writer, style)
               if is_table(placed[e.id]) else
               render_figure(by_id[chart_id(e.id)], images[chart_id(e.id)], style))
              for e in brief.exhibits]
    marks += view_marks(brief, style)
    findings = {}
    for finding in brief.findings:
        inside = [m for m in marks if finding.start <= m[0] < finding.end]
        marks = [m for m in marks if m not in inside]
        findings[finding.id] = Md(_apply(brief.body[finding.inner:finding.inner_end],
                                         [(a - finding.inner, b - finding.inner, text)
                                          for a, b, text in inside]).strip())
        marks.append((finding.start, finding.end, Md("")))
    # a live fact cites the record its case file holds; a source another file records too
    # is cited by the key the list knows it by (as in the rest of the briefing)
    aliases = writer.c.aliases
    body = key_data_titled(Md(_apply(brief.body, marks)), writer.c, style)
    return Md(canonical_citations(body, aliases)), {
        finding_id: Md(canonical_citations(text, aliases)) for finding_id, text in
        findings.items()}


def _apply(text: str, edits) -> Md:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return Md(text)


def key_data(exhibit, writer: FactWriter, style: Style) -> Md:
    """A key-data exhibit as a table: a row per fact, a column per company, each value worked
    out as a live fact is (as of the table's date) and cited in its cell."""
    from .tables import Cell, Table

    options = options_of(exhibit)
    c, t = writer.c, style.labels
    facts = [f for f in c.facts if not options.cases or f.id in options.cases]
    rows = []
    for row, exprs in key_data_rows(options, c):
        if isinstance(row, str):
            label = t(f"keydata.{row.partition('(')[0].lstrip('@')}")
        else:
            label = row.label
        cells = [Cell(label)]
        for f in facts:
            if f.id not in exprs:
                cells.append(Cell(t("none")))
                continue
            figure = evaluate(c, exprs[f.id], writer.groups)
            cells.append(Cell(Md(escape(writer.words(figure))), figure.cites,
                              figure.confidence))
        rows.append(tuple(cells))
    caption = exhibit.title
    if options.as_of:
        caption = t("keydata.caption", title=sentence(caption).rstrip("."),
                    date=style.date(options.as_of))
    header = ("", *(style.plain_name(f.case.name) for f in facts))
    table = Table(f"tbl-{exhibit.id}", caption, header, (3, *(2,) * len(facts)),
                  tuple(rows), side_by_side=True)
    return render_table(table, style)


def key_data_rows(options, c: Comparison):
    """Each row of a key-data exhibit with the live fact of each company it shows, by case
    id: what the table prints (and what `report check` works out first)."""
    from ..model.marks import Expr, Operand

    facts = [f for f in c.facts if not options.cases or f.id in options.cases]
    for row in options.rows:
        if isinstance(row, str):
            record, _, group = row.partition("(")
            operands = {f.id: Operand(f.id, record, None, group[:-1] or None) for f in facts}
        else:
            operands = {f.id: Operand(f.id, *_record_field(row.facts[f.id]))
                        for f in facts if f.id in row.facts}
        yield row, {case_id: Expr(None, (o,), as_of=options.as_of)
                    for case_id, o in operands.items()}


def _record_field(fact: str) -> tuple[str, str | None]:
    record, _, field = fact.partition(".")
    return record, field or None


VIEW_ATTRIBUTES = re.compile(r"\{[^{}\n]*\}")


def view_marks(brief: Brief, style: Style) -> list[tuple[int, int, Md]]:
    """The analyst's views set apart: a label with the likelihood ("Our view (likely):" in
    front of a block, "(our view: likely)" after a phrase), a class the print and page styles
    draw as a callout, and a Word style of their own. Only the view's fence or attribute
    block changes, so the live facts inside a view are written as everywhere else."""
    edits = []
    for view in brief.views:
        likelihood = style.labels(f"likelihood.{view.likelihood}")
        if view.block:
            label = style.labels("judgement.view", likelihood=likelihood)
            lead = Md(f"[{escape(label)}]{{.view-label}} ")
            fence_end = brief.body.index("\n", view.start)
            fence = brief.body[view.start:fence_end].split("{", 1)[0]
            edits.append((view.start, fence_end + 1, Md(
                f'{fence}{{.view likelihood="{view.likelihood}" '
                f'custom-style="Analyst View"}}\n{lead}')))
        else:
            attributes = [m for m in VIEW_ATTRIBUTES.finditer(brief.body, view.start, view.end)
                          if m.end() == view.end][-1]
            label = style.labels("judgement.view_inline", likelihood=likelihood)
            edits.append((attributes.start() - 1, attributes.end(), Md(
                f' [{escape(label)}]{{.view-label}}]{{.view likelihood="{view.likelihood}" '
                'custom-style="Analyst View Char"}')))
    return edits


SENTENCE_END = re.compile(r"[.!?;:]\s|\n\s*\n|\n\s*[-*+]\s|\n\s*\d+[.)]\s")


def _cited_again(body: str, fact, this, after, then) -> bool:
    """Whether the next live fact, in the same sentence, cites the same sources as sure: then
    this one is written bare and the citation follows the last ("CNY 1 from May 2024 [1, 2]",
    not "CNY 1 [1, 2] from May 2024 [1, 2]")."""
    if after is None or SENTENCE_END.search(body, fact.end, after.start):
        return False
    return this.cites == then.cites and this.confidence == then.confidence


def docx_abstract(c: Comparison, style: Style, brief: Brief | None,
                  part: str = "whole") -> Md:
    """The Word cover's text: the questions the briefing answers, its scope and disclaimer,
    and the key to its confidence marks (the PDF and HTML covers set these out themselves)."""
    t, meta = style.labels, brief.meta if brief else None
    blocks = []
    if part == "annex":
        blocks.append(escape(t("annex.about")))
    elif meta and meta.questions:
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


def short_title(c: Comparison, style: Style) -> str:
    """The running header: the companies compared."""
    t = style.labels
    names = [style.plain_name(case.name) for case in c.cases]
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
        plain_name=style.plain_name,
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
