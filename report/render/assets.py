"""The files rendering ships (styles, pandoc templates, plotly.js) and the catalogue's words
for the print style as CSS.

plotly.js for the HTML page: the partial "basic" bundle (scatter, bar and pie, about
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
import re
from functools import cache
from importlib import resources
from pathlib import Path

from ..escape import css_string


def asset(name: str) -> Path:
    """Return the path of a file shipped in `report/render/` (styles/, templates/, assets/)."""
    return Path(str(resources.files("report.render") / name))



def caption_css(labels: dict[str, str]) -> str:
    """The words before table and figure numbers, from the label catalogue, as CSS."""
    return (f'caption::before {{ content: {css_string(labels.get("table", ""))} " " '
            'counter(table) ". "; }\n'
            f'figcaption::before {{ content: {css_string(labels.get("figure", ""))} " " '
            'counter(figure) ". "; }\n')


def label_css(labels: dict[str, str]) -> str:
    """The print style's words (table and figure labels, the page footer) as CSS."""
    parts = re.split(r"(\{page\}|\{pages\})", labels.get("page", "{page}"))
    footer = " ".join(f"counter({p[1:-1]})" if p in ("{page}", "{pages}") else css_string(p)
                      for p in parts if p)
    return caption_css(labels) + f"@page {{ @bottom-right {{ content: {footer}; }} }}\n"


def write_csl(target: Path, terms: dict[str, str]) -> None:
    """Write the citation style beside the Markdown, its terms in the catalogue's words."""
    from ..escape import xml_text

    csl = asset("styles/briefing.csl").read_text(encoding="utf-8")
    for name, text in terms.items():
        csl = re.sub(rf'(<term name="{re.escape(name)}">)[^<]*(</term>)',
                     lambda m, text=text: m.group(1) + xml_text(text) + m.group(2), csl)
    target.write_text(csl, encoding="utf-8")


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
