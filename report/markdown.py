"""Pandoc Markdown from untrusted text: emphasis and http(s) links survive, nothing else does.

Case files are often pasted from web pages. Every ASCII punctuation mark that pandoc could read
as syntax (raw HTML, images, attributes, citations, math, list markers) is backslash-escaped, so
case text always renders as the characters that were typed.
"""

from __future__ import annotations

import re
import string

_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\((https?://[^\s()<>\"'\\]{1,2000})\)")
_EMPHASIS = re.compile(r"\*\*[^*\s](?:[^*]*[^*\s])?\*\*|\*[^*\s](?:[^*]*[^*\s])?\*"
                       r"|(?<![\w])_[^_\s](?:[^_]*[^_\s])?_(?![\w])")
_PUNCT = frozenset(string.punctuation)
# Marks that mean nothing to pandoc in the middle of a line (they only open a list, a
# caption or a heading at its start), so prose keeps smart quotes and stays readable.
_MID_LINE_SAFE = frozenset(",.:;?()'\"%/+-=")
# Of those, the marks that do mean something at the start of a line (lists, definitions,
# a title block): escaped there.
_LINE_START = frozenset("(%+-:=")


class Md(str):
    """Markdown the program wrote itself: trusted, never escaped again."""


def escape(text: str) -> str:
    """Return `text` as literal pandoc Markdown on one line; emphasis and web links kept."""
    text = re.sub(r"\s+", " ", str(text))  # one line: safe inside a table cell or a heading
    out: list[str] = []
    pos = 0
    for match in _LINK.finditer(text):
        out.append(_emphasis(text[pos:match.start()]))
        out.append(f"[{_emphasis(match.group(1))}]({match.group(2)})")
        pos = match.end()
    out.append(_emphasis(text[pos:]))
    result = "".join(out)
    if result[:1] in _LINE_START:
        result = "\\" + result  # the start of the text may be the start of a line
    return result


def _emphasis(text: str) -> str:
    out: list[str] = []
    pos = 0
    for match in _EMPHASIS.finditer(text):
        out.append(_literal(text[pos:match.start()]))
        mark = "**" if match.group().startswith("**") else match.group()[0]
        inner = match.group()[len(mark):-len(mark)]
        out.append(f"{mark}{_literal(inner)}{mark}")
        pos = match.end()
    out.append(_literal(text[pos:]))
    return "".join(out)


def _literal(text: str) -> str:
    return "".join("\\" + ch if ch in _PUNCT and ch not in _MID_LINE_SAFE else ch
                   for ch in text)


def attribute(text: str) -> str:
    """Return `text` safe inside a double-quoted pandoc attribute value (alt text): one line,
    no quotes or backslashes that could end the value."""
    text = re.sub(r"\s+", " ", "".join(ch for ch in str(text) if ch.isprintable() or ch.isspace()))
    return text.replace("\\", "/").replace('"', "'").strip()


def citation(keys) -> Md:
    """Return a pandoc citation for bibliography keys, or nothing when there are none."""
    keys = list(dict.fromkeys(keys))
    return Md(f"[{'; '.join('@' + k for k in keys)}]") if keys else Md("")


def sourced(text: str, keys, confidence: str | None) -> Md:
    """Return text with its citation, in a span that says how sure it is (`confidence`, a
    label): the HTML page shows that beside the source when a reader points at a citation."""
    cite = citation(keys)
    if not cite:
        return Md(text)
    body = f"{text} {cite}".strip()
    if confidence is None:
        return Md(body)
    return Md(f'[{body}]{{data-confidence="{attribute(confidence)}"}}')
