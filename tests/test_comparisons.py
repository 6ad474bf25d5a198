"""Comparisons a reader can trust: `report check` flags what sets unlike values side by side,
a judgement typeset as fact, and anything a brief asks for that would silently vanish. Each
message is exact; the cases are the synthetic ones (tests/data/good), never the shipped."""

from __future__ import annotations

import re
import shutil
import zipfile

import pytest

from .conftest import GOOD, case_dir, run_cli

FRONT = """---
title: A thesis
author: A. Analyst
date: 2026-01-01
cases: [{cases}]
{extra}---

# Summary

"""


def check(tmp_path, body: str, *args: str, extra: str = "", compared=("alpha", "beta")):
    """`report check` on the synthetic cases compared, with a brief holding `body`."""
    shutil.rmtree(tmp_path / "cases", ignore_errors=True)
    cases = case_dir(tmp_path, *(GOOD / f"{name}.yaml" for name in compared),
                     GOOD / "exchange-rates.yaml")
    (cases / "brief.md").write_text(FRONT.format(extra=extra, cases=", ".join(compared))
                                    + body, encoding="utf-8")
    return run_cli("check", *args, cwd=tmp_path)


def lines(run) -> list[str]:
    return run.err.splitlines()


# ---------------------------------------------------------------- one moment


def test_values_of_moments_far_apart_in_a_ratio_are_a_warning_and_strict_an_error(tmp_path):
    mark = "[[beta:beta-chat-2025-02-09-cny.input / gamma:gamma-pro-2024-01-cny.input]]"
    message = (f"cases/brief.md:10:23: {mark}: compares values of moments 13 months apart "
               "(gamma:gamma-pro-2024-01-cny.input: 2024-01; "
               "beta:beta-chat-2025-02-09-cny.input: 2025-02-09); take both `as of` one date, "
               "or mark each `dated` so the sentence shows its date")
    compared = ("alpha", "beta", "gamma")
    body = f"Beta's 2025 price was {mark} Gamma's [@beta:price].\n"
    assert lines(check(tmp_path, body, compared=compared)) == [
        message, "1 warning (--strict makes them errors)"]
    strict = check(tmp_path, body, "--strict", compared=compared)
    assert (strict.code, lines(strict)) == (2, [message, "1 problem found"])
    # 9 months apart, both in force in 2024: one moment, near enough
    near = "[[beta:beta-chat-2024-05-06-cny.input / alpha:large-2024-05.input]]"
    assert lines(check(tmp_path, f"It was {near} [@beta:price].\n", compared=compared)) == []


def test_a_sentence_setting_values_of_different_years_side_by_side(tmp_path):
    compared = ("alpha", "beta", "gamma")
    body = ("Beta charged [[beta:beta-chat-2025-02-09-cny.input]] while Gamma charged "
            "[[gamma:gamma-pro-2024-01-cny.input]] [@beta:price].\n")
    assert lines(check(tmp_path, body, compared=compared)) == [
        "cases/brief.md:10:14: [[beta:beta-chat-2025-02-09-cny.input]]: this sentence "
        "compares values of moments 13 months apart ([[gamma:gamma-pro-2024-01-cny.input]]: "
        "2024-01; [[beta:beta-chat-2025-02-09-cny.input]]: 2025-02-09); take both `as of` "
        "one date, or mark each `dated` so the sentence shows its date",
        "1 warning (--strict makes them errors)"]
    # `dated` prints each value's date: the sentence says they are not of one moment
    dated = body.replace(".input]]", ".input dated]]")
    assert lines(check(tmp_path, dated, compared=compared)) == []
    body = ("Alpha raised [[alpha:series-a.amount]] while Beta charged "
            "[[beta:beta-chat-2025-02-09-cny.input]] [@alpha:news].\n")
    assert lines(check(tmp_path, body)) == []  # money and a price: nothing compared


def test_a_mark_taken_as_of_a_date(tmp_path):
    body = ("By the end of 2024, [[alpha:@left(founders) as of 2024-12-31]] had left; by "
            "now [[alpha:@left(founders)]] [@alpha:news].\n")
    extra = "groups:\n  founders: {name: co-founders, cofounders: true}\n"
    run = check(tmp_path, body, "--strict", extra=extra)
    assert run.code == 0, run.err


# ---------------------------------------------------------------- bounds and ranges


