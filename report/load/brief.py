"""The analyst's brief: YAML front matter plus pandoc Markdown, read and checked like a case file.

The brief is data, never a template: its Markdown goes to pandoc as written, except for two
kinds of marks the tool replaces, each found here with its line and column:
- `[[case:record.field]]`, a live fact (also `[[case:@derived]]`, arithmetic such as
  `[[a / b]]`, and `in USD`, `as of DATE`, `dated` after it: report/model/marks.py),
  replaced by the value with its citation;
- a paragraph holding only `[[exhibit:ID]]`, replaced by the chart the front matter describes.
Every number in the prose must be a live fact or be followed, in its sentence, by a citation:
`report check` lists the others.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from ..errors import InputError, Problem, display_path
from ..model.brief import FINDINGS, LIKELIHOOD, FrontMatter
from ..model.marks import Expr, MarkError, Operand, parse_mark
from .files import InputFiles
from .yamlfile import Doc, parse, read_text, validate

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*\n", re.S)
# [[acme:v3.licence]], [[acme:@leaders-left]], [[a:x.input / b:y.input]], [[… in USD]]
REFERENCE = re.compile(r"\[\[([^\[\]\n]{1,300})\]\]")
EXHIBIT = re.compile(r"^exhibit:(?P<id>[a-z0-9][a-z0-9-]*)$")
CITATION = re.compile(r"\[[^\[\]]*@[^\[\]]*\]")
CITE_KEY = re.compile(r"@([A-Za-z0-9][A-Za-z0-9:_.-]*[A-Za-z0-9])")


class ExhibitChecks(Protocol):
    """What the charts stage checks of each exhibit, handed to the loading stage (which does
    not know the kinds of chart) so that every problem is found in one run."""

    def options(self, doc: Doc, index: int, exhibit: dict) -> list[Problem]:
        """Problems with exhibit `index` of the front matter: its kind and its settings."""

    def references(self, brief: Brief, index: int, cases: dict, hints) -> list[Problem]:
        """Problems with the ids exhibit `index` names (cases, records, price points)."""


class MarkdownChecks(Protocol):
    """What the rendering stage checks of the brief's body as pandoc reads it (its document
    tree), handed to the loading stage (which does not run pandoc) so that every problem is
    found in one run."""

    def problems(self, brief: Brief, citation_keys: set[str] | None) -> list[Problem]:
        """Problems with the body as pandoc reads it; `citation_keys`: the keys a citation
        may use (None when the case files could not be read)."""


# ---------------------------------------------------------------- marks in the body


@dataclass(frozen=True)
class FactRef:
    """A live fact as written in the brief, and where."""

    text: str
    line: int
    column: int
    start: int  # offset of `[[` in the body
    end: int
    expr: Expr

    @property
    def left(self) -> Operand:
        return self.expr.left

    @property
    def right(self) -> Operand | None:
        return self.expr.right

    @property
    def operands(self) -> tuple[Operand, ...]:
        return self.expr.operands


@dataclass(frozen=True)
class ExhibitMark:
    id: str
    line: int
    column: int
    start: int
    end: int


@dataclass(frozen=True)
class ViewMark:
    """The analyst's own judgement, marked as such: a `::: {.view likelihood=…}` block or a
    `[…]{.view likelihood=…}` span, from `start` to `end` of the body."""

    likelihood: str
    line: int
    column: int
    start: int
    end: int
    block: bool


@dataclass(frozen=True)
class FindingMark:
    """The analyst's own version of a computed finding: a `::: {.finding id="price"}` block,
    from `start` to `end` of the body; its text runs from `inner` to `inner_end`."""

    id: str
    line: int
    column: int
    start: int
    end: int
    inner: int
    inner_end: int


@dataclass(frozen=True)
class Sentence:
    """One sentence of the body (or one heading or list item), and where it starts."""

    start: int
    end: int
    line: int
    column: int
    heading: bool = False


@dataclass(frozen=True)
class Brief:
    path: Path
    shown: str
    meta: FrontMatter | None  # None only while its problems are being listed (read_brief)
    body: str  # the Markdown after the front matter
    body_line: int  # the file line the body starts on
    facts: tuple[FactRef, ...]
    exhibits: tuple[ExhibitMark, ...]
    citations: tuple[tuple[str, int, int], ...] = field(default=())  # (key, line, column)
    doc: Doc | None = field(default=None, repr=False)
    views: tuple[ViewMark, ...] = field(default=())
    findings: tuple[FindingMark, ...] = field(default=())
    # False when the body is past a bound pandoc would take too long over (limits()): it is
    # then never handed to pandoc, and its problems say what to change.
    readable: bool = True

    def sentences(self) -> list[Sentence]:
        return sentences(self.body, self.body_line, [(f.start, f.end) for f in self.facts])


def load_brief(path: Path, files: InputFiles | None = None,
               exhibits: ExhibitChecks | None = None) -> Brief:
    """Return the brief in `path`, its front matter validated (each exhibit's settings too,
    given the charts stage's `exhibits` checks) and its marks found."""
    brief, problems = read_brief(path, files, exhibits)
    if problems:
        raise InputError(problems)
    return brief


def read_brief(path: Path, files: InputFiles | None = None,
               exhibits: ExhibitChecks | None = None) -> tuple[Brief, list[Problem]]:
    """Return the brief and the problems found in it, so that the marks of a brief whose
    front matter has a problem are still checked in the same run; raise InputError only
    when there is no brief to read (no front matter, not text)."""
    shown = display_path(path)
    # Windows (and old Mac) line endings are line endings: pandoc reads them so, and so do
    # the front matter and every position a problem names.
    text = read_text(path, shown, "brief", files).replace("\r\n", "\n").replace("\r", "\n")
    match = FRONT_MATTER.match(text)
    if not match:
        raise InputError([Problem(shown, 1, 1, "", (
            "a brief starts with YAML front matter between two `---` lines (title, author, "
            "date, cases …); see cases/README.md"))])
    doc = parse(match.group(1), shown, line_offset=1)
    if not isinstance(doc.data, dict):
        raise InputError([Problem(shown, 2, 1, "", "the front matter is a mapping of fields "
                                  "(title, author, date, cases …)")])
    meta, problems = validate(FrontMatter, doc)
    listed = doc.data.get("exhibits")
    if exhibits is not None and isinstance(listed, list):
        for i, exhibit in enumerate(listed):
            if isinstance(exhibit, dict):
                problems += exhibits.options(doc, i, exhibit)
    body = text[match.end():]
    body_line = text.count("\n", 0, match.end()) + 1
    found, unreadable = limits(body, body_line, shown)
    problems += found + unreadable
    facts, exhibits, citations, mark_problems = find_marks(body, body_line, shown)
    problems += mark_problems
    views, view_problems = find_views(body, body_line, shown)
    problems += view_problems
    findings, finding_problems = find_findings(body, body_line, shown)
    problems += finding_problems
    return Brief(path, shown, meta, body, body_line, tuple(facts), tuple(exhibits),
                 tuple(citations), doc, tuple(views), tuple(findings),
                 readable=not unreadable), problems


def find_marks(body: str, first_line: int, shown: str):
    """Return the live facts, exhibit marks and citations in the body, and malformed marks."""
    facts: list[FactRef] = []
    exhibits: list[ExhibitMark] = []
    problems: list[Problem] = []
    code_list = _code_spans(body)
    code = _spans(code_list)
    lines = Lines(body, first_line)
    placed: dict[str, tuple[int, int]] = {}
    for m in REFERENCE.finditer(body):
        if _inside(m.start(), code):
            continue
        line, column = lines.position(m.start())
        inner = " ".join(m.group(1).split())
        exhibit = EXHIBIT.match(inner)
        if exhibit:
            if not _alone_in_paragraph(body, m.start(), m.end()):
                problems.append(Problem(shown, line, column, "", (
                    f"[[{inner}]] must be a paragraph of its own, with blank lines around it")))
            elif exhibit.group("id") in placed:
                first = placed[exhibit.group("id")]
                problems.append(Problem(shown, line, column, "", (
                    f"[[{inner}]] is placed twice (first at line {first[0]}); an exhibit "
                    "stands in one place")))
            placed.setdefault(exhibit.group("id"), (line, column))
            exhibits.append(ExhibitMark(exhibit.group("id"), line, column, m.start(), m.end()))
            continue
        try:
            expr = parse_mark(inner)
        except MarkError as why:
            problems.append(Problem(shown, line, column, "", f"[[{inner}]]: {why}"))
            continue
        facts.append(FactRef(inner, line, column, m.start(), m.end(), expr))
    citations = []
    marks = _spans(code_list + [(m.start(), m.end()) for m in REFERENCE.finditer(body)])
    for m in CITATION.finditer(body):
        if _inside(m.start(), marks):
            continue
        for key in CITE_KEY.finditer(m.group()):
            line, column = lines.position(m.start() + key.start())
            citations.append((key.group(1), line, column))
    return facts, exhibits, citations, problems


def mark_spans(body: str) -> list[tuple[int, int]]:
    """Where every `[[…]]` outside code stands, whether or not it parses: the build replaces
    each (or refuses it), so none of them is Markdown of the analyst's."""
    code = _spans(_code_spans(body))
    return [(m.start(), m.end()) for m in REFERENCE.finditer(body) if not _inside(m.start(), code)]


# ---------------------------------------------------------------- the analyst's judgement

_BLOCK_VIEW = re.compile(r"^(?P<fence>:{3,})[ \t]*\{(?P<attrs>[^}\n]*)\}[ \t]*$", re.M)
_FENCE = re.compile(r"^(:{3,})[ \t]*(\{[^}\n]*\}|[A-Za-z][\w-]*)?[ \t]*$", re.M)
_NESTED = r"[^\[\]]*"
for _ in range(3):  # brackets inside a span, three deep: a live fact [[…]] in a link […](…)
    _NESTED = rf"(?:[^\[\]]|\[{_NESTED}\])*"
_SPAN_VIEW = re.compile(rf"\[(?P<text>{_NESTED})\]\{{(?P<attrs>[^{{}}\n]*)\}}")
_LIKELIHOOD_ATTR = re.compile(r"""(?:^|\s)likelihood=(?:"([^"]*)"|'([^']*)'|(\S+))""")


def find_views(body: str, first_line: int, shown: str) -> tuple[list[ViewMark], list[Problem]]:
    """Return the view marks in the body, and a problem for each without a likelihood from
    the one scale (ICD 203's words)."""
    code = _spans(_code_spans(body))
    ends = div_ends(body, code)
    found: list[tuple[int, int, str, bool]] = []
    for m in _BLOCK_VIEW.finditer(body):
        if _is_view(m.group("attrs")) and not _inside(m.start(), code):
            found.append((m.start(), ends[m.start()], m.group("attrs"), True))
    for m in _SPAN_VIEW.finditer(body):
        if _is_view(m.group("attrs")) and not _inside(m.start(), code):
            found.append((m.start(), m.end(), m.group("attrs"), False))
    views, problems = [], []
    lines = Lines(body, first_line)
    for start, end, attrs, block in sorted(found):
        line, column = lines.position(start)
        given = _LIKELIHOOD_ATTR.search(attrs)
        likelihood = next((g for g in given.groups() if g is not None), "") if given else ""
        if likelihood not in LIKELIHOOD:
            said = f"likelihood '{likelihood}'" if given else "no likelihood"
            problems.append(Problem(shown, line, column, "", (
                f"a view has {said}; give likelihood=\"…\", one of: " + ", ".join(LIKELIHOOD))))
            continue
        views.append(ViewMark(likelihood, line, column, start, end, block))
    return views, problems


_ID_ATTR = re.compile(r"""(?:^|\s)(?:id="([^"]*)"|id='([^']*)'|id=(\S+)|#(\S+))""")


def find_findings(body: str, first_line: int,
                  shown: str) -> tuple[list[FindingMark], list[Problem]]:
    """Return the brief's own findings, each replacing the computed one of its id."""
    code = _spans(_code_spans(body))
    ends = div_ends(body, code)
    lines = Lines(body, first_line)
    found, problems, seen = [], [], set()
    for m in _BLOCK_VIEW.finditer(body):
        if ".finding" not in m.group("attrs").split() or _inside(m.start(), code):
            continue
        line, column = lines.position(m.start())
        given = _ID_ATTR.search(m.group("attrs"))
        name = next((g for g in given.groups() if g), "") if given else ""
        if name not in FINDINGS or name in seen:
            why = f"a second finding '{name}'" if name in seen else \
                f"a finding's id is one of {', '.join(FINDINGS)}, not '{name}'"
            problems.append(Problem(shown, line, column, "", why))
            continue
        seen.add(name)
        end = ends[m.start()]
        closing = body.rfind("\n", m.end(), end - 1)
        found.append(FindingMark(name, line, column, m.start(), end, m.end() + 1,
                                 max(closing, m.end() + 1)))
    return found, problems


def _is_view(attrs: str) -> bool:
    return ".view" in attrs.split()


def fenced_divs(body: str, code=None) -> list[tuple[int, int | None, int]]:
    """Each fenced div that opens in the body, in order: the offset of its opening fence,
    the end of its closing fence (None when it is never closed) and how deep it opens (1 at
    the top), counting the divs opened inside it. Fences inside code are text."""
    code = code if code is not None else _spans(_code_spans(body))
    found: dict[int, tuple[int, int | None, int]] = {}
    open_: list[int] = []
    for fence in _FENCE.finditer(body):
        if _inside(fence.start(), code):
            continue
        if fence.group(2):
            open_.append(fence.start())
            found[fence.start()] = (fence.start(), None, len(open_))
        elif open_:
            start = open_.pop()
            found[start] = (start, fence.end(), found[start][2])
    return list(found.values())


def div_ends(body: str, code=None) -> dict[int, int]:
    """Where each fenced div that opens in the body ends (by the offset of its opening
    fence): at its closing fence; a div never closed ends with the body."""
    return {start: len(body) if end is None else end
            for start, end, _depth in fenced_divs(body, code)}


# ---------------------------------------------------------------- sentences

_SENTENCE_BREAK = re.compile(
    r"(?P<stop>(?<=[.!?。！？])[\]\)\"”’*_]*\s+(?=[\[\(“\"*_]*[A-Z0-9\u4e00-\u9fff\[]))"
    r"|\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)])\s)|\n(?=#)|(?<=\n)(?=:::)")
_ABBREVIATION = re.compile(r"(?:\b(?:c|ca|e\.g|i\.e|No|Nos|vs|Mr|Ms|Dr|Inc|Ltd|Co|St|U\.S|"
                           r"approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z])"
                           r"\.$")


def sentences(body: str, first_line: int, marks: list[tuple[int, int]]) -> list[Sentence]:
    """The body cut into sentences: at a full stop (not after an abbreviation such as "c."
    or "No."), a blank line, a list item or a heading; never inside a live fact."""
    cuts = [0]
    marks = _spans(marks)
    lines = Lines(body, first_line)
    for m in _SENTENCE_BREAK.finditer(body):
        if _inside(m.start(), marks) or (m.group("stop") and _ABBREVIATION.search(
                body[max(0, m.start() - 6):m.start()])):
            continue
        cuts.append(m.end())
    cuts.append(len(body))
    found = []
    for a, b in zip(cuts, cuts[1:]):
        text = body[a:b]
        lead = len(text) - len(text.lstrip())
        if not text.strip():
            continue
        line, column = lines.position(a + lead)
        found.append(Sentence(a + lead, b, line, column, text.lstrip().startswith("#")))
    return found


# ---------------------------------------------------------------- what a brief may hold
#
# pandoc's Markdown reader backtracks: each `[` it cannot close doubles its work or more (26
# unclosed on one line, or brackets nested 20,000 deep, ran for hours), and each level of
# nesting multiplies the work on every bracket of the paragraph (measured: a paragraph of
# 1,000 groups nested 6 deep took 35 s, 5 deep 8 s, 4 deep 3.5 s; 6 brackets left open
# before 10,000 words, 19 s, 4 of them 4.4 s). These bounds are far beyond what a brief
# needs (the project's brief nests 2 deep, with at most 40 brackets and 2,100 characters
# in a paragraph; a live fact in a link in a view is 4 deep), and keep one reading to a
# few seconds of pandoc's time at worst; a brief past them is never handed to pandoc.

MAX_BODY = 200_000  # characters: about 60 pages of prose; the fact pack holds the detail
MAX_BRACKET_DEPTH = 5  # brackets open inside one another
MAX_UNCLOSED = 3  # brackets one paragraph leaves open
MAX_BRACKETS = 600  # brackets in one paragraph
MAX_PARAGRAPH = 10_000  # characters between two blank lines
MAX_DIV_DEPTH = 6  # ::: blocks inside one another
MAX_INDENT = 64  # columns of indentation and `>` before a line's text (lists, quotes)
MAX_WORD = 160  # characters without a break, as in a case file
MAX_ADDRESS = 500  # characters of a web address: longer ones ran over hundreds of pages
MAX_SAID = 20  # problems of one kind listed, then how many more

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LONG = re.compile("[^\\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]{%d,}"
                   % (MAX_WORD + 1))
_ADDRESS = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:/*[^\s<>()\[\]]*")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def limits(body: str, first_line: int, shown: str) -> tuple[list[Problem], list[Problem]]:
    """Problems with what the body holds, each at its line: characters no text holds, words
    that would run off the page, a code block left open that would swallow the rest of the
    briefing; and, apart, what pandoc must not be handed: more than it can read in good
    time (size, brackets, nesting) and a YAML block that would become the document's
    settings."""
    lines = Lines(body, first_line)

    def at(offset: int, message: str) -> Problem:
        return Problem(shown, *lines.position(offset), "", message)

    if len(body) > MAX_BODY:
        return [], [Problem(shown, first_line, 1, "", (
            f"the brief's text is {len(body):,} characters; a brief holds at most {MAX_BODY:,} "
            "(about 60 pages): keep the argument here and the detail in the case files"))]
    problems: list[Problem] = []
    for m in list(_CONTROL.finditer(body))[:MAX_SAID]:
        problems.append(at(m.start(), f"control character U+{ord(m.group()):04X} in the "
                                      "text; delete it (it has no printed form)"))
    code = _code_spans(body)
    blocks, unclosed = _fences(body)
    if unclosed is not None:
        fence = _FENCE_OPEN.match(body[unclosed:]).group(1)
        problems.append(at(unclosed, (
            "this code block is never closed: everything after it in the briefing would print "
            f"as code; end it with a line of {fence}")))
    problems += _said(_word_problems(body, _spans(code), at))
    # What pandoc must not be handed: it would take too long over it (brackets, nesting),
    # or read it as YAML (whose aliases can expand without end).
    unreadable = _said(_bracket_problems(body, _spans(code), at))
    unreadable += _said(_nesting_problems(body, _spans(code), at))
    for start in _metadata_blocks(body, _spans(blocks)):
        unreadable.append(at(start, (
            "a YAML block (--- … ---) in the text: pandoc would read it as the document's "
            "settings, not as text; put the settings in the front matter, and write a rule "
            "as *** or as --- with a blank line after it")))
    return problems, unreadable


def _metadata_blocks(body: str, code) -> list[int]:
    """Where pandoc would read a YAML metadata block: a line `---` at the start or after a
    blank line, not followed by a blank line, and closed by a line `---` or `...`."""
    found = []
    lines = body.split("\n")
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line) + 1)
    closers = [i for i, line in enumerate(lines) if line.rstrip() in ("---", "...")]
    for i, line in enumerate(lines):
        if line.rstrip() != "---" or _inside(offsets[i], code):
            continue
        if (i > 0 and lines[i - 1].strip()) or i + 1 >= len(lines) or not lines[i + 1].strip():
            continue
        j = bisect.bisect_right(closers, i)
        if j < len(closers):
            found.append(offsets[i])
    return found


def _said(problems: list[Problem]) -> list[Problem]:
    """At most MAX_SAID problems of one kind, then one saying how many more."""
    if len(problems) <= MAX_SAID:
        return problems
    last = problems[MAX_SAID - 1]
    more = len(problems) - MAX_SAID
    return problems[:MAX_SAID] + [Problem(last.path, last.line, last.column, "", (
        f"and {more:,} more like it"))]


def _escaped(text: str, offset: int) -> bool:
    """Whether the character at `offset` is escaped by an odd number of backslashes."""
    n = 0
    while offset - n - 1 >= 0 and text[offset - n - 1] == "\\":
        n += 1
    return n % 2 == 1


def _bracket_problems(body: str, code, at) -> list[Problem]:
    """Brackets nested deeper than MAX_BRACKET_DEPTH, and paragraphs leaving more than
    MAX_UNCLOSED open; code does not count, nor an escaped bracket (\\[)."""
    problems = []
    starts = [0] + [m.end() for m in _PARAGRAPH_BREAK.finditer(body)]
    ends = [m.start() for m in _PARAGRAPH_BREAK.finditer(body)] + [len(body)]
    for start, end in zip(starts, ends):
        if end - start > MAX_PARAGRAPH and not _inside(start, code):
            problems.append(at(start, (
                f"a paragraph of {end - start:,} characters; a brief's paragraphs are at most "
                f"{MAX_PARAGRAPH:,} (pandoc reads each as one): split it with blank lines")))
            continue
        open_: list[int] = []
        deep: list[Problem] = []
        count = 0
        for m in re.finditer(r"[\[\]]", body[start:end]):
            offset = start + m.start()
            if _inside(offset, code) or _escaped(body, offset):
                continue
            if m.group() == "[":
                count += 1
                if count == MAX_BRACKETS + 1:
                    problems.append(at(offset, (
                        f"more than {MAX_BRACKETS} brackets in one paragraph (pandoc's reading "
                        "time grows with each): split it with blank lines")))
                open_.append(offset)
                if len(open_) > MAX_BRACKET_DEPTH and not deep:
                    deep.append(at(offset, (
                        f"brackets nested {len(open_)} deep; a brief nests at most "
                        f"{MAX_BRACKET_DEPTH} (pandoc's reading time grows steeply with each "
                        "level): take some out, or write \\[ for a bracket that is text")))
            elif open_:
                open_.pop()
        if len(open_) <= MAX_UNCLOSED:
            problems += deep  # else the brackets left open are the problem to fix first
        else:
            problems.append(at(open_[0], (
                f"{len(open_)} brackets in this paragraph are never closed; a paragraph may "
                f"leave at most {MAX_UNCLOSED} open (pandoc tries every way of closing them, "
                "and its time doubles with each): close them, or write \\[ for a bracket "
                "that is text")))
    return problems


def _nesting_problems(body: str, code, at) -> list[Problem]:
    """Lines indented or quoted past MAX_INDENT, and ::: blocks nested past MAX_DIV_DEPTH
    or never closed."""
    problems = []
    offset = 0
    for line in body.split("\n"):
        prefix = re.match(r"[ \t>]*", line).group()
        width = len(prefix.expandtabs(4))
        if width > MAX_INDENT and line.strip(" \t>") and not _inside(offset, code):
            problems.append(at(offset, (
                f"this line is indented or quoted {width} columns deep; a brief nests lists "
                f"and quotes at most {MAX_INDENT} columns deep")))
        offset += len(line) + 1
    divs = fenced_divs(body, code)
    for start, _end, depth in divs:
        if depth == MAX_DIV_DEPTH + 1:
            problems.append(at(start, (
                f"::: blocks nested {depth} deep; a brief nests at most {MAX_DIV_DEPTH}")))
    for start in (start for start, end, _depth in divs if end is None):
        problems.append(at(start, (
            "this ::: block is never closed: everything after it in the briefing would be "
            "inside it; end it with a line of :::")))
    return problems


def _word_problems(body: str, code, at) -> list[Problem]:
    """Words longer than MAX_WORD (a web address may be longer, up to MAX_ADDRESS): a line
    cannot break inside one, so it runs off the page, or fills page after page."""
    problems = []
    for m in _LONG.finditer(body):
        if _inside(m.start(), code):
            continue
        word = m.group()
        addresses = [a.group() for a in _ADDRESS.finditer(word) if "://" in a.group()]
        longest = max(addresses, key=len, default="")
        if longest and len(longest) > MAX_ADDRESS:
            where = m.start() + word.index(longest)
            problems.append(at(where, (
                f"a web address of {len(longest):,} characters; a brief's web addresses are at "
                f"most {MAX_ADDRESS} (shorten it, or link to the page that lists it)")))
        elif not longest and len(word) > MAX_WORD:
            problems.append(at(m.start(), (
                f"a word of {len(word):,} characters without a space would run off the page; "
                f"words are at most {MAX_WORD} characters (a web address may be longer)")))
    return problems




# ---------------------------------------------------------------- numbers without a source

NUMBER = re.compile(
    r"(?<![\w.\-/\\@#])"  # not the tail of a word, a model name (GPT-4) or an id
    r"(?:(?:US\$|HK\$|[$€£¥])\s?)?"
    r"\d[\d,]*(?:\.\d+)?(?:/\d+)?"
    r"(?:\s?(?:%|×|bn\b|billion\b|million\b|trillion\b|[mkMBK]\b|万|亿))?"
    r"(?![\w\-]|\.\w)")
SENTENCE_END = re.compile(r"[.!?。！？](?=\s|$)|\n\s*\n")


def unsourced_numbers(brief: Brief) -> list[Problem]:
    """Return a warning for each number in the prose that is neither a live fact nor followed,
    in its sentence, by a citation."""
    body = brief.body
    skip = _spans(_code_spans(body) + [(f.start, f.end) for f in brief.facts] +
                  [(e.start, e.end) for e in brief.exhibits] +
                  [(m.start(), m.end()) for m in CITATION.finditer(body)] +
                  [(m.start(), m.end()) for m in re.finditer(r"\]\([^)]*\)|\{[^{}\n]*\}",
                                                             body)] +
                  [(m.start(), m.end()) for m in re.finditer(r"^\s*(?:\d+[.)]|[-*+])\s", body,
                                                             re.M)])
    refs = _spans([(f.start, f.end) for f in brief.facts])
    citations = [m.start() for m in CITATION.finditer(body) if not _inside(m.start(), refs)]
    citations += [f.start for f in brief.facts]
    citations.sort()
    lines = Lines(body, brief.body_line)
    problems = []
    for m in NUMBER.finditer(body):
        if _inside(m.start(), skip):
            continue
        end = SENTENCE_END.search(body, m.end())
        stop = end.start() if end else len(body)
        after = bisect.bisect_left(citations, m.end())
        if after < len(citations) and citations[after] <= stop:
            continue
        line, column = lines.position(m.start())
        problems.append(Problem(brief.shown, line, column, "",
                                f"unsourced number '{m.group().strip()}'; make it a live fact "
                                "[[case:record.field]] or cite its source [@key]"))
    return problems


# ---------------------------------------------------------------- helpers


class Lines:
    """Line and column of an offset in a text, found by bisection (counting the newlines
    before each of 50,000 marks took minutes)."""

    def __init__(self, text: str, first_line: int = 1) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.first_line = first_line

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.first_line + index, offset - self.starts[index] + 1


def _position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    return Lines(text, first_line).position(offset)


_FENCE_OPEN = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of fenced code blocks and inline code, where nothing is a mark, in
    order. Both are found in one pass each: a regular expression that looked for the
    closing fence from every opening took minutes over 20,000 unclosed fences."""
    spans = fenced_blocks(text)
    inline: list[tuple[int, int]] = []
    outside = [(a, b) for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] +
                                      [len(text)])]
    for a, b in outside:
        runs = [(m.start(), m.end()) for m in _BACKTICKS.finditer(text, a, b)]
        by_length: dict[int, list[int]] = {}
        for i, (start, end) in enumerate(runs):
            by_length.setdefault(end - start, []).append(i)
        i = 0
        while i < len(runs):
            start, end = runs[i]
            later = by_length[end - start]
            j = bisect.bisect_right(later, i)
            if j < len(later):  # the next run of as many backticks closes it
                close = runs[later[j]]
                inline.append((start, close[1]))
                i = later[j] + 1
            else:
                i += 1
    return sorted(spans + inline)


def fenced_blocks(text: str) -> list[tuple[int, int]]:
    """The spans of fenced code blocks (``` or ~~~, closed by at least as many of the same
    mark); one left open runs to the end of the text."""
    return _fences(text)[0]


def _fences(text: str) -> tuple[list[tuple[int, int]], int | None]:
    """The spans of fenced code blocks, and where the one left open starts (or None)."""
    spans = []
    opened: tuple[int, str] | None = None
    offset = 0
    for line in text.splitlines(keepends=True):
        stripped = line.rstrip("\n")
        if opened is None:
            m = _FENCE_OPEN.match(stripped)
            if m:
                opened = (offset, m.group(1))
        else:
            fence = opened[1]
            mark = stripped.strip()
            if mark and set(mark) == {fence[0]} and len(mark) >= len(fence) and \
                    len(stripped) - len(stripped.lstrip(" ")) <= 3:
                spans.append((opened[0], offset + len(stripped)))
                opened = None
        offset += len(line)
    if opened is not None:
        spans.append((opened[0], len(text)))
    return spans, opened[0] if opened is not None else None


def _spans(spans) -> tuple[list[int], list[int]]:
    """Spans ready for `_inside`: merged where they overlap, as starts and ends."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [a for a, _ in merged], [b for _, b in merged]


def _inside(offset: int, spans) -> bool:
    """Whether `offset` falls in one of `spans` (a list of pairs, or `_spans`' result)."""
    if isinstance(spans, list):
        spans = _spans(spans)
    starts, ends = spans
    i = bisect.bisect_right(starts, offset) - 1
    return i >= 0 and offset < ends[i]


def _alone_in_paragraph(text: str, start: int, end: int) -> bool:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    before = text[line_start:start]
    after = text[end:line_end if line_end >= 0 else len(text)]
    return not before.strip() and not after.strip()
