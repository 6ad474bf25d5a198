"""Comparison → plotly figures, exported as PNG through one browser session and cached by hash.

A chart image is named after the hash of its figure JSON and export settings, so an unchanged
chart is never exported twice and a build whose charts did not change starts no browser.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .compare import Comparison, cite_key, list_prices, lowest_price_steps
from .errors import EnvironmentFault
from .model import DIMENSION_SHORT, DIMENSIONS, Case, Category, PartialDate

if TYPE_CHECKING:
    import plotly.graph_objects as go

FONT = "Noto Sans, Noto Sans CJK SC, DejaVu Sans, sans-serif"
WIDTH, SCALE = 1000, 2  # CSS pixels; PNG at 2× stays sharp in print and in Word
# Colour-blind-safe qualitative palette (Okabe & Ito), then plotly's Dark24 for many cases.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]
CATEGORY_SYMBOL = {
    Category.model: "circle", Category.funding: "diamond", Category.strategy: "square",
    Category.people: "x", Category.pricing: "triangle-up", Category.partnership: "star",
    Category.product: "hexagon",
}
BROWSER_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                      "google-chrome", "chrome")


@dataclass(frozen=True)
class Chart:
    """A figure with what a reader needs around it: caption, alt text and the sources."""

    id: str
    caption: str
    alt: str
    cites: tuple[str, ...]
    figure: go.Figure
    height: int

    def spec(self) -> str:
        """Return the figure JSON the image and the interactive HTML are both made from."""
        return self.figure.to_json(pretty=False, engine="json")

    def image_name(self) -> str:
        settings = json.dumps({"w": WIDTH, "h": self.height, "s": SCALE, "fmt": "png"})
        digest = hashlib.sha256((self.spec() + settings).encode()).hexdigest()[:16]
        return f"{self.id}-{digest}.png"


def colours(n: int) -> list[str]:
    """Return n distinct colours, the colour-blind-safe ones first."""
    from plotly.colors import qualitative

    extra = [c for c in qualitative.Dark24 if c not in PALETTE]
    return (PALETTE + extra)[:n] if n <= len(PALETTE) + len(extra) else [
        (PALETTE + extra)[i % (len(PALETTE) + len(extra))] for i in range(n)]


def build_charts(comparison: Comparison) -> list[Chart]:
    """Return the briefing's charts; a chart with no data in any case is left out."""
    makers = (_timeline_chart, _price_chart, _team_chart, _openness_chart)
    return [chart for make in makers if (chart := make(comparison)) is not None]


# ---------------------------------------------------------------- export


def image_paths(charts: list[Chart], figures_dir: Path) -> dict[str, Path]:
    """Return where each chart's PNG lives in `figures_dir`, named by its content hash."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    return {c.id: figures_dir.resolve() / c.image_name() for c in charts}


def export_charts(charts: list[Chart], paths: dict[str, Path]) -> int:
    """Write the PNG of each chart whose cached image is missing; return how many.

    All missing images are exported in one batch: one browser start per build at most,
    none when every image is cached.
    """
    missing = [c for c in charts if not paths[c.id].is_file()]
    if missing:
        _export(missing, {c.id: paths[c.id] for c in missing})
    return len(missing)


def _export(charts: list[Chart], paths: dict[str, Path]) -> None:
    import kaleido

    os.environ["BROWSER_PATH"] = find_browser()
    staged = {c.id: paths[c.id].with_name(f".{paths[c.id].name}.{os.getpid()}.tmp")
              for c in charts}
    jobs = [{"fig": c.figure, "path": staged[c.id],
             "opts": {"format": "png", "width": WIDTH, "height": c.height, "scale": SCALE}}
            for c in charts]
    try:
        # mathjax=False: kaleido would otherwise load MathJax from a CDN.
        kaleido.write_fig_from_object_sync(jobs, kopts={"n": 1, "mathjax": False},
                                           cancel_on_error=True)
    except Exception as err:  # kaleido raises many kinds; all mean the browser failed us
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise EnvironmentFault(
            f"chart export failed ({type(err).__name__}: {err}); check that Chromium runs: "
            "`chromium --headless --version`") from None
    for c in charts:
        os.replace(staged[c.id], paths[c.id])


def find_browser() -> str:
    """Return the Chromium kaleido should drive, or raise a fault that names the fix."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if Path(configured).is_file():
            return configured
        raise EnvironmentFault(f"BROWSER_PATH={configured} does not exist; unset it, or point "
                               "it at Chromium (`apt-get install chromium`)")
    for candidate in BROWSER_CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    raise EnvironmentFault(
        "Chromium not found (needed to draw charts): run `make setup`, or "
        "`apt-get install chromium`, or set BROWSER_PATH")


# ---------------------------------------------------------------- figures


