"""Numbers agree everywhere: every count, "latest" and name in the key findings and the
at-a-glance table equals what the fact pack's tables list, row by row."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import pypandoc
import pytest

from report.charts import build_charts
from report.compare import compare
from report.compose import compose
from report.compose.tables import Tables
from report.load import load_inputs
from report.render import READER
from report.words.style import Style

from .conftest import GOOD, ROOT
from .synth import write_cases

STYLE = Style()


def plain(markdown: str) -> str:
    return subprocess.run([pypandoc.get_pandoc_path(), f"--from={READER}", "-t", "plain",
                           "--wrap=none"], input=markdown, capture_output=True, text=True,
                          check=True).stdout


def findings_and_tables(folder):
    inputs = load_inputs(folder)
    c = compare(inputs.cases, dt.date(2026, 11, 24), inputs.rates, inputs.currency)
    charts = build_charts(c, STYLE, inputs.brief.meta.exhibits if inputs.brief else ())
    images = {chart.id: Path(f"{chart.id}.png") for chart in charts}
    text = plain(compose(c, charts, images, STYLE, inputs.brief, inputs.claims).markdown)
    findings = text.split("Key findings", 2)[-1].split("At a glance")[0]
    bullets = {m.group(1): m.group(2) for m in re.finditer(
        r"^\s*-\s+(\w+)\.\s+(.*?)(?=^\s*-\s+\w+\.|\Z)", findings, re.M | re.S)}
    return c, Tables(c, STYLE), {k: " ".join(v.split()) for k, v in bullets.items()}


def rows_of(table, company: str):
    return [[cell.text for cell in row] for row in table.rows if row[0].text == company]


def glance_cell(tables: Tables, label: str, company: str) -> str:
    glance = tables.glance()
    column = glance.header.index(company)
    return next(row[column].text for row in glance.rows if row[0].text == label)


def check_agreement(folder):
    c, tables, bullets = findings_and_tables(folder)
    releases = tables.releases()
    model_kinds = {STYLE.labels(f"kind.{k}") for k in (
        "base", "chat", "reasoning", "distilled", "multimodal", "code", "math", "prover",
        "other")}
    for f in c.facts:
        name = f.case.name.en
        rows = [r for r in rows_of(releases, name) if r[3] in model_kinds]
        if rows:
            open_rows = [r for r in rows if r[5] == STYLE.labels("weights.open")]
            latest = rows[-1]  # the table lists releases oldest first, ties by id
            latest_name = latest[1].removesuffix(" " + STYLE.labels("release.flagship_mark"))
            said = (f"{name}: {len(rows)} model release{'s' * (len(rows) != 1)} recorded, "
                    f"{len(open_rows)} with open weights, latest {latest_name} ({latest[2]})")
            assert said in bullets["Releases"], (said, bullets["Releases"])
            assert glance_cell(tables, "Model releases", name).startswith(
                f"{len(rows)} model release{'s' * (len(rows) != 1)}, {len(open_rows)} with "
                f"open weights; latest {latest_name} ({latest[2]})")
        people = rows_of(tables.people(), name)
        leaders = [p for p in people if any(tag in p[3] for tag in (
            STYLE.labels("level.founder"), STYLE.labels("level.executive"),
            STYLE.labels("level.head"), STYLE.labels("person.cofounder")))]
        gone = [p for p in leaders if p[5] != STYLE.labels("person.there")]
        assert f"{name} {len(gone)} of {len(leaders)}" in bullets["Departures"], \
            (name, len(gone), len(leaders), bullets["Departures"])
        for p in gone:
            assert p[1].split(" (")[0] in bullets["Departures"], p[1]
        rounds = rows_of(tables.funding(), name)
        closed = [r for r in rounds if r[3] == STYLE.labels("status.closed")]
        if rounds:
            assert (f"{name}: {len(rounds)} round{'s' * (len(rounds) != 1)} recorded, "
                    f"{len(closed)} closed") in bullets["Funding"]


def test_findings_agree_with_the_tables_for_the_synthetic_cases():
    check_agreement(GOOD)


def test_findings_agree_with_the_tables_for_ten_synthetic_companies(tmp_path):
    write_cases(10, tmp_path / "cases")
    check_agreement(tmp_path / "cases")


@pytest.mark.xdist_group("build")
def test_findings_agree_with_the_tables_for_the_shipped_cases():
    check_agreement(ROOT / "cases")


def test_an_exhibit_of_chosen_prices_describes_what_it_chose():
    """Its alt text names the chosen models and its window, not the fact pack's chart."""
    from report.charts.exhibits import exhibit_chart

    inputs = load_inputs(ROOT / "cases")
    c = compare(inputs.cases, dt.date(2026, 11, 24), inputs.rates, inputs.currency)
    exhibit = next(e for e in inputs.brief.meta.exhibits if e.chart == "prices")
    alt = exhibit_chart(c, STYLE, exhibit).alt
    assert alt.startswith("Step lines of the input price per 1M tokens in USD of Yi-Large")
    assert "deepseek-chat (DeepSeek-V3)" in alt and "to 5 Sept 2025" in alt
    assert "lowest" not in alt


def test_a_bound_keeps_its_word_when_the_brief_converts_it(tmp_path):
    """A converted round amount known only as a lower bound says "at least", as the funding
    finding does (synthetic cases: Alpha's Series A is at least USD 100M)."""
    from report.check import checked_inputs

    cases = tmp_path / "cases"
    shutil.copytree(GOOD, cases)
    (cases / "brief.md").write_text(
        "---\ntitle: T\nauthor: A\ndate: 2026-01-01\ncases: [alpha, beta]\n---\n\n"
        "# Summary\n\nAlpha raised [[alpha:series-a.amount in CNY]].\n", encoding="utf-8")
    inputs = checked_inputs(cases)
    c = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates, inputs.currency)
    charts = build_charts(c, STYLE, inputs.brief.meta.exhibits)
    images = {chart.id: Path(f"{chart.id}.png") for chart in charts}
    text = " ".join(plain(compose(c, charts, images, STYLE, inputs.brief).markdown).split())
    assert "Alpha Labs: 2 rounds recorded, 1 closed, at least USD 100M raised" in text
    assert "Alpha raised at least ≈ CNY 700M at CNY 7 per USD, 2024 average" in text
