"""Openness: every scored release against the 13 dimensions, open, partial or closed.

Drawn as a grid of square markers rather than a heatmap trace, so the HTML page needs only
plotly's basic bundle (scatter and bar), and each grade gets a legend entry.
"""

from __future__ import annotations

from ..compare import Comparison, cite_key
from ..model import DIMENSIONS
from ..words.style import Style
from . import Chart, layout, plain_label

GRADE_COLOUR = {"open": "#2b6cb0", "partial": "#9ecae1", "closed": "#d9d9d9", "n/a": "#ffffff"}
TEXT_COLOUR = {"open": "#ffffff", "partial": "#0a2a45", "closed": "#444444", "n/a": "#888888"}


def openness_chart(c: Comparison, style: Style) -> Chart | None:
    import plotly.graph_objects as go

    t = style.labels
    releases = [(f, r) for f in c.facts for r in f.scored]
    if not releases:
        return None
    rows = [plain_label(f"{r.name} · {style.plain_name(f.case.name)}") for f, r in releases]
    columns = [f"{i}. {t(f'dimension_short.{k}')}" for i, k in enumerate(DIMENSIONS, start=1)]
    fig = go.Figure()
    for grade, colour in GRADE_COLOUR.items():
        cells = [(columns[j], rows[i]) for i, (_, r) in enumerate(releases)
                 for j, key in enumerate(DIMENSIONS)
                 if getattr(r.scorecard, key).grade.value == grade]
        if not cells:
            continue
        label = plain_label(t(f"grade.{grade}"))
        fig.add_trace(go.Scatter(
            x=[x for x, _ in cells], y=[y for _, y in cells], mode="markers+text",
            name=label, text=[label] * len(cells), textfont={"size": 9,
                                                              "color": TEXT_COLOUR[grade]},
            marker={"symbol": "square", "size": 34, "color": colour,
                    "line": {"width": 1, "color": "#9aa5b1"}},
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    height = 210 + 36 * len(rows)
    layout(fig, height, legend={"orientation": "h", "yanchor": "top", "y": -0.02, "x": 0})
    fig.update_layout(margin={"t": 120})
    fig.update_yaxes(autorange="reversed", type="category", categoryorder="array",
                     categoryarray=rows, showgrid=False, zeroline=False)
    fig.update_xaxes(side="top", tickangle=-35, tickfont={"size": 11}, type="category",
                     categoryorder="array", categoryarray=columns, showgrid=False)
    keys = tuple(dict.fromkeys(cite_key(f.case.id, s) for f, r in releases
                               for _, cell in r.scorecard.cells() for s in cell.cite))
    return Chart("fig-openness", t("chart.openness.caption"),
                 t("chart.openness.alt", n=len(releases)), keys, fig, height)
