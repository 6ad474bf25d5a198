"""The HTML page runs the tool's own scripts and nothing else: its Content-Security-Policy
names each of them by its sha256 and has no 'unsafe-inline', so an event handler, a
`javascript:` link or a style that fetches, had one got past `report check`, would do
nothing in a reader's browser. Checked by loading pages in headless Chromium."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import subprocess

import pytest

from report.charts import build_charts, find_browser, image_paths
from report.compare import compare
from report.compose import compose
from report.load.cases import load_cases
from report.render import render
from report.render.html import allow_scripts, script_hash
from report.words.style import Style

from .conftest import DATA, GOOD, case_dir, run_cli
from .test_security import Recorder, listener  # noqa: F401 (a fixture)

pytestmark = pytest.mark.xdist_group("build")


def loaded(page, tmp_path, name="page.html") -> str:
    """The page's document after headless Chromium loaded it and ran its scripts."""
    path = tmp_path / name
    path.write_text(page, encoding="utf-8")
    run = subprocess.run([find_browser(), "--headless", "--no-sandbox", "--disable-gpu",
                          "--virtual-time-budget=5000", "--dump-dom", path.as_uri()],
                         capture_output=True, text=True, timeout=120)
    return run.stdout


def hostile(url: str) -> str:
    """Markdown that `report check` refuses, as it would reach pandoc had it got past."""
    act = "document.body.setAttribute('data-ran','{}')"
    return (
        "\n\n# Attacks {onclick=\"" + act.format("heading") + "\"}\n\n"
        "[focus]{tabindex=0 autofocus=true onfocus=\"" + act.format("focus") + "\"}\n\n"
        "[seen]{style=\"content-visibility:auto\" oncontentvisibilityautostatechange=\""
        + act.format("visibility") + "\"}\n\n"
        f"::: {{style=\"background:url({url}/div)\"}}\nA block.\n:::\n\n"
        f"[a link](javascript:{act.format('link')}){{autofocus=true "
        f"onfocus=\"{act.format('link-focus')}\"}} and <javascript:alert(1)>\n")


def test_an_injected_handler_runs_nothing_and_fetches_nothing(tmp_path, listener):  # noqa: F811
    comparison = compare([cf.case for cf in load_cases(GOOD)], dt.date(2026, 1, 1))
    style = Style()
    charts = build_charts(comparison, style)
    images = image_paths(charts, tmp_path / "figures")
    briefing = compose(comparison, charts, images, style)
    briefing = dataclasses.replace(briefing, markdown=briefing.markdown + hostile(listener))
    (tmp_path / "html").mkdir()
    page = render(briefing, charts, images, ["html"], tmp_path / "html").documents["html"]
    page = page.read_text(encoding="utf-8")
    policy = re.search(r'Content-Security-Policy" content="([^"]*)"', page).group(1)
    assert "onfocus=" in page and re.search(r"script-src ('sha256-[^']+' ?)+;", policy)

    dom = loaded(page, tmp_path)
    assert re.search(r"<body[^>]*>", dom).group() == "<body>"  # no handler or link ran
    assert dom.count('class="main-svg"') >= len(charts)  # the page's own scripts did
    assert Recorder.hits == []  # and nothing was fetched
    # The same page with scripts allowed inline is attacked: the test sees an attack.
    weakened = re.sub(r"script-src [^;\"]*", "script-src 'unsafe-inline'", page, count=1)
    body = re.search(r"<body[^>]*>", loaded(weakened, tmp_path, "weakened.html")).group()
    assert 'data-ran="focus"' in body


def test_the_policy_allows_the_pages_own_scripts_by_hash_and_no_other():
    page = ('<html><head><meta http-equiv="Content-Security-Policy" content="default-src '
            "'none'; script-src 'none'; style-src 'unsafe-inline'\"></head><body></body>"
            "</html>")
    allowed = allow_scripts(page, ["alert(1)", "x()"])
    policy = re.search(r'content="([^"]*)"', allowed).group(1)
    assert policy == (f"default-src 'none'; script-src {script_hash('alert(1)')} "
                      f"{script_hash('x()')}; style-src 'unsafe-inline'")
    # the hash of the text between <script> and </script>, as CSP defines it
    assert script_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    assert "script-src 'none'" in allow_scripts(page, [])
    # a page without a policy gets one
    assert "script-src " + script_hash("x()") in allow_scripts("<html><body></body></html>",
                                                                ["x()"])


def test_every_claim_field_stays_inside_its_json_ld_script(tmp_path):
    """The quote, the claimant and the source's title each go into ClaimReview JSON-LD in a
    <script> element: none of them can end it or open another."""
    breakout = '</script><script>alert(1)</script><!--<script> \u2028'
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"), *(DATA / "brief").iterdir())
    said = json.dumps(breakout)
    for name, old in (("claims.yaml", "Alpha pays ten times more than rivals to win a customer"),
                      ("claims.yaml", "A. Critic's blog"),  # the first claim's claimant
                      ("alpha.yaml", "Why Alpha will fail")):  # the title of its source
        text = (cases / name).read_text(encoding="utf-8")
        assert old in text
        (cases / name).write_text(text.replace(old, said, 1), encoding="utf-8")
    run = run_cli("build", "--quiet", "--format", "html", cwd=tmp_path)
    assert run.code == 0, run.err
    page = (tmp_path / "output" / "briefing.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    reviews = [json.loads(block) for block in blocks]
    assert reviews[0]["claimReviewed"] == breakout
    assert reviews[0]["itemReviewed"]["author"]["name"] == breakout
    assert breakout in [r["itemReviewed"]["appearance"]["headline"] for r in reviews]
    for block in blocks:
        assert "<" not in block and "\u2028" not in block
