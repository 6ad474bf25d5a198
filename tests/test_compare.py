"""The comparison: one register per company feeds the findings, the tables and the charts,
and a third case file adds a column to every table and a series to every chart."""

from __future__ import annotations

import datetime as dt

import pytest

from report.charts import build_charts
from report.compare import compare, price_ranking
from report.compare.registers import price_steps
from report.compose.tables import Tables
from report.load import load_inputs
from report.model import PricePoint
from report.words.style import Style

from .conftest import GOOD, ROOT, case_dir

BUILD_DATE = dt.date(2026, 1, 1)
STYLE = Style()


def comparison_of(folder):
    inputs = load_inputs(folder)
    return compare(inputs.cases, BUILD_DATE, inputs.rates)


@pytest.fixture(scope="module")
def two_and_three(tmp_path_factory):
    two = case_dir(tmp_path_factory.mktemp("two"), GOOD / "alpha.yaml", GOOD / "beta.yaml",
                   GOOD / "exchange-rates.yaml")
    return comparison_of(two), comparison_of(GOOD)


SIDE_BY_SIDE = ("glance", "strategy", "team")
LONG = ("moves", "funding", "people", "pricing", "releases", "scorecard", "chronology")


def test_a_third_case_adds_a_column_to_every_side_by_side_table(two_and_three):
    two, three = (Tables(c, STYLE) for c in two_and_three)
    for name in SIDE_BY_SIDE:
        t2, t3 = getattr(two, name)(), getattr(three, name)()
        assert len(t3.header) == len(t2.header) + 1, name
        assert t3.header[-1] == "Gamma Intelligence", name
        assert all(len(row) == len(t3.header) for row in t3.rows), name
        assert len(t3.widths) == len(t3.header), name


def test_a_third_case_adds_rows_to_every_long_table(two_and_three):
    _, three = two_and_three
    tables = Tables(three, STYLE)
    for name in LONG:
        t3 = getattr(tables, name)()
        companies = {cell.text for row in t3.rows for cell in row[:2]}
        if name not in ("moves", "funding"):  # gamma.yaml records no moves or rounds
            assert "Gamma Intelligence" in companies, name
        assert all(len(row) == len(t3.header) for row in t3.rows), name


def test_a_third_case_adds_a_series_to_every_chart(two_and_three):
    two, three = two_and_three
    charts2 = {c.id: c.figure for c in build_charts(two, STYLE)}
    charts3 = {c.id: c.figure for c in build_charts(three, STYLE)}
    assert set(charts3) == set(charts2) == {"fig-timeline", "fig-prices", "fig-team",
                                            "fig-openness"}
    assert "Gamma Intelligence" in charts3["fig-timeline"].layout.yaxis.ticktext
    assert "Gamma Intelligence" not in charts2["fig-timeline"].layout.yaxis.ticktext
    for fig_id in ("fig-prices", "fig-team"):
        names3 = {t.name.split(",")[0] for t in charts3[fig_id].data if t.name}
        names2 = {t.name.split(",")[0] for t in charts2[fig_id].data if t.name}
        assert names3 - names2 == {"Gamma Intelligence"}, fig_id
    rows3 = {y for trace in charts3["fig-openness"].data for y in trace.y}
    rows2 = {y for trace in charts2["fig-openness"].data for y in trace.y}
    assert rows3 - rows2 == {"Gamma-1 · Gamma Intelligence"}


def test_every_chart_draws_only_what_the_page_s_plotly_bundle_holds(two_and_three):
    from report.render.assets import TRACES

    for chart in build_charts(two_and_three[1], STYLE):
        assert {trace.type for trace in chart.figure.data} <= set(TRACES), chart.id


def test_registers_count_closed_releases_and_break_ties_one_way(two_and_three):
    two, _ = two_and_three
    alpha = two.by_id("alpha")
    assert [r.id for r in alpha.models] == ["alpha-34b", "alpha-large"]  # closed counted
    assert [r.id for r in alpha.other_releases] == ["alpha-kernels"]
    assert alpha.latest_model.id == "alpha-large"
    assert alpha.latest_flagship.id == "alpha-large"
    assert alpha.best.id == "alpha-34b"


def test_departures_compare_one_group_in_every_company(two_and_three):
    two, _ = two_and_three
    alpha, beta = two.by_id("alpha"), two.by_id("beta")
    # Cy Chen, a researcher, left too, but is not in the founders-and-heads group.
    assert [p.id for p in alpha.leaders] == ["ada", "bo"]
    assert [p.id for p in alpha.leaders_left] == ["bo"]
    assert [p.id for p in alpha.departed] == ["cy", "bo"] or \
        sorted(p.id for p in alpha.departed) == ["bo", "cy"]
    assert [p.id for p in beta.leaders_left] == []


def test_funding_counts_closed_rounds_only(two_and_three):
    two, _ = two_and_three
    fund = two.by_id("alpha").funding
    assert [r.id for r in fund.rounds] == ["series-a", "series-b"]
    assert [r.id for r in fund.closed] == ["series-a"]
    assert fund.latest_valuation.id == "series-a"  # the in-talks target is not a valuation
    assert fund.raised == 100_000_000 and fund.raised_is_minimum  # "at least" USD 100M


