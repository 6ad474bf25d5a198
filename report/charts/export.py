"""Chart images: PNG through one browser session per build, cached under their content hash.

A chart image is named after the hash of its figure JSON and export settings, so an unchanged
chart is never exported twice and a build whose charts did not change starts no browser.
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import EnvironmentFault, Problem
from ..processes import kill_tagged, new_tag
from ..toolchain import browser_path, toolchain

if TYPE_CHECKING:
    from . import Chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The tallest chart image drawn whole here: 1,350 people on the team chart (60,000 pixels)
# came out right, 3,000 (132,380 pixels) came back as 3 bytes.
MAX_IMAGE_PIXELS = 60_000
# Marks the Chromium of one export, which runs in a session of its own (report/processes.py).
BROWSER_TAG = "REPORT_BROWSER_TAG"
# Names the Chromium that drew the cached images, in the figures folder.
DRAWN_BY = ".drawn-by"

# kaleido's browser driver logs its own tracebacks (a message cut short by a full disk, a
# browser that went away) through the root logger's last resort, i.e. onto the user's
# terminal; the build names the cause itself, in one line, so those records go nowhere.
# Its event loop reports the same failures through asyncio's logger ("Exception in callback
# Broker.run_read_loop…", seen once on a full disk under load).
for _name in ("choreographer", "kaleido", "asyncio"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False


def image_paths(charts: list[Chart], figures_dir: Path) -> dict[str, Path]:
    """Return where each chart's PNG lives in `figures_dir`, named by its content hash."""
    figures_dir.mkdir(parents=True, exist_ok=True)
    return {c.id: figures_dir.resolve() / c.image_name() for c in charts}


def export_charts(charts: list[Chart], paths: dict[str, Path]) -> int:
    """Write the PNG of each chart whose cached image is missing; return how many.

    All missing images are exported in one batch: one browser start per build at most,
    none when every image is cached. An image is cached only once it is a whole PNG of the
    size asked for; a cached image that is not (from an older version) is made again, and so
    is every image when another Chromium is installed than the one that drew them
    (`DRAWN_BY` in the figures folder says which did).
    """
    if not charts:
        return 0
    drawn_by = next(iter(paths.values())).parent / DRAWN_BY
    browser = toolchain().browser
    try:
        recorded = drawn_by.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        recorded = None
    stale = browser is not None and recorded != browser
    missing = [c for c in charts if stale or image_problem(c, paths[c.id]) is not None]
    if missing:
        _export(missing, {c.id: paths[c.id] for c in missing})
        if browser is not None:
            drawn_by.write_text(browser, encoding="utf-8")
    for c in charts:  # images cached before charts were stored without alpha
        without_alpha(paths[c.id])
    return len(missing)


def chart_size_problems(charts: list[Chart], shown: str) -> list[Problem]:
    """Return a problem for each chart too tall for Chromium to draw: past about 60,000
    pixels it hands back an empty image (3 bytes for 3,000 people on the team chart)."""
    from . import SCALE

    return [Problem(shown, 0, 0, "", (
        f"chart {c.id} would be {c.height * SCALE:,} pixels tall, more than a chart image can "
        f"be ({MAX_IMAGE_PIXELS:,}): it has a row per person, release or company compared; "
        "compare fewer companies or record fewer of them"))
        for c in charts if c.height * SCALE > MAX_IMAGE_PIXELS]


