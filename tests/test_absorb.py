"""`report absorb`: the round trip build → edit in Word (or LibreOffice) → absorb → build,
checked on the project's own briefing by what the new PDF says."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from report.absorb.merge import merge

from .conftest import libreoffice, run_cli
from .wordedit import WordEdit, text_of, w

pytestmark = pytest.mark.xdist_group("build")


def site(real_build, tmp: Path) -> Path:
    """A copy of the real build's cases and chart images, to absorb into and build again."""
    root = tmp / "site"
    root.mkdir(parents=True)
    shutil.copytree(real_build.root / "cases", root / "cases")
    shutil.copytree(real_build.root / "figures", root / "figures")
    return root


@dataclass
class Session:
    """What the editor did, so the checks need no words of the shipped brief."""

    sharpened: tuple[str, str]  # words of the analyst's, and what they became
    deleted: str  # words of a paragraph deleted whole (it held live facts)
    added: str  # a paragraph typed after another
    commented: str  # the words a comment is on
    typed: tuple[str, str]  # a live money figure, and what was typed over it
    before_fact: str  # the words just before that live fact
    inserted: tuple[str, str]  # words, and the text inserted after them (tracked)
    removed: tuple[str, str]  # words, and the last word deleted from them (tracked)


MONEY = re.compile(r"^(CNY|USD) \d[\d.,]*$")


def edit_as_word_would(built: Path, target: Path) -> Session:
    """The editor's session on paragraphs of the brief that hold live facts: a sentence
    sharpened, a paragraph deleted and one added, a comment, a live money figure typed over,
    and a tracked insertion and deletion."""
    e = WordEdit(built)
    paragraphs = e.prose_with_facts()
    assert len(paragraphs) >= 6, "the brief needs six paragraphs with live facts"
    (p0, prose0, _), (p1, prose1, _), (p2, _, _), (p3, prose3, _), (p4, prose4, _), \
        (p5, prose5, _) = paragraphs[:6]
    old = prose0[0]
    words = old.split(" ")
    new = " ".join([*words[:2], "plainly", *words[2:]])
    e.replace(old, new, p0)
    e.delete_paragraph(p1)
    added = "An editor's sentence, added in Word, with *stars* and [brackets]."
    e.insert_paragraph_after(p2, added)
    e.comment(prose3[0], "Still true after 2026?", paragraph=p3)
    typed = None
    for p, _, facts in paragraphs[2:]:
        money = next((f for f in facts if MONEY.match(f)), None)
        if money is not None:
            runs = ["".join(t.text or "" for t in r.findall(w("t"))) for r in p.iter(w("r"))]
            before = runs[runs.index(money) - 1].strip() or runs[runs.index(money) - 2].strip()
            typed = (money, money.split(" ")[0] + " 4242", before)
            e.replace(money, typed[1], p)
            break
    assert typed, "the brief needs a live money figure (CNY or USD)"
    e.track_insert(prose4[0], " (a tracked insertion)", paragraph=p4)
    last = prose5[0].rstrip().split(" ")[-1]
    e.track_delete(last, paragraph=p5)
    e.save(target)
    return Session((old, new), prose1[0], added, prose3[0], typed[:2], typed[2],
                   (prose4[0], " (a tracked insertion)"), (prose5[0], last))


@pytest.fixture(scope="module")
def edited(real_build, tmp_path_factory) -> tuple[Path, Session]:
    target = tmp_path_factory.mktemp("edited") / "briefing.docx"
    return target, edit_as_word_would(real_build.out / "briefing.docx", target)


def flat(text: str) -> str:
    """Text as a reader finds it: one space between words, words hyphenated at a line's end
    made whole, typographic quotes plain."""
    text = re.sub("\u2010\\s+", "", text.replace("\u00ad", ""))
    return " ".join(text.translate(str.maketrans("‘’“”\xa0", "''\"\" ")).split())


def test_an_unedited_docx_changes_nothing(real_build, tmp_path):
    root = site(real_build, tmp_path)
    run = run_cli("absorb", str(real_build.out / "briefing.docx"), "--apply", cwd=root)
    assert run.code == 0, run.err
    assert "cases/brief.md: nothing to change" in run.out
    assert "not made" not in run.out and "comments" not in run.out
    assert not (root / "cases" / "brief.md.before-absorb").exists()


