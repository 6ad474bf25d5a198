"""The documents a reader gets: text from the PDF, tables and styles from the DOCX, the HTML."""

from __future__ import annotations

import json
import re
import zipfile
from html.parser import HTMLParser

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from .conftest import GOOD, _build, libreoffice

pytestmark = pytest.mark.xdist_group("build")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def outline_titles(outline):
    for item in outline:
        yield from outline_titles(item) if isinstance(item, list) else \
            [" ".join(item.title.split())]


# ---------------------------------------------------------------- PDF


# The project's brief asks for a short briefing: the fact pack is whole in the annex.
DOCUMENTS = ("briefing", "annex")


def test_pdf_holds_names_prices_and_dates(real_build):
    text = pdf_text(real_build.out / "briefing.pdf") + pdf_text(real_build.out / "annex.pdf")
    for needle in ("零一万物", "深度求索", "01.AI", "DeepSeek", "李开复", "Kai-Fu Lee", "梁文锋",
                   "Key findings", "At a glance", "Yi-Lightning", "CNY 0.99", "16 Oct 2024",
                   "DeepSeek-R1", "MIT", "Apache-2.0", "Sources"):
        assert needle in text, needle
    assert re.search(r"Page 3 of \d+", text)


def test_pdf_has_an_outline_and_contents_with_page_numbers(real_build):
    reader = PdfReader(real_build.out / "briefing.pdf")
    found = list(outline_titles(reader.outline)) + list(outline_titles(
        PdfReader(real_build.out / "annex.pdf").outline))
    for section in ("Key findings", "At a glance", "Strategy", "Team", "Pricing", "Releases",
                    "Openness", "Timeline", "Sources"):
        assert any(t.endswith(section) for t in found), (section, found)
    cover = reader.pages[0].extract_text()
    assert "Contents" in cover
    assert re.search(r"(Fact pack|Key findings)\s*\.*\s*\d+", cover)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_pdf_never_ends_a_page_on_a_heading_or_table_caption(real_build, document):
    # The page text ends with the running header and the page number; what comes before
    # them is the last line of the page's content.
    reader = PdfReader(real_build.out / f"{document}.pdf")
    headings = set(outline_titles(reader.outline))
    for number, page in enumerate(reader.pages[1:], start=2):  # after the cover
        lines = [" ".join(ln.split()) for ln in page.extract_text().splitlines() if ln.strip()]
        assert lines[-1] == f"Page {number} of {len(reader.pages)}"
        last = lines[-3]
        assert last not in headings and not re.match(r"Table \d+\. ", last), (number, last)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_pdf_fonts_are_embedded_and_one_is_cjk(real_build, document):
    reader = PdfReader(real_build.out / f"{document}.pdf")
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


@pytest.mark.parametrize("document", DOCUMENTS)
def test_pdf_is_tagged_for_accessibility(real_build, document):
    root = PdfReader(real_build.out / f"{document}.pdf").trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    tree = root["/StructTreeRoot"].get_object()
    kinds, pages, todo = set(), set(), [tree]
    while todo:  # every kind of element the tags name, and the pages they point at
        node = todo.pop()
        kinds.add(str(node.get("/S")))
        if "/Pg" in node:
            pages.add(node.raw_get("/Pg").idnum)
        kids = node.get("/K", [])
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and "/S" in kid:
                todo.append(kid)
    assert {"/H1", "/H2", "/P", "/Table", "/TR", "/TH", "/TD", "/Figure"} <= kinds, kinds
    assert len(pages) == len(PdfReader(real_build.out / f"{document}.pdf").pages)


def test_pdf_takes_the_chart_images_data_as_it_is(real_build):
    # tests/test_pdfspeed.py shows WeasyPrint would otherwise compress the pixels again.
    from PIL import Image

    from report.render.pdf import idat

    charts = {}
    for png in (real_build.root / "figures").glob("fig-*.png"):
        assert Image.open(png).mode == "RGB", png  # drawn on white, no alpha channel
        charts[idat(png.read_bytes())] = png.name
    seen = set()
    for page in [*PdfReader(real_build.out / "briefing.pdf").pages,
                 *PdfReader(real_build.out / "annex.pdf").pages]:
        for image in (page["/Resources"].get("/XObject") or {}).values():
            image = image.get_object()
            if image.get("/Subtype") == "/Image":
                assert "/SMask" not in image
                seen.add(charts.get(image._data))  # the PNG's compressed data, not redone
    assert charts and seen == set(charts.values())


