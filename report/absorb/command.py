"""`report absorb EDITED.docx`: what it prints, and how it writes the brief."""

from __future__ import annotations

import bisect
import difflib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import InputError, display_path
from . import Absorption, Refused, absorb
from .where import context, exhibit_title_line, fact_lines, load_now, record_for_row

BACKUP = ".before-absorb"  # the previous brief, kept beside it


def run(docx: Path, cases: Path, brief: Path | None, write: bool,
        say: Callable[..., None]) -> int:
    """Absorb `docx` into the brief; return the exit code."""
    from ..load import brief_path
    from ..render import word_styles

    shown = display_path(docx)
    target = brief_path(cases, brief)
    if target is None or not target.is_file():
        say(f"{display_path(target or cases / 'brief.md')}: cannot absorb into it: no such "
            "brief (name one with --brief)", err=True)
        return 2
    try:
        current = target.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        say(f"{display_path(target)}: cannot absorb into it: {err}", err=True)
        return 2
    try:
        result = absorb(docx, current, word_styles())
    except Refused as why:
        say(f"{shown}: cannot absorb: {why}", err=True)
        return 2
    name = display_path(target)
    lines = LineMap(result.built.brief, result.merged)
    built = result.built
    say(f"{shown}: built by {built.tool or 'report'} (build {built.build[:12]}) from "
        f"{built.brief_name}" + ("" if result.current == built.brief else
                                 f"; {name} changed since, so the edits are merged three ways"))
    if built.brief_name != target.name:
        say(f"note: the DOCX was built from a brief named {built.brief_name}; absorbing it "
            f"into {name}")
    if result.changed:
        say(*result.diff(name))
    else:
        say(f"{name}: nothing to change" + (" (it already holds these edits)"
                                            if result.theirs != built.brief else ""))
    for mark in result.absorbed.removed_marks:
        what = "live fact" if mark.kind == "fact" else "citation"
        say(f"note: {name}:{lines(result.source.line_of(mark.start))}: the {what} "
            f"{mark.text} was deleted with the words around it")
    report_generated(result, name, lines, cases, target, say)
    report_comments(result, name, lines, say)
    for c in result.conflicts:
        say(f"conflict: {name}:{c.line}" + (f"-{c.line + c.lines - 1}" if c.lines > 1 else "")
            + ": changed in the brief since the build and in the DOCX; the brief's lines were "
            "kept, the DOCX has:")
        say(*(f"    {line}" for line in c.theirs or ("(nothing: the lines were deleted)",)))
    if not result.changed:
        return 0
    if not write:
        say(f"run again with --apply to write {name} (the previous one is kept as "
            f"{name}{BACKUP})")
        return 0
    try:
        problems = checked(result.merged, target)
        if problems:
            say(*(p.replace(problems_name(target), name) for p in problems), err=True)
            say(f"{name}: not written: the absorbed brief would have the problems above",
                err=True)
            return 2
        write_brief(target, result.merged)
    except OSError as err:
        say(f"error: cannot write {name} ({err.strerror or err}); it is unchanged", err=True)
        return 1
    say(f"wrote {name} (the previous one is {name}{BACKUP})")
    return 0


# ---------------------------------------------------------------- what was not made


