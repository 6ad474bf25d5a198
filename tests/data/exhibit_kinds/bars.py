"""A kind of exhibit only the tests have: a count per company as bars.

It is everything a new kind takes: this module, dropped into report/charts/exhibits/, and
its test (tests/test_exhibit_kinds.py). The registry finds it; `report check` checks its
settings; the brief places it with [[exhibit:ID]].
"""

from __future__ import annotations

from typing import Literal

from report.charts import Chart, layout
from report.charts.exhibits import Options as Common
from report.escape import plain_label

KIND = "bars"
RANK = 9  # listed after the shipped kinds


class Options(Common):
    count: Literal["models", "departed"] = "models"


def draw(c, style, options: Options, frame) -> Chart | None:
    import plotly.graph_objects as go

    chosen = [f for f in c.facts if frame.case_ids is None or f.case.id in frame.case_ids]
    if not chosen:
        return None
    names = [style.plain_name(f.case.name) for f in chosen]
    fig = go.Figure(go.Bar(x=[plain_label(n) for n in names],
                           y=[len(getattr(f, options.count)) for f in chosen]))
    layout(fig, 300)
    return Chart(frame.chart_id, frame.caption, style.labels.and_list(names), (), fig, 300)
