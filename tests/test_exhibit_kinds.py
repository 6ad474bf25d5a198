"""Exhibit kinds are a registry: one module per kind in report/charts/exhibits/. Adding a
kind is adding a module (here the test-only tests/data/exhibit_kinds/bars.py) and its test:
nothing else names the kinds, so checking and drawing it need no other edit."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from report.charts import build_charts
from report.charts.exhibits import chart_id, kinds
from report.check import checked_inputs
from report.compare import compare
from report.compose import compose
from report.errors import InputError
from report.words.style import Style

from .conftest import DATA, GOOD, ROOT, case_dir

BARS = """  - id: releases
    chart: bars
    title: Alpha released more models
    count: {count}
"""


@pytest.fixture
def registry(monkeypatch):
    """The registry with the test-only kind's folder beside the shipped kinds."""
    import report.charts.exhibits as exhibits

    monkeypatch.setattr(exhibits, "__path__", [*exhibits.__path__,
                                               str(DATA / "exhibit_kinds")])
    kinds.cache_clear()
    yield exhibits
    kinds.cache_clear()


def brief_with(tmp_path, count: str = "models", chart: str = "bars"):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"), DATA / "brief" / "claims.yaml")
    text = (DATA / "brief" / "brief.md").read_text(encoding="utf-8")
    text = text.replace("exhibits:\n", "exhibits:\n" + BARS.format(count=count).replace(
        "chart: bars", f"chart: {chart}"), 1)
    (cases / "brief.md").write_text(text + "\n[[exhibit:releases]]\n", encoding="utf-8")
    return cases


def test_the_shipped_kinds_in_the_order_the_analyst_is_told_them():
    assert list(kinds()) == ["chronology", "prices", "departures", "key-data"]


def test_a_new_kind_is_found_checked_and_drawn(registry, tmp_path):
    assert list(kinds()) == ["chronology", "prices", "departures", "key-data", "bars"]
    inputs = checked_inputs(brief_with(tmp_path))
    comparison = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates, inputs.currency)
    charts = build_charts(comparison, Style(), inputs.brief.meta.exhibits)
    bars = next(c for c in charts if c.id == chart_id("releases"))
    assert bars.alt == "Alpha Labs and Beta AI"
    images = {c.id: tmp_path / f"{c.id}.png" for c in charts}
    markdown = compose(comparison, charts, images, Style(), inputs.brief).markdown
    assert "](fig-exhibit-releases.png){#fig-exhibit-releases" in markdown


def test_a_new_kind_s_settings_are_checked_where_they_are_written(registry, tmp_path):
    with pytest.raises(InputError) as err:
        checked_inputs(brief_with(tmp_path, count="salaries"))
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path}/cases/brief.md:17:12: exhibits[0].count: input should be 'models' or "
        "'departed'"]


def test_an_unknown_kind_names_every_kind(registry, tmp_path):
    with pytest.raises(InputError) as err:
        checked_inputs(brief_with(tmp_path, chart="pie"))
    assert [p.message for p in err.value.problems] == [
        "input should be 'chronology', 'prices', 'departures', 'key-data' or 'bars'"]


def test_a_kind_takes_only_its_own_settings(tmp_path):
    # `prices` lists price points; a chronology has none to list.
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    shutil.copy(DATA / "brief" / "claims.yaml", cases)
    text = (DATA / "brief" / "brief.md").read_text(encoding="utf-8").replace(
        "    chart: chronology\n", "    chart: chronology\n    prices: [\"beta:x\"]\n", 1)
    (cases / "brief.md").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        checked_inputs(cases)
    assert [p.message for p in err.value.problems] == ["unknown field 'prices'"]


def test_a_prices_exhibit_names_the_model_where_each_line_starts_or_moves_on():
    # the shipped brief's prices exhibit: Yi-Large; DeepSeek-V2, then V3 (its promotional and
    # list prices are one model, so V3 is named once)
    inputs = checked_inputs(ROOT / "cases")
    charts = inputs.worked_out.charts
    prices = next(c for c in charts if c.id == chart_id("prices"))
    names = [a.text for a in prices.figure.layout.annotations]
    assert names == ["Yi-Large", "DeepSeek-V2", "DeepSeek-V3"], names
