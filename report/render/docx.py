"""The DOCX an editor wants: what pandoc's Word writer leaves out, added to its output.

pandoc writes the text, styles, tables, captions and citations. This adds:
- a contents list filled in, so it shows on opening in LibreOffice too (pandoc leaves the
  field empty for Word to fill, pandoc #9244), each entry linked to its heading;
- heading numbers as Word list numbering instead of typed text;
- a cover page (title block alone), a header with the short title, "Page X of Y" in the footer;
- table rows that do not split across pages, and header rows that repeat;
- the scorecard symbols (● ◐ ○) set in the CJK font that has them.
The zip is written again with fixed dates, so a build stays byte-identical.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..escape import xml_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS = {"w": W, "r": R}
HEADER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/header"
FOOTER_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer"
HEADING_STYLES = ("Heading1", "Heading2", "Heading3")
NUMBERING_ID = "9001"  # our heading numbering; pandoc's own lists use small ids
SYMBOLS = re.compile("[●◐○]")
SYMBOL_FONT = "Noto Sans CJK SC"


@dataclass(frozen=True)
class Furnishing:
    """What the post-processing needs from the briefing: words and the running header."""

    short_title: str
    page: str  # "Page {page} of {pages}", from the label catalogue
    toc_depth: int = 2


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def furnish(path: Path, what: Furnishing) -> None:
    """Rewrite the DOCX at `path` in place with the additions listed above."""
    from lxml import etree

    with zipfile.ZipFile(path) as z:
        parts = {info.filename: z.read(info.filename) for info in z.infolist()}
        order = [info.filename for info in z.infolist()]
        stamp = z.infolist()[0].date_time
    document = etree.fromstring(parts["word/document.xml"])
    body = document.find("w:body", NS)
    headings = number_headings(body)
    fill_contents(body, headings, what.toc_depth)
    cover_page(body)
    rows_stay_whole(body)
    symbols_in_cjk_font(body)
    parts["word/styles.xml"] = heading_styles_numbered(parts["word/styles.xml"])
    parts["word/numbering.xml"] = heading_numbering(parts["word/numbering.xml"])
    add_header_footer(parts, body, what)
    parts["word/document.xml"] = etree.tostring(document, xml_declaration=True,
                                                encoding="UTF-8", standalone=True)
    for name in ("word/header1.xml", "word/footer1.xml"):
        if name not in order:
            order.append(name)
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name in order:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, parts[name])
    tmp.replace(path)


# ---------------------------------------------------------------- headings and contents


@dataclass(frozen=True)
class Heading:
    level: int
    number: str  # "" for an unnumbered heading
    text: str
    anchor: str


def number_headings(body) -> list[Heading]:
    """Move pandoc's typed section numbers into Word numbering; return every heading.

    pandoc writes a numbered heading's number as a first run in the `SectionNumber` style and
    a tab; an unnumbered heading has none, and gets numbering switched off (numId 0).
    """
    headings = []
    anchor = ""
    for el in body:
        if el.tag == w("bookmarkStart"):
            anchor = el.get(w("name"), "")
            continue
        if el.tag != w("p"):
            anchor = "" if el.tag != w("bookmarkEnd") else anchor
            continue
        style = el.find("w:pPr/w:pStyle", NS)
        if style is None or style.get(w("val")) not in HEADING_STYLES:
            anchor = ""
            continue
        level = HEADING_STYLES.index(style.get(w("val"))) + 1
        runs = el.findall("w:r", NS)
        number = ""
        if runs and runs[0].find("w:rPr/w:rStyle[@w:val='SectionNumber']", NS) is not None:
            number = "".join(t.text or "" for t in runs[0].findall("w:t", NS))
            el.remove(runs[0])
            if len(runs) > 1 and runs[1].find("w:tab", NS) is not None:
                el.remove(runs[1])
        else:
            ppr = el.find("w:pPr", NS)
            numpr = _sub(ppr, "numPr")
            _sub(numpr, "ilvl").set(w("val"), "0")
            _sub(numpr, "numId").set(w("val"), "0")
        text = "".join(t.text or "" for t in el.iter(w("t")))
        headings.append(Heading(level, number, text, anchor))
        anchor = ""
    return headings


def fill_contents(body, headings: list[Heading], depth: int) -> None:
    """Put the entries in the contents field's result, each linked to its heading; Word
    refreshes them with page numbers (the field is marked dirty), LibreOffice shows them."""
    from lxml import etree

    field = body.find(".//w:sdt//w:instrText", NS)
    if field is None:
        return
    paragraph = field.getparent().getparent()
    separate = paragraph.find(".//w:fldChar[@w:fldCharType='separate']", NS)
    end = paragraph.find(".//w:fldChar[@w:fldCharType='end']", NS)
    # Split the field: begin + instruction + separate stay here, the entries follow, and
    # the end goes into a paragraph of its own after them.
    end_run = end.getparent()
    if end_run is separate.getparent():
        end_run.remove(end)
        end_run = etree.SubElement(paragraph, w("r"))
        end_run.append(end)
    paragraph.remove(end_run)
    anchor = paragraph
    for h in headings:
        if h.level > depth or not h.anchor:
            continue
        entry = etree.fromstring(
            f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="TOC{h.level}"/></w:pPr>'
            f'<w:hyperlink w:anchor="{xml_text(h.anchor)}" w:history="1">'
            + (f'<w:r><w:t xml:space="preserve">{xml_text(h.number)}</w:t></w:r><w:r><w:tab/></w:r>'
               if h.number else "")
            + f'<w:r><w:t xml:space="preserve">{xml_text(h.text)}</w:t></w:r></w:hyperlink></w:p>')
        anchor.addnext(entry)
        anchor = entry
    closing = etree.SubElement(etree.Element(w("p")), w("r"))
    closing.append(end)
    anchor.addnext(closing.getparent())


def heading_styles_numbered(styles_xml: bytes) -> bytes:
    """Link Heading 1–3 to the heading numbering, and make sure the contents styles exist."""
    from lxml import etree

    styles = etree.fromstring(styles_xml)
    for level, style_id in enumerate(HEADING_STYLES):
        style = styles.find(f"w:style[@w:styleId='{style_id}']", NS)
        if style is None:
            continue
        ppr = _sub(style, "pPr")
        numpr = _sub(ppr, "numPr")
        _sub(numpr, "ilvl").set(w("val"), str(level))
        _sub(numpr, "numId").set(w("val"), NUMBERING_ID)
    # Styles built on a heading (the contents title) keep its look, not its number.
    for style in styles.findall("w:style", NS):
        based = style.find("w:basedOn", NS)
        if based is not None and based.get(w("val")) in HEADING_STYLES and \
                style.get(w("styleId")) not in HEADING_STYLES:
            numpr = _sub(_sub(style, "pPr"), "numPr")
            _sub(numpr, "ilvl").set(w("val"), "0")
            _sub(numpr, "numId").set(w("val"), "0")
    for level in (1, 2, 3):
        if styles.find(f"w:style[@w:styleId='TOC{level}']", NS) is None:
            styles.append(etree.fromstring(
                f'<w:style xmlns:w="{W}" w:type="paragraph" w:styleId="TOC{level}">'
                f'<w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
                f'<w:uiPriority w:val="39"/><w:pPr><w:spacing w:before="40" w:after="40"/>'
                f'<w:ind w:left="{(level - 1) * 360}"/><w:tabs><w:tab w:val="left" '
                f'w:pos="{(level - 1) * 360 + 567}"/></w:tabs></w:pPr></w:style>'))
    return etree.tostring(styles, xml_declaration=True, encoding="UTF-8", standalone=True)


def heading_numbering(numbering_xml: bytes) -> bytes:
    """Add a multi-level list, 1 / 1.1 / 1.1.1, that the heading styles follow."""
    from lxml import etree

    numbering = etree.fromstring(numbering_xml)
    levels = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
        f'<w:pStyle w:val="{HEADING_STYLES[i]}"/>'
        f'<w:lvlText w:val="{".".join(f"%{k + 1}" for k in range(i + 1))}"/>'
        f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="0" w:firstLine="0"/></w:pPr></w:lvl>'
        for i in range(3))
    abstract = etree.fromstring(
        f'<w:abstractNum xmlns:w="{W}" w:abstractNumId="{NUMBERING_ID}">'
        f'<w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>')
    num = etree.fromstring(f'<w:num xmlns:w="{W}" w:numId="{NUMBERING_ID}">'
                           f'<w:abstractNumId w:val="{NUMBERING_ID}"/></w:num>')
    first_num = numbering.find("w:num", NS)
    if first_num is not None:  # abstract definitions come before the nums that use them
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(num)
    return etree.tostring(numbering, xml_declaration=True, encoding="UTF-8", standalone=True)


# ---------------------------------------------------------------- page furniture


def cover_page(body) -> None:
    """Start the contents and the text each on a page of their own: the title block alone
    makes the cover."""
    from lxml import etree

    sdt = body.find("w:sdt", NS)
    if sdt is None:
        return
    for where in (sdt.addprevious, sdt.addnext):
        where(etree.fromstring(f'<w:p xmlns:w="{W}"><w:r><w:br w:type="page"/></w:r></w:p>'))


def add_header_footer(parts: dict[str, bytes], body, what: Furnishing) -> None:
    """A header with the short title and a "Page X of Y" footer, none on the cover."""
    from lxml import etree

    def field(code: str) -> str:
        return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText '
                f'xml:space="preserve"> {code} </w:instrText></w:r><w:r><w:fldChar '
                f'w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r><w:r><w:fldChar '
                f'w:fldCharType="end"/></w:r>')

    footer_runs = "".join(
        field("PAGE") if piece == "{page}" else field("NUMPAGES") if piece == "{pages}"
        else f'<w:r><w:t xml:space="preserve">{xml_text(piece)}</w:t></w:r>'
        for piece in re.split(r"(\{page\}|\{pages\})", what.page) if piece)
    small = '<w:rPr><w:color w:val="666666"/><w:sz w:val="16"/></w:rPr>'
    parts["word/header1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr xmlns:w="{W}">'
        f'<w:p><w:pPr><w:pStyle w:val="Header"/>{small}</w:pPr><w:r>{small}'
        f'<w:t xml:space="preserve">{xml_text(what.short_title)}</w:t></w:r></w:p></w:hdr>'
    ).encode()
    parts["word/footer1.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:ftr xmlns:w="{W}">'
        f'<w:p><w:pPr><w:pStyle w:val="Footer"/><w:jc w:val="right"/>{small}</w:pPr>'
        f'{footer_runs.replace("<w:r>", "<w:r>" + small)}</w:p></w:ftr>').encode()
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    for rid, kind, target in (("rIdReportHeader", HEADER_TYPE, "header1.xml"),
                              ("rIdReportFooter", FOOTER_TYPE, "footer1.xml")):
        rel = etree.SubElement(rels, f"{{{PKG}}}Relationship")
        rel.set("Id", rid)
        rel.set("Type", kind)
        rel.set("Target", target)
    parts["word/_rels/document.xml.rels"] = etree.tostring(
        rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(parts["[Content_Types].xml"])
    for name, kind in (("/word/header1.xml", "header"), ("/word/footer1.xml", "footer")):
        override = etree.SubElement(types, f"{{{CT}}}Override")
        override.set("PartName", name)
        override.set("ContentType",
                     f"application/vnd.openxmlformats-officedocument.wordprocessingml.{kind}+xml")
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True,
                                                  encoding="UTF-8", standalone=True)
    sect = body.find("w:sectPr", NS)
    if sect is None:
        sect = etree.SubElement(body, w("sectPr"))
    for tag, rid in (("headerReference", "rIdReportHeader"),
                     ("footerReference", "rIdReportFooter")):
        ref = etree.Element(w(tag))
        ref.set(w("type"), "default")
        ref.set(f"{{{R}}}id", rid)
        sect.insert(0, ref)
    if sect.find("w:titlePg", NS) is None:
        # titlePg sits after the page settings; Word is strict about the order of sectPr.
        title_pg = etree.Element(w("titlePg"))
        later = [sect.find(f"w:{tag}", NS) for tag in ("textDirection", "bidi",
                                                      "rtlGutter", "docGrid")]
        later = [el for el in later if el is not None]
        if later:
            later[0].addprevious(title_pg)
        else:
            sect.append(title_pg)


def rows_stay_whole(body) -> None:
    """Keep every table row on one page, and repeat each table's header row."""
    for table in body.iter(w("tbl")):
        for i, row in enumerate(table.findall("w:tr", NS)):
            trpr = row.find("w:trPr", NS)
            if trpr is None:
                from lxml import etree

                trpr = etree.Element(w("trPr"))
                row.insert(0, trpr)
            _sub(trpr, "cantSplit")
            if i == 0:
                _sub(trpr, "tblHeader")


