"""The text of a Word document as a reader sees it: paragraphs in order, each character
marked with what made it.

The DOCX writer reads its own document with this when it stores the text as built, and
`report absorb` reads an edited document with it, so the two are read alike. Tracked
changes are taken as accepted (insertions kept, deletions dropped, a deleted paragraph mark
joins two paragraphs); comments are kept with the characters they are anchored to.

Each character has a role: ` ` the author's words, `F` a live fact (its value, confidence
mark and citation: everything in the live-fact style), `Q` a confidence mark, `C` a
citation, `D` a field's result or a picture (caption numbers, page numbers, charts). Roles
come from the tool's own character styles, named in the document's styles part; a document
re-saved by LibreOffice keeps the names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PROSE, FACT, CONFIDENCE, CITATION, DRAWN = " ", "F", "Q", "C", "D"
LINK = "L"  # a citation number's link, until it is known whose citation it is
PICTURE = "\ufffc"  # the object replacement character stands for a picture


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@dataclass(frozen=True)
class Roles:
    """The names of the tool's own styles, by role: three character styles, and the
    paragraph style of the cover's key-data box."""

    fact: str
    confidence: str
    citation: str
    key_data: str = "Key data"

    def of(self, style_name: str | None) -> str:
        return {self.fact: FACT, self.confidence: CONFIDENCE,
                self.citation: CITATION}.get(style_name or "", PROSE)


@dataclass
class Paragraph:
    """One paragraph (or table cell paragraph) as read: its text and a role per character."""

    style: str  # the paragraph style's name ("heading 1", "Compact" …)
    text: str = ""
    roles: str = ""
    emphasis: str = ""  # per character: " " plain, "b" bold, "i" italic, "B" both
    level: int | None = None  # list level, for a list item
    cell: tuple[int, int, int] | None = None  # (table, row, column) for a table cell
    comments: dict[str, list[int]] = field(default_factory=dict)  # id -> [start, end]
    mark_deleted: bool = False  # a tracked deletion of the paragraph mark: joins the next

    def add(self, text: str, role: str, emphasis: str = " ") -> None:
        self.text += text
        self.roles += role * len(text)
        self.emphasis += emphasis * len(text)


@dataclass(frozen=True)
class Comment:
    id: str
    author: str
    text: str


def style_names(styles_root) -> dict[str, str]:
    """Return style id -> style name from a styles part (None: no styles part)."""
    names = {}
    if styles_root is None:
        return names
    for style in styles_root.iter(w("style")):
        name = style.find(w("name"))
        sid = style.get(w("styleId"))
        if sid is not None:
            names[sid] = name.get(w("val")) if name is not None else sid
    return names


