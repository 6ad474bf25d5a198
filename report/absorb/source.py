"""The brief's Markdown as a reader sees it: its blocks, and for every visible character
the stretch of brief.md it comes from.

This is what lets an edit seen in Word be made in the brief: the characters a paragraph of
the DOCX shows are matched to the characters its block of Markdown shows, and an edit of
the one becomes an edit of the other, markup (emphasis, links, attributes) and line breaks
kept around it. Marks are taken generically: whatever stands inside `[[…]]` is a live
fact's reference (a paragraph of one such mark alone places an exhibit), and a bracket
holding `@key` is a citation; both are kept as one opaque character each.
"""

from __future__ import annotations

import html
import re
import string
from dataclasses import dataclass, field

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*\n", re.S)
FACT, CITE, DRAWN = "\ue001", "\ue002", "\ue003"  # one character stands for a whole mark
MARK = re.compile(r"\[\[([^\[\]]{1,600}?)\]\]")
CITATION = re.compile(r"\[(?=[^\[\]]*?(?<![\w.])@[\w])[^\[\]]*\](?![(\[{])")
BARE_CITATION = re.compile(r"(?<![\w@\\])@[A-Za-z0-9_][\w:.#$%&+?<>~/-]*\w")
PUNCTUATION = frozenset(string.punctuation)
ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")

BLANK = re.compile(r"^\s*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
DIV_FENCE = re.compile(r"^ {0,3}:{3,}")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)]|#[.)])([ \t]+|$)")
TABLE_ROW = re.compile(r"^ {0,3}\|")
TABLE_RULE = re.compile(r"^ {0,3}\|?[ \t]*:?-{3,}:?[ \t]*(\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
CAPTION = re.compile(r"^ {0,3}(?::|Table:)[ \t]+")
QUOTE = re.compile(r"^ {0,3}>[ \t]?")
NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]]+\]:")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
ATTRIBUTES = re.compile(r"[ \t]*\{[^{}\n]*\}[ \t]*$")


@dataclass(frozen=True)
class Mark:
    kind: str  # "fact", "cite" or "exhibit"
    text: str  # as written, `[[…]]` or `[@…]`
    start: int
    end: int
    line: int


@dataclass
class Visible:
    ch: str
    start: int  # the stretch of the brief it comes from
    end: int
    emphasis: str = " "  # " ", "b" bold, "i" italic, "B" both
    mark: Mark | None = None


@dataclass
class Block:
    """A paragraph, heading, list item, table cell or caption of the brief."""

    kind: str  # paragraph, heading, item, cell, caption, code, exhibit
    level: int
    line: int  # its first line in the file
    outer: tuple[int, int]  # its whole lines, markers included, with the line ends
    chars: list[Visible] = field(default_factory=list)
    body: tuple[int, int] | None = None  # its Markdown, from after its marker to its end

    @property
    def key(self) -> str:
        """The block's text for matching: one character per mark, quotes and spaces plain."""
        return normal("".join(v.ch for v in self.chars))

    @property
    def start(self) -> int:
        return self.chars[0].start if self.chars else self.outer[0]

    @property
    def end(self) -> int:
        return self.chars[-1].end if self.chars else self.outer[1]


@dataclass
class Source:
    text: str
    body_start: int
    blocks: list[Block]
    marks: list[Mark]

    def line_of(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1


QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"',
                        "„": '"', "‟": '"', "\xa0": " ", "\u2011": "-", "\t": " ",
                        "\n": " ", "\u202f": " "})


def normal(text: str) -> str:
    """Text for comparing: typographic quotes as plain ones, every space one space."""
    return " ".join(text.translate(QUOTES).split())


def read_source(text: str) -> Source:
    """Return the brief's blocks with their visible characters."""
    front = FRONT_MATTER.match(text)
    body_start = front.end() if front else 0
    lines = []
    pos = body_start
    for line in text[body_start:].splitlines(keepends=True):
        lines.append((pos, line))
        pos += len(line)
    source = Source(text, body_start, [], [])
    _blocks(source, lines)
    return source


# ---------------------------------------------------------------- blocks


def _content(line: str) -> str:
    return line.rstrip("\r\n")