def test_pdf_metadata(brief_build, three_build, real_build):
    reader = PdfReader(brief_build.out / "briefing.pdf")
    assert reader.metadata.title == "Alpha Labs lost the price war Beta AI started"
    assert reader.metadata.author == "A. Analyst, Example Research"
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged: PDF/UA
    plain = PdfReader(three_build.out / "briefing.pdf")
    assert plain.metadata.title.startswith("Comparative briefing: Alpha Labs (阿尔法实验室)")
    assert plain.metadata.author is None  # no brief, no author: never the tool's name
    real = PdfReader(real_build.out / "briefing.pdf").metadata
    # A subtitle longer than a line stays one line in the metadata.
    assert real.subject.startswith("01.AI (零一万物) and DeepSeek (深度求索), 2023–2026: why")
    assert "\n" not in real.subject and real.author == "Case-study desk"


# ---------------------------------------------------------------- DOCX


def test_docx_has_headings_tables_captions_and_images(brief_build):
    path = brief_build.out / "briefing.docx"
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == ["Executive summary", "Why Alpha fell", "Claims checked",
                            "Fact pack"]  # numbers are Word numbering, not typed text
    captions = ["".join(t.text or "" for t in p._p.iter(qn("w:t"))) for p in doc.paragraphs
                if p.style.name in ("Table Caption", "Image Caption")]
    assert any(c.startswith("Figure\xa01: Beta cut first") for c in captions), captions
    assert any(c.startswith("Table\xa01: Claims checked") for c in captions), captions
    assert len(doc.inline_shapes) >= 6
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "SEQ Table" in xml and "SEQ Figure" in xml  # real Word caption numbering
    alts = re.findall(r'<wp:docPr [^>]*descr="([^"]*)"', xml)
    assert len(alts) >= 6 and all(len(a) > 30 for a in alts), alts
    props = doc.core_properties
    assert props.title == "Alpha Labs lost the price war Beta AI started"
    assert props.subject == "Alpha Labs and Beta AI"  # the short title
    assert props.keywords == "Alpha Labs, Beta AI"


def test_docx_contents_are_filled_in_and_link_to_their_headings(brief_build):
    doc = Document(str(brief_build.out / "briefing.docx"))
    entries = [p for p in doc.element.body.iter(qn("w:p"))
               if (s := p.find(f"{W}pPr/{W}pStyle")) is not None
               and s.get(qn("w:val")).startswith("TOC")]
    texts = [" ".join("".join(" " if el.tag == qn("w:tab") else el.text or ""
                              for el in p.iter(qn("w:t"), qn("w:tab"))).split())
             for p in entries]
    # Each entry ends in its page: a PAGEREF field whose cached number is the PDF's page.
    assert texts[:5] == ["Contents", "Executive summary 2", "1 Why Alpha fell 2",
                         "2 Claims checked 3", "3 Fact pack 4"], texts
    assert any(t.startswith("3.1 Key findings ") for t in texts)
    anchors = [h.get(qn("w:anchor")) for p in entries for h in p.iter(qn("w:hyperlink"))]
    assert anchors[:2] == ["executive-summary", "why-alpha-fell"]
    codes = ["".join(t.text for t in p.iter(qn("w:instrText"))).split() for p in entries[1:]]
    assert codes[0] == ["PAGEREF", "executive-summary", "\\h"]
    # No contents field for Word to ask about on opening, and no field marked dirty.
    xml = zipfile.ZipFile(brief_build.out / "briefing.docx").read("word/document.xml").decode()
    assert "TOC \\o" not in xml and "w:dirty" not in xml


def test_docx_headings_are_numbered_by_word(brief_build):
    path = brief_build.out / "briefing.docx"
    styles = zipfile.ZipFile(path).read("word/styles.xml").decode()
    numbering = zipfile.ZipFile(path).read("word/numbering.xml").decode()
    heading1 = styles.split('w:styleId="Heading1"')[1].split("</w:style>")[0]
    assert re.search(r'<w:numId w:val="9001"\s*/>', heading1)
    assert re.search(r'<w:lvlText w:val="%1\.%2"\s*/>', numbering)
    doc = Document(str(path))
    summary = next(p for p in doc.paragraphs if p.text == "Executive summary")
    assert summary._p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") == "0"  # unnumbered


def test_docx_has_a_cover_a_header_and_page_x_of_y(brief_build):
    z = zipfile.ZipFile(brief_build.out / "briefing.docx")
    header = z.read("word/header1.xml").decode()
    footer = z.read("word/footer1.xml").decode()
    assert "Alpha Labs and Beta AI" in header
    assert re.search(r"Page .*PAGE .* of .*NUMPAGES", footer, re.S)
    xml = z.read("word/document.xml").decode()
    assert re.search(r"<w:titlePg\s*/>", xml)  # no header or footer on the cover
    assert len(re.findall(r'<w:br w:type="page"\s*/>', xml)) >= 2  # cover, contents, text