def symbols_in_cjk_font(body) -> None:
    """Runs holding ● ◐ ○ use the CJK font, which has all three at a readable size."""
    for text in body.iter(w("t")):
        if text.text and SYMBOLS.search(text.text):
            run = text.getparent()
            rpr = run.find("w:rPr", NS)
            if rpr is None:
                from lxml import etree

                rpr = etree.Element(w("rPr"))
                run.insert(0, rpr)
            fonts = _sub(rpr, "rFonts")
            for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(w(attr), SYMBOL_FONT)


# The order Word's schema gives the children of these elements (only the ones that matter).
SCHEMA_ORDER = {
    "pPr": ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
            "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
            "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN",
            "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind", "contextualSpacing",
            "mirrorIndents", "suppressOverlap", "jc", "textDirection", "textAlignment",
            "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"),
    "numPr": ("ilvl", "numId"),
    "trPr": ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit",
             "trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden"),
    "rPr": ("rStyle", "rFonts", "b", "bCs", "i", "iCs"),
}


def _sub(parent, tag: str):
    """Return the child `w:tag` of `parent`, made if missing and put where Word's schema
    wants it among its siblings."""
    from lxml import etree

    found = parent.find(f"w:{tag}", NS)
    if found is not None:
        return found
    found = etree.Element(w(tag))
    order = SCHEMA_ORDER.get(etree.QName(parent).localname)
    if order and tag in order:
        rank = order.index(tag)
        for i, child in enumerate(parent):
            name = etree.QName(child).localname
            if name in order and order.index(name) > rank:
                parent.insert(i, found)
                return found
    parent.append(found)
    return found
