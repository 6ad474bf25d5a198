"""The self-contained HTML page: pandoc's page plus style, interactive charts, a side contents
list, heading anchors, citation previews and the claims register as ClaimReview JSON-LD.

Everything is inlined; the page's Content-Security-Policy lets it load nothing from anywhere
and run no script but the tool's own: each of them is named by its sha256 in `script-src`
(no 'unsafe-inline'), so an event handler, a `javascript:` link or a script element that
reached the page from an input cannot run, whatever let it through.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

from ..charts import Chart
from ..errors import EnvironmentFault
from ..escape import html_text, script_json

# Small scripts the page runs (no data in them): citation previews, the current section in
# the side contents, and the contents folded away on a phone.
PAGE_SCRIPT = """
(function () {
  var labels = JSON.parse(document.getElementById('report-labels').textContent);
  var tip = null;
  function hide() { if (tip) { tip.remove(); tip = null; } }
  function show(link) {
    var entry = document.getElementById(link.getAttribute('href').slice(1));
    if (!entry) { return; }
    hide();
    tip = document.createElement('div');
    tip.className = 'cite-tip';
    tip.setAttribute('role', 'tooltip');
    tip.textContent = entry.textContent.trim();
    var holder = link.closest('[data-confidence]');
    if (holder) {
      var c = document.createElement('span');
      c.className = 'confidence';
      c.textContent = labels.confidence + ': ' + holder.getAttribute('data-confidence');
      tip.appendChild(c);
    }
    document.body.appendChild(tip);
    var r = link.getBoundingClientRect();
    var right = window.scrollX + window.innerWidth - tip.offsetWidth - 8;
    var left = Math.min(window.scrollX + r.left, right);
    tip.style.left = Math.max(8, left) + 'px';
    tip.style.top = (window.scrollY + r.bottom + 6) + 'px';
  }
  document.querySelectorAll('.citation a[href^="#ref-"]').forEach(function (a) {
    a.addEventListener('mouseenter', function () { show(a); });
    a.addEventListener('focus', function () { show(a); });
    a.addEventListener('mouseleave', hide);
    a.addEventListener('blur', hide);
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') { hide(); } });
  var links = {};
  document.querySelectorAll('nav.toc a[href^="#"]').forEach(function (a) {
    links[a.getAttribute('href').slice(1)] = a;
  });
  if ('IntersectionObserver' in window) {
    var current = null;
    var seen = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (e.isIntersecting && links[e.target.id]) {
          if (current) { current.classList.remove('current'); }
          current = links[e.target.id];
          current.classList.add('current');
        }
      });
    }, {rootMargin: '0px 0px -70% 0px'});
    document.querySelectorAll('h1[id], h2[id]').forEach(function (h) { seen.observe(h); });
  }
  // A chart drawn while the page was still loading may have taken a width the finished
  // layout does not give it: fit each one again once everything is in place.
  window.addEventListener('load', function () {
    if (window.Plotly) {
      document.querySelectorAll('.chart').forEach(function (d) { Plotly.Plots.resize(d); });
    }
  });
  var fold = document.querySelector('nav.toc details');
  if (fold && window.matchMedia('(max-width: 900px)').matches) { fold.removeAttribute('open'); }
})();
"""


def interactive_page(page: str, charts: list[Chart], images: dict[str, Path],
                     labels: dict[str, str], claim_reviews: list[dict]) -> str:
    """Return the standalone page with everything inlined."""
    from .assets import asset, caption_css, plotly_js

    css = asset("styles/page.css").read_text(encoding="utf-8") + caption_css(labels)
    head = f"<style>\n{css}\n</style>\n"
    scripts = [PAGE_SCRIPT]  # the scripts the page may run, each allowed by its hash
    if charts:
        script, _partial = plotly_js()
        scripts.append(script)
        head += "<script><!--REPORT:PLOTLY--></script>\n"
        head += f"<script>{PLOT_SCRIPT}</script>\n"
        scripts.append(PLOT_SCRIPT)
    for review in claim_reviews:
        head += f'<script type="application/ld+json">{script_json(review)}</script>\n'
    head += (f'<script type="application/json" id="report-labels">'
             f'{script_json({"confidence": labels.get("confidence", "")})}</script>\n')
    page = page.replace("<!--REPORT:HEAD-->", head, 1)
    page = _charts(page, charts, images, scripts)
    # Each citation's link already names its source; the list of keys pandoc adds beside it
    # would be a tenth of the page.
    page = re.sub(r'\s+data-cites="[^"]*"', "", page)
    page = _wrap_tables(page)
    page = _anchors(page, labels.get("anchor", ""))
    page = _foldable_contents(page)
    page = page.replace("</body>", f"<script>{PAGE_SCRIPT}</script>\n</body>", 1)
    page = allow_scripts(page, scripts)
    # plotly.js (megabytes) goes in last, so the searches above run over the page alone.
    return page.replace("<!--REPORT:PLOTLY-->", script, 1) if charts else page


# Draws a chart; on a phone (under 600 px) with fewer labels: the event labels that point at
# markers are left to the hover text; a label that starts at its date starts there in the
# first third of the time axis, is centred on it in the middle third and ends at it in the
# last (so it stays inside the narrow chart); the legend goes below, fewer ticks; the toolbar
# shows on hover only (and never in print: page.css).
PLOT_SCRIPT = """
function reportPlot(id, s) {
  var layout = s.layout, narrow = window.innerWidth < 600;
  if (narrow) {
    var range = (layout.xaxis || {}).range, start = null, span = null;
    if (range && typeof range[0] === 'string') {
      start = Date.parse(range[0]);
      span = Date.parse(range[1]) - start;
    }
    layout.annotations = (layout.annotations || []).filter(function (a) {
      return !a.showarrow;
    }).map(function (a) {
      if (!span || a.xref === 'paper' || typeof a.x !== 'string' || a.xanchor !== 'left') {
        return a;
      }
      var at = (Date.parse(a.x) - start) / span;
      return Object.assign({}, a, {xanchor: at < 1 / 3 ? 'left' : at > 2 / 3 ? 'right' : 'center'});
    });
    layout.legend = Object.assign({}, layout.legend, {orientation: 'h', x: 0, xanchor: 'left',
                                                       y: -0.12, yanchor: 'top'});
    layout.margin = Object.assign({}, layout.margin, {l: 4, r: 4});
    layout.font = Object.assign({}, layout.font, {size: 10});
    layout.xaxis = Object.assign({}, layout.xaxis, {nticks: 4});
  }
  Plotly.newPlot(id, s.data, layout, {responsive: true, displaylogo: false,
                                      displayModeBar: 'hover'});
}
"""


def _charts(page: str, charts: list[Chart], images: dict[str, Path], scripts: list[str]) -> str:
    """Replace each chart's <img> with an interactive plot drawn from the same figure JSON;
    each chart's script is added to `scripts`."""
    for chart in charts:
        src = html_text(images[chart.id].name)
        pattern = re.compile(r'<img\s[^>]*?src="' + re.escape(src) + r'"[^>]*>')
        spec = json.loads(chart.spec)
        spec["layout"] = {**spec["layout"], "width": None, "autosize": True}
        data = script_json({"data": spec["data"], "layout": spec["layout"]})
        draw = f'(function(){{var s={data};reportPlot("{chart.id}-plot",s);}})();'
        scripts.append(draw)
        div = (_still(chart) +
               f'<div class="chart" id="{chart.id}-plot" role="img" '
               f'aria-label="{html_text(chart.alt)}" '
               f'style="height:{chart.height}px"></div><script>{draw}</script>')
        page, count = pattern.subn(lambda _m, div=div: div, page, count=1)
        if count != 1:
            raise EnvironmentFault(f"chart {chart.id} is missing from the HTML page")
    return page