def test_docx_cover_holds_the_questions_and_the_confidence_key(brief_build):
    """Word's cover says what the PDF's says: the questions answered, scope, and the key
    to the confidence marks the text uses."""
    doc = Document(str(brief_build.out / "briefing.docx"))
    cover = next(p for p in doc.paragraphs if p.style.name == "Abstract").text.splitlines()
    assert cover[:2] == ["This briefing answers", "• Why did Alpha Labs’ leaders leave?"]
    assert cover[-1].startswith("Every fact cites the source it was read in and states how sure")


def test_docx_rows_stay_whole_and_fonts_match_the_pdf(brief_build):
    z = zipfile.ZipFile(brief_build.out / "briefing.docx")
    xml = z.read("word/document.xml").decode()
    rows = len(re.findall(r"<w:tr[ >]", xml))
    assert rows and len(re.findall(r"<w:cantSplit\s*/>", xml)) == rows
    styles = z.read("word/styles.xml").decode()
    assert 'w:ascii="Noto Sans"' in styles and 'w:eastAsia="Noto Sans CJK SC"' in styles
    # The scorecard symbols are set in the CJK font, which draws them at a readable size.
    assert re.search(r'w:ascii="Noto Sans CJK SC"[^>]*/>(?:(?!</w:r>).)*●', xml, re.S)


def test_docx_citations_link_to_the_bibliography(brief_build):
    xml = zipfile.ZipFile(brief_build.out / "briefing.docx").read("word/document.xml").decode()
    anchors = set(re.findall(r'<w:hyperlink w:anchor="(ref-[^"]+)"', xml))
    assert "ref-alpha:news" in anchors
    assert all(f'w:name="{a}"' in xml for a in anchors)  # each has its bookmark


@pytest.mark.parametrize("document", DOCUMENTS)
def test_docx_tables_have_widths_that_fit_the_page(real_build, document):
    path = real_build.out / f"{document}.docx"
    doc = Document(str(path))
    section = doc.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in doc.tables:
        widths = [int(col.get(f"{W}w")) for col in table._tbl.tblGrid]
        assert sum(widths) * 635 <= text_width * 1.01  # twips → EMU
        assert table._tbl.tblPr.find(f"{W}tblW").get(f"{W}type") == "pct"


def test_docx_opens_in_libreoffice_with_its_contents_shown(brief_build, tmp_path):
    run = libreoffice(brief_build.out / "briefing.docx", "pdf", tmp_path, tmp_path / "profile",
                      timeout=300)
    assert run.returncode == 0, run.stderr
    converted = PdfReader(tmp_path / "briefing.pdf")
    contents = converted.pages[1].extract_text()
    assert "Contents" in contents and "Why Alpha fell" in contents and "Fact pack" in contents
    text = "\n".join(p.extract_text() for p in converted.pages)
    assert "阿尔法实验室" in text and "Page 2 of" in text


# ---------------------------------------------------------------- HTML


def test_html_is_a_modern_report(brief_build):
    page = (brief_build.out / "briefing.html").read_text(encoding="utf-8")
    assert re.search(r'<nav id="TOC"[^>]*><details open><summary class="toc-title">', page)
    assert "position: sticky" in page  # the side contents stay in view
    assert '<a class="anchor" href="#why-alpha-fell"' in page
    assert re.search(r'<a href="#ref-alpha:news"[^>]*role="doc-biblioref"', page)
    assert 'data-confidence="reported"' in page  # what a citation preview shows
    assert "prefers-color-scheme: dark" in page and "@media print" in page
    assert '<div class="table-wrap"><table' in page
    script = page.rsplit("<script>", 1)[1]  # the page's own script, after plotly.js
    assert "textContent" in script and "innerHTML" not in script  # never parses markup


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
    annex = (real_build.out / "annex.html").read_text(encoding="utf-8")
    finder.feed(annex)
    assert finder.loads == []
    assert page.count("reportPlot(\"") + annex.count("reportPlot(\"") >= 4
    assert len(re.findall(r"plotly\.js \(basic - minified\) v\d", page)) == 1  # once
    assert "零一万物" in page and 'lang="en-GB"' in page
    size = (real_build.out / "briefing.html").stat().st_size
    # The partial bundle is 1.2 MB, the full one 4.8 MB; the briefing's own text and chart
    # data (0.8 MB and growing with the cases and the brief) lie well between.
    assert size <= 3_000_000, f"{size / 1e6:.2f} MB: the partial plotly.js bundle is missing?"


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