def _layout(fig: go.Figure, height: int, **kwargs) -> None:
    fig.update_layout(
        template="plotly_white", font={"family": FONT, "size": 13}, height=height, width=WIDTH,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
        **kwargs)


def _date(d: PartialDate) -> str:
    # A partial date is plotted at its middle, so "2024" does not look like 1 January.
    start, end = d.start(), d.end()
    return (start + (end - start) / 2).isoformat()


def _as_of(c: Comparison) -> dt.date:
    return c.as_of.end()


def _all_cites(case: Case, records) -> list[str]:
    return [cite_key(case, s) for r in records for s in r.cite]


def _timeline_chart(c: Comparison) -> Chart | None:
    import plotly.graph_objects as go

    if not any(case.timeline for case in c.cases):
        return None
    fig = go.Figure()
    lanes = [case.name.en for case in c.cases]
    categories = list(Category)
    # Within a lane each category gets its own row, so events in one month do not hide
    # each other; the lane label sits in the middle.
    offset = {cat: (i - (len(categories) - 1) / 2) * 0.1 for i, cat in enumerate(categories)}
    for category in categories:
        xs, ys, texts = [], [], []
        for lane, case in enumerate(c.cases):
            for e in case.timeline:
                if e.category is category:
                    xs.append(_date(e.date))
                    ys.append(len(lanes) - 1 - lane + offset[category])
                    texts.append(f"{case.name.en}, {e.date}: {e.title}")
        if xs:
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="markers", name=category.value, text=texts,
                hovertemplate="%{text}<extra></extra>",
                marker={"symbol": CATEGORY_SYMBOL[category], "size": 11, "opacity": 0.85,
                        "line": {"width": 1, "color": "white"}}))
    height = 160 + 90 * len(lanes)
    _layout(fig, height)
    fig.update_yaxes(tickmode="array", tickvals=list(range(len(lanes)))[::-1], ticktext=lanes,
                     range=[-0.6, len(lanes) - 0.4], zeroline=False, showgrid=False)
    for lane in range(len(lanes) - 1):
        fig.add_hline(y=lane + 0.5, line={"color": "#ccc", "width": 1})
    fig.update_xaxes(type="date")
    cites = [k for case in c.cases for k in _all_cites(case, case.timeline)]
    return Chart("fig-timeline", "Timeline of recorded events, one lane per company",
                 f"Dot plot of {sum(len(x.timeline) for x in c.cases)} dated events for "
                 f"{', '.join(lanes)}, coloured and shaped by category.",
                 tuple(dict.fromkeys(cites)), fig, height)


def _price_chart(c: Comparison) -> Chart | None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    listed = {case.id: list_prices(case) for case in c.cases}
    currencies = sorted({p.currency for points in listed.values() for p in points})
    if not currencies:
        return None
    fig = make_subplots(rows=len(currencies), cols=1, shared_xaxes=True,
                        subplot_titles=[f"{cur} per 1M tokens" for cur in currencies],
                        vertical_spacing=0.1)
    palette = colours(len(c.cases))
    end = _as_of(c)
    for row, currency in enumerate(currencies, start=1):
        for colour, case in zip(palette, c.cases):
            points = [p for p in listed[case.id] if p.currency == currency]
            for kind, dash in (("input", "solid"), ("output", "dot")):
                xs, ys, models = lowest_price_steps(points, kind, end)
                if not xs:
                    continue
                fig.add_trace(go.Scatter(
                    x=xs, y=ys, customdata=models, mode="lines+markers", line_shape="hv",
                    line={"color": colour, "dash": dash, "width": 2.5},
                    marker={"size": 6}, connectgaps=False,
                    name=f"{case.name.en} · {kind}", legendgroup=case.name.en,
                    hovertemplate=f"{case.name.en} {kind}: %{{y}} {currency}"
                                  "<br>%{customdata}<extra></extra>"),
                    row=row, col=1)
    # One legend entry per company and kind, even with several currency panels.
    seen: set[str] = set()
    for trace in fig.data:
        trace.showlegend = trace.name not in seen
        seen.add(trace.name)
    height = 230 * len(currencies) + 150 + 12 * len(seen)
    _layout(fig, height)
    # Plain 1-2-5 ticks: plotly's default log ticks crowd the axis with small digits.
    ticks = [m * 10.0 ** e for e in range(-4, 5) for m in (1, 2, 5)]
    fig.update_yaxes(type="log", title_text="price (log)", tickvals=ticks,
                     ticktext=[f"{t:g}" for t in ticks], minor={"showgrid": False})
    fig.update_xaxes(type="date")
    cites = [k for case in c.cases for k in _all_cites(case, listed[case.id])]
    return Chart("fig-prices", "Lowest API list price on offer per 1M tokens (log scale; "
                 "solid input, dotted output; discounts and resellers left out)",
                 f"Step lines of the lowest published API list price per 1M tokens in "
                 f"{', '.join(currencies)} for {', '.join(c.names)}, input and output, "
                 "on a log axis.",
                 tuple(dict.fromkeys(cites)), fig, height)


