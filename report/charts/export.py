"""Chart images: PNG through one browser session per build, cached under their content hash.

A chart image is named after the hash of its figure JSON and export settings, so an unchanged
chart is never exported twice and a build whose charts did not change starts no browser.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EnvironmentFault

if TYPE_CHECKING:
    from . import Chart

BROWSER_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                      "google-chrome", "chrome")


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

    from . import SCALE, WIDTH

    os.environ["BROWSER_PATH"] = find_browser()
    staged = {c.id: paths[c.id].with_name(f".{paths[c.id].name}.{os.getpid()}.tmp")
              for c in charts}
    jobs = [{"fig": c.figure, "path": staged[c.id],
             "opts": {"format": "png", "width": WIDTH, "height": c.height,
                      "scale": SCALE}}
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