def _blocks(source: Source, lines: list[tuple[int, str]]) -> None:
    text = source.text
    i, n = 0, len(lines)
    after_table = False
    while i < n:
        start, raw = lines[i]
        line = _content(raw)
        if BLANK.match(line):
            i += 1
            continue
        fence = FENCE.match(line)
        if fence:
            j = i + 1
            while j < n and not _content(lines[j][1]).lstrip().startswith(fence.group(1)):
                j += 1
            end = lines[min(j, n - 1)][0] + len(lines[min(j, n - 1)][1])
            block = Block("code", 0, source.line_of(start), (start, end))
            body = [(lines[k][0], lines[k][0] + len(_content(lines[k][1])))
                    for k in range(i + 1, min(j, n))]
            block.chars = [Visible(ch, a, a + 1) for seg in body
                           for a, ch in zip(range(*seg), text[seg[0]:seg[1]])]
            source.blocks.append(block)
            i = j + 1
            after_table = False
            continue
        if DIV_FENCE.match(line) or RULE.match(line):
            i += 1
            continue
        if NOTE_DEFINITION.match(line) or LINK_DEFINITION.match(line):
            i += 1
            while i < n and not BLANK.match(lines[i][1]) and lines[i][1][:1] in " \t":
                i += 1
            continue
        atx = ATX.match(line)
        if atx:
            content_start = start + atx.end()
            content = line[atx.end():]
            attrs = ATTRIBUTES.search(content)
            if attrs:
                content = content[:attrs.start()]
            content = re.sub(r"[ \t]+#+[ \t]*$", "", content)
            block = Block("heading", len(atx.group(1)), source.line_of(start),
                          (start, start + len(raw)))
            block.chars = _inline(source, [(content_start, content_start + len(content))])
            block.body = _reach([(content_start, content_start + len(content))])
            source.blocks.append(block)
            i += 1
            after_table = False
            continue
        if TABLE_ROW.match(line) and i + 1 < n and TABLE_RULE.match(_content(lines[i + 1][1])):
            j = i
            while j < n and TABLE_ROW.match(_content(lines[j][1])):
                row_start, row = lines[j]
                if not TABLE_RULE.match(_content(row)):
                    for a, b in _cells(_content(row)):
                        block = Block("cell", 0, source.line_of(row_start),
                                      (row_start, row_start + len(row)))
                        block.chars = _inline(source, [(row_start + a, row_start + b)])
                        block.body = _reach([(row_start + a, row_start + b)])
                        source.blocks.append(block)
                j += 1
            i = j
            after_table = True
            continue
        caption = CAPTION.match(line)
        if caption and after_table:
            segs = [(start + caption.end(), start + len(line))]
            j = i + 1
            while j < n and not BLANK.match(lines[j][1]):
                segs.append(_stripped(lines[j]))
                j += 1
            last = segs[-1]
            attrs = ATTRIBUTES.search(text[last[0]:last[1]])
            if attrs:
                segs[-1] = (last[0], last[0] + attrs.start())
            block = Block("caption", 0, source.line_of(start), (start, lines[j - 1][0]
                                                                + len(lines[j - 1][1])))
            block.chars = _inline(source, segs)
            block.body = _reach(segs)
            source.blocks.append(block)
            i = j
            after_table = False
            continue
        after_table = False
        quote = QUOTE.match(line)
        item = ITEM.match(line)
        if item and not RULE.match(line):
            indent = len(item.group(1).expandtabs(4))
            segs = [(start + item.end(), start + len(line))]
            j = i + 1
            while j < n:
                nxt = _content(lines[j][1])
                if BLANK.match(nxt) or ITEM.match(nxt) or ATX.match(nxt) or FENCE.match(nxt) \
                        or DIV_FENCE.match(nxt):
                    break
                segs.append(_stripped(lines[j]))
                j += 1
            block = Block("item", indent // 2, source.line_of(start),
                          (start, lines[j - 1][0] + len(lines[j - 1][1])))
            block.chars = _inline(source, segs)
            block.body = _reach(segs)
            source.blocks.append(block)
            i = j
            continue
        # A paragraph (inside a quote or a list item's later paragraph, alike).
        segs = []
        j = i
        while j < n:
            nxt = _content(lines[j][1])
            if BLANK.match(nxt) or (j > i and (ATX.match(nxt) or FENCE.match(nxt)
                                               or DIV_FENCE.match(nxt))):
                break
            if j > i and SETEXT.match(nxt) and j == i + 1:
                break
            q = QUOTE.match(nxt) if quote else None
            if q:
                segs.append((lines[j][0] + q.end(), lines[j][0] + len(nxt)))
            else:
                segs.append(_stripped(lines[j]))
            j += 1
        kind, level = "paragraph", 0
        if j < n and j == i + 1 and SETEXT.match(_content(lines[j][1])):
            kind, level = "heading", 1 if "=" in lines[j][1] else 2
            j += 1
        block = Block(kind, level, source.line_of(start),
                      (start, lines[j - 1][0] + len(lines[j - 1][1])))
        block.chars = _inline(source, segs)
        block.body = _reach(segs)
        alone = MARK.fullmatch(text[segs[0][0]:segs[-1][1]].strip()) if len(segs) == 1 else None
        if alone and kind == "paragraph":
            block.kind = "exhibit"
            mark = block.chars[0].mark if block.chars else None
            if mark is not None:
                mark = Mark("exhibit", mark.text, mark.start, mark.end, mark.line)
                source.marks[-1] = mark
                block.chars = [Visible(DRAWN, mark.start, mark.end, " ", mark)]
        source.blocks.append(block)
        i = j


