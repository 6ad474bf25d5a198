"""The DOCX an editor wants: what pandoc's Word writer leaves out, added to its output.

pandoc writes the text, styles, tables, captions and citations. This adds:
- a contents list filled in, each entry linked to its heading with its page number as a
  PAGEREF field: LibreOffice works the numbers out when it lays the document out, Word shows
  the numbers of the PDF built with it (F9 brings them up to date), and neither asks to
  update fields on opening (pandoc leaves an empty contents field for Word to fill, marked
  dirty, and LibreOffice shows it empty: pandoc #9244);
- one bookmark per anchor, inside the paragraph it names (pandoc wrote table anchors twice);
- heading numbers as Word list numbering instead of typed text, and every heading style in
  the styles gallery;
- character styles an editor can see and restyle: live facts, confidence marks, citations;
- a cover page (title block alone), a header with the short title, "Page X of Y" in the footer;
- table rows that do not split across pages, and header rows that repeat;
- the scorecard symbols (● ◐ ○) set in the CJK font that has them;
- no build settings in the document properties (pandoc copies its metadata there);
- what the document was built from (the brief and the text as built, `origin`), for
  `report absorb`, in a custom XML part that Word and LibreOffice keep when they save.
The zip is written again with fixed dates, so a build stays byte-identical.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..escape import xml_text
from .wordtext import Reader, Roles, pack, style_names

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


ORIGIN_NS = "urn:x-report:origin:1"  # the custom XML part `report absorb` reads
ORIGIN_PROPERTY = "report-build"  # a short custom property naming the build (Word keeps 255
# characters of a property's text, so the brief itself goes into the custom XML part)
CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
CUSTOM_XML_PROPS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "customXmlProps")
# Document properties pandoc copies from its metadata that say how the build ran, not what
# the document is: they have no place in a document sent out.
BUILD_SETTINGS = {"bibliography", "csl", "link-citations", "link-bibliography", "nocite",
                  "reference-section-title", "lang", "toc-title", "abstract-title",
                  "questions-title", "kicker"}


@dataclass(frozen=True)
class Origin:
    """What a DOCX was built from: the brief's file name and text, and the build's key."""

    brief_name: str
    brief_text: str
    build: str  # the build's fingerprint
    tool: str  # "report 0.1.0"


@dataclass(frozen=True)
class Furnishing:
    """What the post-processing needs from the briefing: words and the running header, the
    names of the character styles, the PDF's page of each anchor, and the origin."""

    short_title: str
    page: str  # "Page {page} of {pages}", from the label catalogue
    toc_depth: int = 2
    styles: Roles = Roles("Live fact", "Confidence mark", "Citation")
    pages: Mapping[str, int] = field(default_factory=dict)  # anchor -> page in the PDF
    origin: Origin | None = None


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
    one_bookmark_per_anchor(body)
    bookmarks_in_paragraphs(body)
    headings = number_headings(body)
    fill_contents(body, headings, what.toc_depth, what.pages, text_width(body))
    cover_page(body)
    rows_stay_whole(body)
    symbols_in_cjk_font(body)
    styles = etree.fromstring(heading_styles_numbered(parts["word/styles.xml"]))
    headings_in_gallery(styles)
    character_styles(styles, what.styles)
    key_data_box(body, key_data_style(styles, what.styles.key_data))
    parts["word/styles.xml"] = etree.tostring(styles, xml_declaration=True, encoding="UTF-8",
                                              standalone=True)
    parts["word/numbering.xml"] = heading_numbering(parts["word/numbering.xml"])
    add_header_footer(parts, body, what)
    if "docProps/custom.xml" in parts:
        parts["docProps/custom.xml"] = document_properties(parts["docProps/custom.xml"],
                                                           what.origin)
    parts["word/document.xml"] = etree.tostring(document, xml_declaration=True,
                                                encoding="UTF-8", standalone=True)
    if what.origin is not None:
        text = Reader(style_names(styles), what.styles).read(body) \
            if what.origin.brief_name else []
        add_origin(parts, order, what.origin, pack(text))
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

# Headings the contents leave out, as pandoc's `unlisted` class leaves them out of the PDF's
# and the page's (a DOCX keeps no classes): the source list's groups (styles/source-tiers.lua).
UNLISTED = ("refs-",)


