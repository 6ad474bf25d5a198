"""`report absorb`: the round trip build → edit in Word (or LibreOffice) → absorb → build,
checked on the project's own briefing by what the new PDF says."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from report.absorb.merge import merge

from .conftest import run_cli
from .wordedit import WordEdit, w

pytestmark = pytest.mark.xdist_group("build")


def site(real_build, tmp: Path) -> Path:
    """A copy of the real build's cases and chart images, to absorb into and build again."""
    root = tmp / "site"
    root.mkdir(parents=True)
    shutil.copytree(real_build.root / "cases", root / "cases")
    shutil.copytree(real_build.root / "figures", root / "figures")
    return root


def edit_as_word_would(built: Path, target: Path) -> Path:
    """The editor's session: a sentence sharpened, a paragraph deleted, one added, a
    comment, a live number typed over, and a tracked insertion and deletion."""
    e = WordEdit(built)
    e.replace("the motives are not on record", "the motives were never stated")
    e.delete_paragraph("DeepSeek is not a like-for-like contrast on leadership")
    e.insert_paragraph_after("Kai-Fu Lee then said", "Lee never said why in public [sic].")
    e.comment("Money and compute decided who could keep going.", "Still true after 2026?")
    e.replace("CNY 20", "CNY 21")  # Yi-Large's list price, a live fact
    e.track_insert("now sells enterprise agents", " and services")
    e.track_delete("that started the price war ")
    return e.save(target)


@pytest.fixture(scope="module")
def edited(real_build, tmp_path_factory) -> Path:
    return edit_as_word_would(real_build.out / "briefing.docx",
                              tmp_path_factory.mktemp("edited") / "briefing.docx")


def test_an_unedited_docx_changes_nothing(real_build, tmp_path):
    root = site(real_build, tmp_path)
    run = run_cli("absorb", str(real_build.out / "briefing.docx"), "--apply", cwd=root)
    assert run.code == 0, run.err
    assert "cases/brief.md: nothing to change" in run.out
    assert "not made" not in run.out and "comments" not in run.out
    assert not (root / "cases" / "brief.md.before-absorb").exists()


def test_word_edits_go_into_the_brief_and_the_rebuilt_pdf(real_build, edited, tmp_path):
    root = site(real_build, tmp_path)
    brief = root / "cases" / "brief.md"
    before = brief.read_text(encoding="utf-8")
    shown = run_cli("absorb", str(edited), cwd=root)
    assert shown.code == 0, shown.err
    assert brief.read_text(encoding="utf-8") == before  # without --apply, only a diff
    diff = shown.out
    assert "-**The timing supports the seeds' account; the motives are not on record.**" in diff
    assert "+**The timing supports the seeds' account; the motives were never stated.**" in diff
    assert "-**DeepSeek is not a like-for-like contrast on leadership" in diff
    assert "+Lee never said why in public \\[sic\\]." in diff
    assert "enterprise agents and services built on others' models" in diff
    # The typed-over number is reported with where it comes from, and not made.
    typed = re.search(r"cases/brief\.md:(\d+): live fact \[\[01-ai:price-yi-large\.input\]\] "
                      r"typed over: “CNY 20 \(reported\) (\[[0-9,–\s]+\])” → “CNY 21 \(reported\) "
                      r"\2”\n +cases/01-ai\.yaml:(\d+): record price-yi-large, field "
                      r"input\n +its value now: CNY\s20 \(reported\)\n +source: ", diff)
    assert typed, diff
    assert "    input: 20" in (root / "cases" / "01-ai.yaml").read_text(encoding="utf-8") \
        .splitlines()[int(typed.group(3)) - 1]
    assert "[[01-ai:price-yi-large.input]]" in before.splitlines()[int(typed.group(1)) - 1]
    comment = re.search(r"cases/brief\.md:(\d+): on “Money and compute decided who could keep "
                        r"going\.”: Editor: Still true after 2026\?", diff)
    assert comment, diff

    wrote = run_cli("absorb", str(edited), "--apply", cwd=root)
    assert wrote.code == 0, wrote.err
    assert "wrote cases/brief.md (the previous one is cases/brief.md.before-absorb)" in wrote.out
    assert (root / "cases" / "brief.md.before-absorb").read_text(encoding="utf-8") == before
    after = brief.read_text(encoding="utf-8")
    assert "[[01-ai:price-yi-large.input]]" in after and "CNY 21" not in after
    assert "Money and compute decided who could keep going." in \
        after.splitlines()[int(comment.group(1)) - 1]
    # A second absorb of the same DOCX changes nothing.
    again = run_cli("absorb", str(edited), "--apply", cwd=root)
    assert again.code == 0 and "cases/brief.md: nothing to change (it already holds these " \
        "edits)" in again.out, again.out
    assert brief.read_text(encoding="utf-8") == after

    # The case file moves on: the live fact follows it; the typed-over number is nowhere.
    case = root / "cases" / "01-ai.yaml"
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[int(typed.group(3)) - 1] = lines[int(typed.group(3)) - 1].replace("20", "25")
    case.write_text("".join(lines), encoding="utf-8")
    build = run_cli("build", "--quiet", "--format", "pdf", cwd=root)
    assert build.code == 0, build.err
    text = " ".join(" ".join(p.extract_text() for p in
                             PdfReader(root / "output" / "briefing.pdf").pages).split())
    assert "the motives were never stated" in text
    assert "Lee never said why in public [sic]." in text
    assert "not a like-for-like contrast" not in text
    assert "enterprise agents and services built on" in text
    assert "The company is now raising prices" in text
    assert "Yi-Large was listed at CNY 25 (reported)" in text
    assert "CNY 21" not in text


