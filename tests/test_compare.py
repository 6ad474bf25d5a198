"""The comparison: a third case file adds a column to every table and a series to every chart."""

from __future__ import annotations

import datetime as dt

import pytest

from report.cases import load_cases
from report.charts import build_charts
from report.compare import compare, lowest_price_steps

from .conftest import GOOD, ROOT, case_dir

BUILD_DATE = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def two_and_three(tmp_path_factory):
    two = case_dir(tmp_path_factory.mktemp("two"), GOOD / "alpha.yaml", GOOD / "beta.yaml")
    three = GOOD
    return [compare([cf.case for cf in load_cases(d)], BUILD_DATE) for d in (two, three)]


SIDE_BY_SIDE = ("glance", "strategy", "team")
LONG = ("moves", "funding", "people", "pricing", "releases", "scorecard", "timeline")


def test_a_third_case_adds_a_column_to_every_side_by_side_table(two_and_three):
    two, three = two_and_three
    for name in SIDE_BY_SIDE:
        t2, t3 = getattr(two, name), getattr(three, name)
        assert len(t3.header) == len(t2.header) + 1, name
        assert t3.header[-1] == "Gamma Intelligence", name
        assert all(len(row) == len(t3.header) for row in t3.rows), name
        assert len(t3.widths) == len(t3.header), name


def test_a_third_case_adds_rows_to_every_long_table(two_and_three):
    two, three = two_and_three
    for name in LONG:
        t3 = getattr(three, name)
        companies = {cell.text for row in t3.rows for cell in row[:2]}
        if name not in ("moves", "funding"):  # gamma.yaml records no moves or rounds
            assert "Gamma Intelligence" in companies, name
        assert all(len(row) == len(t3.header) for row in t3.rows), name


def test_a_third_case_adds_a_series_to_every_chart(two_and_three):
    two, three = two_and_three
    charts2 = {c.id: c.figure for c in build_charts(two)}
    charts3 = {c.id: c.figure for c in build_charts(three)}
    assert set(charts3) == set(charts2) == {"fig-timeline", "fig-prices", "fig-team",
                                            "fig-openness"}
    assert "Gamma Intelligence" in charts3["fig-timeline"].layout.yaxis.ticktext
    assert "Gamma Intelligence" not in charts2["fig-timeline"].layout.yaxis.ticktext
    for fig_id in ("fig-prices", "fig-team"):
        names3 = {t.name.split(" ·")[0].split(":")[0] for t in charts3[fig_id].data}
        names2 = {t.name.split(" ·")[0].split(":")[0] for t in charts2[fig_id].data}
        assert names3 - names2 == {"Gamma Intelligence"}, fig_id
    rows = list(charts3["fig-openness"].data[0].y)
    assert "Gamma-1 (Gamma Intelligence)" in rows
    assert len(rows) == len(charts2["fig-openness"].data[0].y) + 1


def test_key_findings_are_computed_from_the_data(two_and_three):
    two, _ = two_and_three
    findings = {f.headline: f.text for f in two.findings}
    # alpha: 0.99 CNY list (the 0.5 promotional price is not a list price); beta: 1 CNY.
    assert findings["Price"].startswith(
        "Lowest list price for input per 1M tokens: Alpha Labs 0.99 CNY (alpha-lightning, "
        "from 2024-10-16); Beta AI 1 CNY (beta-chat, from 2024-05-06).")
    assert "Alpha Labs 1 of 2 named (1 co-founder); Beta AI 0 of 1 named" in findings["Team"]
    assert findings["Price"].endswith(
        "With cached input (cache hits) the lowest list prices are: Beta AI 0.1 CNY "
        "(beta-chat, from 2024-05-06).")
    assert findings["Licences"] == (
        "Alpha Labs 1 of 1 releases with downloadable weights under an OSI-approved licence "
        "now (Alpha-34B: Alpha Community Licence → Apache-2.0 (2024-05-30)); Beta AI 1 of 1 "
        "releases with downloadable weights under an OSI-approved licence now.")
    assert findings["Funding"] == ("Alpha Labs 1 round recorded, latest valuation USD 1 bn "
                                   "(2023-11); Beta AI no external round recorded.")
    # alpha: 6 open + 4 partial of 13 = 8/13; beta: 8 open + 1 partial of 12 (one n/a).
    assert "Alpha Labs 62% at best (Alpha-34B)" in findings["Openness"]
    assert "Beta AI 71% at best (Beta-V3)" in findings["Openness"]


