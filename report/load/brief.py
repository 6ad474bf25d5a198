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
from ..model.brief import FrontMatter
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
    return Brief(path, shown, meta, body, body_line, tuple(facts), tuple(exhibits),
                 tuple(citations), doc), problems


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
