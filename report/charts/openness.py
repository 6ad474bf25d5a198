"""Openness: every scored release against the 13 dimensions, open, partial or closed."""

from __future__ import annotations

from ..compare import Comparison, cite_key
from ..model import DIMENSIONS
from ..style import Style
from . import Chart, layout, plain_label


def openness_chart(c: Comparison, style: Style) -> Chart | None:
    import plotly.graph_objects as go

    t = style.labels
    releases = [(f, r) for f in c.facts for r in f.scored]
    if not releases:
        return None
    z = [[getattr(r.scorecard, key).grade.points for key in DIMENSIONS] for _, r in releases]
    text = [[t(f"grade.{getattr(r.scorecard, key).grade.value}") for key in DIMENSIONS]
            for _, r in releases]
    rows = [plain_label(f"{r.name} · {f.case.name.en}") for f, r in releases]
    columns = [f"{i}. {t(f'dimension_short.{k}')}" for i, k in enumerate(DIMENSIONS, start=1)]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=rows, text=text, texttemplate="%{text}", textfont={"size": 10},
        zmin=0, zmax=1, xgap=2, ygap=2, showscale=False,
        colorscale=[[0, "#e3e3e3"], [0.5, "#9ecae1"], [1, "#2b6cb0"]],
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    height = 190 + 30 * len(rows)
    layout(fig, height)
    fig.update_layout(margin={"t": 120})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=-35, tickfont={"size": 11})
    keys = tuple(dict.fromkeys(cite_key(f.case.id, s) for f, r in releases
                               for _, cell in r.scorecard.cells() for s in cell.cite))
    return Chart("fig-openness", t("chart.openness.caption"),
                 t("chart.openness.alt", n=len(releases)), keys, fig, height)