def test_as_of_is_the_latest_dated_fact(two_and_three):
    two, three = two_and_three
    assert str(two.as_of) == "2025-03"  # Bo Beta left in March 2025
    assert str(three.as_of) == "2025-03"


def test_appendix_lists_facts_short_of_confirmed_with_other_versions(two_and_three):
    two, _ = two_and_three
    alpha = [u for u in two.uncertain if u.case == "Alpha Labs"]
    whats = [u.what for u in alpha]
    assert "founded: 2023-05" in whats
    assert any(w.startswith("2025-01-02: Joint lab with Big Cloud — other version of date: 2024-01")
               for w in whats)
    assert all(u.confidence.value != "confirmed" for u in alpha)


def test_lowest_price_steps_follow_the_cheapest_list_price():
    cases = {cf.case.id: cf.case for cf in load_cases(GOOD)}
    points = [p for p in cases["alpha"].pricing if p.tier.value == "list"]
    xs, ys, models = lowest_price_steps(points, "input", dt.date(2025, 3, 31))
    # alpha-large's last day is 2024-10-15; alpha-lightning starts the next day: no gap.
    assert list(zip(xs, ys)) == [("2024-05-13", 20.0), ("2024-10-16", 0.99),
                                 ("2025-03-31", 0.99)]
    assert models[0] == "alpha-large"


def test_nothing_in_the_code_names_a_company():
    names = ["01.AI", "01-ai", "零一万物", "DeepSeek", "deepseek", "深度求索", "Kai-Fu", "Yi-"]
    for path in (ROOT / "report").rglob("*"):
        if path.suffix in {".py", ".j2", ".html", ".css", ".csl"}:
            text = path.read_text(encoding="utf-8")
            for name in names:
                assert name not in text, f"{path.name} names {name}"


def test_lowest_price_steps_close_a_step_before_a_gap():
    from report.model import PricePoint

    def point(start, until, value):
        return PricePoint.model_validate({"model": "m", "from": start, "until": until,
                                          "currency": "CNY", "input": value, "cite": ["s"],
                                          "confidence": "confirmed"})

    points = [point("2024-01-01", "2024-01-31", 2), point("2024-03-01", None, 1)]
    xs, ys, _ = lowest_price_steps(points, "input", dt.date(2024, 3, 31))
    assert list(zip(xs, ys)) == [("2024-01-01", 2), ("2024-02-01", 2), ("2024-02-01", None),
                                 ("2024-03-01", 1), ("2024-03-31", 1)]


def test_ten_companies_split_side_by_side_tables_into_groups_of_four(tmp_path):
    from report.compose import CASES_PER_TABLE, render_table

    from .synth import write_cases

    write_cases(10, tmp_path / "cases")
    comparison = compare([cf.case for cf in load_cases(tmp_path / "cases")], BUILD_DATE)
    parts = comparison.glance.chunks(CASES_PER_TABLE)
    assert [len(p.header) - 1 for p in parts] == [4, 4, 2]
    assert [p.id for p in parts] == ["tbl-glance", "tbl-glance-2", "tbl-glance-3"]
    assert all(p.rows[0][0].text == "Chinese name" for p in parts)
    assert render_table(comparison.glance).count("{#tbl-glance") == 3
    assert len(comparison.pricing.chunks(CASES_PER_TABLE)) == 1  # long tables are not split


def test_funding_rounds_show_amounts_valuations_and_leads(two_and_three):
    two, _ = two_and_three
    (row,) = two.funding.rows
    assert [c.text for c in row] == ["Alpha Labs", "2023-11", "Series A", "USD ≥ 100 m",
                                     "USD 1 bn", "lead: Big Cloud"]
    assert row[1].cites == ("alpha:news",)
