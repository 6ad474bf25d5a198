"""Make `reference.docx`: pandoc's default styles restyled for the briefing.

Run `make reference-docx` (`python -m report.render.styles.reference_docx`) after changing
this file; the result is committed as package data, so a build needs neither this script
nor python-docx.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

LATIN = "Noto Sans"  # the PDF's typeface; Word and LibreOffice fall back where it is missing
EAST_ASIAN = "Noto Sans CJK SC"
ACCENT = RGBColor(0x0A, 0x3D, 0x6B)
TARGET = Path(__file__).with_name("reference.docx")


def set_fonts(style, size: float | None = None, bold: bool | None = None,
              colour: RGBColor | None = None) -> None:
    font = style.font
    font.name = LATIN
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if colour is not None:
        font.color.rgb = colour
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    # Tell Word the East Asian text is Simplified Chinese, so it picks the right glyphs.
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def table_borders(style) -> None:
    """Give the pandoc `Table` style thin horizontal rules and a shaded header row."""
    tbl_pr = style.element.find(qn("w:tblPr"))
    if tbl_pr is None:
        tbl_pr = OxmlElement("w:tblPr")
        style.element.append(tbl_pr)
    for old in tbl_pr.findall(qn("w:tblBorders")):
        tbl_pr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge, size in (("top", 8), ("bottom", 8), ("insideH", 4)):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:color"), "9FB3C8")
        borders.append(el)
    tbl_pr.append(borders)
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "70")
        el.set(qn("w:type"), "dxa")
        margins.append(el)
    tbl_pr.append(margins)
    # Header row: shaded and bold (pandoc marks it as the table's first row).
    for old in style.element.findall(qn("w:tblStylePr")):
        if old.get(qn("w:type")) == "firstRow":
            style.element.remove(old)
    first = OxmlElement("w:tblStylePr")
    first.set(qn("w:type"), "firstRow")
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:b"))
    first.append(rpr)
    tcpr = OxmlElement("w:tcPr")
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:color"), "auto")
    shade.set(qn("w:fill"), "E8EEF5")
    tcpr.append(shade)
    first.append(tcpr)
    style.element.append(first)


def analyst_view_styles(styles) -> None:
    """The analyst's judgement in styles of its own (the brief's views): a paragraph style
    with a rule on the left and a tint, and a character style, both in the styles pane."""
    from docx.enum.style import WD_STYLE_TYPE

    view = styles.add_style("Analyst View", WD_STYLE_TYPE.PARAGRAPH)
    view.base_style = styles["Body Text"]
    view.quick_style = True
    set_fonts(view, 10, None, RGBColor(0x3D, 0x2A, 0x14))
    ppr = view.element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    left = OxmlElement("w:left")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "6"),
                       ("w:color", "B5651D")):
        left.set(qn(key), value)
    border.append(left)
    shade = OxmlElement("w:shd")
    for key, value in (("w:val", "clear"), ("w:color", "auto"), ("w:fill", "FBF4EC")):
        shade.set(qn(key), value)
    # Word wants pPr's children in the schema's order: the border and the shading go before
    # the tabs, spacing and indents.
    later = ("w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
             "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
             "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
             "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
             "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr",
             "w:sectPr", "w:pPrChange")
    ppr.insert_element_before(border, "w:shd", *later)
    ppr.insert_element_before(shade, *later)
    view.paragraph_format.left_indent = Mm(3)
    char = styles.add_style("Analyst View Char", WD_STYLE_TYPE.CHARACTER)
    char.quick_style = True
    char.font.color.rgb = RGBColor(0x8A, 0x4B, 0x12)


def main(pandoc: str) -> None:
    default = subprocess.run([pandoc, "--print-default-data-file", "reference.docx"],
                             capture_output=True, check=True).stdout
    TARGET.write_bytes(default)
    doc = Document(str(TARGET))
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)

    styles = doc.styles
    for name, size, bold, colour in (
        ("Normal", 10, None, None), ("Body Text", 10, None, None),
        ("First Paragraph", 10, None, None), ("Compact", 8.5, None, None),
        ("Title", 22, True, ACCENT), ("Subtitle", 12, False, RGBColor(0x44, 0x44, 0x44)),
        ("Heading 1", 16, True, ACCENT), ("Heading 2", 12.5, True, ACCENT),
        ("Heading 3", 11, True, ACCENT), ("Table Caption", 9, True, None),
        ("Image Caption", 9, False, None), ("Caption", 9, False, None),
        ("TOC Heading", 16, True, ACCENT), ("Bibliography", 8.5, None, None),
    ):
        set_fonts(styles[name], size, bold, colour)
    table_borders(styles["Table"])
    analyst_view_styles(styles)
    doc.core_properties.author = "report"
    doc.core_properties.title = ""
    doc.save(str(TARGET))


if __name__ == "__main__":
    import pypandoc

    main(sys.argv[1] if len(sys.argv) > 1 else pypandoc.get_pandoc_path())
    print(f"wrote {TARGET}")