def report_generated(result: Absorption, name: str, lines, cases: Path, brief: Path,
                     say) -> None:
    reported = result.absorbed.reported
    outside = result.absorbed.added_outside
    if not reported and not outside:
        return
    say(f"not made: {len(reported) + len(outside)} edit(s) of text the tool writes; make "
        "them where it comes from, then build again:")
    now = load_now(cases, brief)
    built = result.built.paragraphs
    for r in reported:
        was, is_now = _quoted(r.was), _quoted(r.now)
        change = f"{was} deleted" if r.deleted or not r.now else f"{was} → {is_now}"
        if r.mark is not None and r.mark.kind == "fact":
            say(f"  {name}:{lines(result.source.line_of(r.mark.start))}: live fact "
                f"{r.mark.text} typed over: {change}")
            say(*(f"      {line}" for line in fact_lines(r.mark, now, name)))
            continue
        if r.mark is not None and r.mark.kind == "cite":
            say(f"  {name}:{lines(result.source.line_of(r.mark.start))}: citation "
                f"{r.mark.text} changed: {change}; its number comes from the source list, "
                "keep the key or delete the whole citation")
            continue
        exhibit = _exhibit_before(result, r.paragraph)
        if exhibit is not None:
            line = exhibit_title_line(result.built.brief, exhibit)
            say(f"  figure caption of {exhibit.text}: {change}; the title is in "
                f"{name}" + (f":{line}" if line else "") + " (front matter), the number and "
                "the sources line are the tool's")
            continue
        where = context(built, r.paragraph)
        say(f"  {where}: {change}")
        record = record_for_row(built, r.paragraph, now)
        say("      generated from the case files" + (f": see {record}" if record else
                                                      " (and claims.yaml, exchange-rates.yaml)"))
    for before, text in outside:
        where = context(built, before) if before is not None else "at the start"
        say(f"  added {where}: {_quoted(text)}; text added outside the brief's prose (in the "
            f"fact pack, the cover, or as a new table cell) is not made: add it to {name} "
            "by hand")


def _exhibit_before(result: Absorption, index: int):
    blocks = result.absorbed.blocks
    for k in range(index - 1, max(-1, index - 3), -1):
        block = blocks.get(k)
        if block is not None:
            return block.chars[0].mark if block.kind == "exhibit" and block.chars else None
    return None


def report_comments(result: Absorption, name: str, lines, say) -> None:
    anchors = result.absorbed.anchors
    if not anchors:
        return
    say(f"comments: {len(anchors)} (the editor's to-do list)")
    built = result.built.paragraphs
    for a in anchors:
        comment = result.comments.get(a.comment)
        body = comment.text if comment else ""
        who = f"{comment.author}: " if comment and comment.author else ""
        if a.offset is not None:
            where = f"{name}:{lines(result.source.line_of(a.offset))}"
        elif a.paragraph is not None:
            where = context(built, a.paragraph)
        else:
            where = "in text added in the DOCX"
        say(f"  {where}: on {_quoted(a.text)}: {who}{body}")


def _quoted(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return "“" + (text if len(text) <= limit else text[: limit - 1] + "…") + "”"


class LineMap:
    """A line of the brief as built → the same line in the brief as written now."""

    def __init__(self, base: str, merged: str):
        a, b = base.splitlines(), merged.splitlines()
        self.pairs = []
        for i, j, size in difflib.SequenceMatcher(None, a, b, autojunk=False) \
                .get_matching_blocks():
            self.pairs += [(i + k + 1, j + k + 1) for k in range(size)]
        self.keys = [p[0] for p in self.pairs]

    def __call__(self, line: int) -> int:
        if not self.pairs:
            return line
        k = bisect.bisect_right(self.keys, line) - 1
        if k < 0:
            return max(1, line - self.pairs[0][0] + self.pairs[0][1])
        base, merged = self.pairs[k]
        return merged + (line - base)


# ---------------------------------------------------------------- writing


def problems_name(target: Path) -> str:
    return display_path(target.with_name(f".{target.name}.absorbing"))


def checked(text: str, target: Path) -> list[str]:
    """The problems the brief would have (its front matter and marks), as problem lines."""
    from ..load.brief import load_brief

    probe = target.with_name(f".{target.name}.absorbing")
    try:
        probe.write_text(text, encoding="utf-8")
        load_brief(probe)
        return []
    except InputError as err:
        return [str(p) for p in err.problems]
    finally:
        probe.unlink(missing_ok=True)


def write_brief(target: Path, text: str) -> None:
    """Write the brief atomically, the previous one kept beside it first."""
    real = target.resolve()
    folder = real.parent
    backup = real.with_name(real.name + BACKUP)
    for final, data in ((backup, real.read_bytes()), (real, text.encode("utf-8"))):
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            shutil.copymode(real, tmp)
            os.replace(tmp, final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