class Reader:
    """Reads the paragraphs of a document body (see the module's docstring)."""

    def __init__(self, styles: dict[str, str], roles: Roles, limit: int = 20_000_000):
        self.styles, self.roles = styles, roles
        self.limit = limit  # characters: a hostile document cannot make the text endless
        self.size = 0
        self.paragraphs: list[Paragraph] = []
        self.table = -1
        self.open_comments: set[str] = set()

    def read(self, body) -> list[Paragraph]:
        """Return the body's paragraphs, tracked changes accepted."""
        self._blocks(body, None)
        return _join_deleted_marks(self.paragraphs)

    # ------------------------------------------------------------ blocks

    def _blocks(self, parent, cell) -> None:
        for el in parent:
            tag = el.tag
            if tag == w("p"):
                self._paragraph(el, cell)
            elif tag == w("tbl"):
                self._table(el)
            elif tag in (w("sdt"), w("customXml")):
                content = el.find(w("sdtContent")) if tag == w("sdt") else el
                if content is not None:
                    self._blocks(content, cell)
            elif tag in (w("ins"), w("moveTo")):  # a block-level tracked insertion
                self._blocks(el, cell)
            elif tag == w("bookmarkStart") or tag == w("bookmarkEnd"):
                continue

    def _table(self, tbl) -> None:
        self.table += 1
        number = self.table
        rows = [tr for tr in tbl.iter(w("tr")) if _nearest(tr, w("tbl")) is tbl]
        for r, tr in enumerate(rows):
            props = tr.find(w("trPr"))
            if props is not None and props.find(w("del")) is not None:
                continue  # a deleted row
            cells = [tc for tc in tr if tc.tag == w("tc")]
            for c, tc in enumerate(cells):
                self._blocks(tc, (number, r, c))

    def _paragraph(self, p, cell) -> None:
        ppr = p.find(w("pPr"))
        style_id = None
        level = None
        deleted_mark = False
        if ppr is not None:
            ps = ppr.find(w("pStyle"))
            style_id = ps.get(w("val")) if ps is not None else None
            numpr = ppr.find(w("numPr"))
            if numpr is not None:
                ilvl, num = numpr.find(w("ilvl")), numpr.find(w("numId"))
                if num is not None and num.get(w("val")) not in (None, "0"):
                    level = int(ilvl.get(w("val"), "0")) if ilvl is not None else 0
            mark = ppr.find(w("rPr"))
            deleted_mark = mark is not None and mark.find(w("del")) is not None
        para = Paragraph(self.styles.get(style_id, style_id or "Normal"), level=level, cell=cell,
                         mark_deleted=deleted_mark)
        for cid in self.open_comments:  # a comment that began in an earlier paragraph
            para.comments[cid] = [0, -1]
        self.paragraphs.append(para)
        self._inline(p, para, field_depth=[])
        for cid in list(self.open_comments):
            if para.comments.get(cid, [0, 0])[1] == -1:
                para.comments[cid][1] = len(para.text)
        _settle_links(para)

    # ------------------------------------------------------------ inline content

    def _inline(self, parent, para: Paragraph, field_depth: list) -> None:
        for el in parent:
            tag = el.tag
            if tag == w("r"):
                self._run(el, para, field_depth)
            elif tag in (w("del"), w("moveFrom"), w("pPr"), w("rPr")):
                continue
            elif tag == w("fldSimple"):
                field_depth.append("result")
                self._inline(el, para, field_depth)
                field_depth.pop()
            elif tag == w("commentRangeStart"):
                cid = el.get(w("id"))
                para.comments[cid] = [len(para.text), -1]
                self.open_comments.add(cid)
            elif tag == w("commentRangeEnd"):
                cid = el.get(w("id"))
                if cid in para.comments:
                    para.comments[cid][1] = len(para.text)
                else:
                    para.comments[cid] = [0, len(para.text)]
                self.open_comments.discard(cid)
            elif tag == f"{{{MC}}}AlternateContent":
                para.add(PICTURE, DRAWN)
            elif isinstance(tag, str) and tag.startswith(f"{{{W}}}"):
                # hyperlink, ins, moveTo, smartTag, customXml, sdt/sdtContent, bdo, dir …
                self._inline(el, para, field_depth)

    def _run(self, r, para: Paragraph, field_depth: list) -> None:
        rpr = r.find(w("rPr"))
        role, emphasis = PROSE, " "
        if rpr is not None:
            rs = rpr.find(w("rStyle"))
            name = self.styles.get(rs.get(w("val")), rs.get(w("val"))) if rs is not None else None
            role = self.roles.of(name)
            if role == PROSE and _linked_to_source(r):
                role = LINK
            bold, italic = _on(rpr.find(w("b"))), _on(rpr.find(w("i")))
            emphasis = "B" if bold and italic else "b" if bold else "i" if italic else " "
        elif _linked_to_source(r):
            role = LINK
        for el in r:
            tag = el.tag
            if tag == w("fldChar"):
                kind = el.get(w("fldCharType"))
                if kind == "begin":
                    field_depth.append("code")
                elif kind == "separate" and field_depth:
                    field_depth[-1] = "result"
                elif kind == "end" and field_depth:
                    field_depth.pop()
                continue
            if field_depth and field_depth[-1] == "code":
                continue  # a field's instruction is not text
            here = DRAWN if field_depth and role == PROSE else role
            if tag == w("t"):
                text = el.text or ""
            elif tag == w("tab") or tag == w("ptab"):
                text = "\t"
            elif tag in (w("br"), w("cr")):
                if el.get(w("type")) in ("page", "column"):
                    continue
                text = "\n"
            elif tag == w("noBreakHyphen"):
                text = "\u2011"
            elif tag in (w("drawing"), w("pict"), w("object")) or \
                    tag == f"{{{MC}}}AlternateContent":
                text, here = PICTURE, DRAWN
            elif tag == w("sym"):
                text = chr(int(el.get(w("char"), "20"), 16) & 0xFFFF or 0x20)
            else:
                continue
            self.size += len(text)
            if self.size > self.limit:
                raise ValueError("the document's text is longer than any briefing")
            para.add(text, here, emphasis)


