"""The brief is checked as the document pandoc reads, so `report check` accepts a brief
exactly when the build renders it, and renders it safely: no handler, style, script, image or
link to anything but a web page or a section reaches the page.

The property tests draw briefs from pandoc's constructs (attributes of every kind on spans,
divs, headings and links; autolinks; references defined in quotes and lists; images,
footnotes, citations bare and bracketed; tables, code, metadata blocks …) and build each one
`report check` accepts."""

from __future__ import annotations

import datetime as dt
import html.parser
import itertools
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, note, settings
from hypothesis import strategies as st

from report.build import BuildOptions, compose_briefing
from report.check import checked_inputs
from report.errors import InputError
from report.load.brief import read_brief
from report.load.files import InputFiles
from report.render import render
from report.render.brief import composed_problems

from .conftest import DATA, EPOCH, GOOD, case_dir, run_cli

pytestmark = pytest.mark.xdist_group("build")

FRONT = (DATA / "brief" / "brief.md").read_text(encoding="utf-8").split("\n---\n", 1)[0] + \
    "\n---\n\n"
DAY = dt.date(2026, 1, 1)

# ---------------------------------------------------------------- pandoc's constructs

WORDS = ["Alpha", "grew", "fast", "二〇二四年", "8*8", "5'11\"", "--", "...", "a_b", "#", "&amp;",
         "\\*", "😀", "1.", "x"]
SAFE_URLS = ["https://example.com/a", "http://example.org/b?c=d&e=f", "#why", "#"]
BAD_URLS = ["javascript:alert(1)", "JavaScript:alert(1)", "file:///etc/passwd", "/etc/passwd",
            "mailto:a@example.com", "data:text/html,<script>alert(1)</script>", "x.png",
            "vbscript:x", " javascript:x", "java&#x73;cript:x", "//example.com/"]
FACTS = ["[[alpha:large-2024-05.input]]", "[[beta:beta-chat-2024-05-06-cny.from]]",
         "[[alpha:@leaders-left]]", "[[alpha:large-2024-05.input in USD]]",
         "[[alpha:large-2024-05.input / beta:beta-chat-2024-05-06-cny.input]]"]
KNOWN = ["alpha:news", "alpha:blog", "beta:price"]
SAFE_ATTRIBUTES = ['.view likelihood="likely"', ".confidence", ""]
BAD_ATTRIBUTES = ['onclick="alert(1)"', 'style="background:url(http://127.0.0.1:9/)"',
                  'custom-style="Heading 1"', ".mark", "data-x=1", "#an-id", "#sources",
                  'tabindex=0 autofocus=true onfocus="x()"', ".view", "likelihood=likely",
                  ".view .other likelihood=likely", 'oncontentvisibilityautostatechange="x()"',
                  'href="javascript:x"', 'src="x.png"', "-", ".unnumbered"]
HEADING_ATTRIBUTES = ["", " {.unnumbered}", " {-}", " {#mine}", " {#sources}", " {#refs}",
                      " {#fig-x}", ' {onclick="x()"}', " {.unlisted}", " {#tbl-y .unnumbered}"]


def word():
    return st.sampled_from(WORDS)


def inline(safe: bool):
    urls = st.sampled_from(SAFE_URLS if safe else SAFE_URLS + BAD_URLS)
    attributes = st.sampled_from(SAFE_ATTRIBUTES if safe else SAFE_ATTRIBUTES + BAD_ATTRIBUTES)
    keys = st.sampled_from(KNOWN if safe else KNOWN + ["nosuch", "alpha:nosuch"])
    pieces = [
        word(), word(), word(),
        word().map(lambda w: f"*{w}*"), word().map(lambda w: f"**{w}**"),
        word().map(lambda w: f"`{w}`"), word().map(lambda w: f"~~{w}~~"),
        st.tuples(word(), urls).map(lambda p: f"[{p[0]}]({p[1]})"),
        urls.filter(lambda u: ":" in u and " " not in u).map(lambda u: f"<{u}>"),
        st.tuples(word(), attributes).map(lambda p: f"[{p[0]}]{{{p[1]}}}"),
        keys.map(lambda k: f"[@{k}]"), keys.map(lambda k: f"[see @{k}, p. 2]"),
        st.sampled_from(FACTS), st.just("someone@example.com"),
        st.just("[a [nested [link](https://example.com/)]]"),
    ]
    if not safe:
        pieces += [
            st.tuples(word(), urls).map(lambda p: f"![{p[0]}]({p[1]})"),
            keys.map(lambda k: f"@{k}"),
            st.sampled_from(["`", "[", "]", "{", "<", "\\", "[r]", "[x]{", "]{.view}"]),
            st.tuples(word(), urls, attributes).map(lambda p: f"[{p[0]}]({p[1]}){{{p[2]}}}"),
            st.sampled_from(FACTS).map(lambda f: f"{f}(javascript:alert(1))"),
            st.sampled_from(FACTS).map(lambda f: f'{f}{{onclick="x()"}}'),
        ]
    return st.one_of(*pieces)