def _reach(segs: list[tuple[int, int]]) -> tuple[int, int]:
    return segs[0][0], segs[-1][1]


def _stripped(line: tuple[int, str]) -> tuple[int, int]:
    start, raw = line
    content = _content(raw)
    lead = len(content) - len(content.lstrip())
    return start + lead, start + len(content)


def _cells(row: str) -> list[tuple[int, int]]:
    """The cells of a pipe-table row, as (start, end) within the row, trimmed."""
    bounds = [m.start() for m in re.finditer(r"(?<!\\)\|", row)]
    cells = []
    for a, b in zip(bounds, bounds[1:]):
        cell = row[a + 1:b]
        lead = len(cell) - len(cell.lstrip())
        cells.append((a + 1 + lead, a + 1 + len(cell.rstrip())))
    return cells


# ---------------------------------------------------------------- inline


def _inline(source: Source, segs: list[tuple[int, int]]) -> list[Visible]:
    """The visible characters of Markdown made of the stretches `segs` (one per line)."""
    src = source.text
    chars: list[tuple[str, int, int]] = []
    for k, (a, b) in enumerate(segs):
        if k:
            chars.append(("\n", segs[k - 1][1], a))
        chars += [(src[p], p, p + 1) for p in range(a, b)]
    text = "".join(c for c, _, _ in chars)
    n = len(text)

    def span(i: int, j: int) -> tuple[int, int]:
        return chars[i][1], chars[j - 1][2]

    code = {m.start(): m for m in re.finditer(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", text, re.S)}
    taken = [(m.start(), m.end()) for m in code.values()]

    def free(i: int) -> bool:
        return not any(a <= i < b for a, b in taken)

    marks: dict[int, tuple[int, str]] = {}
    for m in MARK.finditer(text):
        if free(m.start()):
            marks[m.start()] = (m.end(), "fact")
            taken.append((m.start(), m.end()))
    for pattern in (CITATION, BARE_CITATION):
        for m in pattern.finditer(text):
            if free(m.start()) and free(m.end() - 1):
                marks[m.start()] = (m.end(), "cite")
                taken.append((m.start(), m.end()))
    delimiters = _emphasis(text, free)
    closers: dict[int, int] = {}  # `]` of a link or span -> where its target ends
    out: list[Visible] = []
    bold = italic = False
    i = 0
    while i < n:
        ch = text[i]
        if i in code:
            m = code[i]
            body_start = m.start(2)
            for p in range(body_start, m.end(2)):
                out.append(Visible(text[p], *span(p, p + 1)))
            i = m.end()
            continue
        if i in marks:
            end, kind = marks[i]
            a, b = span(i, end)
            mark = Mark(kind, src[a:b], a, b, source.line_of(a))
            source.marks.append(mark)
            out.append(Visible(FACT if kind == "fact" else CITE, a, b, _em(bold, italic), mark))
            i = end
            continue
        if i in closers:
            i = closers.pop(i)
            continue
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt == "\n":
                out.append(Visible("\n", *span(i, i + 2)))
                i += 2
                continue
            if nxt == " ":
                out.append(Visible("\xa0", *span(i, i + 2), _em(bold, italic)))
                i += 2
                continue
            if nxt in PUNCTUATION:
                out.append(Visible(nxt, *span(i, i + 2), _em(bold, italic)))
                i += 2
                continue
        if text.startswith("^[", i) or text.startswith("[^", i):
            j = _close(text, i + 1 if text[i] == "^" else i)
            if j is not None:
                i = j + 1
                continue
        if text.startswith("![", i):
            j = _close(text, i + 1)
            if j is not None and text[j + 1:j + 2] == "(":
                k = _close(text, j + 1, "(", ")")
                if k is not None:
                    out.append(Visible(DRAWN, *span(i, k + 1)))
                    i = k + 1
                    continue
        if ch == "[" and free(i):
            j = _close(text, i)
            if j is not None and text[j + 1:j + 2] in ("(", "{", "["):
                pair = {"(": ")", "{": "}", "[": "]"}[text[j + 1]]
                k = _close(text, j + 1, text[j + 1], pair)
                if k is not None:
                    closers[j] = k + 1
                    i += 1
                    continue
        if i in delimiters:
            length, kind = delimiters[i]
            if kind == "*":
                bold = bold != (length >= 2)
                italic = italic != (length % 2 == 1)
            i += length
            continue
        if ch == "<":
            auto = AUTOLINK.match(text, i)
            if auto:
                for p in range(auto.start(1), auto.end(1)):
                    out.append(Visible(text[p], *span(p, p + 1), _em(bold, italic)))
                i = auto.end()
                continue
        if ch == "&":
            entity = ENTITY.match(text, i)
            if entity:
                decoded = html.unescape(entity.group())
                if decoded != entity.group():
                    out.append(Visible(decoded[:1], *span(i, entity.end()), _em(bold, italic)))
                    i = entity.end()
                    continue
        if text.startswith("---", i):
            out.append(Visible("—", *span(i, i + 3), _em(bold, italic)))
            i += 3
            continue
        if text.startswith("--", i):
            out.append(Visible("–", *span(i, i + 2), _em(bold, italic)))
            i += 2
            continue
        if text.startswith("...", i):
            out.append(Visible("…", *span(i, i + 3), _em(bold, italic)))
            i += 3
            continue
        if ch.isspace():
            j = i
            while j < n and text[j].isspace() and j not in marks and j not in closers:
                j += 1
            run = text[i:j]
            hard = "\n" in run and run.split("\n")[0].endswith("  ")
            out.append(Visible("\n" if hard else " ", *span(i, j), _em(bold, italic)))
            i = j
            continue
        out.append(Visible(ch, *span(i, i + 1), _em(bold, italic)))
        i += 1
    while out and out[0].ch == " ":
        out.pop(0)
    while out and out[-1].ch in " \n":
        out.pop()
    return out


def _em(bold: bool, italic: bool) -> str:
    return "B" if bold and italic else "b" if bold else "i" if italic else " "


def _close(text: str, i: int, opening: str = "[", closing: str = "]") -> int | None:
    """The index of the bracket closing the one at `i`, nesting and escapes minded."""
    depth = 0
    j = i
    while j < len(text):
        ch = text[j]
        if ch == "\\":
            j += 2
            continue
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def _emphasis(text: str, free) -> dict[int, tuple[int, str]]:
    """Delimiter runs that pair up (`**bold**`, `*it*`, `_it_`, `~~struck~~`, `^sup^`,
    `~sub~`): start -> (length, kind). A run without a partner is text ("8*8")."""
    found: dict[int, tuple[int, str]] = {}
    stack: list[tuple[int, int, str]] = []
    for m in re.finditer(r"\*+|_+|~+|\^+", text):
        a, b = m.start(), m.end()
        if not free(a) or (a and text[a - 1] == "\\"):
            continue
        kind = m.group()[0]
        before = text[a - 1] if a else " "
        after = text[b] if b < len(text) else " "
        can_open = not after.isspace()
        can_close = not before.isspace()
        if kind == "_":
            can_open = can_open and not before.isalnum()
            can_close = can_close and not after.isalnum()
        if kind == "^" and after == "[":
            continue
        length = b - a
        if can_close:
            for k in range(len(stack) - 1, -1, -1):
                start, size, kind_open = stack[k]
                if kind_open == kind and size == length:
                    found[start] = (size, "*" if kind in "*_" else kind)
                    found[a] = (length, "*" if kind in "*_" else kind)
                    del stack[k:]
                    break
            else:
                if can_open:
                    stack.append((a, length, kind))
            continue
        if can_open:
            stack.append((a, length, kind))
    return found
