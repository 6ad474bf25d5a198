"""The team: one bar per named person from joining to leaving, coloured by company.

Three encodings, each with its own legend entry: a solid bar where both dates are known (or
the person is still there), a pale bar from the founding date where the joining date is not
recorded, and an outline only where someone left on a date no source gives. A cross marks a
known leaving date.
"""

from __future__ import annotations

from ..compare import Comparison, cites
from ..model import Person
from ..words.style import Style
from . import Chart, colours, day, layout, plain_label

NEUTRAL = "#8a8a8a"


def team_chart(c: Comparison, style: Style) -> Chart | None:
    import plotly.graph_objects as go

    t = style.labels
    people = [(f, p) for f in c.facts for p in f.people]
    if not people:
        return None
    end = c.as_of.end()
    fig = go.Figure()
    label = {id(p): plain_label(f"{style.plain_name(p.name)} · {style.plain_name(f.case.name)}")
             for f, p in people}
    for colour, f in zip(colours(len(c.facts)), c.facts):
        founded = f.case.profile.founded.value.start()
        kinds = (("known", lambda p: not _undated_exit(p) and p.joined),
                 ("no_start", lambda p: not _undated_exit(p) and not p.joined),
                 ("undated_exit", _undated_exit))
        for kind, member in kinds:
            bars = [p for p in f.people if member(p)]
            if not bars:
                continue
            starts = [p.joined.start() if p.joined else founded for p in bars]
            stops = [p.left.mid() if p.left else end for p in bars]
            fill = {"known": colour, "no_start": colour, "undated_exit": "rgba(0,0,0,0)"}[kind]
            fig.add_trace(go.Bar(
                y=[label[id(p)] for p in bars], base=[s.isoformat() for s in starts],
                x=[max(1, (stop - start).days) * 86_400_000 for start, stop in zip(starts, stops)],
                orientation="h", showlegend=kind == "known",
                name=plain_label(style.plain_name(f.case.name)), legendgroup=f.case.id,
                marker={"color": fill, "opacity": 0.35 if kind == "no_start" else 1,
                        "line": {"color": colour, "width": 1.5 if kind == "undated_exit" else 0,
                                 }},
                hovertext=[plain_label(_hover(p, style)) for p in bars], hoverinfo="text"))
        gone = [p for p in f.people if p.left]
        if gone:
            fig.add_trace(go.Scatter(
                y=[label[id(p)] for p in gone], x=[day(p.left) for p in gone], mode="markers",
                marker={"symbol": "x", "size": 10, "color": "#222"}, showlegend=False,
                hovertext=[plain_label(_hover(p, style)) for p in gone], hoverinfo="text"))
    _legend_keys(fig, t)
    height = 190 + 22 * len(people)
    layout(fig, height, barmode="overlay", bargap=0.3)
    fig.update_xaxes(type="date")
    order = [label[id(p)] for _, p in people]
    fig.update_yaxes(categoryorder="array", categoryarray=order[::-1], type="category",
                     tickfont={"size": 11})
    keys = tuple(dict.fromkeys(k for f, p in people for k in cites(f.case, p)))
    left = sum(p.has_left for _, p in people)
    return Chart("fig-team", t("chart.team.caption"),
                 t("chart.team.alt", n=len(people), left=left), keys, fig, height)


def _legend_keys(fig, t) -> None:
    """Legend entries for the encodings, in a neutral grey so they read apart from the
    companies' colours."""
    import plotly.graph_objects as go

    for key, marker in (
            ("no_start", {"color": NEUTRAL, "opacity": 0.35}),
            ("undated_exit", {"color": "rgba(0,0,0,0)", "line": {"color": NEUTRAL,
                                                                  "width": 1.5}})):
        fig.add_trace(go.Bar(x=[None], y=[None], orientation="h", marker=marker,
                             name=plain_label(t(f"chart.team.{key}")), showlegend=True))
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=plain_label(
        t("chart.team.left")), marker={"symbol": "x", "size": 10, "color": "#222"}))


def _undated_exit(p: Person) -> bool:
    return p.departed and p.left is None


def _hover(p: Person, style: Style) -> str:
    t = style.labels
    start = style.date(p.joined) if p.joined else t("chart.team.start_unknown")
    stop = style.date(p.left) if p.left else (t("person.left_undated") if p.departed
                                              else t("chart.team.present"))
    went = f" → {p.went_to}" if p.went_to else ""
    return f"{style.plain_name(p.name)}, {p.role}: {start} – {stop}{went}"
