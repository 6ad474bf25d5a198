"""The HTML page again, fast: pandoc renders only the sections that changed since last time.

`report preview` makes the page on every save. pandoc reading and writing the whole
250 KB briefing takes about two seconds, most of it on sections the save did not touch. So
the Markdown is cut at its headings of levels 1 to 3 and between captioned tables, and each
section is rendered by
pandoc on its own and kept, keyed by its text and its section number; the page around the
sections (cover, contents) is rendered from the metadata and the headings alone, and kept
too. The one thing pandoc does across the whole document is citeproc's numbering: a
section's citations are numbered here, in order of first citation as citeproc numbers them
with the briefing's numeric style, and each source's entry in the list of sources is
citeproc's own, rendered once per source and kept.

The page is the same, byte for byte, as the one `report build --format html` writes
(tests/test_incremental.py checks it). Where the Markdown uses something that crosses
sections (footnotes, reference links, a heading named as a link, a citation with a prefix,
duplicate identifiers), the page is rendered whole instead, as the build does.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import tempfile
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..charts import Chart
from ..compose import Briefing
from ..errors import EnvironmentFault
from ..escape import html_text
from ..render import render
from ..render.assets import asset, write_csl
from ..render.pandoc import CSL, HTML, READ, WRITE, citations, pandoc

BODY = "<!--REPORT:BODY-->"  # marks where the sections go in the page around them
# A heading pandoc reads as one: level 1 to 3, ATX style, after a blank line (the Markdown
# reader's blank_before_header); deeper headings stay inside their section.
DEPTH = 3
SECTION_HEADING = re.compile(r"#{1,%d}(?=[ \t])" % DEPTH)
FENCE = re.compile(r"(`{3,}|~{3,})")
DIV_OPEN = re.compile(r":{3,}\s*\S")
DIV_CLOSE = re.compile(r":{3,}\s*$")
# What makes one part of the Markdown depend on another: footnotes and reference links are
# defined anywhere; example lists number across the document.
CROSSING = re.compile(r"\[\^|\^\[|^ {0,3}\[[^\]\n]+\]:|\(@", re.M)
CITATION = re.compile(r'<span class="citation" data-cites="([^"]*)">([^<]*)</span>')
HEADING = re.compile(r'<h([1-6])((?: [a-z-]+="[^"]*")*)>')
ENTRY = re.compile(r'<div id="ref-([^"]*)" class="csl-entry" role="listitem">\n'
                   r'<div class="csl-left-margin">\[\d+\] </div>(.*?)\n</div>(?=\n<div id="ref-|'
                   r"\n</div>)", re.S)
EMPTY_REFS = '<div id="refs" role="list">\n\n</div>'
# The list of sources as a section renders it before citeproc: its groups (empty, each with
# its title), or nothing. render's source-tiers.lua fills the groups after citeproc.
REFS = re.compile(r'<div id="refs" role="list">\n(\n|(?:<div class="source-tier" '
                  r'data-tier="[^"]*">\n<p>.*?</p>\n</div>\n)+)</div>')
GROUP = re.compile(r'<div class="source-tier" data-tier="([^"]*)">\n<p>(.*?)</p>\n</div>\n')
REFS_OPEN = '<div id="refs" class="references csl-bib-body" data-entry-spacing="0" role="list">'


class Whole(Exception):
    """The Markdown uses something that crosses sections: render the page whole."""


CONTINUED = -1  # the level of a section cut before a table: it has no heading of its own


@dataclass(frozen=True)
class Section:
    markdown: str
    level: int  # 0: what comes before the first heading (the metadata, a preface)


@dataclass
class Counts:
    """What the last page cost: pandoc runs, and whether it was rendered whole."""

    sections: int = 0
    rendered: int = 0  # sections pandoc rendered (the rest were kept)
    entries: int = 0  # sources citeproc rendered
    shell: bool = False  # the page around the sections was rendered
    whole: str = ""  # why the page was rendered whole ("" if it was not)


@dataclass
class IncrementalPage:
    """Makes the HTML page, keeping what pandoc rendered for the next page. Not thread-safe:
    one preview loop uses one."""

    sections: dict[tuple, str] = field(default_factory=dict)
    shells: dict[tuple, tuple[str, str, str]] = field(default_factory=dict)
    entries: dict[tuple, str] = field(default_factory=dict)
    last: Counts = field(default_factory=Counts)
    _dir: Path | None = None

    def page(self, briefing: Briefing, charts: list[Chart], images: dict[str, Path]) -> str:
        """The page `report build --format html` would write for this briefing."""
        from ..render.html import interactive_page

        # a short briefing places some of the charts, its annex the others
        charts = [chart for chart in charts if images[chart.id].name in briefing.markdown]
        self.last = Counts()
        try:
            body = self._page(briefing)
        except (Whole, EnvironmentFault) as why:  # a pandoc warning: the build says what of
            self.last.whole = str(why)
            return self._whole(briefing, charts, images)
        return interactive_page(body, charts, images, briefing.page_labels,
                                briefing.claim_reviews)

    def close(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    # ------------------------------------------------------------ the page from its sections

    def _page(self, briefing: Briefing) -> str:
        markdown = briefing.markdown
        if CROSSING.search(markdown):
            raise Whole("footnotes, reference links or example lists")
        sections = split(markdown)
        meta = metadata(sections[0].markdown)
        self.last.sections = len(sections)
        headed = [s for s in sections if s.level > 0]
        before, headings, after = self._shell(meta, [s.markdown.split("\n", 1)[0]
                                                     for s in headed])
        rendered_numbers = [number_of(tag) for tag in HEADING.findall(headings)]
        if len(rendered_numbers) != len(headed):
            raise Whole("a heading the sections do not start with")
        number = dict(zip(map(id, headed), rendered_numbers))
        numbers = [number.get(id(s), "") for s in sections]
        jobs = [(s, offset(s.level, n)) for s, n in zip(sections, numbers)]
        bodies = self._sections(jobs)
        for (s, _), rendered, n in zip(jobs, bodies, numbers):
            check_section(s, rendered, n)
        body = "\n".join(b.rstrip("\n") for b in bodies if b.strip())
        check_identifiers(body)
        return before + self._cite(body, briefing, meta) + after

    def _shell(self, meta: str, headings: list[str]) -> tuple[str, str, str]:
        """The page around the sections: (before, the headings as pandoc numbered them,
        after). Rendered from the metadata and the headings alone, so the contents list and
        the cover are pandoc's."""
        key = (meta, tuple(headings))
        if key not in self.shells:
            self.last.shell = True
            work = self._work()
            doc = work / "shell.md"
            doc.write_text(meta + "\n\n" + "\n\n".join(headings) + "\n", encoding="utf-8")
            page = pandoc([doc.name, *READ, *WRITE, *HTML, "-s",
                           f"--template={self._template()}"], work)
            parts = page.split(BODY)
            if len(parts) != 3 or 'class="citation"' in parts[0] + parts[2]:
                raise Whole("citations in the metadata")
            self.shells = {key: (parts[0], parts[1], parts[2])}  # the last one only
        return self.shells[key]

    def _sections(self, jobs: list[tuple[Section, str]]) -> list[str]:
        """Each section's HTML, from the kept ones or from pandoc (two at a time)."""
        keys = [(s.markdown, number_offset) for s, number_offset in jobs]
        missing = [k for k in dict.fromkeys(keys) if k not in self.sections]
        if missing:
            work = self._work()

            def render(key: tuple[str, str]) -> str:
                text, number_offset = key
                name = "section-" + hashlib.sha256(text.encode()).hexdigest()[:16] + ".md"
                (work / name).write_text(text, encoding="utf-8")
                args = [name, *READ, *[a for a in WRITE if not a.startswith("--toc")], *HTML]
                if number_offset:
                    args.append(f"--number-offset={number_offset}")
                return pandoc(args, work)

            with ThreadPoolExecutor(max_workers=2) as pool:
                for key, rendered in zip(missing, pool.map(render, missing)):
                    self.sections[key] = rendered
            self.last.rendered = len(missing)
        # Only what this page uses is kept: an edited section's old text goes.
        self.sections = {k: self.sections[k] for k in keys}
        return [self.sections[k] for k in keys]

    # ------------------------------------------------------------ citations, as citeproc does

    def _cite(self, body: str, briefing: Briefing, meta: str) -> str:
        """Number the citations in order of first citation, and fill the list of sources."""
        numbers: dict[str, int] = {}

        def cite(match: re.Match) -> str:
            keys = html.unescape(match.group(1)).split(" ")
            if match.group(2) != "[" + "; ".join("@" + k for k in keys) + "]" \
                    or len(set(keys)) != len(keys):
                raise Whole("a citation with a prefix, a suffix or a repeated source")
            for k in keys:
                numbers.setdefault(k, len(numbers) + 1)
            return (f'<span class="citation" data-cites="{match.group(1)}">'
                    f"[{citation_marks(keys, numbers)}]</span>")

        body = CITATION.sub(cite, body)
        found = list(REFS.finditer(body))
        if len(found) != 1:
            raise Whole("no list of sources, or more than one")
        refs = found[0]
        if not numbers:
            return body[:refs.start()] + EMPTY_REFS + body[refs.end():]
        entries = self._entries(briefing, list(numbers), meta)

        def listing(keys) -> str:
            return "\n".join(f'<div id="ref-{html_text(k)}" class="csl-entry" role="listitem">'
                             f'\n<div class="csl-left-margin">[{numbers[k]}] </div>{entries[k]}'
                             "\n</div>" for k in keys)

        groups = GROUP.findall(refs.group(1))
        if not groups:
            inside = listing(numbers)
        else:  # as source-tiers.lua groups them
            tier_of = {item["id"]: item.get("tier") for item in briefing.bibliography}
            before = [int(level) for level, _ in HEADING.findall(body, 0, refs.start())]
            level = min(before[-1] + 1, 6) if before else 1
            members = {tier: [k for k in numbers if tier_of.get(k) == html.unescape(tier)]
                       for tier, _ in groups}
            stray = [k for k in numbers if tier_of.get(k) not in members]
            parts = [f'<h{level} class="unnumbered unlisted" id="refs-{tier}">'
                     f"{title}</h{level}>\n"
                     f'<div class="source-tier" role="list">\n{listing(members[tier])}\n</div>'
                     for tier, title in groups if members[tier]]
            if stray:
                parts.append(f'<div class="source-tier" role="list">\n{listing(stray)}\n</div>')
            inside = "\n".join(parts)
        return body[:refs.start()] + f"{REFS_OPEN}\n{inside}\n</div>" + body[refs.end():]

    def _entries(self, briefing: Briefing, keys: list[str], meta: str) -> dict[str, str]:
        """Each cited source's entry as citeproc renders it, from the kept ones or from one
        citeproc run over those not kept. `meta`: the document's metadata (its language
        decides how citeproc writes dates)."""
        sources = {item["id"]: item for item in briefing.bibliography}
        unknown = [k for k in keys if k not in sources]
        if unknown:
            raise Whole("a citation of an unknown source")  # the build names it
        key_of = {k: (meta, json.dumps(sources[k], sort_keys=True, ensure_ascii=False))
                  for k in keys}
        missing = [k for k in keys if key_of[k] not in self.entries]
        if missing:
            work = self._work()
            (work / "sources.json").write_text(json.dumps([sources[k] for k in missing],
                                                          ensure_ascii=False), encoding="utf-8")
            (work / "sources.md").write_text(
                meta + "\n\n---\nnocite: \"@*\"\n---\n\n::: {#refs}\n:::\n", encoding="utf-8")
            write_csl(work / CSL, briefing.citation_terms)
            listing = pandoc(["sources.md", *READ, *citations("sources.json"), *HTML], work)
            rendered = {html.unescape(k): entry for k, entry in ENTRY.findall(listing)}
            if set(rendered) != set(missing):
                raise Whole("a source citeproc did not list")
            for k in missing:
                self.entries[key_of[k]] = rendered[k]
            self.last.entries = len(missing)
        self.entries = {key_of[k]: self.entries[key_of[k]] for k in keys}  # what is cited now
        return {k: self.entries[key_of[k]] for k in keys}

    # ------------------------------------------------------------ helpers

    def _whole(self, briefing: Briefing, charts: list[Chart], images: dict[str, Path]) -> str:
        """The page as the build renders it, from the whole Markdown."""
        with tempfile.TemporaryDirectory(dir=self._work()) as staging:
            rendered = render(briefing, charts, images, ["html"], Path(staging))
            return rendered.documents["html"].read_text(encoding="utf-8")

    def _work(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="report-page-"))
            weakref.finalize(self, shutil.rmtree, self._dir, True)
        return self._dir

    def _template(self) -> Path:
        """The page template with a mark where the body goes, beside the partials it uses."""
        folder = self._work() / "templates"
        if not folder.is_dir():
            folder.mkdir()
            for path in asset("templates").glob("*.html"):
                shutil.copy(path, folder / path.name)
            page = folder / "page.html"
            text = page.read_text(encoding="utf-8")
            if text.count("$body$") != 1:
                raise Whole("a page template without one $body$")
            page.write_text(text.replace("$body$", f"{BODY}$body${BODY}"), encoding="utf-8")
        return folder / "page.html"


