"""A chronology: the chosen companies' events in a window, key ones labelled, periods shaded."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ...model import Category
from ..timeline import timeline_chart
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
    return timeline_chart(c, style, chart_id=frame.chart_id, window=frame.window,
                          case_ids=frame.case_ids,
                          labelled={tuple(a.split(":", 1)) for a in options.annotate},
                          shade=frame.shade, caption=frame.caption,
                          categories={Category(x) for x in options.categories} or None)
