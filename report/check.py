"""Everything `report check` checks, in one run.

The loading stage reads the inputs and checks what each names (report/load); the exhibits'
settings are checked by their kinds (report/charts/exhibits), and the brief's body as pandoc
reads it by the rendering stage (report/render/brief.py). What only the comparison can tell
is checked here: a live fact that cannot be worked out, or has no value; values of
different moments or a bound set side by side as if they compared; a cause or verdict stated
with no source and not marked as the analyst's view; an exhibit that drops an event it was
asked to label, or draws a price as ending where its evidence stops, a key-data row that
cannot be worked out, a chart too tall to draw; the brief as the build writes it out; a case
file the brief leaves out. `build`, `watch` and `preview` check the same way before they
render: whatever a build would refuse, check refuses first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from pathlib import Path

from .charts import Chart, build_charts, image_paths
from .charts.exhibits import CHECKS, is_table, options_of
from .charts.export import chart_size_problems
from .compare import Comparison, compare
from .compare.figures import (
    COUNT,
    MONEY,
    PRICE,
    Figure,
    Incomparable,
    comparison_warnings,
    evaluate,
    far_apart,
)
from .compose import Briefing
from .errors import InputError, Problem, display_path
from .load import Inputs, citation_keys, load_inputs
from .load.brief import Brief, FactRef
from .load.files import InputFiles
from .render.brief import MARKDOWN, composed_problems
from .words.labels import Labels
from .words.style import Style


@dataclass(frozen=True)
class WorkedOut:
    """What checking worked out on the way, for a build of the same inputs to start from:
    the comparison on the build's date and the charts (built, not drawn)."""

    build_date: dt.date
    comparison: Comparison
    charts: tuple[Chart, ...]
    briefing: Briefing | None = None  # composed (with a brief whose written-out form passed)


def checked_inputs(cases_dir: Path, brief: Path | None = None, strict: bool = False,
                   files: InputFiles | None = None, build_date: dt.date | None = None) -> Inputs:
    """Return the inputs with every check `report check` makes; raise InputError listing
    every problem. Warnings are problems under `strict`."""
    inputs = load_inputs(cases_dir, brief, False, files, exhibits=CHECKS, markdown=MARKDOWN)
    problems: list[Problem] = []
    warnings = list(inputs.warnings)
    day = build_date or dt.datetime.now(dt.timezone.utc).date()
    comparison = compare(inputs.cases, day, inputs.rates, inputs.currency,
                         tuple(inputs.claims.sources) if inputs.claims else ())
    style = Style()
    if inputs.brief is not None:
        found, noted = brief_checks(inputs.brief, comparison)
        problems += found
        warnings += noted
    charts = build_charts(comparison, style, inputs.brief.meta.exhibits if inputs.brief else ())
    problems += chart_size_problems(charts, display_path(cases_dir))
    briefing = None
    if inputs.brief is not None and not problems:
        briefing, found = written_out(inputs, comparison, charts, style)
        problems += found
    if strict:
        problems += warnings
        warnings = []
    if problems:
        raise InputError(sorted(problems))
    return replace(inputs, warnings=tuple(sorted(warnings)), notes=tuple(_cases_left_out(inputs)),
                   worked_out=WorkedOut(day, comparison, tuple(charts), briefing))


def brief_checks(brief: Brief, c: Comparison) -> tuple[list[Problem], list[Problem]]:
    """Problems (a mark that cannot be worked out) and warnings (an unfair or empty one, a
    cause stated as fact, an exhibit that drops what it was asked to show)."""
    problems, warnings = [], []
    values: dict[FactRef, Figure] = {}
    for ref in brief.facts:
        try:
            figure = evaluate(c, ref.expr, brief.meta.groups)
        except Incomparable as why:
            problems.append(_at(brief, ref, str(why)))
            continue
        values[ref] = figure
        if figure.empty:
            warnings.append(_at(brief, ref, _empty(ref, figure)))
        warnings += [_at(brief, ref, w) for w in comparison_warnings(ref.expr, figure)]
    problems += _key_data_problems(brief, c)
    sentences = brief.sentences()
    warnings += _sentences_compare_fairly(brief, sentences, values)
    warnings += _causes_are_cited_or_views(brief, sentences)
    for i, exhibit in enumerate(brief.meta.exhibits):
        warnings += [brief.doc.at(("exhibits", i, *loc), message)
                     for loc, message in options_of(exhibit).warnings(c)]
    return problems, warnings


def _key_data_problems(brief: Brief, c: Comparison) -> list[Problem]:
    """A key-data table's value that cannot be worked out (a record not yet there on the
    table's `as_of` day), at its row of the front matter: the build would stop on it."""
    from .compose import key_data_rows

    problems = []
    for i, exhibit in enumerate(brief.meta.exhibits):
        if not is_table(exhibit):
            continue
        for j, (row, exprs) in enumerate(key_data_rows(options_of(exhibit), c)):
            for case_id, expr in exprs.items():
                try:
                    evaluate(c, expr, brief.meta.groups)
                except Incomparable as why:
                    where = ("exhibits", i, "rows", j) + (() if isinstance(row, str) else
                                                          ("facts", case_id))
                    problems.append(brief.doc.at(where, str(why)))
    return problems


