"""Comparison → plotly figures that each answer one question, exported as PNG and cached.

Each chart module draws one kind of chart from the comparison's registers; the words on it
come from the label catalogue, and any text from a case file passes through `plain_label`, so
plotly never reads it as markup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from ..escape import plain_label
from .export import export_charts, find_browser, image_paths

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from ..compare import Comparison
    from ..words.style import Style

__all__ = ["Chart", "build_charts", "export_charts", "find_browser", "image_paths",
           "plain_label"]

FONT = "Noto Sans, Noto Sans CJK SC, DejaVu Sans, sans-serif"
WIDTH, SCALE = 1000, 2  # CSS pixels; PNG at 2× stays sharp in print and in Word
# Colour-blind-safe qualitative palette (Okabe & Ito), then plotly's Dark24 for many cases.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
           "#000000"]


@dataclass(frozen=True)
class Chart:
    """A figure with what a reader needs around it: caption, alt text and the sources."""

    id: str
    caption: str
    alt: str
    cites: tuple[str, ...]
    figure: go.Figure
    height: int
    sources_note: str = ""  # said after the sources: what they cover, where the rest are

    @cached_property
    def spec(self) -> str:
        """The figure JSON the image and the interactive HTML are both made from (worked
        out once: the image's name and the page both need it)."""
        return self.figure.to_json(pretty=False, engine="json")

    def image_name(self) -> str:
        from ..toolchain import toolchain

        # The packages and fonts too: a new plotly, kaleido or font draws another image (a
        # new Chromium: export_charts).
        settings = json.dumps({"w": WIDTH, "h": self.height, "s": SCALE, "fmt": "png",
                               "tools": toolchain().key()})
        digest = hashlib.sha256((self.spec + settings).encode()).hexdigest()[:16]
        return f"{self.id}-{digest}.png"


def build_charts(comparison: Comparison, style: Style, exhibits=()) -> list[Chart]:
    """Return the brief's exhibits and the fact pack's charts; a fact-pack chart with no data
    in any case is left out."""
    from .exhibits import exhibit_chart, is_table
    from .openness import openness_chart
    from .prices import price_chart
    from .team import team_chart
    from .timeline import timeline_chart

    charts = [exhibit_chart(comparison, style, exhibit) for exhibit in exhibits
              if not is_table(exhibit)]
    makers = (timeline_chart, price_chart, team_chart, openness_chart)
    return charts + [chart for make in makers if (chart := make(comparison, style)) is not None]


# ---------------------------------------------------------------- shared pieces


def colours(n: int) -> list[str]:
    """Return n distinct colours, the colour-blind-safe ones first."""
    from plotly.colors import qualitative

    pool = PALETTE + [c for c in qualitative.Dark24 if c not in PALETTE]
    return [pool[i % len(pool)] for i in range(n)]


def layout(fig: go.Figure, height: int, **kwargs) -> None:
    settings = {
        "template": "plotly_white", "font": {"family": FONT, "size": 13}, "height": height,
        "width": WIDTH, "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0},
    }
    fig.update_layout(**{**settings, **kwargs})


def day(d) -> str:
    """A chart's x value: a date, or the middle of a partial date's period."""
    return (d.mid() if hasattr(d, "mid") else d).isoformat()


@dataclass(frozen=True)
class Window:
    """The stretch of time a chart shows."""

    start: dt.date
    end: dt.date

    def holds(self, when: dt.date) -> bool:
        return self.start <= when <= self.end

    def axis(self) -> list[str]:
        pad = (self.end - self.start) / 40
        return [(self.start - pad).isoformat(), (self.end + pad).isoformat()]


def period_compared(c: Comparison) -> Window:
    """From the earliest founding of the companies compared to the facts' as-of date."""
    founded = [f.case.profile.founded.value.start() for f in c.facts]
    return Window(min(founded, default=c.as_of.start()), c.as_of.end())