@dataclass(frozen=True)
class Heading:
    level: int
    number: str  # "" for an unnumbered heading
    text: str
    anchor: str


def one_bookmark_per_anchor(body) -> None:
    """Remove the second bookmark of a name: pandoc bookmarks a table's id around its caption
    paragraph and again inside it (around "Table N", for cross-references), and Word keeps
    only one of two bookmarks of a name, so a link could land on either. The one inside the
    paragraph stays."""
    starts: dict[str, list] = {}
    for start in body.iter(w("bookmarkStart")):
        starts.setdefault(start.get(w("name"), ""), []).append(start)
    ends = {end.get(w("id")): end for end in body.iter(w("bookmarkEnd"))}
    for found in starts.values():
        if len(found) < 2:
            continue
        keep = next((s for s in found if s.getparent().tag == w("p")), found[0])
        for start in found:
            if start is keep:
                continue
            end = ends.get(start.get(w("id")))
            if end is not None:
                end.getparent().remove(end)
            start.getparent().remove(start)


def bookmarks_in_paragraphs(body) -> None:
    """Put a bookmark that pandoc set between paragraphs (a section's, before its heading)
    around the paragraph that follows it: Word and LibreOffice then find it for a page
    reference (LibreOffice lost some that stood between a table and a heading)."""
    ends = {end.get(w("id")): end for end in body.iter(w("bookmarkEnd"))}
    for start in list(body.iter(w("bookmarkStart"))):
        if start.getparent().tag == w("p"):
            continue
        target = start.getnext()
        while target is not None and target.tag in (w("bookmarkStart"), w("bookmarkEnd")):
            target = target.getnext()
        if target is None or target.tag != w("p"):
            continue
        ppr = target.find("w:pPr", NS)
        if ppr is not None:
            ppr.addnext(start)
        else:
            target.insert(0, start)
        end = ends.get(start.get(w("id")))
        if end is not None:
            target.append(end)


def number_headings(body) -> list[Heading]:
    """Move pandoc's typed section numbers into Word numbering; return every heading.

    pandoc writes a numbered heading's number as a first run in the `SectionNumber` style and
    a tab; an unnumbered heading has none, and gets numbering switched off (numId 0).
    """
    headings = []
    for el in body:
        if el.tag != w("p"):
            continue
        style = el.find("w:pPr/w:pStyle", NS)
        if style is None or style.get(w("val")) not in HEADING_STYLES:
            continue
        level = HEADING_STYLES.index(style.get(w("val"))) + 1
        mark = el.find("w:bookmarkStart", NS)
        anchor = mark.get(w("name"), "") if mark is not None else ""
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
    return headings


def text_width(body) -> int:
    """The width between the margins, in twentieths of a point (A4 with 18 mm margins)."""
    sect = body.find("w:sectPr", NS)
    size = sect.find("w:pgSz", NS) if sect is not None else None
    margins = sect.find("w:pgMar", NS) if sect is not None else None
    try:
        return int(size.get(w("w"))) - int(margins.get(w("left"))) - int(margins.get(w("right")))
    except (AttributeError, TypeError, ValueError):
        return 9866


