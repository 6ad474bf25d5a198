"""Edits of the brief's front matter seen in the DOCX: the title and subtitle on the cover,
and an exhibit's title in its figure caption. Each is a one-line YAML value, written again
as a double-quoted string; anything else (a folded value, text around it changed) is left
for the report."""

from __future__ import annotations

import json
import re

from .edits import Edit, changes
from .source import FRONT_MATTER, QUOTES

STYLE_FIELDS = {"title": "title", "subtitle": "subtitle"}  # paragraph style → front matter key


def value_line(brief: str, key: str, exhibit: str | None = None) -> tuple[int, int] | None:
    """Where the one-line value of `key` stands in the front matter (of exhibit `exhibit`,
    else at the top level): (start, end) offsets of the value."""
    front = FRONT_MATTER.match(brief)
    if not front:
        return None
    lines, pos = [], 0
    for line in brief[:front.end()].splitlines(keepends=True):
        lines.append((pos, line))
        pos += len(line)
    inside = exhibit is None
    for k, (start, line) in enumerate(lines):
        if exhibit is not None and re.match(
                rf"\s*-?\s*id:\s*['\"]?{re.escape(exhibit)}['\"]?\s*$", line):
            inside = True
            continue
        pattern = rf"^(\s*(?:-\s+)?){key}:[ \t]*(\S.*?)[ \t]*$" if exhibit else \
            rf"^(){key}:[ \t]*(\S.*?)[ \t]*$"
        m = re.match(pattern, line.rstrip("\r\n"))
        if inside and m:
            indent = len(m.group(1))
            nxt = lines[k + 1][1] if k + 1 < len(lines) else ""
            if nxt.strip() and len(nxt) - len(nxt.lstrip()) > indent and \
                    not nxt.lstrip().startswith("- "):
                return None  # a value over several lines: left to the analyst
            return start + m.start(2), start + m.end(2)
        if exhibit is not None and inside and re.match(r"\s*-\s+id:", line):
            inside = False
    return None


def scalar(text: str) -> str | None:
    """A one-line YAML scalar's string value (None: not a plain string)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        value = YAML(typ="safe", pure=True).load(f"v: {text}\n")
    except YAMLError:
        return None
    return value.get("v") if isinstance(value, dict) and isinstance(value.get("v"), str) else None


def retitled(brief: str, where: tuple[int, int], was: str, now: str
             ) -> tuple[Edit | None, bool]:
    """The edit of a front matter value shown inside `was` (a caption, a title) that reads
    `now` after editing, and whether anything else in it changed too (the tool's words
    around the value: a caption's number or sources line)."""
    value = scalar(brief[where[0]:where[1]])
    if not value:
        return None, True
    shown = value.strip()
    at = was.translate(QUOTES).find(shown.translate(QUOTES))
    if at < 0:
        return None, True
    end = at + len(shown)
    inside, outside = [], False
    for o0, o1, n0, n1 in changes(was, now):
        if at <= o0 and o1 <= end and (o0 < end or o1 > o0 or o0 == end):
            inside.append((o0, o1, now[n0:n1]))
        else:
            outside = True
    if not inside:
        return None, outside
    text = was[at:end]
    for o0, o1, new in sorted(inside, reverse=True):
        text = text[:o0 - at] + new + text[o1 - at:]
    text = " ".join(text.split())
    if not text or text == shown:
        return None, outside
    return Edit(where[0], where[1], json.dumps(text, ensure_ascii=False)), outside