def _on(el) -> bool:
    return el is not None and el.get(w("val"), "true") not in ("0", "false", "off")


def _nearest(el, tag):
    parent = el.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent


def _linked_to_source(r) -> bool:
    """Whether a run is the link of a citation number (to a source in the bibliography)."""
    parent = r.getparent()
    while parent is not None and parent.tag != w("p"):
        if parent.tag == w("hyperlink"):
            anchor = parent.get(w("anchor")) or ""
            return anchor.startswith("ref-") or (len(anchor) == 40 and anchor[0] == "X")
        parent = parent.getparent()
    return False


def _settle_links(para: Paragraph) -> None:
    """A citation number's link belongs to what surrounds it: a live fact, or a citation."""
    roles = list(para.roles)
    i = 0
    while i < len(roles):
        if roles[i] != LINK:
            i += 1
            continue
        j = i
        while j < len(roles) and roles[j] == LINK:
            j += 1
        before = next((roles[k] for k in range(i - 1, -1, -1) if roles[k] != LINK), PROSE)
        after = next((roles[k] for k in range(j, len(roles)) if roles[k] != LINK), PROSE)
        owner = FACT if FACT in (before, after) else CITATION
        roles[i:j] = owner * (j - i)
        i = j
    para.roles = "".join(roles)


def _join_deleted_marks(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Accept the deletion of paragraph marks: such a paragraph runs on into the next."""
    out: list[Paragraph] = []
    carry: Paragraph | None = None
    for para in paragraphs:
        if carry is not None and carry.cell == para.cell:
            shift = len(carry.text)
            for cid, (start, end) in para.comments.items():
                para.comments[cid] = [start + shift, end + shift]
            for cid, span in carry.comments.items():
                if cid in para.comments:
                    para.comments[cid][0] = span[0]
                else:
                    para.comments[cid] = span
            para.text = carry.text + para.text
            para.roles = carry.roles + para.roles
            para.emphasis = carry.emphasis + para.emphasis
        elif carry is not None:
            out.append(carry)
        carry = para if para.mark_deleted else None
        if carry is None:
            out.append(para)
    if carry is not None:
        out.append(carry)
    return out


def comments_of(root) -> dict[str, Comment]:
    """Return the comments of a comments part, by id."""
    found = {}
    if root is None:
        return found
    for c in root.iter(w("comment")):
        paragraphs = ["".join(t.text or "" for t in p.iter(w("t"))) for p in c.iter(w("p"))]
        cid = c.get(w("id"))
        found[cid] = Comment(cid, c.get(w("author")) or "", "\n".join(paragraphs).strip())
    return found


# ---------------------------------------------------------------- storing the text as built


def pack(paragraphs: list[Paragraph]) -> list:
    """The paragraphs as plain JSON values (what the DOCX stores as built)."""
    return [[p.style, p.text, p.roles, p.level, list(p.cell) if p.cell else None]
            for p in paragraphs]


def unpack(rows) -> list[Paragraph]:
    """The paragraphs `pack` stored; raise ValueError when the value is not such a list."""
    out = []
    if not isinstance(rows, list):
        raise ValueError("not a list of paragraphs")
    for row in rows:
        if not (isinstance(row, list) and len(row) == 5 and isinstance(row[0], str)
                and isinstance(row[1], str) and isinstance(row[2], str)
                and len(row[1]) == len(row[2])):
            raise ValueError("a paragraph is malformed")
        level = row[3] if isinstance(row[3], int) else None
        cell = tuple(row[4]) if isinstance(row[4], list) and len(row[4]) == 3 and all(
            isinstance(x, int) for x in row[4]) else None
        out.append(Paragraph(row[0], row[1], row[2], " " * len(row[1]), level, cell))
    return out
