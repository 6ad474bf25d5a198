"""A chronology: the chosen companies' events in a window, key ones labelled, periods shaded."""

from __future__ import annotations

import dataclasses
from typing import Literal

from pydantic import Field

from ...model import Category
from ..timeline import timeline_chart, words_cites
from . import Labelled, annotated, dropped
from . import Options as Common

KIND = "chronology"
RANK = 1


class Options(Common):
    annotate: Labelled = []
    categories: list[Literal["model", "funding", "strategy", "people", "pricing",
                             "partnership", "product"]] = Field([], max_length=7)

    def references(self, at, cases, hints):
        return super().references(at, cases, hints) + annotated(self.annotate, at, cases, hints)

    def warnings(self, c):
        return dropped(self, c, self.categories)


def draw(c, style, options: Options, frame):
    labelled = {tuple(a.split(":", 1)) for a in options.annotate}
    chart = timeline_chart(c, style, chart_id=frame.chart_id, window=frame.window,
                           case_ids=frame.case_ids, labelled=labelled,
                           shade=frame.shade, caption=frame.caption,
                           categories={Category(x) for x in options.categories} or None)
    if chart is None or not labelled:
        return chart
    # The source line cites the events the chart names; the many it only marks are cited
    # in the fact pack's timeline, so a short briefing's source list stays short.
    named = tuple(dict.fromkeys(k for i in c.timeline if (i.case_id, i.record.id) in labelled
                                for k in words_cites(c, i)))
    return dataclasses.replace(chart, cites=named,
                               sources_note=style.labels("exhibit.others_cited"))
