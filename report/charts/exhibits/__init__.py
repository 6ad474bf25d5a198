"""The brief's exhibits: charts with a takeaway title and the settings that answer a question.

A registry: each module of this package is one kind of exhibit (`chart:` in the front
matter) and declares its name (`KIND`), where it stands when the kinds are listed (`RANK`),
the settings it takes (`Options`, a pydantic model) and how it is drawn (`draw`, which
imports plotly itself, so reading this registry stays light). Adding a kind is adding a
module here (and its test); nothing else names the kinds.

The loading stage does not know the kinds: report/check.py hands it `CHECKS`, which check
each exhibit's settings (with the brief's file:line:col) and the ids they name; each kind's
`Options.warnings` says what the exhibit would leave out or draw beyond its evidence.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Callable

from pydantic import Field, ValidationError

from ...errors import Problem
from ...escape import plain_label
from ...load.brief import Brief
from ...load.yamlfile import Doc, Loc, validate
from ...model.base import Slug, Strict
from ...model.brief import MAX_LABELLED, MAX_SHADED, Exhibit, RecordKey, Shade
from ...model.brief import Window as Period
from .. import Chart, Window, layout, period_compared

if TYPE_CHECKING:
    from ...compare import Comparison
    from ...words.style import Style

# A problem at a place inside this exhibit's mapping (("cases", 1) …), and the message.
At = Callable[[Loc, str], Problem]


def chart_id(exhibit_id: str) -> str:
    """The id of an exhibit's figure (and the stem of its image's name)."""
    return f"fig-exhibit-{exhibit_id}"


@cache
def kinds() -> dict[str, ModuleType]:
    """Every kind of exhibit by name, in the order the analyst is told them."""
    found = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(
        __path__)]
    return {m.KIND: m for m in sorted((m for m in found if hasattr(m, "KIND")),
                                      key=lambda m: (m.RANK, m.KIND))}


class Options(Strict):
    """The settings every kind takes: the stretch of time, the companies, periods to shade."""

    window: Period | None = None
    cases: Annotated[list[Slug], Field(max_length=MAX_LABELLED)] = []
    shade: Annotated[list[Shade], Field(max_length=MAX_SHADED)] = []

    def references(self, at: At, cases: dict, hints) -> list[Problem]:
        """Problems with the ids these settings name; each kind adds its own."""
        return [at(("cases", j), f"no case file has the id '{name}'{hints.case(name)}")
                for j, name in enumerate(self.cases) if name not in cases]

    def warnings(self, c: Comparison) -> list[tuple[Loc, str]]:
        """What the exhibit would leave out or draw beyond its evidence, at the place in its
        settings that asks for it; each kind adds its own."""
        return []

    def frame_window(self, c: Comparison) -> Window:
        if self.window:
            return Window(self.window.start.start(), self.window.until.end())
        return period_compared(c)


def dropped(options: Options, c: Comparison, categories=None,
            by_case: bool = True) -> list[tuple[Loc, str]]:
    """Why an event the exhibit is asked to label (`annotate`) would not be drawn: a company
    not shown, no dated happening, outside the window, or of a category not shown."""
    window = options.frame_window(c)
    found = []
    for j, target in enumerate(getattr(options, "annotate", [])):
        case_id, record_id = target.split(":", 1)
        items = [i for i in c.timeline if (i.case_id, i.record.id) == (case_id, record_id)]
        if by_case and options.cases and case_id not in options.cases:
            why = f"the exhibit shows only {', '.join(options.cases)}"
        elif not items:
            why = "it is no dated event the timeline draws (a person joining, a price seen, " \
                  "a record without a date)"
        elif not any(window.holds(i.date.mid()) for i in items):
            when = ", ".join(dict.fromkeys(str(i.date) for i in items))
            why = (f"it is dated {when}, outside the exhibit's window ({window.start.isoformat()}"
                   f" to {window.end.isoformat()})")
        elif categories and not any(i.category.value in categories for i in items):
            kinds = ", ".join(dict.fromkeys(i.category.value for i in items))
            why = f"it is a {kinds} event and the exhibit shows only {', '.join(categories)}"
        else:
            continue
        found.append((("annotate", j), f"'{target}' will not be labelled: {why}"))
    return found


def annotated(annotate: list[str], at: At, cases: dict, hints) -> list[Problem]:
    """Problems with the events an exhibit labels (`annotate`: case:record ids)."""
    problems = []
    for j, target in enumerate(annotate):
        case_id, record_id = target.split(":", 1)
        case = cases.get(case_id)
        if case is None or record_id not in case.records():
            problems.append(at(("annotate", j), (
                f"nothing has the id '{target}'"
                f"{hints.record(case, record_id) if case else hints.case(case_id)}")))
    return problems


class Checks:
    """The charts stage's checks of a brief's exhibits, run by the loading stage."""

    def options(self, doc: Doc, index: int, exhibit: dict) -> list[Problem]:
        if "chart" not in exhibit:  # the front matter's model says it is missing
            return []
        name = exhibit["chart"]
        kind = kinds().get(name) if isinstance(name, str) else None
        if kind is None:
            named = [f"'{k}'" for k in kinds()]
            listed = " or ".join([", ".join(named[:-1]), named[-1]] if len(named) > 1
                                 else named)
            return [doc.at(("exhibits", index, "chart"), f"input should be {listed}")]
        settings = {k: v for k, v in exhibit.items() if k not in Exhibit.model_fields}
        _, problems = validate(kind.Options, doc, settings, at=("exhibits", index))
        return problems

    def references(self, brief: Brief, index: int, cases: dict, hints) -> list[Problem]:
        exhibit = brief.meta.exhibits[index]
        try:
            options = options_of(exhibit)
        except (KeyError, ValidationError):  # its kind or settings: already a problem
            return []
        return options.references(
            lambda loc, message: brief.doc.at(("exhibits", index, *loc), message), cases,
            hints)


CHECKS = Checks()


def options_of(exhibit: Exhibit) -> Options:
    return kinds()[exhibit.chart].Options.model_validate(exhibit.settings)


@dataclass(frozen=True)
class Frame:
    """What every kind of exhibit is drawn in: its id, caption, time window, the companies
    chosen (None: all) and the periods shaded."""

    chart_id: str
    caption: str
    window: Window
    case_ids: list[str] | None
    shade: list[tuple]


def is_table(exhibit: Exhibit) -> bool:
    """Whether the exhibit is a table (composing writes it) rather than a chart."""
    return getattr(kinds()[exhibit.chart], "TABLE", False)


def exhibit_chart(c: Comparison, style: Style, exhibit: Exhibit) -> Chart:
    """Return the chart an exhibit asks for; an exhibit with nothing to show is an empty
    chart that says so, never a missing figure."""
    options = options_of(exhibit)
    frame = Frame(
        chart_id(exhibit.id),
        sentence(exhibit.title) + (f" {exhibit.note}" if exhibit.note else ""),
        Window(options.window.start.start(), options.window.until.end()) if options.window
        else period_compared(c),
        options.cases or None,
        [(s.start.start(), s.until.end(), s.label) for s in options.shade])
    chart = kinds()[exhibit.chart].draw(c, style, options, frame)
    return chart if chart is not None else _empty(frame.chart_id, frame.caption, style)


def sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?。" else text + "."


def shade(fig, periods) -> None:
    """Shade periods, each labelled at its foot (the top is kept for event labels)."""
    for start, end, label in periods:
        fig.add_vrect(x0=start.isoformat(), x1=end.isoformat(), fillcolor="#888",
                      opacity=0.13, line_width=0, layer="below",
                      annotation_text=plain_label(label, 60), annotation_position="bottom left",
                      annotation_font={"size": 11, "color": "#444"})


def _empty(chart_id: str, caption: str, style: Style) -> Chart:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_annotation(text=plain_label(style.labels("exhibit.empty")), showarrow=False,
                       x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    layout(fig, 200)
    return Chart(chart_id, caption, style.labels("exhibit.empty"), (), fig, 200)


# A list of labels, price points or events an exhibit draws: each is drawn, so few.
Labelled = Annotated[list[RecordKey], Field(max_length=MAX_LABELLED)]

__all__ = ["CHECKS", "Labelled", "Options", "RecordKey", "chart_id", "exhibit_chart", "kinds"]
