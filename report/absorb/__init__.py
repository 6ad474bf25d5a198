"""`report absorb`: an edited DOCX read back into the brief.

The stage at the top of the pipeline, beside `live`: it reads a DOCX that `report build`
wrote (render/docx.py stored the brief and the text as built in it), compares the edited
text with the text as built (`edits.py`), makes the edits of the analyst's prose in the
brief as built, merges that three ways with the brief as it is now (`merge.py`), and
reports what it did not make: edits of generated text (with where to make them instead,
`where.py`), conflicts, and the editor's comments with the lines they stand at.

    DOCX ──package.py (bounded, no entities)──▶ origin.py: brief + text as built
                                              └▶ render/wordtext.py: the edited text
    brief as built ──source.py──▶ blocks ──edits.py──▶ edits ──merge.py──▶ the brief now
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..render.wordtext import DRAWN as DRAWN_ROLE
from ..render.wordtext import PICTURE, Comment, Paragraph, Reader, Roles, comments_of, style_names
from .edits import (
    Absorbed,
    Anchor,
    Edit,
    Reported,
    changes,
    char_map,
    inline_edits,
    map_blocks,
    new_block,
    now_to_built,
    pair,
)
from .frontmatter import STYLE_FIELDS, retitled, value_line
from .merge import Conflict, merge
from .origin import Built, read_origin
from .package import Refused, open_docx
from .source import Block, Source, Visible, read_source

__all__ = ["Absorption", "Refused", "absorb", "read_edited"]

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# What an edited briefing may hold: the project's has ~4,000 paragraphs, 250,000 characters
# and no paragraph over 5,000; comparing far more would take minutes, not a second.
MAX_TEXT = 5_000_000
MAX_PARAGRAPHS = 60_000
MAX_PARAGRAPH = 100_000


@dataclass
class Absorption:
    """What absorbing a DOCX comes to: the brief before and after, and what was not made."""

    built: Built
    source: Source
    now_paragraphs: list[Paragraph]
    comments: dict[str, Comment]
    absorbed: Absorbed
    theirs: str  # the brief as built, with the DOCX's edits made
    current: str  # the brief now, before absorbing
    merged: str  # what the brief becomes
    conflicts: list[Conflict] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.merged != self.current

    def diff(self, name: str) -> list[str]:
        """The change to the brief as a unified diff."""
        return [line.rstrip("\n") for line in difflib.unified_diff(
            self.current.splitlines(keepends=True), self.merged.splitlines(keepends=True),
            f"a/{name}", f"b/{name}")]


def read_edited(path: Path, roles: Roles) -> tuple[Built, list[Paragraph], dict[str, Comment]]:
    """The DOCX's origin, its paragraphs as they read now, and its comments."""
    package = open_docx(path)
    built = read_origin(package)
    main = package.main_part()
    document = package.xml(main)
    body = document.find(f"{{{W}}}body") if document is not None else None
    if body is None:
        raise Refused("is damaged: its document has no body")
    styles = next((package.xml(p) for p in package.related(main, "styles")), None)
    comments = next((package.xml(p) for p in package.related(main, "comments")), None)
    try:
        paragraphs = Reader(style_names(styles), roles, limit=MAX_TEXT).read(body)
    except ValueError as err:
        raise Refused(str(err)) from None
    if len(paragraphs) > MAX_PARAGRAPHS or \
            any(len(p.text) > MAX_PARAGRAPH for p in paragraphs):
        raise Refused("has more text, or a longer paragraph, than any briefing's")
    return built, paragraphs, comments_of(comments)


def absorb(path: Path, current: str, roles: Roles) -> Absorption:
    """Read the edited DOCX at `path` against the brief now (`current`, its text)."""
    built, now, comments = read_edited(path, roles)
    source = read_source(built.brief)
    result = absorb_text(source, built.paragraphs, now)
    theirs = apply(built.brief, result.edits)
    merged, conflicts = merge(built.brief, current, theirs)
    return Absorption(built, source, now, comments, result, theirs, current, merged, conflicts)


def apply(text: str, edits: list[Edit]) -> str:
    """Make the edits (non-overlapping ones; at one place, in the order given)."""
    ordered = sorted(enumerate(edits), key=lambda e: (e[1].start, e[1].end, e[0]))
    kept: list[tuple[int, Edit]] = []
    reach = -1
    for seq, edit in ordered:
        if edit.start < reach and edit.end > edit.start:
            continue  # overlaps an edit already kept (a table row deleted cell by cell)
        if kept and kept[-1][1].start == edit.start and kept[-1][1].end == edit.end and \
                edit.end > edit.start and kept[-1][1].text == edit.text:
            continue
        kept.append((seq, edit))
        reach = max(reach, edit.end)
    for _, edit in sorted(kept, key=lambda e: (e[1].start, e[0]), reverse=True):
        text = text[:edit.start] + edit.text + text[edit.end:]
    return text


