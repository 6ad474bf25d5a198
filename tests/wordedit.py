"""Edit a DOCX as Word would: in its XML, run by run, with tracked changes and comments.

Each edit is what Word writes when an editor works in the document: the text of a run
replaced (typing over a selection keeps the run and its style), a paragraph removed, a
comment anchored with commentRangeStart/End and a commentReference run (comments.xml, its
relationship and content type added when missing), a tracked insertion (`w:ins`) and a
tracked deletion (`w:del` with `w:delText`).
"""

from __future__ import annotations

import copy
import zipfile
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
STAMP = "2026-12-01T10:00:00Z"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class WordEdit:
    """A DOCX opened for editing; `save` writes it."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            self.parts = {i.filename: z.read(i.filename) for i in z.infolist()}
        self.doc = etree.fromstring(self.parts["word/document.xml"])
        self.body = self.doc.find(w("body"))
        self.next_id = 9000

    # ------------------------------------------------------------ finding

    def paragraph(self, containing: str):
        """The first paragraph whose text holds `containing`."""
        for p in self.body.iter(w("p")):
            if containing in text_of(p):
                return p
        raise AssertionError(f"no paragraph holds {containing!r}")

    def run(self, containing: str, paragraph=None):
        """The run holding `containing`, split so that it holds exactly that text."""
        scope = paragraph if paragraph is not None else self.body
        for r in scope.iter(w("r")):
            t = r.find(w("t"))
            if t is None or containing not in (t.text or ""):
                continue
            before, _, after = t.text.partition(containing)
            if before:
                r.addprevious(_clone(r, before))
            if after:
                r.addnext(_clone(r, after))
            t.text = containing
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            return r
        raise AssertionError(f"no run holds {containing!r}")

    def style_id(self, name: str) -> str | None:
        """The id of the style named `name` in the document's styles part."""
        styles = etree.fromstring(self.parts["word/styles.xml"])
        for style in styles.iter(w("style")):
            found = style.find(w("name"))
            if found is not None and found.get(w("val")) == name:
                return style.get(w("styleId"))
        return None

    def prose_with_facts(self) -> list[tuple[object, list[str], list[str]]]:
        """The brief's paragraphs that hold a live fact, outside tables, in order: each with
        its plain runs of four words or more (the analyst's words) and its live facts' runs."""
        fact = self.style_id("Live fact")
        found = []
        for p in self.body.iter(w("p")):
            if any(a.tag == w("tbl") for a in p.iterancestors()):
                continue
            facts, prose = [], []
            for r in p.iter(w("r")):
                style = r.find(f"{w('rPr')}/{w('rStyle')}")
                text = "".join(t.text or "" for t in r.findall(w("t")))
                if style is not None and style.get(w("val")) == fact:
                    facts.append(text)
                elif style is None and r.getparent().tag == w("p") and \
                        len(text.split()) >= 4:
                    prose.append(text)
            if facts and prose:
                found.append((p, prose, facts))
        return found

    # ------------------------------------------------------------ edits

    def replace(self, old: str, new: str, paragraph=None) -> None:
        """Select `old` (within one run) and type `new` over it."""
        self.run(old, paragraph).find(w("t")).text = new

    def delete_paragraph(self, containing) -> None:
        p = self.paragraph(containing) if isinstance(containing, str) else containing
        p.getparent().remove(p)

    def insert_paragraph_after(self, containing, text: str) -> None:
        """Press Enter at the end of a paragraph and type: a new paragraph in its style."""
        p = self.paragraph(containing) if isinstance(containing, str) else containing
        new = etree.Element(w("p"))
        ppr = p.find(w("pPr"))
        if ppr is not None:
            new.append(copy.deepcopy(ppr))
        r = etree.SubElement(new, w("r"))
        t = etree.SubElement(r, w("t"))
        t.text = text
        p.addnext(new)

    def track_insert(self, after: str, text: str, author: str = "Editor",
                     paragraph=None) -> None:
        """With tracking on, type `text` right after the run holding `after`."""
        r = self.run(after, paragraph)
        ins = etree.Element(w("ins"))
        self._stamp(ins, author)
        run = etree.SubElement(ins, w("r"))
        t = etree.SubElement(run, w("t"))
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.addnext(ins)

    def track_delete(self, old: str, author: str = "Editor", paragraph=None) -> None:
        """With tracking on, delete `old` (within one run)."""
        r = self.run(old, paragraph)
        deleted = etree.Element(w("del"))
        self._stamp(deleted, author)
        r.addprevious(deleted)
        deleted.append(r)
        t = r.find(w("t"))
        t.tag = w("delText")

    def move_paragraph(self, containing: str, after: str) -> None:
        """Cut a paragraph and paste it after another (Word moves its runs and styles)."""
        p = self.paragraph(containing)
        p.getparent().remove(p)
        self.paragraph(after).addnext(p)

    def track_delete_paragraph(self, containing: str, author: str = "Editor") -> None:
        """With tracking on, select a whole paragraph and delete it: its runs go into
        w:del, and its paragraph mark is marked deleted."""
        p = self.paragraph(containing)
        for r in list(p.iter(w("r"))):
            if r.getparent().tag == w("del"):
                continue
            deleted = etree.Element(w("del"))
            self._stamp(deleted, author)
            r.addprevious(deleted)
            deleted.append(r)
            for t in r.iter(w("t")):
                t.tag = w("delText")
        ppr = p.find(w("pPr"))
        if ppr is None:
            ppr = etree.Element(w("pPr"))
            p.insert(0, ppr)
        rpr = ppr.find(w("rPr"))
        if rpr is None:
            rpr = etree.SubElement(ppr, w("rPr"))
        mark = etree.SubElement(rpr, w("del"))
        self._stamp(mark, author)

    def split(self, before: str) -> None:
        """Press Enter just before `before` (the start of a run): the paragraph parts in two,
        the second keeping the first's properties."""
        r = self.run(before)
        p = r.getparent()
        while p.tag != w("p"):
            p = p.getparent()
        second = etree.Element(w("p"))
        ppr = p.find(w("pPr"))
        if ppr is not None:
            second.append(copy.deepcopy(ppr))
        moving = False
        for child in list(p):
            if child is r or (child.tag != w("pPr") and r in child.iter()):
                moving = True
            if moving:
                second.append(child)
        p.addnext(second)

    def join(self, containing: str) -> None:
        """Delete the paragraph mark at the end of a paragraph: the next one runs on."""
        p = self.paragraph(containing)
        nxt = p.getnext()
        for child in list(nxt):
            if child.tag != w("pPr"):
                p.append(child)
        nxt.getparent().remove(nxt)

    def type_after(self, run_text: str, text: str) -> None:
        """Put the cursor at the end of a run and type: Word continues that run, its
        character style included (after a live fact, the text takes the live-fact style)."""
        t = self.run(run_text).find(w("t"))
        t.text += text

    def comment(self, on: str, text: str, author: str = "Editor", paragraph=None) -> None:
        """Select `on` (within one run) and add a comment to it."""
        cid = str(self.next_id)
        self.next_id += 1
        r = self.run(on, paragraph)
        start = etree.Element(w("commentRangeStart"))
        start.set(w("id"), cid)
        end = etree.Element(w("commentRangeEnd"))
        end.set(w("id"), cid)
        r.addprevious(start)
        r.addnext(end)
        ref = etree.Element(w("r"))
        etree.SubElement(ref, w("commentReference")).set(w("id"), cid)
        end.addnext(ref)
        self._comments().append(etree.fromstring(
            f'<w:comment xmlns:w="{W}" w:id="{cid}" w:author="{author}" w:date="{STAMP}" '
            f'w:initials="E"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:comment>'))

    # ------------------------------------------------------------ saving

    def save(self, path: Path) -> Path:
        self.parts["word/document.xml"] = etree.tostring(self.doc, xml_declaration=True,
                                                         encoding="UTF-8", standalone=True)
        if hasattr(self, "_comment_root"):
            self.parts["word/comments.xml"] = etree.tostring(
                self._comment_root, xml_declaration=True, encoding="UTF-8", standalone=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
            for name, data in self.parts.items():
                z.writestr(name, data)
        return path

    def _stamp(self, el, author: str) -> None:
        el.set(w("id"), str(self.next_id))
        self.next_id += 1
        el.set(w("author"), author)
        el.set(w("date"), STAMP)

    def _comments(self):
        if not hasattr(self, "_comment_root"):
            if "word/comments.xml" in self.parts:
                self._comment_root = etree.fromstring(self.parts["word/comments.xml"])
            else:
                self._comment_root = etree.fromstring(f'<w:comments xmlns:w="{W}"/>')
                rels = etree.fromstring(self.parts["word/_rels/document.xml.rels"])
                rel = etree.SubElement(rels, f"{{{PKG}}}Relationship")
                rel.set("Id", "rIdComments9")
                rel.set("Type", COMMENTS)
                rel.set("Target", "comments.xml")
                self.parts["word/_rels/document.xml.rels"] = etree.tostring(rels)
                types = etree.fromstring(self.parts["[Content_Types].xml"])
                override = etree.SubElement(types, f"{{{CT}}}Override")
                override.set("PartName", "/word/comments.xml")
                override.set("ContentType", "application/vnd.openxmlformats-officedocument."
                                            "wordprocessingml.comments+xml")
                self.parts["[Content_Types].xml"] = etree.tostring(types)
        return self._comment_root


def text_of(p) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def _clone(r, text: str):
    twin = copy.deepcopy(r)
    for child in list(twin):
        if child.tag != w("rPr"):
            twin.remove(child)
    t = etree.SubElement(twin, w("t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return twin
