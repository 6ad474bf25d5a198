"""The list of sources: grouped by kind (primary, press, secondary) under headings in every
format, numbered in order of first citation, and each source listed once however many files
record it."""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil

import pytest
from docx import Document
from pypdf import PdfReader

from report.build import BuildOptions, compose_briefing
from report.compare import Reference, compare, merge_duplicates
from report.compose.bibliography import canonical_citations
from report.load import load_inputs
from report.model import Source
from report.render import render
from report.render.environment import environment
from report.words.labels import Labels

from .conftest import EPOCH, ROOT

LABELS = Labels()
TITLES = {tier: LABELS(f"source_tier.{tier}") for tier in ("primary", "press", "secondary")}
ENTRY = re.compile(r'<div id="ref-([^"]+)" class="csl-entry" role="listitem">\n'
                   r'<div class="csl-left-margin">\[(\d+)\] </div>')


def expected_tier(source: Source) -> str:
    """What the list promises: the companies' own pages are primary, the press and the seed
    articles press, analysis and blogs secondary."""
    if source.seed or source.kind.value == "press":
        return "press"
    return "primary" if source.kind.value == "primary" else "secondary"


def bare(text: str) -> str:
    """Letters and digits only: what survives line breaks, hyphenation and small capitals."""
    return re.sub(r"[\W_]+", "", text).casefold()


# ---------------------------------------------------------------- duplicates merged


def source(**fields) -> Source:
    return Source(**{"id": "s", "title": "A title", "kind": "press", **fields})


def test_one_source_recorded_twice_is_one_reference_and_its_keys_lead_to_it():
    refs = [Reference("a:one", "a", source(id="one", url="https://Example.org/x/")),
            Reference("b:one", "b", source(id="one", url="https://example.org/x")),
            # no address: the same title, publisher (a remark in brackets aside) and date
            Reference("a:seed", "a", source(id="seed", title="零一万物之死", kind="blog",
                                            publisher="lapis.cafe", date="2025-01-25",
                                            url="https://www.lapis.cafe", seed=True)),
            Reference("b:seed", "b", source(id="seed", title="零一万物之死", kind="blog",
                                            publisher="lapis.cafe (personal blog)",
                                            date="2025-01-25", author="someone")),
            # the same title at two addresses, or on another day: two sources
            Reference("a:two", "a", source(id="two", url="https://example.org/y")),
            Reference("b:two", "b", source(id="two", url="https://example.org/z")),
            Reference("c:two", "c", source(id="two", date="2024-01-01"))]
    merged, aliases = merge_duplicates(refs)
    assert [r.key for r in merged] == ["a:one", "a:seed", "a:two", "b:two", "c:two"]
    assert aliases == {"b:one": "a:one", "b:seed": "a:seed"}
    seed = merged[1].source
    assert seed.url == "https://www.lapis.cafe" and seed.publisher == "lapis.cafe"
    assert seed.author == "someone" and seed.seed  # what the first record left out


def test_a_citation_of_a_duplicate_cites_the_merged_key_and_nothing_else_changes():
    aliases = {"deepseek:seed-lapis": "01-ai:seed-lapis"}
    text = ("[@deepseek:seed-lapis; @x:y] and [@01-ai:seed-lapis]; not \\@deepseek:seed-lapis, "
            "mail@deepseek:seed-lapis or @deepseek:seed-lapis-2.")
    assert canonical_citations(text, aliases) == (
        "[@01-ai:seed-lapis; @x:y] and [@01-ai:seed-lapis]; not \\@deepseek:seed-lapis, "
        "mail@deepseek:seed-lapis or @deepseek:seed-lapis-2.")


def test_the_projects_duplicates_are_merged():
    inputs = load_inputs(ROOT / "cases")
    c = compare(inputs.cases, dt.date(2026, 12, 1), inputs.rates, inputs.currency,
                tuple(inputs.claims.sources))
    assert c.aliases["deepseek:seed-lapis"] == "01-ai:seed-lapis"
    keys = [r.key for r in c.references]
    assert len(keys) == len(set(keys)) and not set(keys) & set(c.aliases)
    # every record keeps a source to name: the workbook and the claims look keys up
    every = {f"{case.id}:{s.id}" for case in inputs.cases for s in case.sources}
    assert every <= set(c.sources())
    titles = [r.source.title for r in c.references]
    assert titles.count("零一万物之死") == 1


@pytest.mark.slow
def test_both_keys_of_a_merged_source_show_one_number_and_one_entry(tmp_path):
    """A brief that cites the seed article by either case file's key: one number, one entry
    (in the HTML page and the DOCX)."""
    cases = tmp_path / "cases"
    shutil.copytree(ROOT / "cases", cases)
    brief = cases / "brief.md"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("\n# What to watch", "\nThe seed article, once "
                                  "[@deepseek:seed-lapis] and again [@01-ai:seed-lapis].\n\n"
                                  "# What to watch", 1), encoding="utf-8")
    options = BuildOptions(cases_dir=cases, figures_dir=tmp_path / "figures")
    with environment("SOURCE_DATE_EPOCH", EPOCH):
        c = compose_briefing(load_inputs(cases), int(EPOCH), options, export=False)
        out = tmp_path / "out"
        out.mkdir()
        page = render(c.briefing, c.charts, c.images, ["html"], out).documents["html"]
    page = page.read_text(encoding="utf-8")
    sentence = re.search(r"The seed article, once (.*?) and again (.*?)\.</p>", page)
    assert sentence, "the sentence is on the page"
    once, again = sentence.groups()
    assert once == again and 'href="#ref-01-ai:seed-lapis"' in once
    numbers = [n for k, n in ENTRY.findall(page) if k.endswith(":seed-lapis")]
    assert len(numbers) == 1 and f">{numbers[0]}</a>" in once
    refs = page[page.index('<div id="refs"'):]
    assert refs.count("零一万物之死") == 1 and "deepseek:seed-lapis" not in page


