"""The brief's exhibits: charts with a takeaway title and the settings that answer a question
(a time window, events to annotate, periods to shade, which companies)."""

from __future__ import annotations

from dataclasses import replace

from ..compare import Comparison, cites
from ..load.brief import Exhibit
from ..model import Category
from ..words.style import Style
from . import Chart, Window, colours, day, layout, period_compared, plain_label
from .prices import price_chart
from .timeline import timeline_chart


def exhibit_chart(c: Comparison, style: Style, exhibit: Exhibit) -> Chart:
    """Return the chart an exhibit asks for; an exhibit with nothing to show is an empty
    chart that says so, never a missing figure."""
    chart_id = f"fig-exhibit-{exhibit.id}"
    window = Window(exhibit.window.start.start(), exhibit.window.until.end()) \
        if exhibit.window else period_compared(c)
    case_ids = exhibit.cases or None
    labelled = {tuple(a.split(":", 1)) for a in exhibit.annotate}
    shade = [(s.start.start(), s.until.end(), s.label) for s in exhibit.shade]
    caption = _sentence(exhibit.title) + (f" {exhibit.note}" if exhibit.note else "")
    if exhibit.chart == "chronology":
        chart = timeline_chart(c, style, chart_id=chart_id, window=window, case_ids=case_ids,
                               labelled=labelled, shade=shade, caption=caption,
                               categories={Category(x) for x in exhibit.categories} or None)
    elif exhibit.chart == "prices":
        chosen = {tuple(p.split(":", 1)) for p in exhibit.prices} or None
        chart = price_chart(c, style, chart_id=chart_id, window=window, case_ids=case_ids,
                            kinds=tuple(exhibit.kinds), points=chosen, caption=caption)
        if chart is not None:
            _shade(chart.figure, shade)
            note = "exhibit.chosen_prices_note" if chosen else "exhibit.prices_note"
            chart = replace(chart, caption=_sentence(caption) + " " + style.labels(
                note, currency=c.currency))
    else:
        chart = departures_chart(c, style, chart_id, window, case_ids, labelled, shade, caption)
    if chart is None:
        return _empty(chart_id, caption, style)
    return chart


def departures_chart(c: Comparison, style: Style, chart_id: str, window: Window,
                     case_ids, labelled: set, shade, caption: str) -> Chart | None:
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
    _shade(fig, shade)
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
        fig.add_trace(go.Scatter(
            x=[day(p.left) for p in mine],
            y=[_axis_label(t(f"function.{p.function.value if p.function else 'other'}"))
               for p in mine],
            mode="markers+text", name=plain_label(f.case.name.en),
            text=[plain_label(p.name.en) for p in mine], textposition="top center",
            textfont={"size": 10}, marker={"symbol": "x", "size": 12,
                                           "color": palette[f.case.id]},
            hovertext=[plain_label(f"{p.name.en}, {p.role}: {style.date(p.left)}"
                                   + (f" → {p.went_to}" if p.went_to else "")) for p in mine],
            hoverinfo="text"))
    events = [i for i in c.timeline if (i.case_id, i.record.id) in labelled
              and window.holds(i.date.mid())]
    for k, item in enumerate(events):
        fig.add_vline(x=day(item.date), line={"color": "#777", "width": 1, "dash": "dot"})
        fig.add_annotation(x=day(item.date), y=1.03 + 0.075 * (k % 3), yref="paper",
                           text=plain_label(_event_text(c, style, item), 40),
                           showarrow=False, font={"size": 10, "color": "#333"},
                           xanchor="left", bgcolor="rgba(255,255,255,0.85)")
    undated = sum(1 for f in chosen for p in f.departed if p.left is None)
    height = 230 + 55 * len(functions)
    layout(fig, height, margin={"l": 10, "r": 10, "t": 90, "b": 10})
    fig.update_xaxes(type="date", range=window.axis())
    fig.update_yaxes(categoryorder="array", type="category",
                     categoryarray=[_axis_label(t(f"function.{n}")) for n in reversed(functions)])
    keys = tuple(dict.fromkeys(k for f, p in gone for k in cites(f.case, p)))
    keys += tuple(k for i in events for k in cites(c.by_id(i.case_id).case, i.record)
                  if k not in keys)
    if undated:
        caption = _sentence(caption) + " " + t("exhibit.undated", n=undated)
    return Chart(chart_id, caption, t("exhibit.departures_alt", n=len(gone),
                                      functions=len(functions)), keys, fig, height)


def _axis_label(text: str) -> str:
    """A catalogue word as an axis label starts with a capital ("Pre-training")."""
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text[-1:] in ".!?。" else text + "."


def _event_text(c: Comparison, style: Style, item) -> str:
    from ..compose.tables import Tables

    return f"{style.date(item.date)}: {Tables(c, style).happening(item)}"



def _shade(fig, shade) -> None:
    """Shade periods, each labelled at its foot (the top is kept for event labels)."""
    for start, end, label in shade:
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
