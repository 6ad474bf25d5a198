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

from .compare import Comparison, cite_key
from .errors import EnvironmentFault
from .model import DIMENSIONS, Case, Category, PartialDate

if TYPE_CHECKING:
    import plotly.graph_objects as go

FONT = "Noto Sans CJK SC, Noto Sans, DejaVu Sans, sans-serif"
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
    import plotly.express as px

    extra = [c for c in px.colors.qualitative.Dark24 if c not in PALETTE]
    return (PALETTE + extra)[:n] if n <= len(PALETTE) + len(extra) else [
        (PALETTE + extra)[i % (len(PALETTE) + len(extra))] for i in range(n)]


def build_charts(comparison: Comparison) -> list[Chart]:
    """Return the briefing's charts; a chart with no data in any case is left out."""
    makers = (_timeline_chart, _price_chart, _team_chart, _openness_chart)
    return [chart for make in makers if (chart := make(comparison)) is not None]


# ---------------------------------------------------------------- export


def export_charts(charts: list[Chart], figures_dir: Path) -> dict[str, Path]:
    """Write each chart's PNG into `figures_dir` unless a cached one exists; return the paths.

    All missing images are exported in one batch: one browser start per build at most.
    """
    figures_dir.mkdir(parents=True, exist_ok=True)
    paths = {c.id: figures_dir / c.image_name() for c in charts}
    missing = [c for c in charts if not paths[c.id].is_file()]
    if missing:
        _export(missing, {c.id: paths[c.id] for c in missing})
    return paths


def _export(charts: list[Chart], paths: dict[str, Path]) -> None:
    import kaleido

    os.environ.setdefault("BROWSER_PATH", find_browser())
    staged = {c.id: paths[c.id].with_name(f".{paths[c.id].name}.tmp") for c in charts}
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
    if configured and Path(configured).is_file():
        return configured
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
    for category in Category:
        xs, ys, texts = [], [], []
        for case in c.cases:
            for e in case.timeline:
                if e.category is category:
                    xs.append(_date(e.date))
                    ys.append(case.name.en)
                    texts.append(f"{e.date}: {e.title}")
        if xs:
            fig.add_trace(go.Scatter(
                x=xs, y=ys, mode="markers", name=category.value, text=texts,
                hovertemplate="%{text}<extra></extra>",
                marker={"symbol": CATEGORY_SYMBOL[category], "size": 12, "opacity": 0.8,
                        "line": {"width": 1, "color": "white"}}))
    height = 170 + 55 * len(lanes)
    _layout(fig, height)
    fig.update_yaxes(categoryorder="array", categoryarray=lanes[::-1], type="category")
    fig.update_xaxes(type="date")
    cites = [k for case in c.cases for k in _all_cites(case, case.timeline)]
    return Chart("fig-timeline", "Timeline of recorded events, one lane per company",
                 f"Dot plot of {sum(len(x.timeline) for x in c.cases)} dated events for "
                 f"{', '.join(lanes)}, coloured and shaped by category.",
                 tuple(dict.fromkeys(cites)), fig, height)