def image_problem(chart: Chart, path: Path) -> str | None:
    """Return what is wrong with a chart's image file, or None when it is a whole PNG of
    the chart's size."""
    from . import SCALE, WIDTH

    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(24)
            f.seek(max(0, size - 12))
            tail = f.read(12)
    except OSError as err:
        return err.strerror or "cannot be read"
    expected = (WIDTH * SCALE, chart.height * SCALE)
    if len(head) < 24 or not head.startswith(PNG_SIGNATURE) or head[12:16] != b"IHDR":
        return f"{size:,} bytes, not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    if (width, height) != expected:
        return f"{width}×{height} pixels instead of {expected[0]}×{expected[1]}"
    if tail[4:8] != b"IEND":
        return f"a PNG cut short at {size:,} bytes"
    return None


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
    browser = new_tag()
    os.environ[BROWSER_TAG] = browser
    try:
        # mathjax=False: kaleido would otherwise load MathJax from a CDN.
        kaleido.write_fig_from_object_sync(jobs, kopts={"n": 1, "mathjax": False},
                                           cancel_on_error=True)
    except KeyboardInterrupt:  # kaleido draws on a thread of its own, which would go on
        kill_tagged(browser, BROWSER_TAG)
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise
    except Exception as err:  # kaleido raises many kinds; most mean the browser failed us
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        folder = next(iter(paths.values())).parent
        raise EnvironmentFault(export_failure(err, folder)) from None
    finally:
        os.environ.pop(BROWSER_TAG, None)
    broken = {c.id: image_problem(c, staged[c.id]) for c in charts}
    broken = {chart_id: why for chart_id, why in broken.items() if why is not None}
    if broken:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        chart_id, why = next(iter(broken.items()))
        raise EnvironmentFault(
            f"chart {chart_id} came back from Chromium broken ({why}); nothing was cached; "
            "check that Chromium runs (`chromium --headless --version`) and that memory and "
            "disk space are free, then build again")
    for c in charts:
        os.replace(staged[c.id], paths[c.id])


def without_alpha(png: Path) -> None:
    """Rewrite a chart image as RGB on white, unless it is already. Charts are drawn on white
    anyway; without an alpha channel WeasyPrint copies the image's data into the PDF as it
    is, where it decoded and compressed every chart again on every build (render/pdf.py)."""
    with open(png, "rb") as f:
        header = f.read(26)
    if len(header) < 26 or header[12:16] != b"IHDR" or header[25] not in (4, 6):
        return  # not a PNG we know, or one without alpha (colour types 4 and 6 have it)
    from PIL import Image

    with Image.open(png) as image:
        rgba = image.convert("RGBA")
    if rgba.getchannel("A").getextrema() != (255, 255):  # not opaque: lay it on white
        rgba = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    staged = png.with_name(f".{png.name}.{os.getpid()}.rgb.tmp")
    rgba.convert("RGB").save(staged, format="PNG")
    os.replace(staged, png)  # a build reading the image meanwhile sees the old or the new


MIN_FREE_BYTES = 100_000_000  # what Chromium's profile and a batch of chart images need


def export_failure(err: Exception, figures: Path) -> str:
    """Say why drawing the charts failed: a full disk where the images or Chromium's
    temporary files go, else the browser itself."""
    from ..errors import display_path

    full = isinstance(err, OSError) and err.errno == errno.ENOSPC
    for folder, option in ((figures, "choose another folder with --figures"),
                           (Path(tempfile.gettempdir()), "set TMPDIR to a folder with room")):
        try:
            free = shutil.disk_usage(folder).free
        except OSError:
            continue
        if full or free < MIN_FREE_BYTES:
            return (f"no space left to draw the charts: {display_path(folder)} has "
                    f"{free / 1e6:.1f} MB free; free some disk space, or {option}")
    return (f"chart export failed ({type(err).__name__}: {err}); check that Chromium runs: "
            "`chromium --headless --version`")


def find_browser() -> str:
    """Return the Chromium kaleido should drive, or raise a fault that names the fix."""
    found = browser_path()
    if found:
        return found
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        raise EnvironmentFault(f"BROWSER_PATH={configured} does not exist; unset it, or point "
                               "it at Chromium (`apt-get install chromium`)")
    raise EnvironmentFault(
        "Chromium not found (needed to draw charts): run `make setup`, or "
        "`apt-get install chromium`, or set BROWSER_PATH")


def prune_figures(figures_dir: Path, keep: set[Path]) -> None:
    """Remove chart images of earlier builds, so the cache holds what this build uses."""
    names = {p.name for p in keep}
    for png in figures_dir.glob("fig-*.png"):
        if png.name not in names:
            png.unlink(missing_ok=True)