def split(markdown: str) -> list[Section]:
    """Cut the Markdown before each heading of level 1 to `DEPTH`, and before each pipe table
    that follows another table's caption, outside code blocks and fenced divs.

    The appendices are long runs of tables under one heading: cut there too, an edit to one
    table renders that table again, not the appendix. A caption stays with the table before
    it (pandoc reads a caption after a table as that table's before the next one's)."""
    sections: list[Section] = []
    start, level = 0, 0
    fence: str | None = None
    divs = 0
    previous_blank = True
    after_caption = False  # the last block at the top level was a table's caption
    position = 0
    for line in markdown.splitlines(keepends=True):
        bare = line.rstrip("\n")
        block_start = previous_blank and bool(bare.strip())
        if fence is not None:
            if bare.strip().startswith(fence):
                fence = None
        elif (m := FENCE.match(bare.lstrip())) and len(bare) - len(bare.lstrip()) < 4:
            fence = m.group(1)
        elif DIV_CLOSE.match(bare) and divs:
            divs -= 1
        elif DIV_OPEN.match(bare):
            divs += 1
        elif divs == 0 and previous_blank and (m := SECTION_HEADING.match(bare)):
            if position > start or sections:
                sections.append(Section(markdown[start:position], level))
            start, level = position, len(m.group(0))
        elif divs == 0 and block_start and after_caption and bare.startswith("|"):
            sections.append(Section(markdown[start:position], level))
            start, level = position, CONTINUED
        if block_start:
            after_caption = divs == 0 and fence is None and bare.startswith(": ")
        previous_blank = not bare.strip()
        position += len(line)
    sections.append(Section(markdown[start:], level))
    if sections[0].level:  # no preface: an empty one, so that sections[0] is always it
        sections.insert(0, Section("", 0))
    return sections