def test_prices_compare_like_with_like_in_one_currency(two_and_three):
    two, _ = two_and_three
    prices = price_ranking(two)
    # The latest day both companies have a list price on record: alpha's USD 0.14, seen on
    # 1 Feb 2025, while beta's CNY 1 ran from May 2024 to 8 Feb 2025. Beta's later prices
    # (from 9 Feb 2025) are on record for their first day only, when alpha has none.
    assert prices.day == dt.date(2025, 2, 1)
    (cheap, cheap_step, cheap_value), (dear, dear_step, dear_value) = prices.ranking
    assert (cheap.case.id, cheap_step.point.id) == ("beta", "beta-chat-2024-05-06-cny")
    assert (dear.case.id, dear_step.point.id) == ("alpha", "lightning-usd-seen")
    # Both at the rate for that day (2025: 7.2), not each at the rate of its own start.
    assert cheap_value.value == pytest.approx(1 / 7.2) and dear_value.value == 0.14
    converted = two.converter.convert(2, "CNY", dt.date(2025, 3, 1), "USD")
    assert converted.value == pytest.approx(2 / 7.2) and converted.rate.id == "usd-cny-2025"


def test_a_price_line_ends_at_its_last_evidence():
    def point(id, start, until, value, seen=False):
        return PricePoint.model_validate({
            "id": id, "model": "m", ("seen" if seen else "from"): start, "until": until,
            "currency": "USD", "input": value, "cite": ["s"], "confidence": "confirmed"})

    from report.compare.convert import Converter

    steps = price_steps([point("a", "2024-01-01", "2024-01-31", 2.0),
                         point("b", "2024-03-01", None, 1.0)], "input", Converter([]), "USD")
    assert [(s.start.isoformat(), s.end.isoformat(), s.value.value) for s in steps] == [
        ("2024-01-01", "2024-01-31", 2.0),  # a gap in February: no price known
        ("2024-03-01", "2024-03-01", 1.0),  # no end, no later price: only its first day
    ]


def test_as_of_is_the_latest_dated_fact(two_and_three):
    two, three = two_and_three
    # Bo Beta left in March 2025: later than the middle of Q1 2025, when Alpha Kernels came.
    assert str(two.as_of) == "2025-03"
    assert str(three.as_of) == "2025-03"


def test_appendix_says_why_each_fact_is_below_confirmed(two_and_three):
    two, _ = two_and_three
    alpha = {(u.topic, u.reason) for u in two.uncertain if u.case_id == "alpha"}
    assert ("profile", "others_disagree") in alpha  # founded: confirmed, but the press differs
    assert ("funding", "seed_only") in alpha  # the Series B rests on the seed blog alone
    assert ("releases", "seed_only") in alpha  # Alpha-Large's parameter count, from the blog
    assert ("timeline", "disputed") in alpha
    assert all(u.confidence.value != "confirmed" or u.record.disputes
               for u in two.uncertain if u.loc[-1] not in ("licence", "parameters"))


def test_nothing_in_the_code_names_a_company():
    names = ["01.AI", "01-ai", "零一万物", "DeepSeek", "deepseek", "深度求索", "Kai-Fu", "Yi-"]
    for path in (ROOT / "report").rglob("*"):
        if path.suffix in {".py", ".j2", ".html", ".css", ".csl", ".yaml"}:
            text = path.read_text(encoding="utf-8")
            for name in names:
                assert name not in text, f"{path.name} names {name}"


def test_ten_companies_split_side_by_side_tables_into_groups_of_four(tmp_path):
    from report.compose import CASES_PER_TABLE, render_table

    from .synth import write_cases

    write_cases(10, tmp_path / "cases")
    tables = Tables(comparison_of(tmp_path / "cases"), STYLE)
    glance = tables.glance()
    parts = glance.chunks(CASES_PER_TABLE, STYLE.labels)
    assert [len(p.header) - 1 for p in parts] == [4, 4, 2]
    assert [p.id for p in parts] == ["tbl-glance", "tbl-glance-2", "tbl-glance-3"]
    assert all(p.rows[0][0].text == "Chinese name" for p in parts)
    assert render_table(glance, STYLE).count("{#tbl-glance") == 3
    assert len(tables.pricing().chunks(CASES_PER_TABLE, STYLE.labels)) == 1


def test_funding_rows_show_status_basis_notes_and_earlier_reports(two_and_three):
    two, _ = two_and_three
    rows = Tables(two, STYLE).funding().rows
    texts = [[c.text for c in row] for row in rows]
    assert texts[0] == ["Alpha Labs", "Series A", "Nov 2023", "closed",
                        "at least USD\u00a0100M", "USD\u00a01B (post-money)",
                        "lead: Big Cloud"]
    assert rows[0][4].notes == ("数亿美元",)  # the note on the amount, set under the table
    assert texts[1][1] == "Series B (reported earlier: rumoured Jun 2024: CNY\u00a015B)"
    assert texts[1][3] == "in talks"
    assert rows[0][1].cites == ("alpha:news",)
