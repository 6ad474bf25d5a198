"""The timeline: one lane per company over the period compared, key events labelled on the
chart, every other event a marker with its text on hover (in the HTML)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..compare import Comparison, TimelineItem
from ..model import Category
from ..words.phrases import Phrases
from ..words.style import Style
from . import Chart, Window, day, layout, period_compared, plain_label

CATEGORY_STYLE = {  # symbol and colour: a marker reads by shape even in greyscale
    Category.model: ("circle", "#0072B2"), Category.funding: ("diamond", "#E69F00"),
    Category.strategy: ("square", "#D55E00"), Category.people: ("x", "#222222"),
    Category.pricing: ("triangle-up", "#009E73"), Category.partnership: ("star", "#CC79A7"),
    Category.product: ("hexagon", "#56B4E9"),
}
LABEL_CHARS = 30  # a label longer than this wraps at a word onto a further line, never cut
CHAR_PX = 6.0  # about how wide a character of a 10.5-pixel label is
PLOT_PX = 880  # about how wide the plotting area is
# Where labels sit, in lanes (one lane is 1.0 high): rows above and below the markers.
LABEL_ROWS = (0.27, -0.27, 0.38, -0.38, 0.49, -0.49)


def timeline_chart(c: Comparison, style: Style, *, chart_id: str = "fig-timeline",
                   window: Window | None = None, case_ids: Iterable[str] | None = None,
                   labelled: set[tuple[str, str]] | None = None,
                   shade: Iterable[tuple[dt.date, dt.date, str]] = (),
                   categories: set[Category] | None = None,
                   caption: str | None = None) -> Chart | None:
    """Draw dated records of the chosen cases within `window`.

    `labelled` names the (case id, record id) pairs to label on the chart; by default the
    records marked `key`. `shade` holds periods to shade, with a label each.
    """
    import plotly.graph_objects as go

    t = style.labels
    window = window or period_compared(c)
    chosen = [f for f in c.facts if case_ids is None or f.case.id in set(case_ids)]
    lanes = {f.case.id: len(chosen) - 1 - i for i, f in enumerate(chosen)}
    items = [i for i in c.timeline if i.case_id in lanes and window.holds(i.date.mid())
             and (categories is None or i.category in categories)]
    if not items:
        return None
    words = Phrases(c, style)
    categories = [cat for cat in Category if any(i.category is cat for i in items)]
    offset = {cat: (k - (len(categories) - 1) / 2) * 0.045 for k, cat in enumerate(categories)}
    fig = go.Figure()
    for period_start, period_end, label in shade:
        fig.add_vrect(x0=period_start.isoformat(), x1=period_end.isoformat(),
                      fillcolor="#888", opacity=0.13, line_width=0, layer="below",
                      annotation_text=plain_label(label, 60), annotation_position="top left",
                      annotation_font={"size": 11, "color": "#444"})
    for category in categories:
        mine = [i for i in items if i.category is category]
        symbol, colour = CATEGORY_STYLE[category]
        fig.add_trace(go.Scatter(
            x=[day(i.date) for i in mine],
            y=[lanes[i.case_id] + offset[category] for i in mine],
            mode="markers", name=plain_label(t(f"category.{category.value}")),
            text=[plain_label(f"{style.plain_name(c.by_id(i.case_id).case.name)}, "
                              f"{style.date(i.date)}: {words.happening(i)}") for i in mine],
            hovertemplate="%{text}<extra></extra>",
            marker={"symbol": symbol, "color": colour, "size": 10, "opacity": 0.9,
                    "line": {"width": 1, "color": "white"}}))
    # A release's licence changes share its id: only the release itself is labelled.
    to_label = [i for i in items if i.kind != "licence" and (
        i.key if labelled is None else (i.case_id, i.record.id) in labelled)]
    # Added in one go: plotly copies the whole list on each add_annotation.
    fig.layout.annotations += tuple(go.layout.Annotation(**annotation) for annotation
                                    in _label_positions(to_label, lanes, offset, window, words))
    height = 170 + 230 * len(lanes)
    layout(fig, height, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    names = [style.plain_name(f.case.name) for f in chosen]
    fig.update_yaxes(tickmode="array", tickvals=[lanes[f.case.id] for f in chosen],
                     ticktext=[plain_label(n) for n in names], range=[-0.75, len(lanes) - 0.25],
                     zeroline=False, showgrid=False, fixedrange=True)
    for lane in range(len(lanes) - 1):
        fig.add_hline(y=lane + 0.5, line={"color": "#ccc", "width": 1})
    fig.update_xaxes(type="date", range=window.axis())
    cites = tuple(dict.fromkeys(k for i in items for k in words_cites(c, i)))
    hidden = len([i for i in c.timeline if i.case_id in lanes]) - len(items)
    return Chart(
        chart_id,
        caption or t("chart.timeline.caption", start=style.date(window.start),
                     end=style.date(window.end), n=len(to_label)),
        t("chart.timeline.alt", n=len(items), names=t("list.join").join(names),
          labelled=len(to_label), hidden=hidden),
        cites, fig, height)


def words_cites(c: Comparison, item: TimelineItem) -> tuple[str, ...]:
    from ..compare import cites

    return cites(c.by_id(item.case_id).case, item.record)


def short_whole(text: str) -> str:
    """A label written short and whole: an event's title up to its colon, semicolon or
    bracket ("Signs a deal" of "Signs a deal: the terms …"), the rest being detail; never cut
    inside a clause,
    never with "…"."""
    text = " ".join(text.split())
    for mark in (": ", "; ", " ("):
        head, found, _ = text.partition(mark)
        if found and len(head) >= 8:
            text = head
    return text


def wrapped(text: str, limit: int) -> list[str]:
    """A label's words in lines of about `limit` characters: whole, never cut short."""
    lines: list[str] = []
    for word in " ".join(text.split()).split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= limit:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _label_positions(items: list[TimelineItem], lanes: dict[str, int], offset, window: Window,
                     words: Phrases) -> list[dict]:
    """Place labels in rows above and below the markers, so that none overlaps another.

    Labels are laid out per lane, left to right; each takes the first row (above, then
    below, further out each time) where it does not collide with a label already there,
    and a thin line leads from it to its marker.
    """
    span_days = max((window.end - window.start).days, 1)
    days_per_px = span_days / PLOT_PX
    annotations = []
    for lane_id, lane in lanes.items():
        mine = sorted((i for i in items if i.case_id == lane_id), key=lambda i: i.date.mid())
        ends: dict[int, dt.date] = {}
        for i in mine:
            lines = wrapped(short_whole(words.happening(i)), LABEL_CHARS)
            width = dt.timedelta(days=max(map(len, lines)) * CHAR_PX * days_per_px)
            centre = i.date.mid()
            left, right = centre - width / 2, centre + width / 2
            anchor = "center"
            if left < window.start:  # near an edge the label runs inwards from its marker
                anchor, left, right = "left", centre, centre + width
            elif right > window.end:
                anchor, left, right = "right", centre - width, centre
            free = [row for row in LABEL_ROWS if ends.get(row, dt.date.min) < left]
            row = free[0] if free else min(LABEL_ROWS, key=lambda r: ends.get(r, dt.date.min))
            ends[row] = right + dt.timedelta(days=4 * days_per_px)
            annotations.append({
                "x": day(i.date), "y": lane + offset[i.category],
                "text": "<br>".join(plain_label(line) for line in lines),
                "showarrow": True, "arrowhead": 0, "arrowwidth": 0.7, "arrowcolor": "#aaa",
                "axref": "x", "ayref": "y", "ax": day(i.date), "ay": lane + row,
                "xanchor": anchor, "yanchor": "middle", "font": {"size": 10.5, "color": "#222"},
                "bgcolor": "rgba(255,255,255,0.9)", "borderpad": 1,
            })
    return annotations

