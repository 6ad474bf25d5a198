"""pandoc's warnings: the ones that mean a document is missing something fail the build; a
language pandoc has no words for does not (the words come from the label catalogue)."""

from __future__ import annotations

import time

import pytest

from report.errors import EnvironmentFault
from report.render.pandoc import (
    HTML,
    READ,
    WRITE,
    TooSlow,
    finish_pandoc,
    pandoc,
    start_pandoc,
    warnings_in,
)


def write(tmp_path, body: str, lang: str = "en-GB"):
    (tmp_path / "t.md").write_text(f"---\ntitle: T\nlang: {lang}\n---\n\n{body}\n",
                                   encoding="utf-8")


def test_a_language_pandoc_has_no_words_for_builds(tmp_path):
    write(tmp_path, "# One\n\nText.\n\n| a |\n|---|\n| 1 |\n\n: A table {#tbl-a}", "xx-YY")
    page = pandoc(["t.md", *READ, *WRITE, *HTML, "-s"], tmp_path)
    assert 'lang="xx-YY"' in page
    pandoc(["t.md", *READ, *WRITE, "-t", "docx+native_numbering", "-o", "t.docx"], tmp_path)
    assert (tmp_path / "t.docx").stat().st_size > 0


def test_an_image_pandoc_cannot_fetch_still_fails_the_build(tmp_path):
    write(tmp_path, "![A chart](missing.png){#fig-a}")
    with pytest.raises(EnvironmentFault, match=r"^pandoc failed: \[WARNING\] Could not fetch "
                                               r"resource missing\.png"):
        pandoc(["t.md", *READ, *WRITE, "-t", "docx", "-o", "t.docx"], tmp_path)


def test_a_warning_keeps_the_lines_that_continue_it():
    stderr = ("[WARNING] Could not load translations for xx-YY\n"
              "  data file translations/xx.yaml not found\n"
              "[WARNING] Could not fetch resource a.png\n")
    assert warnings_in(stderr) == [
        "[WARNING] Could not load translations for xx-YY\n"
        "  data file translations/xx.yaml not found",
        "[WARNING] Could not fetch resource a.png"]


def test_pandoc_past_its_time_limit_is_stopped_with_a_clear_message(tmp_path):
    """A document pandoc reads pathologically slowly (twenty unclosed brackets on a line
    took it minutes) ends in one message, and no pandoc is left running."""
    (tmp_path / "t.md").write_text("x " + "[a " * 40 + "\n", encoding="utf-8")
    proc = start_pandoc(["t.md", *READ, "-t", "json"], tmp_path)
    started = time.monotonic()
    with pytest.raises(TooSlow) as stopped:
        finish_pandoc(proc, limit=1)
    assert time.monotonic() - started < 30
    assert proc.poll() is not None
    assert str(stopped.value) == (
        "pandoc did not finish within 1 s and was stopped: the briefing holds Markdown pandoc "
        "reads very slowly; run `report check`, which names such Markdown in the brief, and "
        "report the brief if it passes")
