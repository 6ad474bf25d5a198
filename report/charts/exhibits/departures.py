"""Departures: who left, by function, on the same time axis as the events around them."""

from __future__ import annotations

from ...compare import Comparison, cites
from ...escape import plain_label
from ...words.phrases import Phrases
from ...words.style import Style
from .. import Chart, Window, colours, day, layout
from ..timeline import short_whole, wrapped
from . import Labelled, annotated, dropped, sentence, shade
from . import Options as Common

KIND = "departures"
LINE_PX = 14  # one line of a 10-pixel event label
EVENT_BASE_PX = 6
RANK = 3


class Options(Common):
    annotate: Labelled = []

    def references(self, at, cases, hints):
        return super().references(at, cases, hints) + annotated(self.annotate, at, cases, hints)

    def warnings(self, c):
        return dropped(self, c, by_case=False)  # its events are labelled for every company


def draw(c, style, options: Options, frame):
    return departures_chart(c, style, frame.chart_id, frame.window, frame.case_ids,
                            {tuple(a.split(":", 1)) for a in options.annotate}, frame.shade,
                            frame.caption)


def departures_chart(c: Comparison, style: Style, chart_id: str, window: Window,
                     case_ids, labelled: set, periods, caption: str) -> Chart | None:
    """Who left, by function, on the same time axis as the strategy events that mark it."""
    import plotly.graph_objects as go

    t = style.labels
    chosen = [f for f in c.facts if case_ids is None or f.case.id in set(case_ids)]
    palette = dict(zip((f.case.id for f in c.facts), colours(len(c.facts))))
    gone = [(f, p) for f in chosen for p in f.departed
            if p.left is not None and window.holds(p.left.mid())]
    if not gone:
        return None
    functions = sorted({p.function.value if p.function else "other" for _, p in gone})
    fig = go.Figure()
    shade(fig, periods)
    spans = 0
    for f in chosen:
        mine = [p for g, p in gone if g is f]
        if not mine:
            continue
        # A date known only to its quarter, half or year is drawn mid-period; a bar shows
        # the whole period, so the marker does not claim a month nobody reported.
        vague = [p for p in mine if p.left.precision in ("quarter", "half", "year")]
        if vague:
            spans += 1
            xs, ys = [], []
            for p in vague:
                label = _axis_label(t(f"function.{p.function.value if p.function else 'other'}"))
                xs += [p.left.start().isoformat(), p.left.end().isoformat(), None]
                ys += [label, label, None]
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=spans == 1,
                name=plain_label(t("exhibit.span_legend")), legendgroup="spans",
                line={"color": palette[f.case.id], "width": 7}, opacity=0.25))
        for p in vague:  # named at the middle of its bar, with no cross: no day is known
            fig.add_trace(go.Scatter(
                x=[day(p.left)], y=[_axis_label(t(
                    f"function.{p.function.value if p.function else 'other'}"))],
                mode="text", text=[plain_label(style.plain_name(p.name))],
                textposition="top center", textfont={"size": 10}, showlegend=False,
                hovertext=[plain_label(_hover(style, p))], hoverinfo="text"))
        mine = [p for p in mine if p not in vague]
        if not mine:
            continue
        fig.add_trace(go.Scatter(
            x=[day(p.left) for p in mine],
            y=[_axis_label(t(f"function.{p.function.value if p.function else 'other'}"))
               for p in mine],
            mode="markers+text", name=plain_label(style.plain_name(f.case.name)),
            text=[plain_label(style.plain_name(p.name)) for p in mine], textposition="top center",
            textfont={"size": 10}, marker={"symbol": "x", "size": 12,
                                           "color": palette[f.case.id]},
            hovertext=[plain_label(_hover(style, p)) for p in mine],
            hoverinfo="text"))
    events = [i for i in c.timeline if (i.case_id, i.record.id) in labelled
              and window.holds(i.date.mid())]
    # The events stand above the plot, one above another (latest on top), each whole.
    above = 0
    for item in events:
        fig.add_vline(x=day(item.date), line={"color": "#777", "width": 1, "dash": "dot"})
        lines = wrapped(_event_text(c, style, item), 60)
        fig.add_annotation(x=day(item.date), y=1, yref="paper", yshift=EVENT_BASE_PX
                           + above * LINE_PX, yanchor="bottom",
                           text="<br>".join(plain_label(line) for line in lines),
                           showarrow=False, font={"size": 10, "color": "#333"},
                           xanchor="left", align="left", bgcolor="rgba(255,255,255,0.85)")
        above += len(lines) + 0.4
    undated = sum(1 for f in chosen for p in f.departed if p.left is None)
    top = 30 + round(above * LINE_PX)
    height = 140 + 55 * len(functions) + top
    layout(fig, height, margin={"l": 10, "r": 10, "t": top, "b": 10})
    fig.update_xaxes(type="date", range=window.axis())
    fig.update_yaxes(categoryorder="array", type="category",
                     categoryarray=[_axis_label(t(f"function.{n}")) for n in reversed(functions)])
    keys = tuple(dict.fromkeys(k for f, p in gone for k in cites(f.case, p)))
    keys += tuple(k for i in events for k in cites(c.by_id(i.case_id).case, i.record)
                  if k not in keys)
    if undated:
        caption = sentence(caption) + " " + t("exhibit.undated", n=undated)
    return Chart(chart_id, caption, t("exhibit.departures_alt", n=len(gone),
                                      functions=len(functions)), keys, fig, height)


def _axis_label(text: str) -> str:
    """A catalogue word as an axis label starts with a capital ("Pre-training")."""
    return text[:1].upper() + text[1:]


def _axis_label(text: str) -> str:
    """A catalogue word as an axis label starts with a capital ("Pre-training")."""
    return text[:1].upper() + text[1:]


def _event_text(c: Comparison, style: Style, item) -> str:
    return f"{style.date(item.date)}: {short_whole(Phrases(c, style).happening(item))}"


def _hover(style: Style, p) -> str:
    return (f"{style.plain_name(p.name)}, {p.role}: {style.date(p.left)}"
            + (f" → {p.went_to}" if p.went_to else ""))