def test_a_ratio_with_a_bound_and_a_bound_beside_a_whole_figure(tmp_path):
    body = ("Alpha's round was [[alpha:series-a.amount / alpha:series-a.valuation]] of its "
            "valuation.\n\nAlpha raised [[alpha:series-a.amount]] and was valued at "
            "[[alpha:series-a.valuation]], while Beta raised nothing [@alpha:news].\n")
    assert lines(check(tmp_path, body)) == [
        "cases/brief.md:10:19: [[alpha:series-a.amount / alpha:series-a.valuation]]: "
        "alpha:series-a.amount is only a bound (at least): a ratio with it is no more than a "
        "bound",
        "1 warning (--strict makes them errors)"]


# ---------------------------------------------------------------- groups


def test_a_count_names_its_group_and_an_unknown_group_is_named(tmp_path):
    extra = "groups:\n  founders: {name: co-founders, cofounders: true}\n"
    body = "[[alpha:@left(founder)]] left; [[alpha:@left]] too [@alpha:news].\n"
    run = check(tmp_path, body, extra=extra)
    assert run.code == 2
    assert lines(run)[:2] == [
        "cases/brief.md:12:1: [[alpha:@left(founder)]]: no group 'founder'; did you mean "
        "'founders'?",
        "cases/brief.md:12:32: [[alpha:@left]]: @left counts over a group: write "
        "@left(GROUP) with a group the front matter defines under `groups:`"]


# ---------------------------------------------------------------- arithmetic


@pytest.mark.parametrize(("mark", "message"), [
    ("[[alpha:large-2024-05.input - alpha:series-a.amount]]",
     "subtract needs values of one kind; these are money and price"),
    ("[[alpha:lightning-usd-seen.input - alpha:lightning-2024-10.input]]",
     "the values are in CNY and USD: add `in USD` to compare them in one currency (the rates "
     "are printed)"),
    ("[[max(alpha:alpha-34b.date, alpha:alpha-large.date)]]",
     "compare needs values of one kind; these are date"),
    ("[[change(a:x.input)]]", "change() takes 2 values, separated by commas"),
])
def test_arithmetic_on_unlike_values_is_an_error(tmp_path, mark, message):
    run = check(tmp_path, f"It was {mark} [@alpha:news].\n")
    assert run.code == 2
    assert lines(run)[0] == f"cases/brief.md:10:8: {mark}: {message}"


def test_arithmetic_prints_its_result_with_the_rates_it_used(tmp_path):
    from report.check import checked_inputs
    from report.compare import compare
    from report.compose.livefacts import FactWriter
    from report.compose.tables import Tables
    from report.words.style import Style

    body = ("A [[change(alpha:large-2024-05.input, alpha:lightning-2024-10.input)]] cut, "
            "[[between(alpha:alpha-34b.date, alpha:alpha-large.date)]] apart, "
            "[[alpha:lightning-usd-seen.input - alpha:lightning-2024-10.input in USD]] "
            "more, the dearer [[max(alpha:large-2024-05.input, beta:beta-chat-2024-05-06-cny"
            ".input)]] and [[beta:@models]] model [@alpha:news].\n")
    check(tmp_path, body)
    inputs = checked_inputs(tmp_path / "cases")
    import datetime as dt

    c = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates, inputs.currency)
    writer = FactWriter(c, Tables(c, Style()), inputs.brief.meta.groups)
    written = [writer.value(f).text for f in inputs.brief.facts]
    assert written == ["−95%", "6 months", "−USD\u00a00.0014 (at CNY 7 per USD, 2024 average)",
                       "CNY\u00a020 (Alpha Labs)", "1"]


# ---------------------------------------------------------------- judgement


def test_a_cause_stated_with_no_source_and_no_view_mark(tmp_path):
    body = ("Price decided the race.\n\nPrice decided the race [@alpha:blog].\n\n"
            "[Price decided the race.]{.view likelihood=\"likely\"}\n\n"
            "::: {.view likelihood=\"very-likely\"}\nOpenness compounded the lead.\n:::\n\n"
            "It [will fail]{.view likelihood=\"certain\"}.\n")
    run = check(tmp_path, body)
    assert run.code == 2
    assert lines(run) == [
        "cases/brief.md:20:4: a view has likelihood 'certain'; give likelihood=\"…\", one of: "
        "almost-no-chance, very-unlikely, unlikely, roughly-even, likely, very-likely, "
        "almost-certain",
        "1 problem found"]
    body = body.replace('"certain"', '"almost-certain"')
    run = check(tmp_path, body)
    assert lines(run) == [
        "cases/brief.md:10:1: 'Price decided the race.' asserts a cause or a verdict "
        "('decided') with no source: cite it [@case:source-id], or mark it as your view: "
        "[the sentence]{.view likelihood=\"likely\"} (or a ::: {.view likelihood=…} block)",
        "1 warning (--strict makes them errors)"]


