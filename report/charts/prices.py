"""Prices on one axis in one currency: each company's lowest list price over time.

A line runs only as far as its evidence: from a price's start to its end, the next price of
the same model, or else only the day it was seen. A price known only from the day it was seen
on a page is drawn from that day with an open marker.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable

from ..compare import CaseFacts, Comparison, PriceStep, cites
from ..compare.registers import price_steps
from ..words.style import Style
from . import Chart, Window, colours, layout, plain_label

KINDS = (("input", "solid"), ("output", "dot"))


def price_chart(c: Comparison, style: Style, *, chart_id: str = "fig-prices",
                window: Window | None = None, case_ids: Iterable[str] | None = None,
                kinds: tuple[str, ...] = ("input", "output"),
                points: set[tuple[str, str]] | None = None,
                caption: str | None = None) -> Chart | None:
    """Draw each company's lowest list price over time, or, with `points`, the lowest of
    the price points chosen (case id, point id), whatever their tier."""
    import plotly.graph_objects as go

    t = style.labels
    chosen = [f for f in c.facts if case_ids is None or f.case.id in set(case_ids)]
    palette = dict(zip((f.case.id for f in c.facts), colours(len(c.facts))))
    fig = go.Figure()
    drawn: list[tuple[CaseFacts, PriceStep]] = []
    seen_any = False
    for f in chosen:
        for kind, dash in KINDS:
            if kind not in kinds:
                continue
            if points is None:
                steps = f.input_steps if kind == "input" else f.output_steps
            else:
                picked = [p for p in f.case.pricing if (f.case.id, p.id) in points]
                steps = price_steps(picked, kind, c.converter, c.currency)
            steps = [s for s in steps
                     if window is None or (s.end >= window.start and s.start <= window.end)]
            if not steps:
                continue
            drawn += [(f, s) for s in steps]
            xs, ys, hover = _step_line(steps, style, style.plain_name(f.case.name),
                                       t(f"chart.prices.{kind}"))
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines", line_shape="hv", connectgaps=False,
                line={"color": palette[f.case.id], "dash": dash, "width": 2.5},
                name=plain_label(t("chart.prices.series", company=style.plain_name(f.case.name),
                                   kind=t(f"chart.prices.{kind}"))),
                text=hover, hovertemplate="%{text}<extra></extra>"))
            if points is not None and kind == kinds[0]:
                _name_models(fig, f, steps, palette[f.case.id])
            seen = [s for s in steps if s.point.only_seen]
            starts = [s for s in steps if not s.point.only_seen]
            for group, symbol in ((starts, "circle"), (seen, "circle-open")):
                if not group:
                    continue
                seen_any = seen_any or symbol == "circle-open"
                fig.add_trace(go.Scatter(
                    x=[s.start.isoformat() for s in group], y=[s.value.value for s in group],
                    mode="markers", showlegend=False,
                    marker={"symbol": symbol, "size": 8, "color": palette[f.case.id],
                            "line": {"width": 2, "color": palette[f.case.id]}},
                    text=[_hover(s, style, style.plain_name(f.case.name)) for s in group],
                    hovertemplate="%{text}<extra></extra>"))
    if not drawn:
        return None
    if seen_any:  # a legend entry that explains the open marker
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=plain_label(
            t("chart.prices.seen_legend")), marker={"symbol": "circle-open", "size": 8,
                                                    "color": "#555"}))
    height = 440
    layout(fig, height)
    values = [s.value.value for _, s in drawn]
    ticks = [m * 10.0 ** e for e in range(-4, 6) for m in (1, 2, 5)
             if min(values) / 2.5 <= m * 10.0 ** e <= max(values) * 2.5]
    fig.update_yaxes(type="log", title_text=plain_label(t("chart.prices.axis",
                                                          currency=c.currency)),
                     tickvals=ticks, ticktext=[f"{x:g}" for x in ticks], minor={"showgrid": False})
    xaxis = {"type": "date"}
    if window is not None:
        xaxis["range"] = window.axis()
    fig.update_xaxes(**xaxis)
    keys = tuple(dict.fromkeys(k for f, s in drawn for k in
                               (*cites(f.case, s.point), *c.converter.cites(s.value))))
    rates = sorted({s.value.rate.id for _, s in drawn if s.value.rate is not None})
    default_caption = t("chart.prices.caption", currency=c.currency) + (
        " " + t("chart.prices.converted") if rates else "") + (
        " " + t("chart.prices.seen_note") if seen_any else "")
    if points is None:
        alt = t("chart.prices.alt", currency=c.currency,
                names=t("list.join").join(style.plain_name(f.case.name) for f in chosen))
    else:  # say what this exhibit chose, not what the fact pack's chart shows
        alt = t("chart.prices.chosen_alt", currency=c.currency,
                kinds=t("list.join").join(t(f"chart.prices.{k}") for k in kinds),
                models=t("list.join").join(dict.fromkeys(s.point.model for _, s in drawn)),
                start=style.date(max(min(s.start for _, s in drawn),
                                     window.start if window else dt.date.min)),
                end=style.date(min(max(s.end for _, s in drawn),
                                   window.end if window else dt.date.max)))
    return Chart(chart_id, caption or default_caption, alt, keys, fig, height)


def _name_models(fig, f: CaseFacts, steps: list[PriceStep], colour: str) -> None:
    """Name the model where an exhibit's line starts and where it moves to another model
    (one model, then its successor), so the line says whose price it is."""
    names = {r.id: r.name.split(" (")[0] for r in f.case.releases}
    previous = None
    for step in steps:
        model = names.get(step.point.release or "", step.point.model.split(" (")[0])
        if model != previous:
            fig.add_annotation(x=step.start.isoformat(), y=math.log10(step.value.value),
                               text=plain_label(model), showarrow=False, xanchor="left",
                               yanchor="bottom", yshift=5, font={"size": 10, "color": colour})
        previous = model


def _step_line(steps: list[PriceStep], style: Style, company: str, kind: str):
    """Return x, y and hover text of a step line that breaks where the evidence stops."""
    xs: list[str | None] = []
    ys: list[float | None] = []
    hover: list[str] = []
    for k, s in enumerate(steps):
        if k and steps[k - 1].end + dt.timedelta(days=1) < s.start:
            xs.append(None)
            ys.append(None)
            hover.append("")
        end = s.end if s.end > s.start else s.start + dt.timedelta(days=1)
        for when in (s.start, end):
            xs.append(when.isoformat())
            ys.append(s.value.value)
            hover.append(_hover(s, style, company))
    return xs, ys, hover


def _hover(s: PriceStep, style: Style, company: str) -> str:
    p = s.point
    native = style.price(s.value.original, s.value.original_currency)
    return plain_label(f"{company}: {p.model}, {native} ({style.date(p.start)})")