def fill_contents(body, headings: list[Heading], depth: int, pages: Mapping[str, int],
                  width: int) -> None:
    """Replace pandoc's empty contents field by the entries, each linked to its heading and
    ending in a PAGEREF field of its page (cached: the PDF's page, when there is one).

    A contents *field* would have Word ask to update it on opening and LibreOffice show its
    cached text as it is; page references are worked out by LibreOffice as it lays out, and
    Word shows their cached numbers without asking. The content control pandoc wraps the
    field in goes too: its "Update Table" button would look for the field.
    """
    from lxml import etree

    field = body.find(".//w:sdt//w:instrText", NS)
    if field is None:
        return
    sdt = field
    while sdt.getparent() is not body:
        sdt = sdt.getparent()
    content = sdt.find("w:sdtContent", NS)
    holder = field
    while holder.tag != w("p"):
        holder = holder.getparent()
    entries = []
    for h in headings:
        if h.level > depth or not h.anchor or h.anchor.startswith(UNLISTED):
            continue
        anchor = xml_text(h.anchor)
        page = pages.get(h.anchor)
        cached = f'<w:r><w:t>{page}</w:t></w:r>' if page else ""
        entries.append(etree.fromstring(
            f'<w:p xmlns:w="{W}"><w:pPr><w:pStyle w:val="TOC{h.level}"/><w:tabs>'
            f'<w:tab w:val="right" w:leader="dot" w:pos="{width}"/></w:tabs></w:pPr>'
            f'<w:hyperlink w:anchor="{anchor}" w:history="1">'
            + (f'<w:r><w:t xml:space="preserve">{xml_text(h.number)}</w:t></w:r><w:r><w:tab/></w:r>'
               if h.number else "")
            + f'<w:r><w:t xml:space="preserve">{xml_text(h.text)}</w:t></w:r><w:r><w:tab/></w:r>'
            f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve">'
            f' PAGEREF {anchor} \\h </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/>'
            f'</w:r>{cached}<w:r><w:fldChar w:fldCharType="end"/></w:r></w:hyperlink></w:p>'))
    for el in list(content):
        if el is holder:
            for entry in entries:
                sdt.addprevious(entry)
        elif el.tag == w("p") and el.find(".//w:fldChar", NS) is not None and \
                not "".join(t.text or "" for t in el.iter(w("t"))).strip():
            continue  # the rest of the field: its separator and end
        else:
            sdt.addprevious(el)
    body.remove(sdt)


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


def headings_in_gallery(styles) -> None:
    """Show every heading style in Word's styles gallery and pane (pandoc's reference
    document hides Heading 2 and below until used)."""
    for style in styles.findall("w:style", NS):
        sid = style.get(w("styleId")) or ""
        if not re.fullmatch(r"Heading\d(Char)?", sid):
            continue
        for tag in ("semiHidden", "unhideWhenUsed"):
            for el in style.findall(f"w:{tag}", NS):
                style.remove(el)
        if not sid.endswith("Char") and style.find("w:qFormat", NS) is None:
            _style_flag(style, "qFormat")


# The look of the tool's character styles: a live fact shaded like a Word field, a
# confidence mark as the PDF sets it (italic, grey), a citation as the text around it.
CHARACTER_LOOKS = {
    "fact": '<w:shd w:val="clear" w:color="auto" w:fill="E8EEF5"/>',
    "confidence": '<w:i/><w:iCs/><w:color w:val="666666"/>',
    "citation": "",
}


def character_styles(styles, names: Roles) -> None:
    """Define the live-fact, confidence-mark and citation styles (pandoc made them bare, or
    not at all), each visible in the styles pane and the gallery."""
    for role, look in CHARACTER_LOOKS.items():
        own_style(styles, getattr(names, role), role.title(), "character",
                  "DefaultParagraphFont", f"<w:rPr>{look}</w:rPr>")


# The key-data box as on the PDF's cover: a rule on the left and a tint.
KEY_DATA_LOOK = ('<w:pPr><w:pBdr><w:left w:val="single" w:sz="18" w:space="6" '
                 'w:color="0072B2"/></w:pBdr><w:shd w:val="clear" w:color="auto" '
                 'w:fill="F2F6FA"/><w:spacing w:before="0" w:after="60"/>'
                 '<w:ind w:left="170"/></w:pPr><w:rPr><w:sz w:val="19"/></w:rPr>')


def key_data_style(styles, name: str) -> str:
    """Define the key-data box's paragraph style (pandoc made it bare); return its id."""
    return own_style(styles, name, "KeyData", "paragraph", "Compact", KEY_DATA_LOOK)


def own_style(styles, name: str, fallback_id: str, kind: str, based_on: str,
              look: str) -> str:
    """Put the tool's definition of style `name` in place of the one pandoc made (keeping
    the id pandoc's runs and paragraphs refer to), visible in the styles pane and the
    gallery; return its id."""
    from lxml import etree

    sid = re.sub(r"[^A-Za-z0-9]", "", name) or fallback_id
    for old in styles.findall("w:style", NS):
        found = old.find("w:name", NS)
        if found is not None and found.get(w("val")) == name:
            sid = old.get(w("styleId")) or sid
            styles.remove(old)
    styles.append(etree.fromstring(
        f'<w:style xmlns:w="{W}" w:type="{kind}" w:customStyle="1" '
        f'w:styleId="{xml_text(sid)}"><w:name w:val="{xml_text(name)}"/>'
        f'<w:basedOn w:val="{based_on}"/><w:uiPriority w:val="10"/><w:qFormat/>'
        f'{look}</w:style>'))
    return sid