def _price_chart(c: Comparison) -> Chart | None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    currencies = sorted({p.currency for case in c.cases for p in case.pricing})
    if not currencies:
        return None
    fig = make_subplots(rows=len(currencies), cols=1, shared_xaxes=True,
                        subplot_titles=[f"{cur} per 1M tokens" for cur in currencies],
                        vertical_spacing=0.12)
    palette = colours(len(c.cases))
    end = _as_of(c).isoformat()
    for row, currency in enumerate(currencies, start=1):
        for colour, case in zip(palette, c.cases):
            models = sorted({p.model for p in case.pricing if p.currency == currency})
            for m_index, model in enumerate(models):
                points = sorted((p for p in case.pricing
                                 if p.currency == currency and p.model == model),
                                key=lambda p: p.effective_from)
                for kind, dash in (("input", "solid"), ("output", "dot")):
                    xs, ys = [], []
                    for p in points:
                        value = getattr(p, kind)
                        if value is None or value <= 0:
                            continue  # a log axis cannot show a free tier
                        until = p.until.start().isoformat() if p.until else end
                        xs += [p.effective_from.start().isoformat(), until, None]
                        ys += [value, value, None]
                    if not xs:
                        continue
                    fig.add_trace(go.Scatter(
                        x=xs, y=ys, mode="lines+markers", line={"color": colour, "dash": dash,
                                                                  "width": 2},
                        marker={"size": 5, "symbol": m_index % 20},
                        name=f"{case.name.en} · {model} · {kind}",
                        legendgroup=case.name.en, connectgaps=False,
                        hovertemplate=f"{model} {kind}: %{{y}} {currency}<extra></extra>"),
                        row=row, col=1)
    n_traces = len(fig.data)
    height = 260 * len(currencies) + 120 + 22 * ((n_traces + 1) // 2)
    _layout(fig, height)
    fig.update_layout(legend={"y": -0.06 * 700 / height})
    fig.update_yaxes(type="log", title_text="price (log scale)")
    fig.update_xaxes(type="date")
    cites = [k for case in c.cases for k in _all_cites(case, case.pricing)]
    return Chart("fig-prices", "API price history per 1M tokens (log scale; solid input, "
                 "dotted output)",
                 f"Step lines of published API prices per 1M tokens in {', '.join(currencies)} "
                 f"for {', '.join(c.names)}, one line per model and price kind, on a log axis.",
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
        rows = [(f"{p.name.en} ({case.name.en})", p) for p in case.team.people]
        bars = [(label, p) for label, p in rows if p.joined]
        if bars:
            fig.add_trace(go.Bar(
                y=[label for label, _ in bars],
                base=[p.joined.start().isoformat() for _, p in bars],
                x=[((p.left.start() if p.left else end) - p.joined.start()).days * 86_400_000
                   for _, p in bars],
                orientation="h", marker={"color": colour, "opacity": 0.75},
                name=f"{case.name.en}: tenure", legendgroup=case.name.en,
                hovertext=[f"{p.role}: {p.joined} – {p.left or 'present'}" for _, p in bars],
                hoverinfo="text"))
        gone = [(label, p) for label, p in rows if p.left]
        if gone:
            fig.add_trace(go.Scatter(
                y=[label for label, _ in gone], x=[_date(p.left) for _, p in gone],
                mode="markers", marker={"symbol": "x-thin-open", "size": 14, "color": "#222",
                                        "line": {"width": 3, "color": colour}},
                name=f"{case.name.en}: departure", legendgroup=case.name.en,
                hovertext=[f"left {p.left}" + (f" → {p.went_to}" if p.went_to else "")
                           for _, p in gone], hoverinfo="text"))
    height = 160 + 26 * len(people)
    _layout(fig, height, barmode="overlay")
    fig.update_xaxes(type="date")
    fig.update_yaxes(categoryorder="array", categoryarray=labels[::-1], type="category")
    cites = [k for case in c.cases for k in _all_cites(case, case.team.people)]
    departed = sum(1 for _, p in people if p.left)
    return Chart("fig-team", "Named team members: tenure bars, departures marked ×",
                 f"Horizontal bars showing when {len(people)} named people joined and left; "
                 f"{departed} departures are marked with a cross.",
                 tuple(dict.fromkeys(cites)), fig, height)


def _openness_chart(c: Comparison) -> Chart | None:
    import plotly.graph_objects as go

    releases = [(case, r) for case in c.cases for r in case.openness if r.scorecard]
    if not releases:
        return None
    dims = list(DIMENSIONS)
    z, text = [], []
    for key in dims:
        cells = [getattr(r.scorecard, key) for _, r in releases]
        z.append([cell.grade.points for cell in cells])
        text.append([cell.grade.value for cell in cells])
    columns = [f"{r.model}<br>({case.name.en})" for case, r in releases]
    fig = go.Figure(go.Heatmap(
        z=z, x=columns, y=[DIMENSIONS[k] for k in dims], text=text, texttemplate="%{text}",
        zmin=0, zmax=1, xgap=2, ygap=2, showscale=False,
        colorscale=[[0, "#d7d7d7"], [0.5, "#9ecae1"], [1, "#08519c"]],
        hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    height = 140 + 34 * len(dims)
    _layout(fig, height)
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(side="top")
    cites = [cite_key(case, s) for case, r in releases for _, cell in r.scorecard.cells()
             for s in cell.cite]
    return Chart("fig-openness", "Openness heatmap: releases × 13 dimensions "
                 "(dark open, light partial, grey closed)",
                 f"Heatmap of {len(releases)} model releases against 13 openness dimensions, "
                 "each cell open, partial, closed or not applicable.",
                 tuple(dict.fromkeys(cites)), fig, height)