def absorb_text(source: Source, built: list[Paragraph], now: list[Paragraph]) -> Absorbed:
    """The edits of the brief and the reports, from the text as built and the text now."""
    result = Absorbed()
    bmap = map_blocks(source.blocks, built)
    blocks = {i: source.blocks[k] for i, k in bmap.items()}
    result.blocks = blocks
    pairs, moved = pair(built, now)
    text = source.text
    now = list(now)
    built = list(built)
    split_and_joined(source, built, now, pairs, blocks)
    back = {n: b for b, n in pairs.items()}
    region = (min(bmap), max(bmap)) if bmap else (0, -1)

    def anchor(ni: int) -> tuple[int, str, bool] | None:
        """Where text added before edited paragraph `ni` goes: (offset, kind of the block
        there, after it?)."""
        for k in range(ni - 1, -1, -1):
            bi = back.get(k)
            if bi is None:
                continue
            if bi in blocks and bi not in moved:
                return blocks[bi].outer[1], blocks[bi].kind, True
            if not region[0] <= bi <= region[1]:
                return None
            break
        for k in range(ni + 1, len(now)):
            bi = back.get(k)
            if bi is None:
                continue
            if bi in blocks and bi not in moved:
                return blocks[bi].outer[0], blocks[bi].kind, False
            if not region[0] <= bi <= region[1]:
                return None
        return None

    def place(ni: int, markdown: str, kind: str) -> bool:
        found = anchor(ni)
        if found is None:
            return False
        offset, there, after = found
        if after:
            chunk = (markdown + "\n") if kind == "item" and there == "item" else \
                "\n" + markdown + "\n"
        else:
            chunk = (markdown + "\n") if kind == "item" and there == "item" else \
                markdown + "\n\n"
        result.edits.append(Edit(offset, offset, chunk))
        return True

    for bi, p in enumerate(built):
        if p.style == CONSUMED:
            continue
        ni = pairs.get(bi)
        block = blocks.get(bi)
        if ni is None:
            if block is not None and block.kind == "exhibit" and \
                    picture_ran_on(built, now, pairs, bi):
                continue  # its picture was run into a neighbouring paragraph, not deleted
            if block is not None:
                result.edits.append(deletion(text, block))
            elif p.text.strip():
                result.reported.append(Reported(bi, " ".join(p.text.split()), "",
                                                deleted=True))
            continue
        q = now[ni]
        if block is None and p.text != q.text:
            edit, rest = front_matter_edit(text, built, blocks, bi, p, q)
            if edit is not None:
                result.edits.append(edit)
                if rest:  # the caption's number or sources changed too: not made
                    result.reported.append(Reported(bi, " ".join(p.text.split()),
                                                    " ".join(q.text.split())))
                continue
        if block is None:
            if p.text != q.text and not only_fields_changed(p, q):
                result.reported.append(Reported(bi, " ".join(p.text.split()),
                                                " ".join(q.text.split())))
            continue
        inner = inline_edits(source, block, p, q, bi, result) if p.text != q.text else []
        if bi in moved:
            start, end = block.outer
            piece = apply(text[:end], [e for e in inner if start <= e.start])[start:]
            piece = piece.rstrip("\n")
            if place(ni, piece, block.kind):
                result.edits.append(deletion(text, block))
            else:
                result.edits += inner
            continue
        result.edits += inner
    for ni, q in enumerate(now):
        if ni in back or not q.text.strip() or q.style == CONSUMED:
            continue
        markdown, kind = new_block(q)
        if q.cell is not None or not place(ni, markdown, kind):
            before = next((back[k] for k in range(ni - 1, -1, -1) if k in back), None)
            result.added_outside.append((before, " ".join(q.text.split())))
    result.anchors = comment_anchors(built, now, pairs, back, blocks)
    return result


SEPARATOR = "\u2029"  # where one paragraph ends and the next begins, within a joined text
CONSUMED = "\0consumed"  # a paragraph taken into its neighbour (a split or a join)
PROSE_BLOCKS = {"paragraph", "item", "heading"}


def split_and_joined(source: Source, built: list[Paragraph], now: list[Paragraph],
                     pairs: dict[int, int], blocks: dict[int, Block]) -> None:
    """Recognise a paragraph split in two (Enter pressed inside it) and two paragraphs made
    one (a paragraph mark deleted), so that their live facts stay marks: the pieces are
    compared as one text, with a paragraph break where they part."""
    taken = set(pairs.values())
    for bi in sorted(pairs):
        if bi not in blocks:
            continue
        p, ni = built[bi], pairs[bi]
        q = now[ni]
        # Split: the edited paragraphs before and after it that carry on its text.
        parts = [q]
        first = ni
        for step in (1, -1):
            k = ni + step
            while 0 <= k < len(now) and k not in taken and now[k].cell == q.cell and \
                    now[k].text.strip() and now[k].style != CONSUMED:
                longer = parts + [now[k]] if step > 0 else [now[k]] + parts
                if _alike(p.text, _joined(longer).text) > _alike(p.text, _joined(parts).text) \
                        + 0.02:
                    parts = longer
                    taken.add(k)
                    first = min(first, k)
                    k += step
                else:
                    break
        if len(parts) > 1:
            joined = _joined(parts)
            for k in range(first, first + len(parts)):
                now[k] = Paragraph(CONSUMED)
            now[first] = joined
            pairs[bi] = first
            continue
        # Join: the next block's paragraph as built, gone, its text now in this one.
        nxt = bi + 1
        if nxt in blocks and nxt not in pairs and built[nxt].cell == p.cell and \
                {blocks[bi].kind, blocks[nxt].kind} <= PROSE_BLOCKS:
            both = _joined([p, built[nxt]])
            if _alike(both.text, q.text) > _alike(p.text, q.text) + 0.02:
                first, second = blocks[bi], blocks[nxt]
                gap = Visible(" ", (first.body or first.outer)[1],
                              (second.body or second.outer)[0])
                joined = Block(first.kind, first.level, first.line,
                               (first.outer[0], second.outer[1]),
                               [*first.chars, gap, *second.chars])
                built[bi] = both
                blocks[bi] = joined
                del blocks[nxt]
                pairs[nxt] = ni  # not deleted: it lives on in the joined paragraph
                built[nxt] = Paragraph(CONSUMED)