def test_word_edits_go_into_the_brief_and_the_rebuilt_pdf(real_build, edited, tmp_path):
    docx, did = edited
    root = site(real_build, tmp_path)
    brief = root / "cases" / "brief.md"
    before = brief.read_text(encoding="utf-8")
    shown = run_cli("absorb", str(docx), cwd=root)
    assert shown.code == 0, shown.err
    assert brief.read_text(encoding="utf-8") == before  # without --apply, only a diff
    out = shown.out
    # Added after a list item, as Word does on Enter: a list item.
    assert "+- An editor's sentence, added in Word, with \\*stars\\* and \\[brackets\\]." in out
    # The typed-over figure is reported with where it comes from, and not made.
    typed = re.search(r"cases/brief\.md:(\d+): live fact (\[\[[^]]+\]\]) typed over: “"
                      + re.escape(did.typed[0]) + r"[^”]*” → “" + re.escape(did.typed[1])
                      + r"[^”]*”\n +(cases/[\w.-]+\.yaml):(\d+): record [\w-]+, field (\w+)\n"
                      r" +its value now: [^\n]+\n +source: ", out)
    assert typed, out
    comment = re.search(r"cases/brief\.md:(\d+): on “" + re.escape(" ".join(did.commented.split()))
                        + r"”: Editor: Still true after 2026\?", out)
    assert comment, out

    wrote = run_cli("absorb", str(docx), "--apply", cwd=root)
    assert wrote.code == 0, wrote.err
    assert "wrote cases/brief.md (the previous one is cases/brief.md.before-absorb)" in wrote.out
    assert (root / "cases" / "brief.md.before-absorb").read_text(encoding="utf-8") == before
    after = brief.read_text(encoding="utf-8")
    assert typed.group(2) in after and did.typed[1] not in after
    # Lines are those of the brief as absorbed.
    assert typed.group(2) in after.splitlines()[int(typed.group(1)) - 1]
    assert flat(did.commented).split()[0] in flat(" ".join(
        after.splitlines()[int(comment.group(1)) - 1:int(comment.group(1)) + 1]))
    # A second absorb of the same DOCX changes nothing.
    again = run_cli("absorb", str(docx), "--apply", cwd=root)
    assert again.code == 0 and "cases/brief.md: nothing to change (it already holds these " \
        "edits)" in again.out, again.out
    assert brief.read_text(encoding="utf-8") == after

    # The case file moves on: the live fact follows it; the typed-over figure is nowhere.
    case = root / typed.group(3)
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    at = int(typed.group(4)) - 1
    lines[at] = re.sub(rf"({typed.group(5)}:\s*)(\d+(?:\.\d+)?)", lambda m: m.group(1) + str(
        float(m.group(2)) + 5).removesuffix(".0"), lines[at], count=1)
    case.write_text("".join(lines), encoding="utf-8")
    value = re.search(r"its value now: ([^\n(]+?)(?: \(|\n)",
                      run_cli("absorb", str(docx), cwd=root).out).group(1)
    assert flat(value) != flat(did.typed[0]) and re.search(r"\d", value)
    build = run_cli("build", "--quiet", "--format", "pdf", cwd=root)
    assert build.code == 0, build.err
    text = flat(" ".join(p.extract_text() for p in
                         PdfReader(root / "output" / "briefing.pdf").pages))
    assert flat(did.sharpened[1]) in text and flat(did.sharpened[0]) not in text
    assert flat(did.deleted) not in text
    assert flat(did.added) in text
    assert flat(did.inserted[0] + did.inserted[1]) in text
    assert flat(did.removed[0]) not in text
    assert flat(did.removed[0].rstrip().rsplit(" ", 1)[0]) in text
    assert flat(f"{did.before_fact} {value}") in text  # the sentence shows the new value
    assert flat(did.typed[1]) not in text


def test_a_libreoffice_save_absorbs_alike(real_build, edited, tmp_path):
    docx, _ = edited
    saved = tmp_path / "lo"
    run = libreoffice(docx, "docx", saved, tmp_path / "p")
    assert run.returncode == 0 and (saved / "briefing.docx").exists(), run.stderr
    # LibreOffice rewrote the package: the XML differs, the custom XML part is still there.
    names = zipfile.ZipFile(saved / "briefing.docx").namelist()
    assert any(re.fullmatch(r"customXml/item\d+\.xml", n) for n in names)
    direct, through = (site(real_build, tmp_path / name) for name in ("a", "b"))
    for root, path in ((direct, docx), (through, saved / "briefing.docx")):
        result = run_cli("absorb", str(path), "--apply", cwd=root)
        assert result.code == 0, result.err
        assert re.search(r"live fact \[\[[^]]+\]\] typed over", result.out), result.out
        assert "Editor: Still true after 2026?" in result.out
    # LibreOffice worked the contents' page numbers out again: not an edit, not reported.
    assert (through / "cases" / "brief.md").read_text(encoding="utf-8") == \
        (direct / "cases" / "brief.md").read_text(encoding="utf-8")
    assert "not made: 1 edit(s)" in result.out, result.out  # the typed-over figure alone


def unique_phrase(run: str, brief: str) -> str | None:
    """Three words of a run of the analyst's that stand once, as they are, in the brief."""
    words = run.split()
    for k in range(len(words) - 2):
        phrase = " ".join(words[k:k + 3])
        if brief.count(phrase) == 1 and run.count(phrase) == 1 and \
                not re.search(r"[*_\[\]`'’\"“”\\]", phrase):
            return phrase
    return None


