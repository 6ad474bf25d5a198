"""The documents a reader gets: text from the PDF, tables and styles from the DOCX, the HTML."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from .conftest import GOOD, _build

pytestmark = pytest.mark.xdist_group("build")


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


# ---------------------------------------------------------------- PDF


def test_pdf_holds_names_prices_and_dates(real_build):
    text = pdf_text(real_build.out / "briefing.pdf")
    for needle in ("零一万物", "深度求索", "01.AI", "DeepSeek", "李开复", "Kai-Fu Lee", "梁文锋",
                   "Key findings", "At a glance", "Yi-Lightning", "0.99", "2024-10-16",
                   "DeepSeek-R1", "MIT", "Apache-2.0", "Sources"):
        assert needle in text, needle
    assert re.search(r"Page 3 of \d+", text)


def test_pdf_has_an_outline_and_a_toc_with_page_numbers(real_build):
    reader = PdfReader(real_build.out / "briefing.pdf")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    for section in ("Key findings", "At a glance", "Strategy", "Team", "Pricing", "Openness",
                    "Timeline", "Sources"):
        assert any(section in t for t in titles), section
    contents = reader.pages[1].extract_text()
    assert "Contents" in contents
    assert re.search(r"Pricing\s*\.*\s*\d+", contents)


def test_pdf_never_ends_a_page_on_a_heading_or_table_caption(real_build):
    # The page text ends with the running header and the page number; what comes before
    # them is the last line of the page's content.
    reader = PdfReader(real_build.out / "briefing.pdf")

    def titles(outline):
        for item in outline:
            yield from titles(item) if isinstance(item, list) else [" ".join(item.title.split())]

    headings = set(titles(reader.outline))
    assert "2.1 Funding" in headings
    for number, page in enumerate(reader.pages[2:], start=3):  # after the cover and contents
        lines = [" ".join(ln.split()) for ln in page.extract_text().splitlines() if ln.strip()]
        assert lines[-1] == f"Page {number} of {len(reader.pages)}"
        last = lines[-3]
        assert last not in headings and not re.match(r"Table \d+\. ", last), (number, last)


def test_pdf_fonts_are_embedded_and_one_is_cjk(real_build):
    reader = PdfReader(real_build.out / "briefing.pdf")
    fonts = {}
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font \
                else font
            descriptor = descendant["/FontDescriptor"].get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts and all(fonts.values()), fonts
    assert any("CJK" in name for name in fonts)


def test_pdf_metadata(real_build):
    reader = PdfReader(real_build.out / "briefing.pdf")
    assert reader.metadata.title.startswith("Comparative briefing: 01.AI (零一万物)")
    assert reader.metadata.author.startswith("report")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


# ---------------------------------------------------------------- DOCX


def test_docx_has_headings_tables_captions_and_images(real_build):
    path = real_build.out / "briefing.docx"
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    for section in ("Key findings", "At a glance", "Strategy", "Team", "Pricing", "Openness",
                    "Timeline"):
        assert any(section in h for h in headings), (section, headings)
    glance = doc.tables[0]
    assert [c.text for c in glance.rows[0].cells][1:] == ["01.AI", "DeepSeek"]
    assert glance.rows[1].cells[1].text.startswith("零一万物")
    # Caption numbers are Word SEQ fields, which python-docx's .text leaves out.
    captions = ["".join(t.text or "" for t in p._p.iter(qn("w:t"))) for p in doc.paragraphs
                if p.style.name in ("Table Caption", "Image Caption")]
    assert "Table\xa01: At a glance" in captions, captions[:3]
    assert any(c.startswith("Figure\xa01: ") for c in captions), captions
    assert any(c.startswith("Table\xa02: ") for c in captions), captions
    assert len(doc.inline_shapes) >= 4
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "SEQ Table" in xml and "SEQ Figure" in xml  # real Word caption numbering
    assert 'TOC \\o' in xml  # a table of contents field Word fills on opening
    alts = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert len(alts) >= 4 and all(len(a) > 30 for a in alts[:4]), alts
    props = doc.core_properties
    assert props.title.startswith("Comparative briefing")
    assert props.subject == "Comparative case-study briefing"
    assert props.keywords == "01.AI, DeepSeek"


def test_docx_tables_have_widths_that_fit_the_page(real_build):
    path = real_build.out / "briefing.docx"
    doc = Document(str(path))
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in doc.tables:
        grid = table._tbl.tblGrid
        widths = [int(col.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}w")) for col in grid]
        assert sum(widths) * 635 <= text_width * 1.01  # twips → EMU
        tbl_w = table._tbl.tblPr.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}tblW")
        assert tbl_w.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type") \
            == "pct"


def test_docx_styles_name_the_east_asian_font(real_build):
    xml = zipfile.ZipFile(real_build.out / "briefing.docx").read("word/styles.xml").decode()
    assert 'w:eastAsia="Noto Sans CJK SC"' in xml


def test_docx_opens_and_converts_in_libreoffice(real_build, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed: `make test` installs libreoffice-writer-nogui"
    run = subprocess.run(
        [soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(real_build.out / "briefing.docx")],
        capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    converted = tmp_path / "briefing.pdf"
    text = pdf_text(converted)
    assert len(PdfReader(converted).pages) > 10
    assert "零一万物" in text and "DeepSeek" in text


# ---------------------------------------------------------------- HTML


class ResourceFinder(HTMLParser):
    """Collect every URL the page would load by itself (not the links a reader clicks)."""

    LOADS = {"script": "src", "img": "src", "iframe": "src", "link": "href", "source": "src",
             "embed": "src", "object": "data", "video": "src", "audio": "src"}

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        attr = self.LOADS.get(tag)
        for name, value in attrs:
            if name == attr and value and not value.startswith("data:"):
                self.loads.append(value)
            if name == "style" and value and "url(" in value:
                self.loads.append(value)


def test_html_needs_no_network_and_has_interactive_charts(real_build):
    page = (real_build.out / "briefing.html").read_text(encoding="utf-8")
    finder = ResourceFinder()
    finder.feed(page)
    assert finder.loads == []
    assert "default-src 'none'" in page  # the browser itself refuses to fetch anything
    assert page.count("Plotly.newPlot(") == 4
    assert len(re.findall(r"plotly\.js v\d", page)) == 1  # the library is inlined once
    assert "零一万物" in page and 'lang="en-GB"' in page


# ---------------------------------------------------------------- a third case, reproducibility


def test_a_third_case_appears_in_every_document(three_build):
    doc = Document(str(three_build.out / "briefing.docx"))
    assert [c.text for c in doc.tables[0].rows[0].cells][1:] == [
        "Alpha Labs", "Beta AI", "Gamma Intelligence"]
    assert "Gamma Intelligence" in pdf_text(three_build.out / "briefing.pdf")


def test_two_builds_of_the_same_cases_are_byte_identical(three_build, tmp_path):
    again = _build(tmp_path, sorted(GOOD.glob("*.yaml")))
    for name in ("briefing.pdf", "briefing.docx", "briefing.html", "briefing.md"):
        assert (again.out / name).read_bytes() == (three_build.out / name).read_bytes(), name


def test_manifest_lists_hashes_pages_and_inputs(three_build):
    import hashlib

    manifest = json.loads((three_build.out / "manifest.json").read_text(encoding="utf-8"))
    pdf = three_build.out / "briefing.pdf"
    assert manifest["documents"]["pdf"]["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert manifest["documents"]["pdf"]["pages"] == len(PdfReader(pdf).pages)
    assert [c["file"] for c in manifest["cases"]] == ["alpha.yaml", "beta.yaml", "gamma.yaml"]
    assert manifest["cases"][0]["sha256"] == hashlib.sha256(
        (GOOD / "alpha.yaml").read_bytes()).hexdigest()