# ---------------------------------------------------------------- nothing silent


def test_an_empty_live_fact_is_named_and_strict_refuses_it(tmp_path):
    body = "Beta's lowest price then was [[beta:@lowest-input as of 2023-12-31]].\n"
    run = check(tmp_path, body, "--strict")
    assert run.code == 2
    assert lines(run) == [
        "cases/brief.md:10:30: [[beta:@lowest-input as of 2023-12-31]]: beta has no value "
        "for @lowest-input as of 2023-12-31: it would print as a dash; give the case file the "
        "value, or take the fact out",
        "1 problem found"]


EXHIBITS = """exhibits:
  - id: war
    chart: chronology
    title: Beta cut first
    window: {from: 2024-01, until: 2024-12}
    categories: [pricing, model]
    annotate: ["alpha:no-price-war", "beta:app-store-top", "alpha:ada"]
  - id: prices
    chart: prices
    title: Prices
    prices: ["alpha:lightning-2024-10", "beta:beta-chat-2024-05-06-cny"]
"""


def test_an_exhibit_says_what_it_would_drop_and_which_price_it_draws_as_ending(tmp_path):
    body = "[[exhibit:war]]\n\n[[exhibit:prices]]\n"
    run = check(tmp_path, body, extra=EXHIBITS)
    assert lines(run) == [
        "cases/brief.md:12:16: exhibits[0].annotate[0]: 'alpha:no-price-war' will not be "
        "labelled: it is a strategy event and the exhibit shows only pricing, model",
        "cases/brief.md:12:38: exhibits[0].annotate[1]: 'beta:app-store-top' will not be "
        "labelled: it is dated 2025-01-27, outside the exhibit's window (2024-01-01 to "
        "2024-12-31)",
        "cases/brief.md:12:60: exhibits[0].annotate[2]: 'alpha:ada' will not be labelled: "
        "it is no dated event the timeline draws (a person joining, a price seen, a record "
        "without a date)",
        "cases/brief.md:16:14: exhibits[1].prices[0]: 'alpha:lightning-2024-10' has no end "
        "(`until`) and no later sighting (`last_seen`, or a later price of the same model): "
        "it is drawn on its first day only, as if it ended there",
        "4 warnings (--strict makes them errors)"]


