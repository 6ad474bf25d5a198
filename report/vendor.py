"""plotly.js for the HTML page: the partial "basic" bundle (scatter, bar and pie, about
1.2 MB) instead of the full 4.8 MB one plotly.py ships, fetched once at set-up.

`python -m report.vendor` downloads the bundle of the same plotly.js version as plotly.py
from the npm registry, checks it against the registry's published sha512 and keeps it in the
virtual environment (`<prefix>/share/report/`). A build without it falls back to the full
bundle and says so.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from pathlib import Path

PACKAGE = "plotly.js-basic-dist-min"
FILE = "plotly-basic.min.js"
REGISTRY = "https://registry.npmjs.org"
# The trace types the briefing's charts use; the bundle must hold each of them.
TRACES = ("scatter", "bar")


def bundle_path() -> Path:
    return Path(sys.prefix) / "share" / "report" / FILE


def plotly_js() -> tuple[str, bool]:
    """Return plotly.js for the page and whether it is the partial bundle."""
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    path = bundle_path()
    if path.is_file():
        text = path.read_text(encoding="utf-8")
        if f"v{get_plotlyjs_version()}" in text[:400]:
            return text, True
    return get_plotlyjs(), False


def fetch(target: Path | None = None) -> Path:
    """Download the partial bundle matching plotly.py's plotly.js; verify it; save it."""
    from plotly.offline import get_plotlyjs_version

    version = get_plotlyjs_version()
    target = target or bundle_path()
    with urllib.request.urlopen(f"{REGISTRY}/{PACKAGE}/{version}", timeout=60) as reply:
        meta = json.load(reply)
    tarball, integrity = meta["dist"]["tarball"], meta["dist"]["integrity"]
    if not tarball.startswith(f"{REGISTRY}/") or not integrity.startswith("sha512-"):
        raise SystemExit(f"unexpected registry answer for {PACKAGE}@{version}")
    with urllib.request.urlopen(tarball, timeout=120) as reply:
        data = reply.read()
    digest = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if f"sha512-{digest}" != integrity:
        raise SystemExit(f"{PACKAGE}@{version}: checksum mismatch; not installed")
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        member = tar.extractfile(f"package/{FILE}")
        script = member.read().decode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(script, encoding="utf-8")
    tmp.replace(target)
    return target


if __name__ == "__main__":
    where = fetch()
    print(f"plotly.js partial bundle: {where} ({where.stat().st_size / 1e6:.1f} MB)")
