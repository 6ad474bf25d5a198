"""The analyst's brief: live facts, exhibits, the claims register, and bad briefs told apart
from good ones with the file, line and column of each problem."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pypandoc
import pytest
from pypdf import PdfReader

from report.render import READER

from .conftest import DATA, GOOD, case_dir, run_cli

BAD_BRIEFS = DATA / "brief-bad"


def plain(markdown: str) -> str:
    """The text a reader sees: pandoc's plain-text rendering of the Markdown."""
    return subprocess.run([pypandoc.get_pandoc_path(), f"--from={READER}", "-t", "plain",
                           "--wrap=none"], input=markdown, capture_output=True, text=True,
                          check=True).stdout


def cases_with(tmp_path, brief=None, claims=None):
    cases = case_dir(tmp_path, *GOOD.glob("*.yaml"))
    if brief is not None:
        shutil.copy(brief, cases / "brief.md")
    if claims is not None:
        shutil.copy(claims, cases / "claims.yaml")
    return cases


@pytest.mark.parametrize("bad", [p for p in sorted(BAD_BRIEFS.glob("*.md"))
                                 if p.with_suffix(".expected").exists()], ids=lambda p: p.stem)
def test_each_bad_brief_gets_its_exact_message(tmp_path, bad):
    cases_with(tmp_path, brief=bad)
    run = run_cli("check", cwd=tmp_path)
    expected = bad.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    assert run.code == 2
    lines = run.err.splitlines()
    assert lines[:-1] == expected
    assert lines[-1] == f"{len(expected)} problem{'s' * (len(expected) != 1)} found"


def test_a_dangling_fact_reference_names_the_record_and_a_close_one(tmp_path):
    cases_with(tmp_path, brief=BAD_BRIEFS / "dangling.md")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert "cases/brief.md:11:1: [[alpha:large-2024-5.input]]: alpha has no record " \
        "'large-2024-5'; did you mean 'large-2024-05'?" in run.err.splitlines()


def test_an_unsourced_number_warns_and_strict_makes_it_an_error(tmp_path):
    cases_with(tmp_path, brief=BAD_BRIEFS / "unsourced.md")
    warned = run_cli("check", cwd=tmp_path)
    lines = [
        "cases/brief.md:10:58: unsourced number '200'; make it a live fact "
        "[[case:record.field]] or cite its source [@key]",
        "cases/brief.md:10:76: unsourced number '3.5bn'; make it a live fact "
        "[[case:record.field]] or cite its source [@key]"]
    assert warned.code == 0
    # the third test case is in the folder but not in the brief: a note, never an error
    note = ("note: cases/gamma.yaml: the brief does not compare this case (gamma); add it "
            "to the front matter's `cases:`, or move the file out of the cases folder")
    assert warned.err.splitlines() == [*lines, "2 warnings (--strict makes them errors)", note]
    strict = run_cli("check", "--strict", cwd=tmp_path)
    assert strict.code == 2
    assert strict.err.splitlines() == [*lines, "2 problems found"]
    # The same with `build`: the documents are not made.
    built = run_cli("build", "--strict", "--quiet", cwd=tmp_path)
    assert built.code == 2 and not (tmp_path / "output" / "briefing.pdf").exists()


@pytest.mark.parametrize("claims, problem", [
    ("claims_verdict", "cases/claims.yaml:6:14: claims[0].verdict: input should be "
                       "'supported', 'partly-supported', 'unsupported', 'contradicted' or "
                       "'unverifiable'"),
    ("claims_fact", "cases/claims.yaml:6:25: claims[0].facts[1]: no fact 'alpha:boo' in the "
                    "case files; did you mean 'alpha:bo'?"),
], ids=["unknown verdict", "a fact no case file holds"])
def test_a_bad_claim_is_named_with_its_line_and_field(tmp_path, claims, problem):
    cases_with(tmp_path, claims=BAD_BRIEFS / claims / "claims.yaml")
    run = run_cli("check", cwd=tmp_path)
    assert run.code == 2
    assert run.err.splitlines() == [problem, "1 problem found"]


def test_a_fact_that_repeats_a_checked_claim_points_to_the_verdict(tmp_path):
    """The fact pack does not state a refuted claim as a fact without saying so."""
    claims = tmp_path / "claims.yaml"
    claims.write_text((BAD_BRIEFS / "claims_fact" / "claims.yaml").read_text(
        encoding="utf-8").replace(', "alpha:boo"', ""), encoding="utf-8")
    cases_with(tmp_path, brief=DATA / "brief" / "brief.md", claims=claims)
    run = run_cli("build", "--quiet", "--format", "html", cwd=tmp_path)
    assert run.code == 0, run.err
    text = plain((tmp_path / "output" / "briefing.md").read_text(encoding="utf-8"))
    appendix = text.split("Appendix: facts below confirmed")[-1]
    bo = next(line for line in appendix.splitlines() if "Bo Beta" in line)
    assert "rated contradicted in Claims checked" in bo


def test_a_brief_naming_an_unknown_case(tmp_path):
    cases_with(tmp_path, brief=BAD_BRIEFS / "unknown_case.md")
    run = run_cli("check", cwd=tmp_path)
    assert (run.code, run.err.splitlines()[0]) == (
        2, "cases/brief.md:5:16: cases[1]: no case file has the id 'betta'; did you mean 'beta'?")


