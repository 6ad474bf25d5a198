"""From an edited DOCX to edits of the brief: what changed since the build, and where each
change belongs.

Three texts meet here: the brief as built (its blocks and visible characters,
`source.py`), the document's text as built (every paragraph, each character marked with
what made it, stored in the DOCX at build time) and the edited document's text. The edited
text is compared with the text as built, never with a model of the Markdown, so only what
an editor changed can become an edit. Each changed stretch is then placed in the brief
through the characters the text as built shares with the brief's blocks:

- a paragraph of the brief's prose: the edit is made in brief.md, in the Markdown around
  it (emphasis, links, line breaks kept), with every live fact kept as its `[[…]]` and
  every citation as its `[@key]`;
- a live fact typed over, a citation or caption number changed, a table of the fact pack,
  a computed finding: the edit is not made, and is reported with where to make it;
- a paragraph added among the brief's: added to brief.md; one deleted: taken out; one
  moved: moved, with its marks.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..render.wordtext import PROSE, Paragraph
from .source import CITE, DRAWN, FACT, Block, Mark, Source, normal

TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
GENERATED_ROLES = {"F": FACT, "Q": FACT, "C": CITE, "D": DRAWN}


@dataclass(frozen=True)
class Edit:
    """Replace brief[start:end] with `text`."""

    start: int
    end: int
    text: str


@dataclass
class Reported:
    """An edit of generated text, not made: what it was, what it is, and where it stands."""

    paragraph: int  # index in the text as built
    was: str
    now: str
    mark: Mark | None = None  # the live fact or citation it touches, in the brief
    deleted: bool = False


@dataclass
class Anchor:
    """Where a comment stands: the paragraph as built and the brief's offset, if any."""

    comment: str
    text: str
    paragraph: int | None
    offset: int | None


@dataclass
class Absorbed:
    edits: list[Edit] = field(default_factory=list)
    reported: list[Reported] = field(default_factory=list)
    added_outside: list[tuple[int | None, str]] = field(default_factory=list)
    anchors: list[Anchor] = field(default_factory=list)
    removed_marks: list[Mark] = field(default_factory=list)
    blocks: dict[int, Block] = field(default_factory=dict)  # paragraph as built -> block


# ---------------------------------------------------------------- the text as built


def built_key(p: Paragraph) -> str:
    """A paragraph as built, for matching with a block: one character per generated run."""
    return normal(_collapsed(p)[0])


def _collapsed(p: Paragraph) -> tuple[str, list[tuple[int, int]]]:
    """The paragraph's text with each run of generated characters as one character, and for
    each character of that the stretch of the paragraph it stands for."""
    out, spans = [], []
    i, n = 0, len(p.text)
    while i < n:
        role = p.roles[i]
        if role == PROSE:
            out.append(p.text[i])
            spans.append((i, i + 1))
            i += 1
            continue
        kind = GENERATED_ROLES.get(role, DRAWN)
        j = i
        while j < n and p.roles[j] != PROSE and GENERATED_ROLES.get(p.roles[j], DRAWN) == kind:
            j += 1
        out.append(kind)
        spans.append((i, j))
        i = j
    return "".join(out), spans


def map_blocks(blocks: list[Block], built: list[Paragraph]) -> dict[int, int]:
    """Which paragraph as built shows which block of the brief (paragraph -> block)."""
    a = [b.key for b in blocks]
    b = [built_key(p) for p in built]
    found: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                found[j1 + k] = i1 + k
        elif op == "replace" and (i2 - i1) * (j2 - j1) <= 40_000:
            last = j1
            for i in range(i1, i2):
                best, score = None, 0.6
                for j in range(last, j2):
                    sm = difflib.SequenceMatcher(None, a[i], b[j], autojunk=False)
                    if sm.real_quick_ratio() > score and sm.quick_ratio() > score and \
                            (ratio := sm.ratio()) > score:
                        best, score = j, ratio
                if best is not None:
                    found[best] = i
                    last = best + 1
    # Out of order, nearby: pandoc sets a table's caption above the table, the Markdown
    # has it below.
    placed = {k: j for j, k in found.items()}
    for i in range(len(a)):
        if i in placed or not a[i]:
            continue
        near = [placed[k] for k in (i - 1, i + 1) if k in placed]
        if not near:
            continue
        best, score = None, 0.6
        for j in range(max(0, min(near) - 60), min(len(b), max(near) + 60)):
            if j in found:
                continue
            ratio = _likeness(a[i], b[j], score)
            if ratio > score:
                best, score = j, ratio
        if best is not None:
            found[best] = i
            placed[i] = best
    return found


