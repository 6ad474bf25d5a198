"""The house style, read off the PDF as a reader sees it: no schema names, one way to write
money, and no text running outside the text area."""

from __future__ import annotations

import re

import pdfplumber
import pytest

from report.load.yamlfile import model_in
from report.model import Case

pytestmark = pytest.mark.xdist_group("build")
MARGIN_PT = 18 / 25.4 * 72  # the print style's left and right page margins


def schema_names(model=Case, seen=None) -> set[str]:
    """Every field name of the case model written with an underscore (`funding_rounds`)."""
    seen = seen if seen is not None else set()
    names: set[str] = set()
    if model in seen:
        return names
    seen.add(model)
    for name, info in model.model_fields.items():
        names.add(info.alias or name)
        inner = model_in(info.annotation)
        if inner is not None:
            names |= schema_names(inner, seen)
    return {n for n in names if "_" in n}


def body_words(path):
    """The words of every page before the source list, with their positions."""
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
            if any(w["text"] == "Sources" and w["size"] > 12 for w in
                   page.extract_words(extra_attrs=["size"])):
                return
            yield number, page, words


def quoted(text: str) -> str:
    """Text with quotations taken out: a source's own words keep their own style."""
    return re.sub(r"“[^”]*”|‘[^’]*’", "", text)


# A second way to write money: symbols instead of ISO codes, "bn"/"m" suffixes, RMB, yuan.
OTHER_MONEY = re.compile(r"US\$|HK\$|\bRMB\b|¥\s?\d|(?<![A-Z])\$\s?\d|\d\s?(?:bn|billion|"
                         r"million)\b|USD\s?[≥≤]|\d+\s?[万亿](?:元|美元|刀)")
CODES = {"CNY", "USD", "HKD", "EUR", "GBP", "JPY"}


def style_problems(path) -> list[str]:
    fields = schema_names()
    problems = []
    for number, _page, words in body_words(path):
        text = quoted(" ".join(w["text"] for w in words))
        for name in fields:
            if re.search(rf"(?<![\w/]){re.escape(name)}(?![\w/])", text):
                problems.append(f"page {number}: schema name '{name}'")
        for m in OTHER_MONEY.finditer(text):
            problems.append(f"page {number}: money written as '{m.group()}'")
        # "0.99 CNY": an amount before its code, within one run of text (not two cells).
        for a, b in zip(words, words[1:]):
            if b["text"].strip(".,;)") in CODES and re.fullmatch(r"[\d.,]+", a["text"]) \
                    and abs(a["top"] - b["top"]) < 2 and 0 <= b["x0"] - a["x1"] < 4:
                problems.append(f"page {number}: money written as '{a['text']} {b['text']}'")
    return problems


def overflowing(path) -> list[str]:
    """Characters outside the page's left and right margins."""
    found = []
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            right = page.width - MARGIN_PT
            # a space WeasyPrint leaves at the end of a line may hang past the margin: unseen
            out = [c["text"] for c in page.chars if not c["text"].isspace()
                   and (c["x1"] > right + 1 or c["x0"] < MARGIN_PT - 1)]
            if out:
                found.append(f"page {number}: {''.join(out)[:60]!r}")
    return found


def test_the_pdf_holds_no_schema_names_and_one_money_format(real_build, brief_build):
    for built in (real_build, brief_build):
        assert style_problems(built.out / "briefing.pdf") == []
    assert style_problems(real_build.out / "annex.pdf") == []


def test_the_style_check_catches_what_it_looks_for(tmp_path):
    """The check is not vacuous: a PDF with a schema name and dollar signs fails it."""
    from weasyprint import HTML

    sample = tmp_path / "sample.pdf"
    HTML(string="<p>see funding_rounds; raised US$1B, then 0.99 CNY per 1M tokens</p>"
                "<p>“a quote may say $5 billion”</p>").write_pdf(sample)
    assert style_problems(sample) == [
        "page 1: schema name 'funding_rounds'", "page 1: money written as 'US$'",
        "page 1: money written as '0.99 CNY'"]


@pytest.mark.parametrize("build", ["brief_build", "three_build", "real_build"])
def test_no_text_runs_outside_the_text_area(build, request):
    out = request.getfixturevalue(build).out
    assert overflowing(out / "briefing.pdf") == []
    if (out / "annex.pdf").exists():
        assert overflowing(out / "annex.pdf") == []


