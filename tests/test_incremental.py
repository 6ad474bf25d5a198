"""The preview's page, rendered section by section, is the page `report build` writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from report.build import BuildOptions, compose_briefing
from report.compose import Briefing
from report.errors import EnvironmentFault
from report.live.incremental import IncrementalPage, split
from report.load import load_inputs
from report.render import render
from report.render.environment import environment

from .conftest import EPOCH, GOOD, ROOT, case_dir

BRIEF = Path(__file__).parent / "data" / "brief"


def composed(cases: Path):
    options = BuildOptions(cases_dir=cases, figures_dir=cases.parent / "figures")
    with environment("SOURCE_DATE_EPOCH", EPOCH):
        return compose_briefing(load_inputs(cases), int(EPOCH), options, export=False)


def built_page(briefing: Briefing, charts=(), images=None, folder: Path | None = None) -> str:
    """The HTML page as `report build` renders it: the whole Markdown at once."""
    with environment("SOURCE_DATE_EPOCH", EPOCH):
        rendered = render(briefing, list(charts), images or {}, ["html"], folder)
    return rendered.documents["html"].read_text(encoding="utf-8")


def test_the_shipped_briefing_is_the_built_page_and_a_second_page_renders_nothing(tmp_path):
    shutil.copytree(ROOT / "cases", tmp_path / "cases")
    c = composed(tmp_path / "cases")
    pages = IncrementalPage()
    try:
        first = pages.page(c.briefing, c.charts, c.images)
        assert first == built_page(c.briefing, c.charts, c.images, tmp_path)
        assert pages.last.whole == ""
        assert pages.last.rendered == pages.last.sections > 10 and pages.last.shell
        assert pages.last.entries > 100

        assert pages.page(c.briefing, c.charts, c.images) == first
        assert (pages.last.rendered, pages.last.entries, pages.last.shell) == (0, 0, False)

        # One sentence of the argument changes (the short briefing shows no case file's
        # notes): a section or two are rendered again, and the page still equals the whole
        # build of the edited files.
        brief = tmp_path / "cases" / "brief.md"
        text = brief.read_text(encoding="utf-8")
        brief.write_text(text.replace("\n# What to watch", "\nEdited here.\n\n# What to watch", 1),
                         encoding="utf-8")
        edited = composed(tmp_path / "cases")
        out = tmp_path / "edited"
        out.mkdir()
        page = pages.page(edited.briefing, edited.charts, edited.images)
        assert page != first and "Edited here." in page
        assert page == built_page(edited.briefing, edited.charts, edited.images, out)
        assert 0 < pages.last.rendered <= 3 and not pages.last.shell
    finally:
        pages.close()


@pytest.mark.parametrize("inputs", ["fact pack only", "brief"])
def test_other_briefings_are_the_built_page(tmp_path, inputs):
    files = [*GOOD.glob("*.yaml")] + ([*BRIEF.iterdir()] if inputs == "brief" else [])
    c = composed(case_dir(tmp_path, *files))
    pages = IncrementalPage()
    try:
        assert pages.page(c.briefing, c.charts, c.images) == \
            built_page(c.briefing, c.charts, c.images, tmp_path)
        assert pages.last.whole == ""
    finally:
        pages.close()


# Sources of three kinds: the list groups the first two under their titles (one with a
# quote pandoc makes curly); the third has no group, so ends the list in one of its own.
SOURCES = [{"id": f"s{i}", "type": "webpage", "title": f"Source {i}",
            "publisher": "Example", "issued": {"date-parts": [[2024, 1 + i % 12, 1 + i]]},
            "tier": ("primary", "press", "secondary")[i % 3]}
           for i in range(12)]
HEAD = '---\ntitle: "T"\nlang: "en-GB"\nlink-citations: true\n---\n\n'
REFS = ("\n\n# Sources {#sources .unnumbered}\n\n::: {#refs}\n"
        '::: {.source-tier tier="primary"}\nThe companies\' *own*\n:::\n'
        '::: {.source-tier tier="press"}\nPress\n:::\n:::\n')
FLAT_REFS = "\n\n# Sources {#sources .unnumbered}\n\n::: {#refs}\n:::\n"


def briefing(markdown: str) -> Briefing:
    return Briefing(markdown=markdown, bibliography=SOURCES, title="T", subtitle="S")


@pytest.mark.parametrize("refs", [REFS, FLAT_REFS], ids=["grouped", "flat"])
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from([s["id"] for s in SOURCES]), min_size=1,
                         max_size=6, unique=True), min_size=1, max_size=8))
def test_citations_are_numbered_and_collapsed_as_citeproc_does(tmp_path_factory, refs, groups):
    """Any citations, in any order: ranges of three or more, pairs, gaps, repeats; and the
    list of sources grouped by kind as render's filter groups it (a group none of the
    citations falls in is left out), or in one list."""
    body = "\n\n".join(f"# Part {i} {{#part-{i}}}\n\nText [{'; '.join('@' + k for k in g)}]."
                       for i, g in enumerate(groups))
    b = briefing(HEAD + body + refs)
    pages = IncrementalPage()
    try:
        assert pages.page(b, [], {}) == built_page(b, folder=tmp_path_factory.mktemp("w"))
        assert pages.last.whole == ""
    finally:
        pages.close()


@pytest.mark.parametrize("body, why", [
    ("Text with a note.[^1]\n\n[^1]: The note [@s1].", "footnotes"),
    ("See [the source][ref].\n\n[ref]: https://example.org", "reference links"),
    ("### Notes\n\nx\n\n# Part two {#part-2}\n\n### Notes\n\ny", "identifier used twice"),
    ("As [see @s1, p. 3] says.", "prefix"),
    ("Setext heading\n--------------\n\nText [@s2].", "heading pandoc reads where"),
    ("::: {.box}\n## In a box\n:::\n\nText [@s2].", "heading pandoc reads where"),
])
def test_what_crosses_sections_renders_the_page_whole(tmp_path, body, why):
    """Each makes one section depend on another (two headings named Notes are "notes" and
    "notes-1" only in one document): the page is rendered whole, and is still the build's."""
    markdown = HEAD + "# Part {#part-0}\n\nText [@s3; @s4].\n\n" + body + REFS
    b = briefing(markdown)
    pages = IncrementalPage()
    try:
        assert pages.page(b, [], {}) == built_page(b, folder=tmp_path)
        assert why in pages.last.whole
    finally:
        pages.close()


