"""The brief as pandoc reads it: its body checked on the document tree every format is made
from, not on its text, so that what `report check` accepts is exactly what the build
renders.

pandoc's Markdown has many ways to write one thing (an autolink, a reference defined in a
list, an image behind a stray backtick, attributes on any heading, span, div or link), and
a check of the text misses some of them. Here pandoc reads the body (`pandoc -t json`, with
the reader every format uses) and every element, attribute, link and citation in the tree
is held against an allow-list:

- elements: text, emphasis, lists, quotes, headings, tables, code, footnotes, links; no
  image (a chart is an exhibit), raw HTML or TeX, or math;
- attributes: `.view` with `likelihood` on a span or block, `.finding` with its id on a
  block, `.confidence` on a span, `.unnumbered` on a heading, an id on a heading that is
  none of the briefing's own; nothing else (no `style`, no event handler, no
  `custom-style`);
- links: http(s) pages and sections (#id) only;
- citations: the sources the case files, rates and claims list;
- the body stands alone: no YAML block that becomes the document's settings, and no block
  left open that would swallow the sections after it.

pandoc gives no positions, so each problem is placed where its attribute, address or key
is written in the body. The live facts' own Markdown is checked as the build writes it by
`composed_problems` (report/check.py, which has their values).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache

from ..errors import Problem
from ..load.brief import Brief, Lines, mark_spans
from ..load.yamlfile import Suggestions
from .pandoc import TooSlow, read_tree

READ_LIMIT = 20.0  # seconds pandoc may take to read a brief: a long one takes a tenth of one
MAX_DEPTH = 12  # blocks inside one another (lists in quotes in views …)
SENTINEL_ID = "report-end-of-brief-"  # a heading after the body: nothing may swallow it


def sentinel(n: int = 0) -> str:
    return f"\n\n# End {{#{SENTINEL_ID}{n}}}\n"


BLOCKS = {"Plain", "Para", "LineBlock", "CodeBlock", "BlockQuote", "OrderedList",
          "BulletList", "DefinitionList", "Header", "HorizontalRule", "Table", "Div"}
INLINES = {"Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript",
           "SmallCaps", "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Link",
           "Note", "Span"}
# Values pandoc writes as tagged objects that are no element: quote and citation kinds, list
# numbering, table alignment and widths.
VALUES = {"SingleQuote", "DoubleQuote", "AuthorInText", "SuppressAuthor", "NormalCitation",
          "DefaultStyle", "Example", "Decimal", "LowerRoman", "UpperRoman", "LowerAlpha",
          "UpperAlpha", "DefaultDelim", "Period", "OneParen", "TwoParens", "AlignLeft",
          "AlignRight", "AlignCenter", "AlignDefault", "ColWidth", "ColWidthDefault"}
NESTING = {"BlockQuote", "OrderedList", "BulletList", "DefinitionList", "Div", "Note",
           "Table"}
# Where each kind of element keeps its attributes (its index in "c").
ATTR_AT = {"Header": 1, "Div": 0, "Span": 0, "Link": 0, "Code": 0, "CodeBlock": 0,
           "Table": 0, "Image": 0, "Figure": 0}
LANGUAGE = re.compile(r"^[A-Za-z0-9_+#.-]{1,40}$")  # a code block's language
WEB = re.compile(r"^https?://[^\s\x00-\x1f\x7f]+$", re.I)
SECTION = re.compile(r"^#[^\s\x00-\x1f\x7f]*$")
# The page's and pandoc's own ids: citeproc's list and entries, the contents, footnotes,
# the tool's scripts and preview. The ids of the briefing's sections, tables and figures are
# those its templates write ({#sources} …), and, exactly, the ones the composed briefing
# holds (composed_problems): a brief's own table may be {#tbl-watch}, not {#tbl-glance}.
OWN_PREFIXES = ("ref-", "refs-", "report-")  # refs-: the source list's groups
OWN_PATTERN = re.compile(r"^(?:refs|TOC|footnotes|fn\d+|fnref\d+)$")

ALLOWED_ATTRIBUTES = ("a brief sets only likelihood on a .view, the id of a .finding block, "
                      ".key-data on one block, .confidence on a span, and .unnumbered or an "
                      "id on a heading")


@cache
def own_ids() -> frozenset[str]:
    """The ids the briefing's own sections carry ({#findings}, {#sources} …): a brief's
    heading with one of them would make two elements of one id, which pandoc refuses."""
    from importlib import resources

    found: set[str] = set()
    for template in (resources.files("report.compose") / "templates").iterdir():
        if template.name.endswith(".j2"):
            found |= set(re.findall(r"\{#([A-Za-z][\w-]*)", template.read_text("utf-8")))
    return frozenset(found)


def is_own_id(identifier: str) -> bool:
    return identifier in own_ids() or identifier.startswith(OWN_PREFIXES) or \
        bool(OWN_PATTERN.match(identifier))


class MarkdownChecks:
    """The rendering stage's checks of the brief's body, run by the loading stage
    (load.brief.MarkdownChecks)."""

    KEPT = 4  # the brief as written and as written out, each of the last two saves

    def __init__(self) -> None:
        self._kept: dict[str, tuple[dict, list[str]] | str] = {}

    def problems(self, brief: Brief, citation_keys: set[str] | None) -> list[Problem]:
        if not brief.readable:  # past a bound: limits() has said what to change
            return []
        text = placeholders(brief) + sentinel()
        tree = self._read(text)
        if isinstance(tree, str):
            return [Problem(brief.shown, brief.body_line, 1, "", tree)]
        found = Checker(brief, citation_keys)
        found.warnings(tree[1])
        found.document(tree[0])
        return found.problems

    def _read(self, text: str) -> tuple[dict, list[str]] | str:
        """pandoc's tree of `text`, or why it could not be read (the last answers are kept:
        `report preview` checks an unchanged brief, as written and as written out, on every
        save of a case file)."""
        if text in self._kept:
            return self._kept[text]
        try:
            answer: tuple[dict, list[str]] | str = read_tree(text, READ_LIMIT)
        except TooSlow:
            answer = (f"pandoc did not finish reading the brief within {READ_LIMIT:g} s; "
                      "something in it is read very slowly (many brackets, deep nesting): "
                      "simplify the Markdown, and report the brief")
        except RecursionError:
            answer = "the brief is nested too deeply to read; simplify its Markdown"
        self._kept[text] = answer
        while len(self._kept) > self.KEPT:
            del self._kept[next(iter(self._kept))]  # the oldest
        return answer


MARKDOWN = MarkdownChecks()


def placeholders(brief: Brief) -> str:
    """The body with each live fact and exhibit mark replaced by a word of its length: the
    Markdown the analyst wrote, where every position stays where it was."""
    body = brief.body
    marks = mark_spans(body)
    parts, at = [], 0
    for start, end in marks:
        parts += [body[at:start], "x" * (end - start)]
        at = end
    parts.append(body[at:])
    return "".join(parts)


# ---------------------------------------------------------------- where in the body


class Locator:
    """Finds where a node of the tree is written in the body, by the text that wrote it:
    pandoc's Markdown reader records no positions. Each piece of text is found in turn (the
    second link to one address at the second place it is written)."""

    def __init__(self, brief: Brief) -> None:
        self.body = brief.body
        self.lines = Lines(brief.body, brief.body_line)
        self.next: dict[str, int] = {}

    def find(self, *needles: str) -> tuple[int, int] | None:
        for needle in needles:
            if not needle:
                continue
            start = self.next.get(needle, 0)
            offset = self.body.find(needle, start)
            if offset < 0 and start:
                offset = self.body.find(needle)
            if offset >= 0:
                self.next[needle] = offset + 1
                return self.lines.position(offset)
        return None


# ---------------------------------------------------------------- the allow-list


@dataclass
class Where:
    """What is known of the element being checked: the texts it was written with, to find
    it by, from the innermost outwards."""

    needles: tuple[str, ...] = ()


class Checker:
    """Walks pandoc's tree of the brief and collects a problem for each element, attribute,
    link or citation the allow-list does not hold."""

    def __init__(self, brief: Brief, citation_keys: set[str] | None,
                 tool: Callable[[dict], str | None] = lambda node: None,
                 own: frozenset[str] = frozenset()) -> None:
        self.brief = brief
        self.keys = citation_keys
        self.suggest = Suggestions(citation_keys or ())
        self.where = Locator(brief)
        self.problems: list[Problem] = []
        self.ids: dict[str, str] = {}
        # Elements the build writes itself (composed_problems): "skip" one whole, "attributes"
        # to take its attributes as the build's and check what it holds.
        self.tool = tool
        self.own = own  # the ids the rest of the briefing holds, when it is known
        self.key_data_seen = False

    def problem(self, message: str, *needles: str) -> None:
        line, column = self.where.find(*needles) or (self.brief.body_line, 1)
        self.problems.append(Problem(self.brief.shown, line, column, "", message))

    # ------------------------------------------------------------ the document

    def document(self, tree: dict, sentinels: int = 1) -> None:
        if tree.get("meta"):
            keys = ", ".join(sorted(tree["meta"]))[:80]
            self.problem(f"a YAML block in the text sets the document's settings ({keys}); "
                         "the brief's settings are its front matter", "\n---")
        blocks = tree.get("blocks", [])
        ends = [i for i, b in enumerate(blocks) if _is_sentinel(b)]
        if len(ends) < sentinels or (blocks and not _is_sentinel(blocks[-1])):
            last = next((b for b in reversed(blocks) if not _is_sentinel(b)), None)
            self.problem(("this block is never closed: everything after it in the briefing "
                          "would be inside it; close it (``` or :::)"),
                         *_words(last))
        try:
            for block in blocks:
                if not _is_sentinel(block):
                    self.node(block, 0)
        except RecursionError:
            self.problem("the brief is nested too deeply to read; simplify its Markdown")

    def warnings(self, warned: list[str]) -> None:
        """pandoc's warnings about the body (a duplicate id or reference, a note never
        used …): the build fails on each, so each is a problem at the line pandoc gives."""
        for warning in warned:
            text = " ".join(warning.replace("[WARNING]", "").split())
            m = re.search(r" at line (\d+) column (\d+)", text)
            message = re.sub(r" at line \d+ column \d+", "", text)
            line = int(m.group(1)) + self.brief.body_line - 1 if m else self.brief.body_line
            column = int(m.group(2)) if m else 1
            duplicate = re.match(r"Duplicate identifier '(.*)'$", message)
            if duplicate:
                message = (f"the id '{duplicate.group(1)}' is given twice; an id names one "
                           "place")
            else:
                message = f"pandoc: {message[0].lower()}{message[1:]}"
            self.problems.append(Problem(self.brief.shown, line, column, "", message))

    # ------------------------------------------------------------ one element

    def node(self, node, depth: int) -> None:
        if isinstance(node, list):
            for item in node:
                self.node(item, depth)
            return
        if not isinstance(node, dict):
            return
        kind = node.get("t")
        if kind is None:  # a citation's record: its prefix and suffix are inlines
            for value in node.values():
                self.node(value, depth)
            return
        if kind in VALUES:
            return
        made = self.tool(node)
        if made == "skip":
            return
        content = node.get("c")
        if kind in NESTING:
            depth += 1
            if depth == MAX_DEPTH + 1:
                self.problem(f"blocks nested {depth} deep (lists, quotes, ::: blocks); a brief "
                             f"nests at most {MAX_DEPTH}", *_words(node))
        if kind == "Image":
            self.problem("images are not allowed in a brief; place a chart with "
                         "[[exhibit:ID]]", "![", content[2][0])
            return
        if kind == "Figure":  # made of an image alone in its paragraph: said of the image
            self.node(content[2], depth)
            return
        if kind in ("RawBlock", "RawInline"):
            self.problem(f"raw {content[0]} is not allowed in a brief; write the text as "
                         "Markdown", content[1][:40])
            return
        if kind == "Math":
            self.problem("math is not read in a brief; write the formula as text",
                         content[1][:40])
            return
        if kind not in BLOCKS and kind not in INLINES:
            self.problem(f"pandoc reads this as {kind}, which a brief may not hold",
                         *_words(node))
            return
        if kind in ATTR_AT and made != "attributes":
            self.attributes(kind, content[ATTR_AT[kind]], node)
        if kind == "Link":
            self.link(content[2][0])
        elif kind == "Cite":
            for citation in content[0]:
                self.cite(citation["citationId"])
                self.node([citation["citationPrefix"], citation["citationSuffix"]], depth)
            self.node(content[1], depth)
            return
        if kind == "Code" or kind == "CodeBlock":
            return
        self.node(content, depth)

    def link(self, url: str) -> None:
        if WEB.match(url) or SECTION.match(url):
            return
        self.problem(f"link to '{url[:60]}': a brief links only to http(s) pages or to a "
                     "section (#id)", url, url[:20], url.split(":", 1)[0] + ":")

    def cite(self, key: str) -> None:
        if self.keys is None or key in self.keys:
            return
        self.problem(f"unknown source '@{key}'{self.suggest(key)}; cite a source as "
                     "@case:source-id", f"@{key}")

    # ------------------------------------------------------------ attributes

    def attributes(self, kind: str, attr: list, node: dict) -> None:
        identifier, classes, pairs = attr
        for key, _value in pairs:
            if not (key == "likelihood" and "view" in classes and kind in ("Span", "Div")):
                self.problem(f"attribute '{key}' is not allowed: {ALLOWED_ATTRIBUTES}",
                             f"{key}=", key)
        allowed = {"Header": {"unnumbered", "unlisted"}, "Span": {"view", "confidence"},
                   "Div": {"view", "finding", "key-data"},
                   "Link": {"uri", "email"}}.get(kind, set())
        for name in classes:
            if kind in ("Code", "CodeBlock") and len(classes) == 1 and LANGUAGE.match(name):
                continue  # a code block's language
            if name not in allowed:
                self.problem(f"class '.{name}' is not allowed on a {_what(kind)}: "
                             f"{ALLOWED_ATTRIBUTES}", f".{name}", name)
        if kind == "Div" and "key-data" in classes:
            # The cover's box of the numbers a reader will quote (compose.key_data_box).
            if self.key_data_seen or len(classes) > 1 or identifier:
                self.problem("a brief has one key-data box, marked ::: key-data and nothing "
                             "else: " + ALLOWED_ATTRIBUTES, "key-data")
            else:
                self.where.find("key-data")  # so a second box is placed at its own line
            self.key_data_seen = True
            return
        if kind in ("Span", "Div") and "view" in classes and len(classes) > 1:
            self.problem("a view is marked .view and nothing else: "
                         + ALLOWED_ATTRIBUTES, ".view")
        if kind == "Div" and "finding" in classes:
            return  # its id names the finding: load.brief.find_findings checks it
        if identifier:
            self.identifier(kind, identifier, node)

    def identifier(self, kind: str, identifier: str, node: dict) -> None:
        needles = (f"#{identifier}", f"id={identifier}", f'id="{identifier}"',
                   *_words(node))
        if kind not in ("Header", "Table"):
            self.problem(f"an id ('{identifier}') is allowed on a heading only (and on a "
                         "finding block)", *needles)
        elif is_own_id(identifier) or identifier in self.own:
            what = "heading" if kind == "Header" else "table"
            own = ("which the briefing uses for its own (its sections, figures, tables and "
                   "sources take such ids)")
            if f"#{identifier}" in self.brief.body or kind == "Table":
                said = f"the id '{identifier}' is one {own[6:]}"
            else:
                said = (f"the heading '{_text(node['c'][2])[:40]}' gets the id '{identifier}', "
                        f"{own}")
            self.problem(f"{said}; give the {what} another: {{#my-{identifier}}}", *needles)


# ---------------------------------------------------------------- as the build writes it


def composed_problems(brief: Brief, body: str, findings: dict[str, str],
                      citation_keys: set[str] | None, images: set[str],
                      tables: set[str], own: frozenset[str] = frozenset()) -> list[Problem]:
    """Problems with the brief as the build writes it, live facts and exhibits written out
    (`body`, and its `findings` as the fact pack lists them): what the analyst wrote and what
    the build wrote can combine (a fact's citation followed by `(javascript:…)` is a link),
    so the Markdown pandoc gets is checked too. The build's own elements (its figures, the
    `images`; its key-data tables, `tables`; a fact's confidence, a view's label and Word
    style) pass; everything else is held to the allow-list as the analyst's, and no id of
    the analyst's may be one the rest of the briefing holds (`own`)."""
    text = body + sentinel() + "".join(f"- {finding}{sentinel(n)}"
                                       for n, finding in enumerate(findings.values(), 1))
    tree = MARKDOWN._read(text)
    if isinstance(tree, str):
        return [Problem(brief.shown, brief.body_line, 1, "", tree)]
    found = Checker(brief, citation_keys, _built_by(images, tables), own)
    found.document(tree[0], sentinels=1 + len(findings))
    found.warnings(tree[1])
    return found.problems