def test_a_brief_changed_since_the_build_is_merged_three_ways(real_build, tmp_path):
    root = site(real_build, tmp_path)
    brief = root / "cases" / "brief.md"
    text = brief.read_text(encoding="utf-8")
    e = WordEdit(real_build.out / "briefing.docx")
    picks = []
    for p, prose, _ in e.prose_with_facts()[::2]:  # paragraphs apart from each other
        phrase = next((x for x in (unique_phrase(r, text) for r in prose) if x), None)
        if phrase:
            picks.append((p, phrase))
    assert len(picks) >= 3, "the brief needs three paragraphs of the analyst's apart"
    (_, a), (pb, b), (pc, c) = picks[:3]
    # Since the build the analyst changed A and B; the editor changed B (a conflict) and C.
    text = text.replace(a, a + " (analyst)").replace(b, b + " (analyst)")
    brief.write_text(text, encoding="utf-8")
    e.replace(b, b + " (editor)", pb)
    e.replace(c, c + " (editor)", pc)
    run = run_cli("absorb", str(e.save(tmp_path / "edited.docx")), "--apply", cwd=root)
    assert run.code == 0, run.err
    assert "cases/brief.md changed since, so the edits are merged three ways" in run.out
    line = next(i for i, x in enumerate(text.splitlines(), 1) if b + " (analyst)" in x)
    conflict = re.search(rf"conflict: cases/brief\.md:{line}(-\d+)?: changed in the brief since "
                         r"the build and in the DOCX; the brief's lines were kept, the DOCX "
                         r"has:\n((?:    .*\n)+)", run.out)
    assert conflict and b + " (editor)" in conflict.group(2), run.out
    after = brief.read_text(encoding="utf-8")
    assert a + " (analyst)" in after  # the analyst's change stays
    assert c + " (editor)" in after  # the editor's is made
    assert b + " (analyst)" in after and b + " (editor)" not in after  # the conflict: kept


def test_edits_of_the_fact_pack_are_reported_not_made(real_build, tmp_path):
    root = site(real_build, tmp_path)
    # The whole fact pack in one document: the brief without its `briefing:` split (the
    # short briefing's price table is a summary; every price point is the annex's).
    brief = root / "cases" / "brief.md"
    brief.write_text(re.sub(r"\nbriefing:\n(?:  .*\n|           .*\n)+", "\n",
                            brief.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    built = run_cli("build", "--quiet", "--format", "docx", cwd=root)
    assert built.code == 0, built.err
    e = WordEdit(root / "output" / "briefing.docx")
    row = e.paragraph("Yi-Large (yi-large) [").getparent().getparent()
    e.replace("CNY 20", "CNY 19", list(row.iter(w("tc")))[4])
    run = run_cli("absorb", str(e.save(tmp_path / "edited.docx")), "--apply", cwd=root)
    assert run.code == 0, run.err
    assert "cases/brief.md: nothing to change" in run.out
    assert re.search(r"table “Table \d+: API prices per 1M tokens, every price point [^”]*”, "
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
    # (A chronology's sources line may say what its sources cover, after them.)
    assert re.search(r"figure caption of \[\[exhibit:price-war\]\]: “Figure 1: Beta cut "
                     r"first; Alpha matched five months later\. Sources: \[[^]]+\][^”]*” → "
                     r"“Figure 1: Beta cut first; Alpha’s “match” came five months on\. Source "
                     r"list: \[[^]]+\][^”]*”; the title is in cases/brief\.md:16 \(front "
                     r"matter\)", run.out), run.out


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


def test_a_cell_of_the_briefs_own_table_is_absorbed(real_build, tmp_path):
    """The brief's own pipe table (its caption is in brief.md) takes a cell's edit; the
    tables the tool writes do not."""
    root = site(real_build, tmp_path)
    brief = root / "cases" / "brief.md"
    text = brief.read_text(encoding="utf-8")
    captions = re.findall(r"^: (.+?) \{#tbl-", text, re.M)
    assert captions, "the brief needs a table of its own"
    e = WordEdit(real_build.out / "briefing.docx")
    caption = e.paragraph(captions[0].split(",")[0])
    table = caption.getnext()
    assert table.tag == w("tbl")
    cell = next(tc for tc in table.iter(w("tc")) if not list(tc.iter(w("rStyle")))
                and len(text_of(tc).split()) >= 2 and text_of(tc) in text)
    old = text_of(cell)
    e.replace(old, old + " (checked)", cell)
    run = run_cli("absorb", str(e.save(tmp_path / "edited.docx")), "--apply", cwd=root)
    assert run.code == 0, run.err
    row = next(line for line in brief.read_text(encoding="utf-8").splitlines()
               if f"| {old} (checked) |" in line)
    assert row.startswith("|") and row.count("|") == text.splitlines()[
        next(i for i, x in enumerate(text.splitlines()) if f"| {old} |" in x)].count("|")