def written_out(inputs: Inputs, c: Comparison, charts,
                style: Style) -> tuple[Briefing | None, list[Problem]]:
    """The briefing composed as the build composes it, and the problems with the brief as
    it is written out there (its live facts and exhibits in place, beside the briefing's
    own sections): render.brief.composed_problems."""
    from .compose import compose, render_brief
    from .compose.livefacts import FactWriter
    from .compose.tables import Tables
    from .model.claims import verdicts_by_fact

    brief = inputs.brief
    images = image_paths(charts, Path("figures"))  # the Markdown names an image, no folder
    writer = FactWriter(c, Tables(c, style, verdicts_by_fact(inputs.claims)), brief.meta.groups)
    try:
        briefing = compose(c, charts, images, style, brief, inputs.claims)
        body, findings = render_brief(brief, writer, charts, images, style)
    except Incomparable as why:  # each mark was worked out above: a bug if it comes here
        return None, [Problem(brief.shown, brief.body_line, 1, "",
                              f"cannot be written out: {why}")]
    rest = briefing.markdown.replace(body.strip(), "", 1)
    for finding in findings.values():
        rest = rest.replace(finding, "", 1)
    own = frozenset(re.findall(r"\{#([^\s}]+)", rest))  # the ids of the briefing's own parts
    tables = {f"tbl-{e.id}" for e in brief.meta.exhibits if is_table(e)}
    problems = composed_problems(brief, body, findings, citation_keys(inputs),
                                 {path.name for path in images.values()}, tables, own)
    return (None if problems else briefing), problems


def _at(brief: Brief, ref: FactRef, message: str) -> Problem:
    return Problem(brief.shown, ref.line, ref.column, "", f"[[{ref.text}]]: {message}")


def _empty(ref: FactRef, figure: Figure) -> str:
    what = f"@{ref.left.record[1:]}" if ref.left.derived else \
        f"{ref.left.record}.{figure.field or ref.left.field}"
    when = f" as of {ref.expr.as_of}" if ref.expr.as_of else ""
    return (f"{ref.left.case} has no value for {what}{when}: it would print as a dash; give "
            "the case file the value, or take the fact out")


def _sentences_compare_fairly(brief: Brief, sentences, values: dict) -> list[Problem]:
    """In one sentence, values of one measure from different companies should be of one
    moment (or show their dates), and a bound should not stand beside a whole figure."""
    found = []
    for sentence in sentences:
        inside = [(ref, f) for ref, f in values.items()
                  if sentence.start <= ref.start < sentence.end and f.op is None
                  and f.measure in (MONEY, PRICE, COUNT) and not f.empty]
        for measure in (MONEY, PRICE, COUNT):
            same = [(ref, f) for ref, f in inside if f.measure == measure]
            if len({f.case_id for _, f in same}) < 2:
                continue
            first = same[0][0]
            if not any(ref.expr.dated for ref, _ in same):
                found += [_at(brief, first, "this sentence " + w) for w in far_apart(
                    [(f"[[{ref.text}]]", f) for ref, f in same])]
            bounds = [(ref, f) for ref, f in same if f.bound]
            whole = [(ref, f) for ref, f in same if not f.bound]
            if bounds and whole:
                (b, bf), (w, _) = bounds[0], whole[0]
                kind = "a range" if bf.bound == "range" else "only a bound"
                found.append(_at(brief, first, (
                    f"this sentence sets [[{b.text}]], {kind}, beside [[{w.text}]], a whole "
                    "figure; say what each is, or compare like with like")))
    return found


def _causes_are_cited_or_views(brief: Brief, sentences) -> list[Problem]:
    """A sentence that asserts a cause or a verdict needs a source, or the analyst's view
    mark (with a likelihood)."""
    words = Labels().data["judgement"]["causal"]
    pattern = re.compile(r"\b(" + "|".join(re.escape(w) for w in words) + r")\b", re.I)
    cited = [m.start() for m in re.finditer(r"\[[^\[\]]*@[^\[\]]*\]", brief.body)]
    found = []
    for sentence in sentences:
        if sentence.heading:
            continue
        text = brief.body[sentence.start:sentence.end]
        said = pattern.search(_without_marks(text))
        if not said:
            continue
        if any(sentence.start <= c < sentence.end for c in cited):
            continue
        if any(v.start <= sentence.start < v.end or sentence.start <= v.start < sentence.end
               for v in brief.views):
            continue
        shown = " ".join(text.split())
        shown = shown if len(shown) <= 70 else shown[:69] + "…"
        found.append(Problem(brief.shown, sentence.line, sentence.column, "", (
            f"'{shown}' asserts a cause or a verdict ('{said.group(1)}') with no source: cite "
            "it [@case:source-id], or mark it as your view: [the sentence]{.view "
            "likelihood=\"likely\"} (or a ::: {.view likelihood=…} block)")))
    return found


def _without_marks(text: str) -> str:
    return re.sub(r"\[\[[^\]]*\]\]|\{[^{}]*\}", " ", text)


def _cases_left_out(inputs: Inputs) -> list[Problem]:
    """A case file the brief does not compare is named once, as a note (not a warning: a
    folder may hold more cases than one brief compares)."""
    if inputs.brief is None or inputs.brief.meta is None:
        return []
    compared = set(inputs.brief.meta.cases)
    return [Problem(display_path(cf.path), 0, 0, "", (
        f"the brief does not compare this case ({cf.case.id}); add it to the front matter's "
        "`cases:`, or move the file out of the cases folder"))
        for cf in inputs.case_files if cf.case.id not in compared]