def _built_by(images: set[str], tables: set[str]) -> Callable[[dict], str | None]:
    def made(node: dict) -> str | None:
        kind, content = node.get("t"), node.get("c")
        if kind == "Image" and content[2][0] in images:
            return "skip"
        if kind == "Figure" and any(image in images for image in _targets(content[2])):
            return "skip"
        if kind == "Table" and content[0][0] in tables:
            return "skip"
        if kind == "Span":
            identifier, classes, pairs = content[0]
            if not identifier and classes in ([], ["fact"]) and (classes or pairs) and \
                    {k for k, _ in pairs} <= {"data-confidence"}:
                return "skip"  # a live fact (its value, confidence and citation)
            if classes in (["view-label"], ["key-data-title"]) and not pairs:
                return "skip"
        if kind in ("Span", "Div"):
            identifier, classes, pairs = content[0]
            styles = {"Span": "Analyst View Char", "Div": "Analyst View"}
            if classes == ["view"] and dict(pairs).get("custom-style") == styles[kind] and \
                    {k for k, _ in pairs} <= {"likelihood", "custom-style"}:
                return "attributes"  # the build's rewrite of a view: what it holds is checked
        return None

    return made


def _targets(node) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("t") == "Image":
            yield node["c"][2][0]
        else:
            yield from _targets(node.get("c"))
    elif isinstance(node, list):
        for item in node:
            yield from _targets(item)


def _is_sentinel(block) -> bool:
    return isinstance(block, dict) and block.get("t") == "Header" and \
        block["c"][1][0].startswith(SENTINEL_ID)


def _what(kind: str) -> str:
    return {"Header": "heading", "Span": "span", "Div": "::: block", "Link": "link",
            "Code": "code span", "CodeBlock": "code block", "Table": "table"}.get(kind, kind)


def _strings(node) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("t") == "Str":
            yield node["c"]
        elif node.get("t") in ("Code", "CodeBlock"):
            yield node["c"][1]
        else:
            yield from _strings(node.get("c"))
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _text(inlines) -> str:
    return " ".join(_strings(inlines))


def _words(node) -> tuple[str, ...]:
    """Texts to find an element by: its first words, then its first word."""
    words = [w for w in _strings(node) if w.strip()][:3]
    if not words:
        return ()
    return (" ".join(words), words[0].splitlines()[0] if words[0].splitlines() else words[0])