def key_data_box(body, sid: str) -> None:
    """pandoc gives the box's style to its title but not to its list's items: give it to
    the list that follows the title too, so Word draws one box around both."""
    for p in body.findall("w:p", NS):
        style = p.find("w:pPr/w:pStyle", NS)
        if style is None or style.get(w("val")) != sid:
            continue
        item = p.getnext()
        # the list's items: numbered paragraphs in pandoc's list style (a heading after the
        # box is numbered too, in its own style)
        while item is not None and item.find("w:pPr/w:numPr", NS) is not None and \
                (item_style := item.find("w:pPr/w:pStyle", NS)) is not None and \
                item_style.get(w("val")) == "Compact":
            item_style.set(w("val"), sid)
            item = item.getnext()


def _style_flag(style, tag: str) -> None:
    """Add an empty flag (qFormat …) where Word's schema wants it: before pPr and rPr."""
    from lxml import etree

    flag = etree.Element(w(tag))
    later = [style.find(f"w:{t}", NS) for t in ("locked", "personal", "personalCompose",
                                                "personalReply", "rsid", "pPr", "rPr",
                                                "tblPr", "trPr", "tcPr", "tblStylePr")]
    later = [el for el in later if el is not None]
    if later:
        later[0].addprevious(flag)
    else:
        style.append(flag)


def mark_for_word(tree: dict, names: Roles) -> dict:
    """Give pandoc's document tree the tool's styles: a live fact (a span of class `fact`:
    value, confidence mark and citation) in the live-fact style, a confidence mark in its
    own, every other citation in the citation style, and the key-data box's paragraphs in
    the key-data style (a box in Word as on the PDF's cover)."""
    def styled(name: str, inlines: list) -> dict:
        return {"t": "Span", "c": [["", [], [["custom-style", name]]], inlines]}

    def walk(node, in_fact: bool):
        if isinstance(node, list):
            return [walk(item, in_fact) for item in node]
        if not isinstance(node, dict):
            return node
        kind = node.get("t")
        if kind == "Div" and "key-data" in node["c"][0][1]:
            (ident, classes, pairs), blocks = node["c"]
            pairs = [*pairs, ["custom-style", names.key_data]]
            return {"t": "Div", "c": [[ident, classes, pairs], walk(blocks, in_fact)]}
        if kind == "Span":
            attr, inlines = node["c"]
            classes = attr[1]
            if "fact" in classes:
                return styled(names.fact, [{"t": "Span", "c": [attr, walk(inlines, True)]}])
            if "confidence" in classes:
                return styled(names.confidence, [{"t": "Span", "c": [attr, walk(inlines,
                                                                               in_fact)]}])
        if kind == "Cite" and not in_fact:
            return styled(names.citation, [{"t": "Cite", "c": walk(node["c"], True)}])
        return {key: walk(value, in_fact) for key, value in node.items()}

    tree["blocks"] = walk(tree.get("blocks", []), False)
    return tree


def document_properties(custom_xml: bytes, origin: Origin | None) -> bytes:
    """Keep the properties that describe the document; drop the build's settings (and
    empty values) that pandoc copied from its metadata; name the build it came from."""
    from lxml import etree

    root = etree.fromstring(custom_xml)
    ns = root.nsmap.get(None, "http://schemas.openxmlformats.org/officeDocument/2006/"
                              "custom-properties")
    vt = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
    for prop in list(root):
        value = "".join(prop.itertext()).strip()
        if prop.get("name") in BUILD_SETTINGS or prop.get("name") == ORIGIN_PROPERTY \
                or not value:
            root.remove(prop)
    if origin is not None:
        prop = etree.SubElement(root, f"{{{ns}}}property")
        prop.set("fmtid", "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}")
        prop.set("name", ORIGIN_PROPERTY)
        text = etree.SubElement(prop, f"{{{vt}}}lpwstr")
        text.text = origin_line(origin)
    for pid, prop in enumerate(root, start=2):
        prop.set("pid", str(pid))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def origin_line(origin: Origin) -> str:
    """The build in one short line (a document property): tool, build and brief."""
    if not origin.brief_name:
        return f"{origin.tool}; build {origin.build[:16]}; no brief"
    digest = hashlib.sha256(origin.brief_text.encode()).hexdigest()
    return (f"{origin.tool}; build {origin.build[:16]}; brief {origin.brief_name[:60]} "
            f"sha256:{digest}")