def test_a_closing_full_stop_gives_way_to_a_joining_semicolon():
    from report.words.labels import Labels

    t = Labels("en")
    assert t.join("list.sep", ["Liang runs both.", "Ningbo Cheng'en."]) == \
        "Liang runs both; Ningbo Cheng'en."
    assert t.join("series.join", ["Sells API access.", "from Mar 2026: agents"]) == \
        "Sells API access; then from Mar 2026: agents"
    assert t.join("list.sep", ["Co. etc..", "x"]) == "Co. etc..; x"


def test_chart_labels_are_written_short_and_whole():
    from report.charts.timeline import short_whole, wrapped

    assert short_whole("Embraces DeepSeek: positions itself as a layer") == "Embraces DeepSeek"
    assert wrapped("DeepSeek-V2 API priced at CNY 1 in / CNY 2 out", 30) == [
        "DeepSeek-V2 API priced at CNY", "1 in / CNY 2 out"]
    assert short_whole("Yi-Lightning launched") == "Yi-Lightning launched"
    assert "…" not in "".join(wrapped("A" * 50, 30))


def test_plain_labels_are_cut_at_a_word_never_inside_one():
    from report.escape import shorten

    assert shorten("Embraces DeepSeek: positions itself as a layer", 30) == "Embraces DeepSeek…"
    assert shorten("DeepSeek-V2 API priced at CNY 1 in / CNY 2 out", 30) == \
        "DeepSeek-V2 API priced at…"
    assert shorten("Yi-Lightning launched", 30) == "Yi-Lightning launched"
    assert shorten("A" * 50, 30) == "A" * 29 + "…"  # one long word: cut, as nothing else can be


def test_a_range_of_citation_numbers_and_a_confidence_mark_stay_on_one_line(real_build):
    """A line of the PDF never ends inside "[3–6]" or "(claimed)"."""
    lines = []
    for document in ("briefing.pdf", "annex.pdf"):
        with pdfplumber.open(real_build.out / document) as pdf:
            for page in pdf.pages:
                text = (page.extract_text() or "").splitlines()
                # the source list carries no confidence marks; its titles may well say
                # "(report of …)", broken at the end of a narrow column's line
                if text and not text[0].endswith("Sources"):
                    lines += text
    assert any("–" in line and "[" in line for line in lines)  # there are ranges to keep
    assert [line for line in lines if re.search(r"\[[\d, –]*\d–$", line)] == []
    marks = ("reported", "claimed", "rumour", "denied", "disputed")

    def cut_mark(line: str) -> bool:
        tail = re.search(r"\(([a-z]{3,})-?$", line)
        return bool(tail) and any(m.startswith(tail.group(1)) and m != tail.group(1)
                                  for m in marks)

    assert [line for line in lines if cut_mark(line)] == []


def test_the_html_cover_says_how_sure_each_fact_is_as_the_pdf_does(real_build):
    page = (real_build.out / "briefing.html").read_text(encoding="utf-8")
    cover = page[page.index('<header class="cover">'):page.index("</header>")]
    assert '<p class="method">Every fact cites the source it was read in' in cover


def test_a_departure_known_only_to_its_year_is_drawn_as_a_bar_across_the_year():
    import datetime as dt
    from pathlib import Path

    from report.charts import build_charts
    from report.compare import compare
    from report.load import load_inputs
    from report.words.style import Style

    inputs = load_inputs(Path(__file__).resolve().parent.parent / "cases")
    c = compare(inputs.cases, dt.date(2026, 11, 24), inputs.rates, inputs.currency,
                tuple(inputs.claims.sources))
    style = Style()
    chart = next(ch for ch in build_charts(c, style, inputs.brief.meta.exhibits)
                 if "departures" in ch.id)
    bars = [tr for tr in chart.figure.data if tr.name == style.labels("exhibit.span_legend")]
    assert bars and bars[0].showlegend
    ends = list(zip(bars[0].x[0::3], bars[0].x[1::3]))
    assert ("2024-01-01", "2024-12-31") in ends  # Li Xiangang and others: "2024"
    # no cross claims a day nobody reported: those are named at the bar, unmarked
    crossed = {text for tr in chart.figure.data if tr.mode == "markers+text"
               for text in tr.text}
    named = {text for tr in chart.figure.data if tr.mode == "text" for text in tr.text}
    assert "Li Xiangang" in named and "Li Xiangang" not in crossed
    assert "Dai Zonghong" in crossed  # left in a known month