def char_map(block: Block, p: Paragraph) -> list[tuple[int, int] | None]:
    """For each character of the paragraph as built, the stretch of the brief it shows
    (None: the tool wrote it, e.g. "Table 1: " before a caption)."""
    text, spans = _collapsed(p)
    a = "".join(_plain(v.ch) for v in block.chars)
    b = "".join(_plain(ch) for ch in text)
    result: list[tuple[int, int] | None] = [None] * len(p.text)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for i, j, size in matcher.get_matching_blocks():
        for k in range(size):
            v = block.chars[i + k]
            lo, hi = spans[j + k]
            for c in range(lo, hi):
                result[c] = (v.start, v.end)
    return result


def _plain(ch: str) -> str:
    return normal(ch) or " "


# ---------------------------------------------------------------- pairing paragraphs


def pair(built: list[Paragraph], now: list[Paragraph]) -> tuple[dict[int, int], set[int]]:
    """Pair each paragraph as built with the edited paragraph that shows it (built -> now);
    and the pairs found only by likeness far from their place (moved paragraphs)."""
    a = [_pair_key(p) for p in built]
    b = [_pair_key(p) for p in now]
    pairs: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for k in range(i2 - i1):
                pairs[i1 + k] = j1 + k
        elif op == "replace":
            if i2 - i1 == j2 - j1 and all(built[i1 + k].cell == now[j1 + k].cell and
                                          built[i1 + k].cell is not None
                                          for k in range(i2 - i1)):
                for k in range(i2 - i1):  # cells of one table keep their places
                    pairs[i1 + k] = j1 + k
                continue
            last = j1
            for i in range(i1, i2):
                if (i2 - i1) * (j2 - j1) > 40_000:
                    break
                best, score = None, 0.5
                for j in range(last, j2):
                    ratio = _likeness(a[i], b[j], score)
                    if ratio > score:
                        best, score = j, ratio
                if best is not None:
                    pairs[i] = best
                    last = best + 1
    # Paragraphs moved elsewhere: an unpaired paragraph as built and an unpaired edited one
    # that read (almost) alike.
    moved: set[int] = set()
    taken = set(pairs.values())
    loose_now = [j for j in range(len(now)) if j not in taken and b[j]]
    for i in range(len(built)):
        if i in pairs or not a[i] or len(loose_now) > 500:
            continue
        best, score = None, 0.75
        for j in loose_now:
            ratio = _likeness(a[i], b[j], score)
            if ratio > score:
                best, score = j, ratio
        if best is not None:
            pairs[i] = best
            moved.add(i)
            loose_now.remove(best)
    return pairs, moved


def _pair_key(p: Paragraph) -> str:
    return normal(p.text)


def _likeness(x: str, y: str, floor: float) -> float:
    sm = difflib.SequenceMatcher(None, x, y, autojunk=False)
    if sm.real_quick_ratio() <= floor or sm.quick_ratio() <= floor:
        return 0.0
    return sm.ratio()


# ---------------------------------------------------------------- edits within a paragraph


def tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in TOKEN.finditer(text)]


