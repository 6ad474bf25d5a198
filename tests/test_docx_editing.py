"""The DOCX as an editor meets it in Word or LibreOffice: one bookmark per anchor, the tool's
character styles in the styles pane, headings in the gallery, no build settings in the
properties, the contents with page numbers, and what the document was built from."""

from __future__ import annotations

import collections
import re
import zipfile

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from .conftest import libreoffice

pytestmark = pytest.mark.xdist_group("build")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def test_one_bookmark_per_anchor_each_inside_a_paragraph(real_build):
    doc = Document(str(real_build.out / "briefing.docx"))
    starts = list(doc.element.body.iter(qn("w:bookmarkStart")))
    names = collections.Counter(s.get(qn("w:name")) for s in starts)
    assert starts and not [n for n, k in names.items() if k > 1]
    assert all(s.getparent().tag == qn("w:p") for s in starts)
    # The table's anchor is the one around "Table N", which a Word cross-reference shows.
    caption = next(s for s in starts if s.get(qn("w:name")) == "tbl-claims").getparent()
    assert caption.find(f"{W}pPr/{W}pStyle").get(qn("w:val")) == "TableCaption"


def test_live_facts_confidence_marks_and_citations_have_visible_styles(brief_build):
    doc = Document(str(brief_build.out / "briefing.docx"))
    styles = {s.name: s for s in doc.styles}
    for name in ("Live fact", "Confidence mark", "Citation"):
        style = styles[name]
        assert style.type == 2 and not style.hidden and style.quick_style, name  # character
    runs = {}
    for run in doc.element.body.iter(qn("w:r")):
        rstyle = run.find(f"{W}rPr/{W}rStyle")
        if rstyle is not None:
            runs.setdefault(rstyle.get(qn("w:val")), []).append(
                "".join(t.text or "" for t in run.iter(qn("w:t"))))
    ids = {s.name: s.style_id for s in doc.styles}
    assert "CNY 1" in runs[ids["Live fact"]]  # a value the brief's prose refers to
    assert "(reported)" in runs[ids["Confidence mark"]]
    assert "[" in runs[ids["Citation"]]  # the brief's own citation, [@alpha:blog]


def test_every_heading_style_is_in_the_gallery(brief_build):
    styles = zipfile.ZipFile(brief_build.out / "briefing.docx").read("word/styles.xml").decode()
    for n in range(1, 10):
        style = styles.split(f'w:styleId="Heading{n}"')[1].split("</w:style>")[0]
        assert "semiHidden" not in style and "unhideWhenUsed" not in style
        assert "<w:qFormat" in style


def test_no_build_settings_in_the_document_properties(real_build):
    custom = zipfile.ZipFile(real_build.out / "briefing.docx").read(
        "docProps/custom.xml").decode()
    names = re.findall(r'name="([^"]+)"', custom)
    assert not {"bibliography", "csl", "link-citations", "questions"} & set(names), names
    assert "<vt:lpwstr></vt:lpwstr>" not in custom and "<vt:lpwstr/>" not in custom
    assert "subtitle" in names and "report-build" in names
    build = re.search(r'name="report-build"[^>]*><vt:lpwstr>([^<]*)<', custom).group(1)
    assert re.fullmatch(r"report \S+; build [0-9a-f]{16}; brief brief\.md sha256:[0-9a-f]{64}",
                        build)
    assert len(build) < 255  # Word keeps 255 characters of a property


def test_the_docx_carries_the_brief_it_was_built_from(brief_build):
    z = zipfile.ZipFile(brief_build.out / "briefing.docx")
    items = [n for n in z.namelist() if re.fullmatch(r"customXml/item\d+\.xml", n)]
    assert len(items) == 1
    item = z.read(items[0]).decode()
    assert 'xmlns="urn:x-report:origin:1"' in item and '<brief name="brief.md"' in item
    rels = z.read("word/_rels/document.xml.rels").decode()
    assert f'Target="../{items[0]}"' in rels


def test_libreoffice_shows_the_contents_with_page_numbers_and_numbered_captions(
        real_build, tmp_path):
    run = libreoffice(real_build.out / "briefing.docx", "pdf", tmp_path, tmp_path / "profile")
    assert run.returncode == 0, run.stderr
    pages = [p.extract_text() for p in PdfReader(tmp_path / "briefing.pdf").pages]
    contents = next(p for p in pages if "Contents" in p)
    entries = [line for line in contents.splitlines() if re.search(r"[A-Za-z]", line)
               and "Contents" not in line and "Page " not in line
               and line.strip() != "01.AI and DeepSeek"]
    assert len(entries) >= 8, entries  # the short briefing's chapters and fact-pack sections
    numbers = [int(re.search(r"(\d+)\s*$", e).group(1)) for e in entries]
    assert numbers == sorted(numbers) and numbers[-1] > 10, entries  # worked out, in order
    assert "Error" not in contents  # every page reference found its bookmark
    # The page an entry names holds its heading.
    why = next(e for e in entries if "Why 01.AI fell" in e)
    page = int(re.search(r"(\d+)\s*$", why).group(1))
    assert "Why 01.AI fell while DeepSeek rose" in pages[page - 1]
    text = "\n".join(pages)
    assert re.search(r"Figure\s+1:", text) and re.search(r"Table\s+1:", text)