def _joined(parts: list[Paragraph]) -> Paragraph:
    first = parts[0]
    out = Paragraph(first.style, level=first.level, cell=first.cell)
    for k, part in enumerate(parts):
        if k:
            out.add(SEPARATOR, " ")
        shift = len(out.text)
        out.text += part.text
        out.roles += part.roles
        out.emphasis += part.emphasis or " " * len(part.text)
        for cid, (a, b) in part.comments.items():
            out.comments.setdefault(cid, [a + shift, b + shift if b >= 0 else -1])
    return out


def _alike(x: str, y: str) -> float:
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio()


def front_matter_edit(text: str, built, blocks, bi: int, p: Paragraph,
                      q: Paragraph) -> tuple[Edit | None, bool]:
    """An edit of the cover's title or subtitle, or of an exhibit's title in its caption,
    as an edit of the brief's front matter (None: not one of those, or not one line)."""
    key, exhibit = STYLE_FIELDS.get((p.style or "").lower()), None
    if key is None:
        for k in (bi - 1, bi - 2):
            block = blocks.get(k)
            if block is not None:
                mark = block.chars[0].mark if block.kind == "exhibit" and block.chars else None
                found = re.fullmatch(r"\[\[\s*exhibit:\s*([A-Za-z0-9_-]+)\s*\]\]",
                                     mark.text) if mark else None
                if found:
                    key, exhibit = "title", found.group(1)
                break
    if key is None:
        return None, True
    where = value_line(text, key, exhibit)
    return retitled(text, where, p.text, q.text) if where else (None, True)


def picture_ran_on(built, now, pairs, bi: int) -> bool:
    """Whether an exhibit's picture, its own paragraph gone, now stands at the edge of the
    paragraph before or after it (its paragraph mark deleted, not the picture)."""
    for k in (bi - 1, bi + 1):
        ni = pairs.get(k)
        if ni is not None and 0 <= k < len(built) and \
                now[ni].text.count(PICTURE) > built[k].text.count(PICTURE):
            return True
    return False


def only_fields_changed(p: Paragraph, q: Paragraph) -> bool:
    """Whether the paragraph differs only in fields' results: page numbers and caption
    numbers that Word and LibreOffice work out again (LibreOffice saves the contents' page
    numbers as it laid them out)."""
    fields = [i for i, role in enumerate(p.roles) if role == DRAWN_ROLE]
    if not fields:
        return False
    for o0, o1, _, _ in changes(p.text, q.text):
        near = range(max(0, o0 - 1), max(o1, o0 + 1))
        if not all(p.roles[i] == DRAWN_ROLE for i in range(o0, o1)) or \
                (o0 == o1 and not any(p.roles[i] == DRAWN_ROLE for i in near if i < len(p.roles))):
            return False
    return True


def deletion(text: str, block: Block) -> Edit:
    """Take a block out with its lines, and the blank line after it when one is before."""
    start, end = block.outer
    if block.kind not in ("item", "cell") and text[:start].endswith("\n\n") and \
            text[end:end + 1] == "\n":
        end += 1
    return Edit(start, end, "")


def comment_anchors(built, now, pairs, back, blocks) -> list[Anchor]:
    """Each comment: the text it is anchored to, and where that stands."""
    found: dict[str, Anchor] = {}
    for ni, q in enumerate(now):
        for cid, (start, end) in q.comments.items():
            end = len(q.text) if end < 0 else end
            piece = q.text[start:end]
            if cid in found:
                found[cid].text = " ".join((found[cid].text + " " + piece).split())
                continue
            bi = back.get(ni)
            offset = None
            if bi is not None and bi in blocks:
                p = built[bi]
                to_built = now_to_built(p.text, q.text)
                where = char_map(blocks[bi], p)
                for c in range(start, min(max(end, start + 1), len(q.text))):
                    b = to_built[c]
                    if b is not None and where[b] is not None:
                        offset = where[b][0]
                        break
                if offset is None:
                    offset = blocks[bi].start
            found[cid] = Anchor(cid, " ".join(piece.split()), bi, offset)
    return list(found.values())