def changes(old: str, new: str) -> list[tuple[int, int, int, int]]:
    """The stretches that differ, word by word: (old start, old end, new start, new end).
    Runs of spaces count as one space (a double space left by a deletion is no edit), and
    a deleted word takes the space before it rather than after it, so that it leaves the
    markup that closes after it alone ("fit one story.** Four" loses " story.")."""
    a, b = tokens(old), tokens(new)
    sa = [_space(old[s:e]) for s, e in a]
    sb = [_space(new[s:e]) for s, e in b]
    out = []
    matcher = difflib.SequenceMatcher(None, sa, sb, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "delete" and i2 - i1 >= 2 and sa[i2 - 1] == " " and sa[i1] != " " and \
                i1 > 0 and sa[i1 - 1] == " ":
            i1, i2 = i1 - 1, i2 - 1
        o0 = a[i1][0] if i1 < len(a) else len(old)
        o1 = a[i2 - 1][1] if i2 > i1 else o0
        n0 = b[j1][0] if j1 < len(b) else len(new)
        n1 = b[j2 - 1][1] if j2 > j1 else n0
        out.append((o0, o1, n0, n1))
    return out


def _space(token: str) -> str:
    """A token for matching: spaces as one space, a paragraph break kept as one."""
    if not token.isspace():
        return token
    return "\u2029" if "\u2029" in token else "\n" if "\n" in token else " "


def now_to_built(old: str, new: str) -> list[int | None]:
    """For each character of the edited paragraph, the same character as built (None: new)."""
    result: list[int | None] = [None] * len(new)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for i, j, size in matcher.get_matching_blocks():
        for k in range(size):
            result[j + k] = i + k
    return result


def generated_runs(p: Paragraph, where: list[tuple[int, int] | None]) -> list[tuple[int, int]]:
    """The runs of characters the tool wrote: marked so (a live fact, a citation, a field's
    result), or shown by no character of the brief ("Table 1: " before a caption)."""
    def kind(i: int) -> str | None:
        if p.roles[i] != PROSE:
            return GENERATED_ROLES.get(p.roles[i], DRAWN)
        return "?" if where[i] is None else None

    runs = []
    i, n = 0, len(p.text)
    while i < n:
        k = kind(i)
        if k is None:
            i += 1
            continue
        j = i + 1
        while j < n and kind(j) == k:
            j += 1
        runs.append((i, j))
        i = j
    return runs


def inline_edits(source: Source, block: Block, p: Paragraph, q: Paragraph,
                 index: int, result: Absorbed) -> list[Edit]:
    """The brief's edits for a paragraph of its prose edited from `p` (as built) to `q`."""
    where = char_map(block, p)
    runs = generated_runs(p, where)
    edits: list[Edit] = []

    def run_at(i: int) -> tuple[int, int] | None:
        return next(((a, b) for a, b in runs if a <= i < b), None)

    for o0, o1, n0, n1 in changes(p.text, q.text):
        if o1 > o0 and all(p.roles[i] == "D" for i in range(o0, o1)) and \
                not q.text[n0:n1].strip(" \t").isalpha():
            continue  # a field's result worked out again (a caption's number)
        new = q.text[n0:n1]
        emphasis = q.emphasis[n0:n1]
        touched = [r for r in runs if r[0] < o1 and o0 < r[1]] if o1 > o0 else []
        if o1 == o0:  # an insertion
            inside = run_at(o0)
            if inside is not None and inside[0] < o0:
                result.reported.append(Reported(index, _shown(p.text, *inside),
                                                _shown_new(q, p, inside, o0, new),
                                                _mark(where, p, inside, block)))
                continue
            edits.append(_insertion(source, block, p, where, o0, new, emphasis))
            continue
        partly = [r for r in touched if r[0] < o0 or o1 < r[1]]
        prose = [i for i in range(o0, o1) if not any(a <= i < b for a, b in touched)]
        whole = [r for r in touched if r not in partly]
        if partly or (whole and not prose and new.strip()):
            for r in partly or whole:  # a generated value typed over: reported, not made
                result.reported.append(Reported(
                    index, _shown(p.text, *r), _shown(q.text, n0, n1) if not partly else
                    _shown(q.text, max(0, n0 - (o0 - r[0])), n1 + max(0, r[1] - o1)),
                    _mark(where, p, r, block)))
            continue
        for r in whole:  # a whole live fact or citation deleted with the words around it
            mark = _mark(where, p, r, block)
            if mark is not None:
                result.removed_marks.append(mark)
            elif where[r[0]] is None:  # text the tool wrote that no mark stands for
                result.reported.append(Reported(index, _shown(p.text, *r), "", None, True))
        spans = sorted({where[i] for i in range(o0, o1) if where[i] is not None})
        if not spans:
            if any(where[r[0]] is None for r in whole):
                continue
            edits.append(_insertion(source, block, p, where, o0, new, emphasis))
            continue
        # The new text takes the place of the first stretch of the brief it replaces; the
        # later stretches go, and the markup between them (a closing `**`, a link's target)
        # stays.
        groups: list[list[int]] = []
        for start, end in spans:
            if groups and start <= groups[-1][1]:
                groups[-1][1] = max(groups[-1][1], end)
            else:
                groups.append([start, end])
        context = _emphasis_at(block, groups[0][0])
        edits.append(Edit(groups[0][0], groups[0][1], markdown(new, emphasis, context)))
        edits += [Edit(start, end, "") for start, end in groups[1:]]
    edits = [_no_space_before_break(source.text, e) for e in edits]
    if block.kind == "item":  # a list item split in two makes two items
        edits = [Edit(e.start, e.end, e.text.replace("\n\n", "\n" + "  " * block.level + "- "))
                 for e in edits]
    return edits


def _no_space_before_break(text: str, edit: Edit) -> Edit:
    """A paragraph break typed after a space: the space goes (it would end a line)."""
    new = edit.text.lstrip(" \t")
    if not new.startswith("\n\n"):
        return edit
    start = edit.start
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    return Edit(start, max(start, edit.end), new)


def _shown(text: str, a: int, b: int) -> str:
    return " ".join(text[a:b].split())


def _shown_new(q: Paragraph, p: Paragraph, run, at, new) -> str:
    a, b = run
    return " ".join((p.text[a:at] + new + p.text[at:b]).split())


def _mark(where, p: Paragraph, run, block: Block) -> Mark | None:
    """The brief's mark (live fact or citation) a generated run shows, if any."""
    for i in range(*run):
        if where[i] is not None:
            for v in block.chars:
                if v.mark is not None and (v.start, v.end) == where[i]:
                    return v.mark
    return None


def _emphasis_at(block: Block, offset: int) -> str:
    for v in block.chars:
        if v.start <= offset < v.end:
            return v.emphasis
    return " "


def _insertion(source: Source, block: Block, p: Paragraph, where, at: int, new: str,
               emphasis: str) -> Edit:
    """Text typed at `at` in a paragraph as built: inserted after the brief's character
    before it, or before the one after it when the formatting differs from that one's."""
    before = next((where[i] for i in range(at - 1, -1, -1) if where[i] is not None), None)
    after = next((where[i] for i in range(at, len(p.text)) if where[i] is not None), None)
    look = emphasis[:1] if emphasis else " "
    ctx_before = _emphasis_at(block, before[0]) if before else None
    ctx_after = _emphasis_at(block, after[0]) if after else None
    if before is not None and (ctx_before == look or after is None or ctx_after != look):
        return Edit(before[1], before[1], markdown(new, emphasis, ctx_before))
    if after is not None:
        return Edit(after[0], after[0], markdown(new, emphasis, ctx_after))
    return Edit(block.end, block.end, markdown(new, emphasis, " "))


# ---------------------------------------------------------------- new text as Markdown

_SPECIAL = set("\\`*_[]{}<>#|~^@$&")


def escaped(text: str, line_start: bool = False) -> str:
    """Text an editor typed, as literal pandoc Markdown: nothing in it is markup, a mark or
    a citation."""
    out = []
    for i, ch in enumerate(text):
        if ch in _SPECIAL or (ch == "-" and text[i + 1:i + 2] == "-") or \
                (ch == "." and text[i + 1:i + 3] == ".."):
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\\n")
        elif ch == "\u2029":  # a paragraph break typed inside a paragraph
            out.append("\n\n")
        elif ch == "\ufffc":  # a picture: never text
            continue
        else:
            out.append(ch)
    result = "".join(out)
    if line_start:
        result = re.sub(r"^(\s*)([-+:>=]|\d+(?=[.)]))", r"\1\\\2", result)
    return result


def markdown(text: str, emphasis: str, context: str | None, line_start: bool = False) -> str:
    """Typed text as Markdown: bold and italic that the text around it lacks are marked."""
    context = context or " "
    out = []
    i = 0
    while i < len(text):
        look = emphasis[i] if i < len(emphasis) else " "
        j = i
        while j < len(text) and (emphasis[j] if j < len(emphasis) else " ") == look:
            j += 1
        piece = text[i:j]
        extra = ""
        if look in "bB" and context not in "bB":
            extra += "**"
        if look in "iB" and context not in "iB":
            extra += "*"
        core = piece.strip()
        if extra and core:
            lead = piece[:len(piece) - len(piece.lstrip())]
            trail = piece[len(piece.rstrip()):]
            out.append(lead + extra + escaped(core, line_start and not out) + extra[::-1]
                       + trail)
        else:
            out.append(escaped(piece, line_start and not out))
        i = j
    return "".join(out)


def new_block(q: Paragraph) -> tuple[str, str]:
    """An added paragraph as a block of Markdown, and its kind (item, heading, paragraph)."""
    text = q.text.strip()
    lead = len(q.text) - len(q.text.lstrip())
    body = markdown(text, q.emphasis[lead:lead + len(text)], " ", line_start=True)
    heading = re.fullmatch(r"(?i)heading ([1-6])", q.style)
    if heading:
        return "#" * int(heading.group(1)) + " " + body, "heading"
    if q.level is not None:
        return "  " * q.level + "- " + body, "item"
    return body, "paragraph"