# ---------------------------------------------------------------- grouped in every format


def groups_in_html(page: str) -> dict[str, list[tuple[str, int]]]:
    """Each group's (key, number) entries, by the group's heading, as the page lists them."""
    refs = page[page.index('<div id="refs"'):]
    found: dict[str, list[tuple[str, int]]] = {}
    for part in re.split(r'<h[23] class="unnumbered unlisted" id="refs-', refs)[1:]:
        tier = part[:part.index('"')]
        found[tier] = [(html.unescape(k), int(n)) for k, n in ENTRY.findall(part)]
    return found


def sources_by_key():
    inputs = load_inputs(ROOT / "cases")
    c = compare(inputs.cases, dt.date(2026, 12, 1), inputs.rates, inputs.currency,
                tuple(inputs.claims.sources))
    return c.sources()


@pytest.mark.xdist_group("build")
@pytest.mark.parametrize("name", ["briefing", "annex"])
def test_the_html_groups_the_sources_by_kind_in_number_order(real_build, name):
    page = (real_build.out / f"{name}.html").read_text(encoding="utf-8")
    groups = groups_in_html(page)
    assert list(groups) == ["primary", "press", "secondary"]
    for tier, title in TITLES.items():  # the page puts a link to the heading before its title
        assert re.search(rf'id="refs-{tier}">(<a class="anchor"[^>]*>#</a>)?'
                         rf"{re.escape(html.escape(title, quote=False))}</h2>", page), tier
    sources = sources_by_key()
    numbers = []
    for tier, entries in groups.items():
        assert entries, tier
        assert [n for _, n in entries] == sorted(n for _, n in entries)  # number order
        for key, _ in entries:
            assert expected_tier(sources[key]) == tier, key
        numbers += [n for _, n in entries]
    # the numbers are citeproc's, in order of first citation: the groups only regroup them
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
    assert len(numbers) == len(ENTRY.findall(page))


@pytest.mark.xdist_group("build")
@pytest.mark.parametrize("name", ["briefing", "annex"])
def test_the_pdf_shows_each_group_under_its_heading(real_build, name):
    """The PDF's text, read as a reader copies it: the three headings in order, each a line
    of its own followed by its own sources' numbers (column by column, in number order), and
    the title of a group's first source under that group's heading."""
    groups = groups_in_html((real_build.out / f"{name}.html").read_text(encoding="utf-8"))
    lines = "\n".join(page.extract_text() or "" for page in
                      PdfReader(real_build.out / f"{name}.pdf").pages).splitlines()
    # small capitals may come out as capitals: compare letters and digits only
    heads = [[i for i, line in enumerate(lines) if bare(line) == bare(TITLES[tier])]
             for tier in groups]
    assert all(len(found) == 1 for found in heads), heads
    heads = [found[0] for found in heads]
    assert heads == sorted(heads)
    sources = sources_by_key()
    for (tier, entries), start, end in zip(groups.items(), heads, [*heads[1:], len(lines)]):
        under = "\n".join(lines[start:end])
        assert [int(n) for n in re.findall(r"^\[(\d+)\]", under, re.M)] == \
            [n for _, n in entries], tier
        first = sources[entries[0][0]]
        assert bare(first.title)[:40] in bare(under), (tier, first.title)


@pytest.mark.xdist_group("build")
def test_the_short_briefing_stays_within_sixteen_pages_with_its_groups(real_build):
    assert 12 <= len(PdfReader(real_build.out / "briefing.pdf").pages) <= 16


@pytest.mark.xdist_group("build")
@pytest.mark.parametrize("name", ["briefing", "annex"])
def test_the_docx_has_the_groups_as_headings_over_their_sources(real_build, name):
    groups = groups_in_html((real_build.out / f"{name}.html").read_text(encoding="utf-8"))
    paragraphs = Document(str(real_build.out / f"{name}.docx")).paragraphs
    sources_at = max(i for i, p in enumerate(paragraphs)
                     if p.text == LABELS("heading.sources") and p.style.name.startswith("Heading"))
    after = paragraphs[sources_at + 1:]
    headings = [(i, p) for i, p in enumerate(after) if p.style.name.startswith("Heading")]
    assert [p.text for _, p in headings] == [TITLES[tier] for tier in groups]
    level = int(paragraphs[sources_at].style.name.split()[-1])
    assert all(p.style.name == f"Heading {level + 1}" for _, p in headings)
    ends = [i for i, _ in headings[1:]] + [len(after)]
    for ((start, _), end), (tier, entries) in zip(zip(headings, ends), groups.items()):
        shown = [int(m.group(1)) for p in after[start + 1:end]
                 if (m := re.match(r"\[(\d+)\]", p.text))]
        assert shown == [n for _, n in entries], tier
    # left out of the contents, as in the PDF and the page
    contents = [p.text for p in paragraphs if p.style.name.lower().startswith("toc ")]
    assert contents and not any(title in line for line in contents for title in TITLES.values())