def paragraph(safe: bool):
    return st.lists(inline(safe), min_size=1, max_size=8).map(" ".join)


def block(safe: bool):
    text = paragraph(safe)
    urls = st.sampled_from(SAFE_URLS if safe else SAFE_URLS + BAD_URLS)
    attributes = st.sampled_from(SAFE_ATTRIBUTES[:1] if safe else
                                 SAFE_ATTRIBUTES[:1] + BAD_ATTRIBUTES)
    headings = st.sampled_from(HEADING_ATTRIBUTES[:3] if safe else HEADING_ATTRIBUTES)
    pieces = [
        text, text, text,
        st.tuples(st.integers(1, 3), text, headings).map(
            lambda p: f"{'#' * p[0]} {p[1]}{p[2]}"),
        st.tuples(text, st.integers(0, 10**6)).map(lambda p: f"## {p[0]} {{#mine-{p[1]}}}"),
        st.tuples(attributes, text).map(lambda p: f"::: {{{p[0]}}}\n{p[1]}\n:::"),
        st.tuples(st.sampled_from(["price", "releases", "funding"]), text).map(
            lambda p: f'::: {{.finding id="{p[0]}"}}\n**{p[0].title()}.** {p[1]}\n:::'),
        text.map(lambda t: f"> {t}"),
        st.tuples(text, text).map(lambda p: f"- {p[0]}\n- {p[1]}"),
        st.tuples(text, text).map(lambda p: f"1. {p[0]}\n2. {p[1]}"),
        text.map(lambda t: f"```\n{t}\n```"), text.map(lambda t: f"    {t}"),
        st.tuples(word(), word()).map(lambda p: f"| a | b |\n|---|---|\n| {p[0]} | {p[1]} |"),
        st.tuples(text, st.integers(0, 10**6), text).map(
            lambda p: f"{p[0]}[^n{p[1]}]\n\n[^n{p[1]}]: {p[2]}"),
        st.tuples(text, urls, st.integers(0, 10**6)).map(
            lambda p: f"{p[0]} [r{p[2]}]\n\n[r{p[2]}]: {p[1]}"),
        st.sampled_from(["***", "- - -"]),
        text.map(lambda t: f"Term\n:   {t}"),
        text.map(lambda t: f"| {t}\n| again"),
    ]
    if not safe:
        pieces += [
            st.tuples(text, urls).map(lambda p: f"> {p[0]} [q]\n>\n> [q]: {p[1]}"),
            st.tuples(text, urls).map(lambda p: f"- {p[0]} [l]\n\n  [l]: {p[1]}"),
            st.just("---\nsuppress-bibliography: true\n---"),
            st.just("---\n"), st.just("```\nnever closed"),
            st.just('::: {.view likelihood="likely"}'), st.just("[[exhibit:prices]]"),
            text.map(lambda t: f"[^n]: {t}"), st.just("[^n]"),
            st.just("# Sources"), st.just("# Mine {#mine}\n\n# Again {#mine}"),
            text.map(lambda t: f"::: {{.finding id=\"nosuch\"}}\n{t}\n:::"),
            st.just("x " + "[a " * 26), st.just("[" * 50 + "x" + "]" * 50),
        ]
    return st.one_of(*pieces)