def test_a_libreoffice_save_absorbs_alike(real_build, edited, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed: `make test` installs libreoffice-writer-nogui"
    saved = tmp_path / "lo"
    run = subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp_path}/p",
                          "--convert-to", "docx", "--outdir", str(saved), str(edited)],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0 and (saved / "briefing.docx").exists(), run.stderr
    # LibreOffice rewrote the package: the XML differs, the custom XML part is still there.
    names = zipfile.ZipFile(saved / "briefing.docx").namelist()
    assert any(re.fullmatch(r"customXml/item\d+\.xml", n) for n in names)
    direct, through = (site(real_build, tmp_path / name) for name in ("a", "b"))
    for root, docx in ((direct, edited), (through, saved / "briefing.docx")):
        result = run_cli("absorb", str(docx), "--apply", cwd=root)
        assert result.code == 0, result.err
        assert "live fact [[01-ai:price-yi-large.input]] typed over" in result.out
        assert "Editor: Still true after 2026?" in result.out
    # LibreOffice worked the contents' page numbers out again: not an edit, not reported.
    assert (through / "cases" / "brief.md").read_text(encoding="utf-8") == \
        (direct / "cases" / "brief.md").read_text(encoding="utf-8")
    assert "Executive summary" not in result.out


def test_a_brief_changed_since_the_build_is_merged_three_ways(real_build, tmp_path):
    root = site(real_build, tmp_path)
    brief = root / "cases" / "brief.md"
    text = brief.read_text(encoding="utf-8")
    # Since the build the analyst reworded two sentences; the editor changed one of them
    # and another one.
    text = text.replace("**Openness compounded the lead.**", "**Openness widened the lead.**")
    text = text.replace("**Money and compute decided who could keep going.**",
                        "**Money and compute decided who could go on.**")
    brief.write_text(text, encoding="utf-8")
    e = WordEdit(real_build.out / "briefing.docx")
    e.replace("Money and compute decided who could keep going.",
              "Money and compute decided who lasted.")
    e.replace("the motives are not on record", "the motives were never stated")
    docx = e.save(tmp_path / "edited.docx")
    run = run_cli("absorb", str(docx), "--apply", cwd=root)
    assert run.code == 0, run.err
    assert "cases/brief.md changed since, so the edits are merged three ways" in run.out
    line = next(i for i, x in enumerate(text.splitlines(), 1) if "who could go on" in x)
    assert f"conflict: cases/brief.md:{line}: changed in the brief since the build and in the " \
        "DOCX; the brief's lines were kept, the DOCX has:\n    [**Money and compute decided " \
        "who lasted.**]{.view likelihood=\"likely\"} DeepSeek was incubated and funded by" \
        in run.out, run.out
    after = brief.read_text(encoding="utf-8")
    assert "**Openness widened the lead.**" in after  # the analyst's change stays
    assert "the motives were never stated" in after  # the editor's is made
    assert "who could go on" in after and "who lasted" not in after  # the conflict: kept