def _team_chart(c: Comparison) -> Chart | None:
    import plotly.graph_objects as go

    people = [(case, p) for case in c.cases for p in case.team.people]
    if not people:
        return None
    fig = go.Figure()
    end = _as_of(c)
    palette = colours(len(c.cases))
    labels = [f"{p.name.en} ({case.name.en})" for case, p in people]
    for colour, case in zip(palette, c.cases):
        founded = case.profile.founded[0].value.start()
        rows = [(f"{p.name.en} ({case.name.en})", p) for p in case.team.people]
        groups = (
            ("tenure", 0.8, "", lambda p: p.joined and not _undated_exit(p)),
            ("tenure, start not recorded", 0.3, "",
             lambda p: not p.joined and not _undated_exit(p)),
            ("left, date not recorded", 0.45, "/", _undated_exit),
        )
        for name, opacity, pattern, member in groups:
            bars = [(label, p) for label, p in rows if member(p)]
            if not bars:
                continue
            starts = [p.joined.start() if p.joined else founded for _, p in bars]
            stops = [dt.date.fromisoformat(_date(p.left)) if p.left else end for _, p in bars]
            fig.add_trace(go.Bar(
                y=[label for label, _ in bars], base=[s.isoformat() for s in starts],
                x=[max(1, (stop - start).days) * 86_400_000 for start, stop in zip(starts, stops)],
                orientation="h",
                marker={"color": colour, "opacity": opacity,
                        "pattern": {"shape": pattern, "fgcolor": "#333", "size": 6}},
                name=f"{case.name.en}: {name}", legendgroup=case.name.en,
                hovertext=[f"{p.role}: {p.joined or 'start not recorded'} – "
                           f"{p.left or ('left, date not recorded' if p.departed else 'present')}"
                           for _, p in bars], hoverinfo="text"))
        gone = [(label, p) for label, p in rows if p.left]
        if gone:
            fig.add_trace(go.Scatter(
                y=[label for label, _ in gone], x=[_date(p.left) for _, p in gone],
                mode="markers", marker={"symbol": "x", "size": 11, "color": "#222"},
                name=f"{case.name.en}: departure", legendgroup=case.name.en,
                hovertext=[f"left {p.left}" + (f" → {p.went_to}" if p.went_to else "")
                           for _, p in gone], hoverinfo="text"))
    height = 170 + 24 * len(people)
    _layout(fig, height, barmode="overlay", bargap=0.35)
    fig.update_xaxes(type="date")
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], type="category")
    cites = [k for case in c.cases for k in _all_cites(case, case.team.people)]
    departed = sum(1 for _, p in people if p.has_left)
    return Chart("fig-team", "Named team members: tenure bars (pale where the joining date is "
                 "not recorded and the bar starts at founding; hatched where someone left on a "
                 "date no source gives), departures marked ×",
                 f"Horizontal bars showing when {len(people)} named people joined and left; "
                 f"{departed} departures are marked with a cross.",
                 tuple(dict.fromkeys(cites)), fig, height)


def _undated_exit(person) -> bool:
    return person.departed and person.left is None


def _openness_chart(c: Comparison) -> Chart | None:
    import plotly.graph_objects as go

    releases = [(case, r) for case in c.cases for r in case.openness if r.scorecard]
    if not releases:
        return None
    dims = list(DIMENSIONS)
    z = [[getattr(r.scorecard, key).grade.points for key in dims] for _, r in releases]
    text = [[getattr(r.scorecard, key).grade.value for key in dims] for _, r in releases]
    rows = [f"{r.model} ({case.name.en})" for case, r in releases]
    columns = [f"{i}. {DIMENSION_SHORT[k]}" for i, k in enumerate(dims, start=1)]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=rows, text=text, texttemplate="%{text}", textfont={"size": 10},
        zmin=0, zmax=1, xgap=2, ygap=2, showscale=False,
        colorscale=[[0, "#e3e3e3"], [0.5, "#9ecae1"], [1, "#2b6cb0"]],
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    height = 190 + 30 * len(rows)
    _layout(fig, height)
    fig.update_layout(margin={"t": 120})
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top", tickangle=-35, tickfont={"size": 11})
    cites = [cite_key(case, s) for case, r in releases for _, cell in r.scorecard.cells()
             for s in cell.cite]
    return Chart("fig-openness", "Openness heatmap: releases × 13 dimensions "
                 "(dark open, light partial, grey closed)",
                 f"Heatmap of {len(releases)} model releases against 13 openness dimensions, "
                 "each cell open, partial, closed or not applicable.",
                 tuple(dict.fromkeys(cites)), fig, height)