def test_every_problem_of_the_brief_in_one_run(tmp_path):
    body = "Alpha charged [[alpha:large-2024-5.input]] [@alpha:news].\n"
    cases = case_dir(tmp_path, GOOD / "alpha.yaml", GOOD / "beta.yaml",
                     GOOD / "exchange-rates.yaml")
    (cases / "brief.md").write_text(FRONT.format(extra="", cases="alpha, beta").replace(
        "author: A. Analyst\n", "") + body, encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert lines(run) == [  # the front matter's problem does not hide the body's
        "cases/brief.md:2:1: author: required field is missing",
        "cases/brief.md:9:15: [[alpha:large-2024-5.input]]: alpha has no record "
        "'large-2024-5'; did you mean 'large-2024-05'?",
        "2 problems found"]


# ---------------------------------------------------------------- views in the documents


def test_a_view_and_a_table_render_in_the_pdf_the_docx_and_the_html(tmp_path):
    from pypdf import PdfReader

    body = ("::: {.view likelihood=\"likely\"}\nPrice decided it: Alpha charged "
            "[[alpha:large-2024-05.input]].\n:::\n\nBeta will [keep its lead]{.view "
            "likelihood=\"roughly-even\"}.\n\n| Company | Price |\n|---|---|\n"
            "| Alpha | [[alpha:large-2024-05.input]] |\n| Beta | "
            "[[beta:beta-chat-2024-05-06-cny.input]] |\n\n: Launch prices {#tbl-launch}"
            "\n")
    check(tmp_path, body)
    run = run_cli("build", "--quiet", "--strict", cwd=tmp_path)
    assert run.code == 0, run.err
    out = tmp_path / "output"
    text = " ".join(" ".join(p.extract_text().split()) for p in
                    PdfReader(out / "briefing.pdf").pages)
    assert "Our view (likely): Price decided it: Alpha charged CNY 20" in text
    assert "keep its lead (our view: roughly even chance)" in text
    # a table of the brief's own, with live facts, numbered like the fact pack's
    assert "Table 1. Launch prices" in text
    assert re.search(r"Beta CNY 1 \[\d+\]", text)
    with zipfile.ZipFile(out / "briefing.docx") as docx:
        xml = docx.read("word/document.xml").decode("utf-8")
        styles = docx.read("word/styles.xml").decode("utf-8")
    assert re.search(r'<w:pStyle w:val="AnalystView"/>.*?Our view \(likely\):', xml, re.S)
    assert '<w:rStyle w:val="AnalystViewChar"/>' in xml
    assert 'w:styleId="AnalystView"' in styles and 'w:styleId="AnalystViewChar"' in styles
    page = (out / "briefing.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="view"[^>]*>\s*<p><span class="view-label">Our view '
                     r'\(likely\):</span>', page)


# ---------------------------------------------------------------- findings


def test_the_brief_drops_a_computed_finding_or_writes_its_own(tmp_path):
    import datetime as dt

    from report.charts import build_charts
    from report.check import checked_inputs
    from report.compare import compare
    from report.compose import compose
    from report.words.style import Style

    body = ("Alpha cut its price.\n\n::: {.finding id=\"price\"}\n**Price.** Alpha's flagship "
            "cost [[alpha:large-2024-05.input / beta:beta-chat-2024-05-06-cny.input]] "
            "Beta's in May 2024 [@alpha:news].\n:::\n")
    run = check(tmp_path, body, extra="drop_findings: [licences]\n")
    assert run.code == 0, run.err
    inputs = checked_inputs(tmp_path / "cases")
    c = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates, inputs.currency)
    charts = build_charts(c, Style(), inputs.brief.meta.exhibits)
    markdown = compose(c, charts, {ch.id: tmp_path / "x.png" for ch in charts}, Style(),
                       inputs.brief).markdown
    findings = markdown.split("{#findings}", 1)[1].split("\n#", 1)[0]
    assert ("- **Price.** Alpha's flagship cost [20× [(reported)]{.confidence} [@alpha:news; "
            "@beta:price]]{.fact data-confidence=\"reported\"} Beta's in May 2024") in findings
    assert "**Licences.**" not in findings and "**Releases.**" in findings
    argument = markdown.split("{#findings}", 1)[0]
    assert "Alpha cut its price." in argument and "flagship cost" not in argument
    bad = check(tmp_path, "::: {.finding id=\"prices\"}\nX.\n:::\n")
    assert lines(bad)[0] == ("cases/brief.md:10:1: a finding's id is one of price, releases, "
                             "openness, licences, departures, funding, not 'prices'")


# ---------------------------------------------------------------- tables in the brief

KEY_DATA = """groups:
  founders: {name: co-founders, cofounders: true}
exhibits:
  - id: key
    chart: key-data
    title: Alpha raised money; Beta did not
    as_of: 2024-12-31
    rows: ["@raised", "@left(founders)", "founded",
           {label: Launch price,
            facts: {alpha: large-2024-05.input, beta: beta-chat-2024-05-06-cny.input}}]
"""


def test_a_key_data_table_gives_chosen_facts_for_each_company_as_of_one_date(tmp_path):
    import datetime as dt

    from report.charts import build_charts
    from report.check import checked_inputs
    from report.compare import compare
    from report.compose import compose
    from report.words.style import Style

    run = check(tmp_path, "[[exhibit:key]]\n", "--strict", extra=KEY_DATA)
    assert run.code == 0, run.err
    inputs = checked_inputs(tmp_path / "cases")
    c = compare(inputs.cases, dt.date(2026, 1, 1), inputs.rates, inputs.currency)
    charts = build_charts(c, Style(), inputs.brief.meta.exhibits)
    assert [ch.id for ch in charts if "exhibit" in ch.id] == []  # a table, not a chart
    markdown = compose(c, charts, {ch.id: tmp_path / "x.png" for ch in charts}, Style(),
                       inputs.brief).markdown
    table = markdown.split("# Summary", 1)[1].split("\n#", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("|")]
    assert rows[0] == "|  | Alpha Labs | Beta AI |"
    assert rows[2].startswith("| Raised in closed rounds | [at least USD 100M")
    assert rows[2].endswith("| — |")
    assert rows[3].startswith("| Left | [0 of the 2 co-founders")  # Bo left in 2025
    assert rows[5].startswith("| Launch price | [CNY 20 [@alpha:news]]")
    assert ": Alpha raised money; Beta did not, as of 31 Dec 2024 {#tbl-key}" in table
    bad = check(tmp_path, "[[exhibit:key]]\n", extra=KEY_DATA.replace('"founded"', '"fonded"'))
    assert lines(bad)[0] == ("cases/brief.md:13:42: exhibits[0].rows[2]: alpha has no record "
                             "'fonded'; did you mean 'founded'?")
