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
    text = read_text(path, shown, "brief", files)
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
    facts, exhibits, citations, mark_problems = find_marks(body, body_line, shown)
    problems += mark_problems
    views, view_problems = find_views(body, body_line, shown)
    problems += view_problems
    findings, finding_problems = find_findings(body, body_line, shown)
    problems += finding_problems
    return Brief(path, shown, meta, body, body_line, tuple(facts), tuple(exhibits),
                 tuple(citations), doc, tuple(views), tuple(findings)), problems


def find_marks(body: str, first_line: int, shown: str):
    """Return the live facts, exhibit marks and citations in the body, and malformed marks."""
    facts: list[FactRef] = []
    exhibits: list[ExhibitMark] = []
    problems: list[Problem] = []
    code = _code_spans(body)
    for m in REFERENCE.finditer(body):
        if _inside(m.start(), code):
            continue
        line, column = _position(body, m.start(), first_line)
        inner = " ".join(m.group(1).split())
        exhibit = EXHIBIT.match(inner)
        if exhibit:
            if not _alone_in_paragraph(body, m.start(), m.end()):
                problems.append(Problem(shown, line, column, "", (
                    f"[[{inner}]] must be a paragraph of its own, with blank lines around it")))
            exhibits.append(ExhibitMark(exhibit.group("id"), line, column, m.start(), m.end()))
            continue
        try:
            expr = parse_mark(inner)
        except MarkError as why:
            problems.append(Problem(shown, line, column, "", f"[[{inner}]]: {why}"))
            continue
        facts.append(FactRef(inner, line, column, m.start(), m.end(), expr))
    citations = []
    marks = code + [(m.start(), m.end()) for m in REFERENCE.finditer(body)]
    for m in CITATION.finditer(body):
        if _inside(m.start(), marks):
            continue
        for key in CITE_KEY.finditer(m.group()):
            line, column = _position(body, m.start() + key.start(), first_line)
            citations.append((key.group(1), line, column))
    problems += _refused_markdown(body, first_line, shown, code)
    return facts, exhibits, citations, problems


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
    code = _code_spans(body)
    found: list[tuple[int, int, str, bool]] = []
    for m in _BLOCK_VIEW.finditer(body):
        if _is_view(m.group("attrs")) and not _inside(m.start(), code):
            found.append((m.start(), _div_end(body, m), m.group("attrs"), True))
    for m in _SPAN_VIEW.finditer(body):
        if _is_view(m.group("attrs")) and not _inside(m.start(), code):
            found.append((m.start(), m.end(), m.group("attrs"), False))
    views, problems = [], []
    for start, end, attrs, block in sorted(found):
        line, column = _position(body, start, first_line)
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
    code = _code_spans(body)
    found, problems, seen = [], [], set()
    for m in _BLOCK_VIEW.finditer(body):
        if ".finding" not in m.group("attrs").split() or _inside(m.start(), code):
            continue
        line, column = _position(body, m.start(), first_line)
        given = _ID_ATTR.search(m.group("attrs"))
        name = next((g for g in given.groups() if g), "") if given else ""
        if name not in FINDINGS or name in seen:
            why = f"a second finding '{name}'" if name in seen else \
                f"a finding's id is one of {', '.join(FINDINGS)}, not '{name}'"
            problems.append(Problem(shown, line, column, "", why))
            continue
        seen.add(name)
        end = _div_end(body, m)
        closing = body.rfind("\n", m.end(), end - 1)
        found.append(FindingMark(name, line, column, m.start(), end, m.end() + 1,
                                 max(closing, m.end() + 1)))
    return found, problems


def _is_view(attrs: str) -> bool:
    return ".view" in attrs.split()


def _div_end(body: str, opening: re.Match) -> int:
    """Where a fenced div ends: at its closing fence, counting the divs opened inside it."""
    depth = 0
    for fence in _FENCE.finditer(body, opening.start()):
        depth += 1 if fence.group(2) else -1
        if depth == 0:
            return fence.end()
    return len(body)


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
        line, column = _position(body, a + lead, first_line)
        found.append(Sentence(a + lead, b, line, column, text.lstrip().startswith("#")))
    return found


# ---------------------------------------------------------------- what a brief may not hold

_IMAGE = re.compile(r"!\[")
_LINK_TARGET = re.compile(r"\]\(\s*<?([^)\s>]*)")
_REF_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*(\S+)", re.M)


def _refused_markdown(body: str, first_line: int, shown: str, code) -> list[Problem]:
    """A brief places charts as exhibits and links only to the web or within the document:
    an image or a link to a file would make pandoc read from this machine."""
    problems = []
    for m in _IMAGE.finditer(body):
        if not _inside(m.start(), code):
            line, column = _position(body, m.start(), first_line)
            problems.append(Problem(shown, line, column, "", (
                "images are not allowed in a brief; place a chart with [[exhibit:ID]]")))
    images = [(m.start(), body.find(")", m.start()) + 1) for m in _IMAGE.finditer(body)]
    for pattern in (_LINK_TARGET, _REF_LINK):
        for m in pattern.finditer(body):
            target = m.group(1)
            if _inside(m.start(), code + images) or not target or \
                    re.match(r"^(https?:|#)", target, re.I):
                continue
            if pattern is _LINK_TARGET and body[max(0, m.start() - 1):m.start()] == "]":
                continue
            line, column = _position(body, m.start(1), first_line)
            problems.append(Problem(shown, line, column, "", (
                f"link to '{target[:60]}': a brief links only to http(s) pages or to a "
                "section (#id)")))
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
    skip = _code_spans(body) + [(f.start, f.end) for f in brief.facts] + \
        [(e.start, e.end) for e in brief.exhibits] + \
        [(m.start(), m.end()) for m in CITATION.finditer(body)] + \
        [(m.start(), m.end()) for m in re.finditer(r"\]\([^)]*\)|\{[^{}\n]*\}", body)] + \
        [(m.start(), m.end()) for m in re.finditer(r"^\s*(?:\d+[.)]|[-*+])\s", body, re.M)]
    refs = [(f.start, f.end) for f in brief.facts]
    citations = [m.start() for m in CITATION.finditer(body) if not _inside(m.start(), refs)]
    citations += [f.start for f in brief.facts]
    problems = []
    for m in NUMBER.finditer(body):
        if _inside(m.start(), skip):
            continue
        end = SENTENCE_END.search(body, m.end())
        stop = end.start() if end else len(body)
        if any(m.end() <= c <= stop for c in citations):
            continue
        line, column = _position(body, m.start(), brief.body_line)
        problems.append(Problem(brief.shown, line, column, "",
                                f"unsourced number '{m.group().strip()}'; make it a live fact "
                                "[[case:record.field]] or cite its source [@key]"))
    return problems


# ---------------------------------------------------------------- helpers


def _position(text: str, offset: int, first_line: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset)
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return first_line + line, column


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of fenced code blocks and inline code, where nothing is a mark."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"^(```|~~~).*?^\1[ \t]*$", text,
                                                       re.M | re.S)]
    spans += [(m.start(), m.end()) for m in re.finditer(r"(`+)(?!`).+?(?<!`)\1(?!`)", text,
                                                        re.S)]
    return spans


def _inside(offset: int, spans) -> bool:
    return any(a <= offset < b for a, b in spans)


def _alone_in_paragraph(text: str, start: int, end: int) -> bool:
    before = text[:start].rsplit("\n", 1)[-1]
    after = text[end:].split("\n", 1)[0]
    return not before.strip() and not after.strip()