EXHIBITS = ["[[exhibit:price-war]]", "[[exhibit:prices]]", "[[exhibit:departures]]"]


def brief(safe: bool):
    """A brief: the test brief's front matter, then blocks with its three exhibits among
    them (an exhibit the front matter describes is placed once)."""
    return st.tuples(st.lists(block(safe), min_size=1, max_size=6), st.permutations(EXHIBITS),
                     st.lists(st.integers(0, 6), min_size=3, max_size=3)).map(
        lambda p: FRONT + "# Executive summary\n\n" + "\n\n".join(_placed(*p)) + "\n")


def _placed(blocks: list[str], exhibits: list[str], where: list[int]) -> list[str]:
    seen = set()  # one finding of each id: a second is a problem (tested on its own)
    blocks = [b for b in blocks if not b.startswith("::: {.finding")
              or (b.split('"')[1] not in seen and not seen.add(b.split('"')[1]))]
    for exhibit, at in zip(exhibits, where):
        blocks.insert(min(at, len(blocks)), exhibit)
    return blocks


# ---------------------------------------------------------------- check, then build


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    root = tmp_path_factory.mktemp("markdown")
    case_dir(root, *GOOD.glob("*.yaml"), DATA / "brief" / "claims.yaml")
    return root


_runs = itertools.count()


def check_then_build(root: Path, text: str) -> tuple[list[str] | None, str | None]:
    """What `report check` says of the brief (None: accepted) and, when it accepts it, the
    page `report build --format html` writes."""
    cases = root / "cases"
    (cases / "brief.md").write_text(text, encoding="utf-8")
    files = InputFiles(cases)
    try:
        inputs = checked_inputs(cases, None, False, files, DAY)
    except InputError as err:
        return [str(p) for p in err.problems], None
    staging = root / f"staging-{next(_runs)}"
    staging.mkdir()
    try:
        options = BuildOptions(cases_dir=cases, figures_dir=root / "figures",
                               formats=("html",))
        composed = compose_briefing(inputs, int(EPOCH), options, export=False)
        page = render(composed.briefing, composed.charts, composed.images, ["html"], staging)
        return None, page.documents["html"].read_text(encoding="utf-8")
    finally:
        shutil.rmtree(staging, ignore_errors=True)


