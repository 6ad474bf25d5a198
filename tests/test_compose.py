"""The Markdown the templates produce, compared as text with a golden file.

After an intended template change, regenerate with `make golden` and read the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pypandoc

from report.charts import build_charts
from report.compare import compare
from report.compose import compose
from report.load import load_inputs
from report.render import READER
from report.words.style import Style

from .conftest import DATA, GOOD

GOLDEN = DATA / "golden" / "briefing.md"


def composed():
    inputs = load_inputs(GOOD)
    comparison = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates)
    charts = build_charts(comparison, Style())
    images = {c.id: Path("/figures") / f"{c.id}.png" for c in charts}
    return compose(comparison, charts, images)


def test_markdown_matches_the_golden_file():
    markdown = composed().markdown
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(markdown, encoding="utf-8")
    assert markdown == GOLDEN.read_text(encoding="utf-8")


def test_every_citation_has_a_bibliography_entry():
    briefing = composed()
    keys = {item["id"] for item in briefing.bibliography}
    import re

    cited = set(re.findall(r"@([0-9a-z][0-9a-z:-]*[0-9a-z])", briefing.markdown))
    assert cited and cited <= keys


def test_case_text_that_looks_like_template_code_stays_text(tmp_path):
    text = (GOOD / "alpha.yaml").read_text(encoding="utf-8").replace(
        "title: Joint lab with Big Cloud",
        "title: \"Releases {{ 7*7 }} {% include x %} Alpha-34B\"")
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "alpha.yaml").write_text(text, encoding="utf-8")
    (cases / "beta.yaml").write_text((GOOD / "beta.yaml").read_text(encoding="utf-8"),
                                     encoding="utf-8")
    (cases / "exchange-rates.yaml").write_text(
        (GOOD / "exchange-rates.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    inputs = load_inputs(cases)
    comparison = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates)
    markdown = compose(comparison, [], {}).markdown
    plain = subprocess.run([pypandoc.get_pandoc_path(), f"--from={READER}", "-t", "plain",
                            "--wrap=none"], input=markdown, capture_output=True, text=True,
                           check=True).stdout
    assert "Releases {{ 7*7 }} {% include x %} Alpha-34B" in plain
    assert "49" not in plain