def test_edits_of_the_fact_pack_are_reported_not_made(real_build, tmp_path):
    root = site(real_build, tmp_path)
    e = WordEdit(real_build.out / "briefing.docx")
    row = e.paragraph("Yi-Large (yi-large) [").getparent().getparent()
    e.replace("CNY 20", "CNY 19", list(row.iter(w("tc")))[4])
    run = run_cli("absorb", str(e.save(tmp_path / "edited.docx")), "--apply", cwd=root)
    assert run.code == 0, run.err
    assert "cases/brief.md: nothing to change" in run.out
    assert re.search(r"table “Table \d+: API prices per 1M tokens, every price point record…”, "
                     r"row “01\.AI”, column “Input”: “CNY 20” → “CNY 19”\n +generated from the "
                     r"case files: see cases/01-ai\.yaml:\d+: record price-yi-large, field input",
                     run.out), run.out


# ---------------------------------------------------------------- refusals


def refusals(tmp: Path, built: Path, fact_pack: Path) -> dict[str, str]:
    """Files absorb must refuse, each with the reason it must give."""
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copy(fact_pack, tmp / "factpack.docx")
    (tmp / "notes.docx").write_text("just some text\n")
    (tmp / "locked.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    (tmp / "cut.docx").write_bytes(built.read_bytes()[:20000])
    from docx import Document

    Document().save(str(tmp / "other.docx"))
    with zipfile.ZipFile(built) as z, zipfile.ZipFile(tmp / "entities.docx", "w") as out:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE d [<!ENTITY a "aaaa">]>', 1)
            out.writestr(item, data)
    with zipfile.ZipFile(built) as z, zipfile.ZipFile(tmp / "bomb.docx", "w",
                                                      zipfile.ZIP_DEFLATED) as out:
        for item in z.infolist():
            if item.filename == "word/document.xml":
                out.writestr(item.filename, b" " * (65 * 2**20))  # 65 MB of spaces, ~64 kB
            else:
                out.writestr(item, z.read(item))
    return {
        "notes.docx": "is not a DOCX (not a zip package)",
        "locked.docx": "is encrypted (password-protected) or an old binary .doc, not a DOCX; "
                       "save it as a Word document without a password",
        "cut.docx": "is damaged: not a readable zip package (File is not a zip file)",
        "other.docx": "was not made by report (it has no record of the brief it was built "
                      "from); only a DOCX that `report build` wrote can be absorbed",
        "entities.docx": "has a document type declaration in word/document.xml, which Word "
                         "never writes",
        "bomb.docx": "has a part larger than any briefing's (word/document.xml, over 64 MB "
                     "uncompressed)",
        "factpack.docx": "holds no brief to absorb (it was built without one)",
    }


def test_what_it_did_not_make_is_refused_in_one_line(real_build, three_build, tmp_path):
    root = site(real_build, tmp_path)
    brief = root / "cases" / "brief.md"
    before = brief.read_bytes()
    for name, why in refusals(tmp_path / "bad", real_build.out / "briefing.docx",
                              three_build.out / "briefing.docx").items():
        run = run_cli("absorb", str(tmp_path / "bad" / name), "--apply", cwd=root)
        assert run.code == 2, (name, run.out, run.err)
        assert run.err == f"{tmp_path / 'bad' / name}: cannot absorb: {why}\n", run.err
        assert run.out == ""
    assert brief.read_bytes() == before
    assert sorted(p.name for p in brief.parent.iterdir() if "brief" in p.name) == ["brief.md"]


def test_relationships_leading_out_of_the_package_are_not_followed(real_build, tmp_path):
    """A comments relationship to a file on the machine is ignored, never read."""
    root = site(real_build, tmp_path)
    secret = tmp_path / "secret.xml"
    secret.write_text('<w:comments xmlns:w="http://schemas.openxmlformats.org/'
                      'wordprocessingml/2006/main"><w:comment w:id="1"><w:p><w:r><w:t>SECRET'
                      '</w:t></w:r></w:p></w:comment></w:comments>')
    with zipfile.ZipFile(real_build.out / "briefing.docx") as z, \
            zipfile.ZipFile(tmp_path / "out.docx", "w") as out:
        for item in z.infolist():
            data = z.read(item)
            if item.filename == "word/_rels/document.xml.rels":
                data = data.replace(b'Target="comments.xml"',
                                    f'Target="file://{secret}" TargetMode="External"'.encode())
            out.writestr(item, data)
    run = run_cli("absorb", str(tmp_path / "out.docx"), cwd=root)
    assert run.code == 0 and "SECRET" not in run.out + run.err


# ---------------------------------------------------------------- pieces


def test_three_way_merge_of_lines():
    base = "a\nb\nc\nd\ne\n"
    assert merge(base, "a\nB\nc\nd\ne\n", "a\nb\nc\nD\ne\n") == ("a\nB\nc\nD\ne\n", [])
    merged, conflicts = merge(base, "a\nX\nc\nd\ne\n", "a\nY\nc\nd\ne\n")
    assert merged == "a\nX\nc\nd\ne\n"
    assert [(c.line, c.ours, c.theirs) for c in conflicts] == [(2, ("X",), ("Y",))]
    assert merge(base, base, "a\nc\n") == ("a\nc\n", [])


def test_markdown_is_kept_around_an_edit(tmp_path):
    """An edit inside emphasis, a link and a span keeps the markup; typed Markdown stays
    text."""
    from report.absorb import absorb_text, apply
    from report.absorb.source import read_source
    from report.render.wordtext import Paragraph

    brief = ("---\ntitle: t\n---\n\nSee **the [price list](https://example.com) of\nthe "
             "year** and [it]{.view likelihood=\"likely\"} [[a:b.c]] [@a:src].\n")
    source = read_source(brief)
    text = "See the price list of the year and it CNY 1 [1] [2]."
    roles = " " * 38 + "F" * 11 + " " + "C" * 3 + " "
    built = [Paragraph("Body Text", text, roles)]
    now = [Paragraph("Body Text", text.replace("price list", "price table").replace(
        "of the year", "of *that* year"), roles, " " * len(text))]
    result = absorb_text(source, built, now)
    assert apply(brief, result.edits) == brief.replace("[price list]", "[price table]") \
        .replace("of\nthe year", "of\n\\*that\\* year")
    assert [p.text for p in built] == [text]


def test_moves_splits_joins_and_tracked_deletions(brief_build, tmp_path):
    """Cut and paste moves a paragraph with its marks; Enter splits one, a deleted
    paragraph mark joins two; a paragraph deleted with tracking on goes; text typed right
    after a live fact (Word gives it the fact's style) is the analyst's."""
    root = tmp_path / "site"
    shutil.copytree(brief_build.root / "cases", root / "cases")
    e = WordEdit(brief_build.out / "briefing.docx")
    e.move_paragraph("Alpha’s price fell by 95%", "The blog argues that Alpha")
    e.track_delete_paragraph("Leaders left.")
    e.type_after("CNY 1", " only")
    e.split("Its latest valuation was")
    run = run_cli("absorb", str(e.save(tmp_path / "a.docx")), "--apply", cwd=root)
    assert run.code == 0, run.err
    brief = (root / "cases" / "brief.md").read_text(encoding="utf-8")
    assert "Beta AI charged [[beta:beta-chat-2024-05-06-cny.input]] only per 1M" in brief
    assert "Leaders left" not in brief and "[[alpha:bo.left]]" not in brief
    assert ('The blog argues that Alpha "could never win on price" [@alpha:blog].\n\nIts '
            "latest valuation was\n[[alpha:@latest-valuation]].\n\nAlpha's price fell by 95% "
            "in 2024 [@alpha:news], and it had 200 staff.\n\n[[exhibit:price-war]]\n\n"
            "[[exhibit:prices]]") in brief, brief

    # Two list items joined (the first one's paragraph mark deleted): one item, both
    # items' live facts still marks, the second's bold kept.
    e = WordEdit(brief_build.out / "briefing.docx")
    e.join("Beta set the price.")
    shutil.copy(root / "cases" / "brief.md.before-absorb", root / "cases" / "brief.md")
    run = run_cli("absorb", str(e.save(tmp_path / "b.docx")), cwd=root)
    assert run.code == 0, run.err
    left = "**Leaders left.** [[alpha:@leaders-left]] of Alpha's founders and heads of " \
        "functions left,"
    assert f"-  as much.\n-- {left}\n+  as much.{left}\n" in run.out, run.out


def test_titles_edited_on_the_cover_and_in_a_caption_go_into_the_front_matter(
        brief_build, tmp_path):
    root = tmp_path / "site"
    shutil.copytree(brief_build.root / "cases", root / "cases")
    e = WordEdit(brief_build.out / "briefing.docx")
    e.replace("Beta cut first; Alpha matched five months later",
              "Beta cut first; Alpha’s “match” came five months on")
    e.replace("Alpha Labs lost the price war Beta AI started",
              "Alpha Labs lost the price war that Beta AI started")
    e.replace("Sources:", "Source list:")  # the tool's words: reported, not made
    run = run_cli("absorb", str(e.save(tmp_path / "a.docx")), "--apply", cwd=root)
    assert run.code == 0, run.err
    brief = (root / "cases" / "brief.md").read_text(encoding="utf-8")
    assert '\ntitle: "Alpha Labs lost the price war that Beta AI started"\n' in brief
    assert '\n    title: "Beta cut first; Alpha’s “match” came five months on"\n' in brief
    # The caption's sources line is the tool's: its edit is reported, with where the title is.
    assert re.search(r"figure caption of \[\[exhibit:price-war\]\]: “Figure 1: Beta cut "
                     r"first; Alpha matched five months later\. Sources: \[[^]]+\]” → “Figure 1: "
                     r"Beta cut first; Alpha’s “match” came five months on\. Source list: "
                     r"\[[^]]+\]”; the title is in cases/brief\.md:16 \(front matter\)", run.out), \
        run.out


def test_the_briefs_own_table_and_its_caption_are_absorbed():
    """A cell and the caption of a pipe table in the brief (pandoc sets the caption above
    the table, the Markdown below it); the live fact in a cell stays a mark."""
    from report.absorb import absorb_text, apply
    from report.absorb.source import read_source
    from report.render.wordtext import Paragraph

    brief = ("---\ntitle: t\n---\n\nBefore.\n\n| Company | Price |\n|---|---|\n"
             "| Alpha | [[a:p.input]] |\n| Beta | cheap enough |\n\n: Prices compared {#tbl-p}"
             "\n\nAfter.\n")

    def para(text, roles=None, cell=None, style="Compact"):
        return Paragraph(style, text, roles or " " * len(text), " " * len(text), None, cell)

    built = [para("Before.", style="First Paragraph"),
             para("Table 1: Prices compared", " " * 6 + "D" + " " * 17, style="Table Caption"),
             para("Company", cell=(0, 0, 0)), para("Price", cell=(0, 0, 1)),
             para("Alpha", cell=(0, 1, 0)), para("CNY 1", "FFFFF", cell=(0, 1, 1)),
             para("Beta", cell=(0, 2, 0)), para("cheap enough", cell=(0, 2, 1)),
             para("After.", style="Body Text")]
    now = list(built)
    now[1] = para("Table 1: Prices side by side", " " * 6 + "D" + " " * 21,
                  style="Table Caption")
    now[5] = para("CNY 2", "FFFFF", cell=(0, 1, 1))
    now[7] = para("cheap, if anything", cell=(0, 2, 1))
    result = absorb_text(read_source(brief), built, now)
    assert apply(brief, result.edits) == brief.replace("cheap enough", "cheap, if anything") \
        .replace(": Prices compared", ": Prices side by side")
    assert [(r.was, r.now, r.mark.text) for r in result.reported] == \
        [("CNY 1", "CNY 2", "[[a:p.input]]")]