def add_origin(parts: dict[str, bytes], order: list[str], origin: Origin, text: list) -> None:
    """Store what the document was built from in a custom XML part: the brief as built
    and the document's text as built (each compressed), and the build's key."""
    from lxml import etree

    def packed(value: bytes) -> str:
        return base64.b64encode(zlib.compress(value, 9)).decode()

    n = 1
    while f"customXml/item{n}.xml" in parts:
        n += 1
    item, props, rels = (f"customXml/item{n}.xml", f"customXml/itemProps{n}.xml",
                         f"customXml/_rels/item{n}.xml.rels")
    root = etree.Element(f"{{{ORIGIN_NS}}}origin", nsmap={None: ORIGIN_NS})
    root.set("tool", origin.tool)
    root.set("build", origin.build)
    if origin.brief_name:  # built without a brief, there is nothing to absorb
        brief = etree.SubElement(root, f"{{{ORIGIN_NS}}}brief")
        brief.set("name", origin.brief_name)
        brief.set("sha256", hashlib.sha256(origin.brief_text.encode()).hexdigest())
        brief.text = packed(origin.brief_text.encode())
        built = etree.SubElement(root, f"{{{ORIGIN_NS}}}text")
        built.text = packed(json.dumps(text, ensure_ascii=False, separators=(",", ":"))
                            .encode())
    parts[item] = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                 standalone=True)
    guid = hashlib.sha256(origin.build.encode()).hexdigest().upper()
    guid = f"{{{guid[:8]}-{guid[8:12]}-{guid[12:16]}-{guid[16:20]}-{guid[20:32]}}}"
    parts[props] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<ds:datastoreItem ds:itemID="{guid}" xmlns:ds="http://schemas.openxmlformats.org/'
        f'officeDocument/2006/customXml"><ds:schemaRefs><ds:schemaRef ds:uri="{ORIGIN_NS}"/>'
        '</ds:schemaRefs></ds:datastoreItem>').encode()
    parts[rels] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="'
        f'{PKG}"><Relationship Id="rId1" Type="{CUSTOM_XML_PROPS}" '
        f'Target="itemProps{n}.xml"/></Relationships>').encode()
    doc_rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    rel = etree.SubElement(doc_rels, f"{{{PKG}}}Relationship")
    rel.set("Id", "rIdReportOrigin")
    rel.set("Type", CUSTOM_XML)
    rel.set("Target", f"../{item}")
    parts["word/_rels/document.xml.rels"] = etree.tostring(
        doc_rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(parts["[Content_Types].xml"])
    override = etree.SubElement(types, f"{{{CT}}}Override")
    override.set("PartName", f"/{props}")
    override.set("ContentType", "application/vnd.openxmlformats-officedocument."
                                "customXmlProperties+xml")
    if not any(d.get("Extension") == "xml" for d in types.findall(f"{{{CT}}}Default")):
        default = etree.SubElement(types, f"{{{CT}}}Default")
        default.set("Extension", "xml")
        default.set("ContentType", "application/xml")
    parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True,
                                                  encoding="UTF-8", standalone=True)
    order += [item, props, rels]


# ---------------------------------------------------------------- page furniture


def cover_page(body) -> None:
    """Start the contents and the text each on a page of their own: the title block alone
    makes the cover."""
    from lxml import etree

    contents = [p for p in body if p.tag == w("p") and (style := p.find("w:pPr/w:pStyle", NS))
                is not None and (style.get(w("val")) == "TOCHeading"
                                 or re.fullmatch(r"TOC\d", style.get(w("val")) or ""))]
    if not contents:
        return
    for where in (contents[0].addprevious, contents[-1].addnext):
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
