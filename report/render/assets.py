"""plotly.js for the HTML page: the partial "basic" bundle (scatter, bar and pie, about
1.2 MB) instead of the full 4.8 MB one plotly.py ships.

The bundle is vendored in the package (`assets/plotly-basic.min.js`, with its version,
licence and checksum in `assets/plotly-basic.json`), so set-up needs no network and names no
host. It must be the plotly.js version plotly.py was written for; when the installed plotly
expects another one, the page falls back to plotly.py's full bundle (a test names the
mismatch, and `make drift` shows it when a new plotly comes out).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources

# The trace types the briefing's charts use; the bundle must hold each of them.
TRACES = ("scatter", "bar")


@cache
def bundle_info() -> dict:
    """The vendored bundle's record: package, version, file, licence, sha256, traces."""
    text = (resources.files("report.render") / "assets" / "plotly-basic.json").read_text("utf-8")
    return json.loads(text)


def bundle_text() -> str:
    """The vendored partial bundle, checked against its recorded sha256."""
    info = bundle_info()
    data = (resources.files("report.render") / "assets" / info["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != info["sha256"]:
        raise ValueError(f"assets/{info['file']} does not match its recorded sha256")
    return data.decode("utf-8")


def plotly_js() -> tuple[str, bool]:
    """Return plotly.js for the page and whether it is the partial bundle."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    if bundle_info()["version"] == get_plotlyjs_version():
        return bundle_text(), True
    return get_plotlyjs(), False
