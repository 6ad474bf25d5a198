"""The team: one bar per named person from joining to leaving, coloured by company.

Four encodings, each with its own legend entry: a solid bar where both dates are known (or
the person has not left), a pale bar from the founding date where a founder's joining date is
not recorded, an outline only where someone left on a date no source gives, and a ring alone
(no bar) for anyone else whose joining date is not recorded, at their leaving date or the
as-of date. A cross marks a leaving date known to the month or day.
"""

from __future__ import annotations

from ..compare import Comparison, cites
from ..model import Level, Person
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
        # Only a founder is drawn from the founding date when no joining date is recorded:
        # a successor's bar would claim years in post that no source gives.
        kinds = (("known", lambda p: not _undated_exit(p) and p.joined),
                 ("no_start", lambda p: not _undated_exit(p) and not p.joined
                  and _founder(p)),
                 ("undated_exit", lambda p: _undated_exit(p) and (p.joined or _founder(p))))
        for kind, member in kinds:
            bars = [p for p in f.people if member(p)]
            if not bars:
                continue
            starts = [p.joined.start() if p.joined else founded for p in bars]
            stops = [_left_by(p) if p.left else end for p in bars]
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
        unstarted = [p for p in f.people if not p.joined and not _founder(p)]
        if unstarted:  # in post at some point, from a date no source gives: a ring, no bar
            fig.add_trace(go.Scatter(
                y=[label[id(p)] for p in unstarted],
                x=[(_left_by(p) if p.left else end).isoformat() for p in unstarted],
                mode="markers", showlegend=False,
                marker={"symbol": "circle-open", "size": 9, "color": colour,
                        "line": {"width": 1.5}},
                hovertext=[plain_label(_hover(p, style)) for p in unstarted], hoverinfo="text"))
        # a cross marks a leaving date known to the month or day, never a year's middle
        gone = [p for p in f.people if p.left and p.left.precision in ("day", "month")]
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


def _founder(p: Person) -> bool:
    return p.cofounder or p.level is Level.founder


def _left_by(p: Person):
    """Where a bar stops: the leaving day, or the start of a period known only roughly
    (the bar claims no time in post that the sources do not give)."""
    return p.left.mid() if p.left.precision in ("day", "month") else p.left.start()


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
    fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=True,
                             marker={"symbol": "circle-open", "size": 9, "color": NEUTRAL},
                             name=plain_label(t("chart.team.successor"))))
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
