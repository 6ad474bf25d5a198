"""Three outputs from one build: the short briefing, the evidence annex and the data workbook,
each read as its reader gets it (PDF text and pages, DOCX headings, the workbook through
openpyxl and LibreOffice Calc)."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import time

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader

from report.load import load_inputs
from report.load.cases import sourced_records
from report.publish import PUBLISHED
from report.render.workbook import COLUMNS, DIMENSIONS, FILES
from report.words.style import Style

from .conftest import ROOT, _build, libreoffice, project_inputs

pytestmark = pytest.mark.xdist_group("build")
STYLE = Style()


def pdf_text(path) -> str:
    return "\n".join(" ".join((page.extract_text() or "").split())
                     for page in PdfReader(path).pages)


def _bare(text: str) -> str:
    """Letters and digits only: what survives line breaks, hyphenation and typography."""
    return re.sub(r"[^0-9A-Za-z]+", "", text)


def project():
    return load_inputs(ROOT / "cases")


def test_every_output_is_published_and_in_the_manifest(real_build):
    out = real_build.out
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["file"]: entry for entry in manifest["documents"].values()}
    for name in ("briefing.pdf", "briefing.docx", "briefing.html", "briefing.md",
                 "annex.pdf", "annex.docx", "annex.html", "annex.md", *FILES):
        assert name in listed, name
        assert (out / name).is_symlink(), name  # published through the generation's link
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == listed[name]["sha256"]
    assert set(listed) <= set(PUBLISHED)
    assert set(FILES) <= set(PUBLISHED)  # publish names the workbook's files as render does
    for name in ("briefing.pdf", "annex.pdf"):
        assert listed[name]["pages"] == len(PdfReader(out / name).pages)


def test_the_briefing_is_twelve_to_sixteen_pages_and_holds_what_the_brief_chose(real_build):
    inputs = project()
    chosen = inputs.brief.meta.briefing
    reader = PdfReader(real_build.out / "briefing.pdf")
    assert 12 <= len(reader.pages) <= 16, len(reader.pages)
    cover = " ".join((reader.pages[0].extract_text() or "").split())
    assert f"Key data, as of {STYLE.date(_as_of(inputs, real_build.out))}" in cover
    text = pdf_text(real_build.out / "briefing.pdf")
    annex = pdf_text(real_build.out / "annex.pdf")
    # the claims it names are checked in it, the rest only in the annex
    bare_text, bare_annex = _bare(text), _bare(annex)
    for claim in inputs.claims.claims:
        reason = _bare(claim.reason)[:40]
        assert reason in bare_annex, claim.id
        assert (reason in bare_text) == (claim.id in chosen.claims), claim.id
    assert f"checks all {len(inputs.claims.claims)} claims" in text
    # the short fact pack: the price table, not the price history; no appendices
    assert "Prices" in text and "the first recorded and the latest" in text
    for absent in ("Appendix: exchange rates", "every price point recorded", "At a glance"):
        assert absent not in text, absent
        assert absent in annex, absent


def test_the_short_price_table_is_in_one_currency_with_four_digits_at_most(real_build):
    inputs = project()
    currency = inputs.currency
    md = (real_build.out / "briefing.md").read_text(encoding="utf-8")
    table = md[md.index("{#prices}"):md.index("# Sources")]
    amounts = re.findall(r"\b([A-Z]{3}) ([0-9][0-9,.]*)", table)
    assert amounts
    for code, figure in amounts:
        assert code == currency, (code, figure)
        assert len(figure.replace(",", "").replace(".", "").lstrip("0")) <= 4, figure


def test_the_briefing_lists_only_the_sources_it_cites_and_the_annex_all(real_build):
    brief = (real_build.out / "briefing.md").read_text(encoding="utf-8")
    cited = set(re.findall(r"@([A-Za-z0-9][A-Za-z0-9:_.-]*[A-Za-z0-9])", brief))
    html = (real_build.out / "briefing.html").read_text(encoding="utf-8")
    entries = set(re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', html))
    assert entries == cited
    annex = (real_build.out / "annex.html").read_text(encoding="utf-8")
    inputs = project()
    every = {f"{case.id}:{s.id}" for case in inputs.cases for s in case.sources}
    listed = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', annex)
    assert len(listed) == len(set(listed))
    # a source two files record is listed once, under the key of the first record
    merged = {"deepseek:seed-lapis": "01-ai:seed-lapis"}
    assert {merged.get(key, key) for key in every} <= set(listed)
    assert not set(merged) & set(listed)
    # each citation in the briefing leads to its entry in the briefing's own list
    for target in set(re.findall(r'href="#ref-([^"]+)"', html)):
        assert target in entries


def test_the_html_links_to_the_annex_and_the_workbook(real_build):
    html = (real_build.out / "briefing.html").read_text(encoding="utf-8")
    assert 'href="data.xlsx"' in html and 'href="annex.pdf"' in html
    assert 'href="data.xlsx"' in (real_build.out / "annex.html").read_text(encoding="utf-8")


def test_the_numbers_agree_between_briefing_annex_and_workbook(real_build):
    inputs = project()
    book = openpyxl.load_workbook(real_build.out / "data.xlsx", read_only=True)
    rows = list(book[STYLE.labels("topic.pricing")].iter_rows(values_only=True))
    head = rows[0]
    col = {name: head.index(STYLE.labels(f"workbook.column.{name}")) for name in COLUMNS}
    briefing = pdf_text(real_build.out / "briefing.pdf")
    annex = pdf_text(real_build.out / "annex.pdf")
    # the key data's prices, as the workbook holds them, are in both documents
    for fact in re.findall(r"\[\[([a-z0-9-]+):([a-z0-9-]+)\.input\]\]",
                           inputs.brief.body.split(":::")[1]):
        row = next(r for r in rows[1:] if r[col["case"]] == fact[0]
                   and r[col["record"]] == fact[1] and r[col["field"]] == "input")
        currency = row[col["unit"]].split()[0]
        price = " ".join(STYLE.price(row[col["value"]], currency).split())
        assert price in briefing and price in annex, price


def test_the_workbook_holds_every_fact_with_its_sources(real_build):
    inputs = project()
    book = openpyxl.load_workbook(real_build.out / "data.xlsx")
    names = [STYLE.labels(f"topic.{d}") for d in DIMENSIONS] + [
        STYLE.labels("workbook.sources")]
    assert book.sheetnames == names
    header = [STYLE.labels(f"workbook.column.{name}") for name in COLUMNS]
    facts = []
    for name in names[:-1]:
        sheet = book[name]
        assert [c.value for c in sheet[1]] == header
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith("A1:")
        facts += [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    col = {name: i for i, name in enumerate(COLUMNS)}
    places = {(r[col["case"]], r[col["location"]]) for r in facts}
    for case in inputs.cases:
        sources = {s.id: s for s in case.sources}
        for loc, record in sourced_records(case):
            place = _place(loc)
            assert (case.id, place) in places, (case.id, place)
            row = next(r for r in facts if (r[col["case"]], r[col["location"]])
                       == (case.id, place))
            for source_id in record.cite:
                assert source_id in row[col["source_ids"]].split(" | ")
                source = sources[source_id]
                if source.url:
                    assert str(source.url) in row[col["source_urls"]]
            assert row[col["confidence"]] == record.confidence.value
    # numbers stay numbers
    prices = [r for r in facts if r[col["field"]] == "input"]
    assert prices and all(isinstance(r[col["value"]], (int, float)) for r in prices)
    # every amount of money is a number, a range's bounds included (not "3.38e+11–4e+11")
    money = [r for r in facts if len(r[col["unit"]] or "") == 3 and r[col["unit"]].isupper()]
    assert any(r[col["field"]].endswith(".low") for r in money)
    assert money and all(isinstance(r[col["value"]], (int, float)) for r in money), \
        [r for r in money if not isinstance(r[col["value"]], (int, float))][:3]
    sources = book[names[-1]]
    assert sources.freeze_panes == "A2"
    urls = {c.value for c in next(sources.iter_cols(
        min_col=SOURCE_URL + 1, max_col=SOURCE_URL + 1, min_row=2))}
    every = {str(s.url) for case in inputs.cases for s in case.sources if s.url}
    assert every <= urls


SOURCE_URL = 10  # the URL column of the sources sheet


def test_each_dimension_is_a_csv_with_the_workbooks_rows(real_build):
    book = openpyxl.load_workbook(real_build.out / "data.xlsx", read_only=True)
    for dimension in DIMENSIONS:
        with (real_build.out / f"data-{dimension}.csv").open(encoding="utf-8",
                                                              newline="") as f:
            rows = list(csv.reader(f))
        sheet = list(book[STYLE.labels(f"topic.{dimension}")].iter_rows(values_only=True))
        assert len(rows) == len(sheet), dimension
        assert rows[0] == list(sheet[0])


@pytest.mark.slow
def test_libreoffice_calc_opens_the_workbook(real_build, tmp_path):
    shutil.copy(real_build.out / "data.xlsx", tmp_path / "data.xlsx")
    # UTF-8 (76), comma-separated, the first sheet; Calc missing says "no export filter"
    run = libreoffice(tmp_path / "data.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76",
                      tmp_path / "csv", tmp_path / "lo", timeout=240)
    converted = tmp_path / "csv" / "data.csv"
    assert converted.exists(), run.stdout + run.stderr
    with converted.open(encoding="utf-8", newline="") as f:
        first = list(csv.reader(f))  # the first sheet: the profile
    assert first[0][0] == STYLE.labels("workbook.column.company")
    assert len(first) > 10


def test_the_docx_are_two_documents(real_build):
    def headings(name):
        return [p.text for p in Document(real_build.out / name).paragraphs
                if p.style.name.startswith("Heading")]

    briefing, annex = headings("briefing.docx"), headings("annex.docx")
    assert "Claims checked" in briefing and "Prices" in briefing
    assert "Appendix: exchange rates" in annex and "Appendix: exchange rates" not in briefing
    assert "Pricing" in annex and "At a glance" in annex


@pytest.mark.slow
def test_the_docx_key_data_box_is_one_box_in_its_own_style(real_build):
    # its title and each of its items in the "Key data" paragraph style, nothing else
    doc = Document(str(real_build.out / "briefing.docx"))
    name = STYLE.labels("docx.style.key_data")
    boxed = [p.text for p in doc.paragraphs if p.style.name == name]
    body = project().brief.body
    box = body[body.index("::: key-data"):]
    items = re.findall(r"^- ", box[:box.index("\n:::")], re.M)
    assert boxed[0].startswith("Key data, as of"), boxed
    assert len(boxed) == 1 + len(items), boxed
    assert doc.styles[name].type == 1  # a paragraph style, in the styles pane


def test_an_edit_to_the_argument_leaves_the_annex_unrendered(tmp_path):
    built = _build(tmp_path, project_inputs(), "--strict", "--format", "pdf")
    before = json.loads((built.out / "manifest.json").read_text(encoding="utf-8"))
    brief = tmp_path / "cases" / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").rstrip("\n")
                     + "\n\nThe timing fits the seeds' account.\n", encoding="utf-8")
    from .conftest import run_cli

    run = run_cli("build", "--strict", "--format", "pdf", "--timings", cwd=tmp_path)
    assert run.code == 0, run.err
    # one PDF laid out: the briefing's
    assert run.err.count("Laying out the PDF") == 1, run.err
    after = json.loads((built.out / "manifest.json").read_text(encoding="utf-8"))
    files = {k: v["sha256"] for k, v in after["documents"].items()}
    old = {k: v["sha256"] for k, v in before["documents"].items()}
    assert files["annex.pdf"] == old["annex.pdf"]
    assert files["pdf"] != old["pdf"]
    assert "The timing fits" in pdf_text(built.out / "briefing.pdf")


@pytest.mark.slow
def test_an_edit_to_the_argument_keeps_the_annex_when_the_build_dates_itself(tmp_path):
    # No SOURCE_DATE_EPOCH: the briefing is dated by its newest input (the edited brief), the
    # annex by the others, so the annex's files stay as they were.
    from .conftest import case_dir, run_cli

    case_dir(tmp_path, *project_inputs())
    own_date = {"SOURCE_DATE_EPOCH": ""}
    first = run_cli("build", "--quiet", "--format", "pdf", cwd=tmp_path, env=own_date)
    assert first.code == 0, first.err
    before = json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))
    brief = tmp_path / "cases" / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8").rstrip("\n")
                     + "\n\nThe timing fits the seeds' account.\n", encoding="utf-8")
    os.utime(brief, (time.time() + 120, time.time() + 120))  # newer than every other input
    run = run_cli("build", "--format", "pdf", "--timings", cwd=tmp_path, env=own_date)
    assert run.code == 0, run.err
    assert run.err.count("Laying out the PDF") == 1, run.err
    after = json.loads((tmp_path / "output" / "manifest.json").read_text(encoding="utf-8"))
    assert after["parts"]["annex"] == before["parts"]["annex"]
    assert after["documents"]["annex.pdf"]["sha256"] == \
        before["documents"]["annex.pdf"]["sha256"]


def _as_of(inputs, out):
    import datetime as dt

    from report.compare import compare
    epoch = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["source_date_epoch"]
    day = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).date()
    return compare(inputs.cases, day, inputs.rates, inputs.currency).as_of


def _place(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@pytest.mark.slow
def test_six_companies_keep_each_chart_with_its_heading_and_caption(tmp_path):
    from .conftest import run_cli
    from .synth import write_cases

    write_cases(6, tmp_path / "cases")
    run = run_cli("build", "--quiet", "--format", "pdf", cwd=tmp_path)
    assert run.code == 0, run.err
    reader = PdfReader(tmp_path / "output" / "briefing.pdf")
    heading_page = {" ".join(item.title.split()).split(" ", 1)[-1]:
                    reader.get_destination_page_number(item)
                    for item in reader.outline if not isinstance(item, list)}
    captions = 0
    for number, page in enumerate(reader.pages):
        text = " ".join((page.extract_text() or "").split())
        for caption in re.findall(r"Figure \d+\. ", text):
            captions += 1
            images = [x for x in (page["/Resources"].get("/XObject") or {}).values()
                      if x.get_object().get("/Subtype") == "/Image"]
            assert images, (number, caption)  # the chart is on its caption's page
    assert captions >= 3
    # the timeline's chapter heading is on the page of its figure
    timeline = heading_page["Timeline"]
    assert "Figure" in (reader.pages[timeline].extract_text() or "")
