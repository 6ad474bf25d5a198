"""Prices: chosen price points (or each company's lowest list price) in one currency."""

from __future__ import annotations

from dataclasses import replace
from typing import Literal

from pydantic import Field

from ..prices import price_chart
from . import Labelled, sentence, shade
from . import Options as Common

KIND = "prices"
RANK = 2


class Options(Common):
    kinds: list[Literal["input", "output"]] = Field(["input"], max_length=2)
    prices: Labelled = Field([], description="price points to draw (case:id); default each "
                                             "company's lowest list price")

    def references(self, at, cases, hints):
        from ...load.yamlfile import did_you_mean

        problems = super().references(at, cases, hints)
        for j, target in enumerate(self.prices):
            case_id, record_id = target.split(":", 1)
            case = cases.get(case_id)
            points = {p.id for p in case.pricing} if case else set()
            if record_id not in points:
                problems.append(at(("prices", j), (
                    f"no price point has the id '{target}'"
                    f"{did_you_mean(record_id if case else case_id, points or cases)}")))
        return problems


    def warnings(self, c):
        """A chosen price with no end and no later sighting can be drawn on its first day
        only: the line would stop there, as if the price had ended."""
        from ...compare.registers import price_span

        found = []
        for j, target in enumerate(self.prices):
            case_id, record_id = target.split(":", 1)
            case = c.by_id(case_id).case if case_id in {f.id for f in c.facts} else None
            point = next((p for p in case.pricing if p.id == record_id), None) if case else None
            if point is None:
                continue
            same = [q for q in case.pricing if q.model == point.model
                    and q.currency == point.currency]
            start, end = price_span(point, same)
            if start == end:
                found.append((("prices", j), (
                    f"'{target}' has no end (`until`) and no later sighting (`last_seen`, or a "
                    "later price of the same model): it is drawn on its first day only, as if "
                    "it ended there")))
        return found


def draw(c, style, options: Options, frame):
    chosen = {tuple(p.split(":", 1)) for p in options.prices} or None
    chart = price_chart(c, style, chart_id=frame.chart_id, window=frame.window,
                        case_ids=frame.case_ids, kinds=tuple(options.kinds), points=chosen,
                        caption=frame.caption)
    if chart is None:
        return None
    shade(chart.figure, frame.shade)
    note = "exhibit.chosen_prices_note" if chosen else "exhibit.prices_note"
    return replace(chart, caption=sentence(frame.caption) + " " + style.labels(
        note, currency=c.currency))