def metadata(preface: str) -> str:
    """The YAML metadata block the Markdown starts with ("" if none)."""
    m = re.match(r"---\n.*?\n(?:---|\.\.\.)\n", preface, re.S)
    return m.group(0).rstrip("\n") if m else ""


def number_of(tag: tuple[str, str]) -> str:
    """A rendered heading's section number ("" if unnumbered)."""
    m = re.search(r'data-number="([^"]*)"', tag[1])
    return m.group(1) if m else ""


def offset(level: int, number: str) -> str:
    """pandoc's --number-offset that makes a section's own heading get `number`."""
    if not number or level <= 0:
        return ""
    parts = [int(p) for p in number.split(".")]
    if len(parts) != level:
        raise Whole("a section number of another depth")
    return ",".join(str(p) for p in [*parts[:-1], parts[-1] - 1])


def check_section(section: Section, rendered: str, number: str) -> None:
    """A section must render with one heading of its level at the start, numbered as in the
    whole document; deeper headings are numbered only under a numbered one."""
    tags = HEADING.findall(rendered)
    if section.level == CONTINUED:
        if tags:
            raise Whole("a heading after a table the sections are cut before")
        return
    if section.level == 0:
        if tags and any(int(level) <= DEPTH for level, _ in tags):
            raise Whole("a heading pandoc reads where the sections are not cut")
        if any(number_of(t) for t in tags):
            raise Whole("a numbered heading before the first section")
        return
    if not rendered.lstrip().startswith(f"<h{section.level}") or not tags \
            or int(tags[0][0]) != section.level or number_of(tags[0]) != number:
        raise Whole("a section that does not start with its heading")
    inner = tags[1:]
    if any(int(level) <= DEPTH for level, _ in inner):
        raise Whole("a heading pandoc reads where the sections are not cut")
    if not number and any(number_of(t) for t in inner):
        raise Whole("numbered headings under an unnumbered one")


def check_identifiers(body: str) -> None:
    """pandoc makes identifiers unique across the document; sections rendered apart cannot."""
    ids = re.findall(r' id="([^"]*)"', body)
    if len(ids) != len(set(ids)):
        raise Whole("an identifier used twice")


def citation_marks(keys: list[str], numbers: dict[str, int]) -> str:
    """The numbers of one citation as the numeric style prints them: sorted, linked to their
    sources, and three or more in a row collapsed into a range ("1, 3–5")."""
    ordered = sorted(keys, key=lambda k: numbers[k])
    runs: list[list[str]] = []
    for k in ordered:
        if runs and numbers[k] == numbers[runs[-1][-1]] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])

    def link(k: str) -> str:
        return f'<a href="#ref-{html_text(k)}" role="doc-biblioref">{numbers[k]}</a>'

    marks: list[str] = []
    for run in runs:
        if len(run) >= 3:
            marks.append(f"{link(run[0])}–{link(run[-1])}")
        else:
            marks.extend(link(k) for k in run)
    return ", ".join(marks)