def test_sections_are_cut_at_headings_outside_code_and_divs():
    markdown = ("---\ntitle: T\n---\n\nPreface\n\n# One\n\ntext\n\n```\n# not a heading\n```"
                "\n\n::: {.box}\n## Not cut here\n:::\n\n## Two {#two}\n\n### Three\n\nx\n"
                "#no space\n")
    sections = split(markdown)
    assert [s.level for s in sections] == [0, 1, 2, 3]
    assert "".join(s.markdown for s in sections) == markdown
    assert sections[1].markdown.startswith("# One") and "## Not cut here" in sections[1].markdown
    assert sections[2].markdown == "## Two {#two}\n\n"
    assert sections[3].markdown == "### Three\n\nx\n#no space\n"


def test_a_section_pandoc_warns_about_fails_as_the_build_does(tmp_path):
    b = briefing(HEAD + "# Part {#part-0}\n\nx\n\n# Again {#part-0}\n\ny" + REFS)
    pages = IncrementalPage()
    try:
        with pytest.raises(EnvironmentFault, match="Duplicate identifier 'part-0'"):
            pages.page(b, [], {})
        with pytest.raises(EnvironmentFault, match="Duplicate identifier 'part-0'"):
            built_page(b, folder=tmp_path)
    finally:
        pages.close()


def test_the_sources_are_written_in_the_document_language(tmp_path):
    """citeproc writes an entry's date in the metadata's language, however long the block."""
    head = ('---\ntitle: "T"\nlang: "en-US"\nlink-citations: true\nabstract: |\n  One.\n\n'
            '  Two.\n---\n\n')
    b = briefing(head + "# Part {#part-0}\n\nText [@s3; @s1]." + REFS)
    pages = IncrementalPage()
    try:
        page = pages.page(b, [], {})
        assert page == built_page(b, folder=tmp_path) and pages.last.whole == ""
        assert "April 4, 2024" in page  # s3, issued 2024-04-04, in American English
    finally:
        pages.close()


def test_a_run_of_tables_is_cut_after_each_caption_and_renders_as_the_build(tmp_path):
    table = "| a | b |\n|---|---|\n| 1 | 2 |\n"
    markdown = (HEAD + "# Tables {#tables}\n\nText [@s1].\n\n" + table + "\n: One {#tbl-one}\n\n"
                + table + "\n: Two {#tbl-two}\n\n" + table + "\nAfter [@s2].\n" + REFS)
    sections = split(markdown)
    assert [s.level for s in sections] == [0, 1, -1, -1, 1]
    assert sections[2].markdown.startswith("| a |") and ": Two" in sections[2].markdown
    assert "After" in sections[3].markdown
    b = briefing(markdown)
    pages = IncrementalPage()
    try:
        assert pages.page(b, [], {}) == built_page(b, folder=tmp_path)
        assert pages.last.whole == ""
    finally:
        pages.close()