class Elements(html.parser.HTMLParser):
    """Every element of the page's main part, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def unsafe(page: str) -> list[str]:
    """What in the page's main part an input could have put there to act: a handler, a
    style that fetches, a script or element that loads something, a link anywhere but a web
    page or a section."""
    main = page.split("<main>", 1)[1].split("</main>", 1)[0]
    parser = Elements()
    parser.feed(main)
    found = []
    for tag, attrs in parser.found:
        for name, value in attrs.items():
            if name.startswith("on") or (name == "style" and "url(" in (value or "")):
                found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "data", "srcset") and not \
                    re.match(r"^(#|https?://)", value or ""):
                found.append(f"<{tag} {name}={value!r}>")
        if tag in ("img", "iframe", "object", "embed", "link", "meta", "base", "form",
                   "style", "svg", "math", "frame", "audio", "video", "source"):
            found.append(f"<{tag}>")
        if tag == "script" and not attrs:  # the charts' own scripts are checked by hash
            continue
    return found


# Each example is a check and a build: shrinking a failure took longer than finding it, so a
# failing brief is reported as drawn (its text is in the report).
QUICK = [Phase.explicit, Phase.reuse, Phase.generate]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
          phases=QUICK)
@given(text=brief(safe=True))
def test_a_brief_of_allowed_markdown_is_accepted_and_built(workspace, text):
    problems, page = check_then_build(workspace, text)
    note(text)
    assert problems is None, problems
    assert unsafe(page) == []


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck),
          phases=QUICK)
@given(text=brief(safe=False))
@example(text=FRONT + "# Executive summary\n\nSee [[alpha:large-2024-05.input]]"
         "(javascript:alert(1)) and [[beta:@models]]{onclick=\"x()\"}.\n\n"
         + "\n\n".join(EXHIBITS) + "\n")
@example(text=FRONT + "# Executive summary\n\n> [q]: javascript:alert(1)\n>\n> [q]\n\n"
         + "\n\n".join(EXHIBITS) + "\n")
def test_check_accepts_a_brief_only_when_the_build_renders_it_safely(workspace, text):
    """Whatever check accepts, the build renders (pandoc fails on nothing in it) and the page
    holds nothing that acts; whatever it refuses, it says where."""
    note(text)
    problems, page = check_then_build(workspace, text)
    if problems is not None:
        assert problems and all(re.match(r"^\S*brief\.md:\d+:\d+: ", p) for p in problems)
        return
    assert unsafe(page) == []


def test_what_the_build_writes_around_a_fact_is_checked_too(tmp_path, monkeypatch):
    """A live fact's citation followed by `(javascript:…)` is a link once the fact is
    written out; the brief as the build writes it is held to the same allow-list, at the
    place in the analyst's text."""
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    (cases / "brief.md").write_text(FRONT + "# Executive summary\n\nSee [[alpha:large-2024-"
                                    "05.input]](javascript:alert(1)).\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    the_brief, _ = read_brief(Path("cases/brief.md"), InputFiles(Path("cases")))
    written = "See CNY 20 [@alpha:news](javascript:alert(1)).\n"
    problems = composed_problems(the_brief, written, {}, {"alpha:news"}, set(), set())
    assert [str(p) for p in problems] == [
        "cases/brief.md:31:35: link to 'javascript:alert(1)': a brief links only to http(s) "
        "pages or to a section (#id)"]


def test_a_footnote_and_an_email_address_are_fine(tmp_path):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    (cases / "brief.md").write_text(FRONT + "# Executive summary\n\nA note.[^1] Write to "
                                    "someone@example.com.\n\n[^1]: From a source "
                                    "[@alpha:news].\n\n" + "\n\n".join(EXHIBITS) + "\n",
                                    encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 0, run.err


def test_the_longest_web_address_a_brief_may_hold_keeps_the_pdf_short(tmp_path):
    """A 1,950-character address made a 580-page PDF in 275 s; one of 500 (the most check
    accepts) in prose, a table cell and a list item breaks across lines."""
    from pypdf import PdfReader

    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"), *(DATA / "brief").iterdir())
    url = "https://example.com/" + "d" * 480
    brief = cases / "brief.md"
    brief.write_text(brief.read_text(encoding="utf-8") + f"\nSee {url} [@alpha:news].\n\n"
                     f"| a | b |\n|---|---|\n| {url} | x |\n\n- {url}\n", encoding="utf-8")
    run = run_cli("build", "--quiet", "--format", "pdf", cwd=tmp_path)
    assert run.code == 0, run.err
    assert len(PdfReader(tmp_path / "output" / "briefing.pdf").pages) < 25
    brief.write_text(brief.read_text(encoding="utf-8").replace(url, url + "e"), encoding="utf-8")
    assert run_cli("check", cwd=tmp_path).code == 2


def test_an_id_the_rest_of_the_briefing_holds_is_refused_and_a_table_of_ones_own_is_not(
        tmp_path):
    """A brief's own table may be numbered like the fact pack's ({#tbl-watch}); one that
    takes an id the briefing's own tables or charts hold would make pandoc fail."""
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"), *(DATA / "brief").iterdir())
    brief = cases / "brief.md"
    good = brief.read_text(encoding="utf-8")
    table = "\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: What to watch {#tbl-watch}\n"
    brief.write_text(good + table, encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 0, run.err
    brief.write_text(good + table.replace("tbl-watch", "tbl-glance") +
                     "\n## Charts {#fig-team}\n", encoding="utf-8")
    run = run_cli("check", cwd=tmp_path)
    own = ("is one the briefing uses for its own (its sections, figures, tables and sources "
           "take such ids)")
    assert run.err.splitlines() == [
        f"cases/brief.md:55:18: the id 'tbl-glance' {own}; give the table another: "
        "{#my-tbl-glance}",
        f"cases/brief.md:57:12: the id 'fig-team' {own}; give the heading another: "
        "{#my-fig-team}",
        "2 problems found"]