def test_a_malformed_front_matter_points_at_its_line_in_the_brief(tmp_path):
    cases_with(tmp_path, brief=BAD_BRIEFS / "front_matter.md")
    run = run_cli("check", cwd=tmp_path)
    assert (run.code, run.err.splitlines()[0]) == (
        2, "cases/brief.md:6:1: YAML syntax error: while parsing a flow sequence expected ',' "
           "or ']', but got '<stream end>' (it was opened at line 5)")


def test_a_bad_brief_leaves_earlier_documents_exactly_as_they_were(brief_build, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(brief_build.root, root)

    def digests():
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "output").iterdir()) if p.is_file()}

    before = digests()
    shutil.copy(BAD_BRIEFS / "dangling.md", root / "cases" / "brief.md")
    run = run_cli("build", "--quiet", cwd=root)
    assert run.code == 2 and run.err.startswith("cases/brief.md:10:14: ")
    assert digests() == before


def test_the_brief_is_markdown_never_template_code(tmp_path):
    text = (BAD_BRIEFS / "markup.md").read_text(encoding="utf-8")
    text = text.split("An image")[0]  # the refused image and link are tested above
    cases = cases_with(tmp_path)
    (cases / "brief.md").write_text(text, encoding="utf-8")
    run = run_cli("build", "--quiet", "--format", "html", cwd=tmp_path)
    assert run.code == 0, run.err
    text = plain((tmp_path / "output" / "briefing.md").read_text(encoding="utf-8"))
    assert "Template code {% include “x” %} and {{ 7*7 }} print as written" in text
    assert "A thesis with {{ 7*7 }} in it" in (tmp_path / "output" / "briefing.html").read_text(
        encoding="utf-8")
    assert "49" not in text


def test_a_price_edited_in_a_case_file_changes_the_prose(tmp_path):
    cases = cases_with(tmp_path, brief=DATA / "brief" / "brief.md")
    run_cli("build", "--quiet", "--format", "html", cwd=tmp_path)
    before = plain((tmp_path / "output" / "briefing.md").read_text(encoding="utf-8"))
    assert "Beta AI charged CNY 1 " in before
    beta = cases / "beta.yaml"
    beta.write_text(beta.read_text(encoding="utf-8").replace(
        "currency: CNY, input: 1, input_cache_hit: 0.1", "currency: CNY, input: 1.25, "
        "input_cache_hit: 0.1"), encoding="utf-8")
    run = run_cli("build", "--quiet", "--format", "html", cwd=tmp_path)
    assert run.code == 0, run.err
    after = plain((tmp_path / "output" / "briefing.md").read_text(encoding="utf-8"))
    summary = after.split("Executive summary")[1].split("Why Alpha fell")[0]
    assert "Beta AI charged CNY 1.25 " in summary
    assert "CNY 1 " not in summary
    assert "16×" in summary  # the ratio follows: CNY 20 / CNY 1.25


def test_facts_from_the_same_sources_in_one_sentence_are_cited_once(tmp_path):
    """"CNY 1 per 1M tokens from 6 May 2024 [1]", not "CNY 1 [1] … 6 May 2024 [1]"; facts with
    other sources, or in the next sentence, keep their own citations."""
    cases_with(tmp_path, brief=DATA / "brief" / "brief.md")
    run = run_cli("build", "--quiet", "--format", "html", cwd=tmp_path)
    assert run.code == 0, run.err
    md = (tmp_path / "output" / "briefing.md").read_text(encoding="utf-8")
    beta, alpha = md.split("Beta AI charged", 1)[1].split("as much", 1)[0].split(";", 1)
    assert beta.count("@beta:price") == 1
    # written bare, no citation after it (the span marks a live fact for every format)
    assert beta.split()[:3] == ["[CNY", "1]{.fact}", "per"]
    assert alpha.count("@alpha:news") == 2  # the conversion and the ratio, each with its own


def test_without_a_brief_the_build_is_the_fact_pack(three_build):
    reader = PdfReader(three_build.out / "briefing.pdf")
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[0].endswith("Key findings")
    assert not any("Executive summary" in t or "Claims checked" in t for t in titles)
    markdown = (three_build.out / "briefing.md").read_text(encoding="utf-8")
    assert markdown.split("---\n", 2)[2].lstrip().startswith("# Key findings")


def test_the_argument_comes_first_with_its_exhibits(brief_build):
    reader = PdfReader(brief_build.out / "briefing.pdf")
    first_five = "\n".join(p.extract_text() for p in reader.pages[:5])
    assert "Alpha Labs lost the price war Beta AI started" in first_five
    assert "Executive summary" in first_five
    assert "Figure 1. Beta cut first; Alpha matched five months later." in first_five
    titles = [" ".join(i.title.split()) for i in reader.outline if not isinstance(i, list)]
    assert titles[:4] == ["Executive summary", "1 Why Alpha fell", "2 Claims checked",
                          "3 Fact pack"]


def test_claims_render_as_a_table_and_as_claimreview_json_ld(brief_build):
    import json
    import re

    page = (brief_build.out / "briefing.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    reviews = [json.loads(b) for b in blocks]
    assert [r["@type"] for r in reviews] == ["ClaimReview", "ClaimReview"]
    assert reviews[0]["reviewRating"]["alternateName"] == "unverifiable"
    assert reviews[1]["reviewRating"]["ratingValue"] == 5
    assert reviews[1]["itemReviewed"]["author"]["name"] == "A. Critic's blog"
    assert reviews[0]["author"]["name"] == "Example Research"
    text = "\n".join(p.extract_text() for p in PdfReader(brief_build.out / "briefing.pdf").pages)
    assert "Claims checked" in text and "unverifiable" in text