def _still(chart: Chart) -> str:
    """What a reader whose browser runs no scripts (a mail client's preview, a locked-down
    reader) gets in place of the chart: what it shows, in words. (An image would need the
    chart drawn first, which the preview's page does not wait for.)"""
    return f'<noscript><p class="chart-still">{html_text(chart.alt)}</p></noscript>'


CSP_META = re.compile(
    r'(<meta\s+http-equiv="Content-Security-Policy"\s+content=")([^"]*)(")', re.IGNORECASE)


def script_hash(script: str) -> str:
    """The CSP source that allows one inline script: its text's sha256, as the browser
    hashes it (UTF-8, exactly the characters between <script> and </script>)."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def allow_scripts(page: str, scripts: list[str]) -> str:
    """Set the page's `script-src` to the hashes of `scripts` and nothing else ('none' when
    there are none), adding to the hashes it already allows; every other directive stays. A
    page without a policy gets one that allows nothing else."""
    def policy(match: re.Match) -> str:
        directives = [d.strip() for d in match.group(2).split(";") if d.strip()]
        allowed: list[str] = []
        for d in directives:
            if d.split()[0].lower() == "script-src":
                allowed += [s for s in d.split()[1:] if s.startswith("'sha256-")]
        allowed = list(dict.fromkeys([*allowed, *map(script_hash, scripts)]))
        rest = [d for d in directives if d.split()[0].lower() != "script-src"]
        source = "script-src " + (" ".join(allowed) if allowed else "'none'")
        return match.group(1) + "; ".join([*rest[:1], source, *rest[1:]]) + match.group(3)

    # The policy stands early in the head: search only up to the first style or script.
    head_end = min([i for i in (page.find("<style"), page.find("<script"), page.find("</head>"))
                    if i >= 0] or [len(page)])
    head, count = CSP_META.subn(policy, page[:head_end], count=1)
    if count != 1:
        meta = CSP_META.sub(policy, '<meta http-equiv="Content-Security-Policy" content='
                                    '"default-src \'none\'; style-src \'unsafe-inline\'">')
        at = head.find("<head>")
        at = at + len("<head>") if at >= 0 else 0
        head = head[:at] + meta + head[at:]
    return head + page[head_end:]


def _wrap_tables(page: str) -> str:
    """Let wide tables scroll sideways on a phone instead of squeezing every column."""
    page = re.sub(r"<table\b", '<div class="table-wrap"><table', page)
    return page.replace("</table>", "</table></div>")


def _anchors(page: str, label: str) -> str:
    """Give each numbered heading a link to itself, shown on hover."""
    def add(m: re.Match) -> str:
        return (f'{m.group(0)}<a class="anchor" href="#{m.group(2)}" '
                f'aria-label="{html_text(label)}">#</a>')

    return re.sub(r'<(h[1-3])\b[^>]*?\bid="([^"]+)"[^>]*>', add, page)


def _foldable_contents(page: str) -> str:
    """Wrap the contents list in <details>, so a phone can fold it away."""
    m = re.search(r'(<nav id="TOC"[^>]*>)\s*<p class="toc-title">(.*?)</p>', page, re.S)
    if not m:
        return page
    start, title = m.group(1), m.group(2)
    page = page.replace(m.group(0), f'{start}<details open><summary class="toc-title">{title}'
                                    "</summary>", 1)
    return page.replace("</nav>", "</details></nav>", 1)
