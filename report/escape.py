"""Untrusted text, escaped for each place it goes: one function per context.

Case files, the brief's front matter and the claims register are often pasted from web pages,
and a file can come from anyone. Whatever they hold reaches the reader as the characters that
were typed, and nothing in it is read as syntax, wherever it is printed:

- `escape`: pandoc Markdown text (paragraphs, table cells, captions): no raw HTML, image,
  link to a file, attribute, citation, math or list; no `*` that turns "8*8" into "88".
- `attribute`: inside a quoted pandoc attribute (alt text): no quote or newline that ends it.
- `metadata`: the YAML metadata block (title, keywords …): no YAML syntax, and no character
  pandoc's YAML reader refuses (it read an emoji written as a surrogate pair as an error).
- `plain_label`: plotly labels (chart text, hover text, legends): plotly reads a subset of
  HTML there (`<span style=…>`, `<a href=…>`, entities), which a browser would act on.
- `html_text`: HTML text and attribute values.
- `xml_text`: text and attribute values in the DOCX's XML (headers, the contents list).
- `css_string`: a quoted CSS string (`content:` of the print style and the page's captions):
  no quote, newline or `</style>` that ends it.
- `script_json`: JSON inside an HTML `<script>` (chart data, JSON-LD): no `</script>`,
  `<!--` or U+2028/U+2029.
- `terminal`: a line of a terminal or a log (problems, errors): no newline that forges a
  problem line, no escape code.

Templates use these as filters (`compose.environment`), so no template escapes by hand.
Text that looks like a number keeps every character in every context.
"""

from __future__ import annotations

import html
import json
import re
import string
import unicodedata
from collections.abc import Iterable
from typing import Any


class Md(str):
    """Markdown the program wrote itself: trusted, never escaped again."""


# ---------------------------------------------------------------- shared


def _is_control(ch: str) -> bool:
    """C0/C1 control characters (other than whitespace): they have no printed form."""
    return unicodedata.category(ch) == "Cc" and not ch.isspace()


def one_line(text: Any) -> str:
    """Return `text` as one line: every run of whitespace (newlines, U+2028 …) is one space,
    and control characters are dropped."""
    text = "".join(ch for ch in str(text) if not _is_control(ch))
    return re.sub(r"\s+", " ", text)


# ---------------------------------------------------------------- pandoc Markdown text

_LINK = re.compile(r"\[([^\[\]\n]{1,300})\]\((https?://[^\s()<>\"'\\]{1,2000})\)")
# `*` and `**` open emphasis only at the start of a word and close only at its end, so
# "8*8 GPUs and 2*3" keeps its asterisks; `_` likewise (pandoc already reads it so).
_EMPHASIS = re.compile(r"(?<![\w*\\])\*\*(?=[^\s*])[^*]*(?<=[^\s*])\*\*(?![\w*])"
                       r"|(?<![\w*\\])\*(?=[^\s*])[^*]*(?<=[^\s*])\*(?![\w*])"
                       r"|(?<!\w)_[^_\s](?:[^_]*[^_\s])?_(?!\w)")
_PUNCT = frozenset(string.punctuation)
# Marks that mean nothing to pandoc in the middle of a line (they only open a list, a
# caption or a heading at its start), so prose keeps smart quotes and stays readable.
_MID_LINE_SAFE = frozenset(",.:;?()'\"%/+-=")
# Of those, the marks that do mean something at the start of a line (lists, definitions,
# a title block): escaped there.
_LINE_START = frozenset("(%+-:=")
# Where pandoc's `smart` extension would change a character of a figure: `--` into a dash,
# `...` into an ellipsis, and a quote beside a digit (5'11", '90s) into a curly one.
_SMART = re.compile(r"-{2,}|\.{2,}|(?<=\d)['\"]|['\"](?=\d)")
_ORDERED_LIST = re.compile(r"^( *\d{1,9})([.)])(?=\s|$)")


# pandoc's `smart` quotes take a straight quote after a Chinese character for a closing one
# (存在"海归派"与 became 存在”海归派”与): quotes in text with Chinese in it are paired here.
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_QUOTED = re.compile(r'"([^"]*)"')


def escape(text: Any) -> str:
    """Return `text` as literal pandoc Markdown on one line; emphasis and web links kept."""
    text = one_line(text)
    if '"' in text and text.count('"') % 2 == 0 and _CJK.search(text):
        text = _QUOTED.sub("\u201c\\1\u201d", text)
    out: list[str] = []
    pos = 0
    for match in _LINK.finditer(text):
        out.append(_emphasis(text[pos:match.start()]))
        out.append(f"[{_emphasis(match.group(1))}]({match.group(2)})")
        pos = match.end()
    out.append(_emphasis(text[pos:]))
    result = "".join(out)
    # The start of the text may be the start of a line, where up to three spaces may stand
    # before a list marker (" - x" is a list item too).
    text_start = len(result) - len(result.lstrip(" "))
    if result[text_start:text_start + 1] in _LINE_START:
        result = result[:text_start] + "\\" + result[text_start:]
    return _ORDERED_LIST.sub(r"\1\\\2", result)  # "2024. A year" is not a list item


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
    smart = {i for m in _SMART.finditer(text) for i in range(m.start(), m.end())}
    return "".join("\\" + ch if ch in _PUNCT and (ch not in _MID_LINE_SAFE or i in smart)
                   else ch for i, ch in enumerate(text))


def citation(keys: Iterable[str]) -> Md:
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


_SOURCED = re.compile(r"\[(?P<body>.*)\]\{(?P<attributes>data-confidence=\"[^\"]*\")\}", re.S)


def live_fact(markdown: str) -> Md:
    """Return a live fact's Markdown (value, confidence mark, citation) as one span of class
    `fact`, so every format can tell the generated value from the words around it."""
    sourced_span = _SOURCED.fullmatch(markdown)
    if sourced_span:
        return Md(f"[{sourced_span['body']}]{{.fact {sourced_span['attributes']}}}")
    return Md(f"[{markdown}]{{.fact}}")


# ---------------------------------------------------------------- pandoc attribute


def attribute(text: Any) -> str:
    """Return `text` for the inside of a double-quoted pandoc attribute (`alt="…"`): one line;
    a backslash, a quote and `&` (pandoc reads entities there) escaped, every character
    kept."""
    text = one_line(text).strip()
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("&", "&amp;")


# ---------------------------------------------------------------- YAML metadata


def _yaml_unprintable(ch: str) -> bool:
    """Characters YAML does not allow in a document, even quoted (YAML 1.2, c-printable)."""
    code = ord(ch)
    return (code < 0x20 or 0x7F <= code <= 0x9F and code != 0x85 or 0xD800 <= code <= 0xDFFF
            or code in (0xFFFE, 0xFFFF))


def _yaml_string(text: str) -> str:
    body = []
    for ch in text:
        if ch in '"\\':
            body.append("\\" + ch)
        elif _yaml_unprintable(ch) or ch in "\u2028\u2029\u0085":
            body.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else ch)
        else:
            body.append(ch)  # astral characters stay as they are: no surrogate pairs
    return '"' + "".join(body) + '"'


def metadata(value: Any) -> Md:
    """Return a value for pandoc's YAML metadata block: a double-quoted YAML string (or a
    flow list of them) whose text pandoc reads as literal Markdown."""
    if isinstance(value, (list, tuple)):
        return Md("[" + ", ".join(metadata(v) for v in value) + "]")
    return Md(_yaml_string(value if isinstance(value, Md) else escape(value)))


# ---------------------------------------------------------------- plotly labels


def shorten(text: str, limit: int) -> str:
    """A label of at most `limit` characters, cut where a reader expects: before a colon's
    details ("Signs a deal…"), else at a word, never inside one."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    head = cut.split(":", 1)[0].rstrip()
    if ":" in cut and len(head) >= limit // 3:
        return head + "…"
    words = cut.rsplit(" ", 1)[0].rstrip(" ,;–-")
    return (words if len(words) >= limit // 2 else cut.rstrip()) + "…"


def plain_label(text: Any, limit: int = 200) -> str:
    """Return case text as plotly shows it literally: plotly reads a subset of HTML in labels
    (tags, entities), so `&`, `<` and `>` are written as entities; one line, at most `limit`
    characters, cut as `shorten` cuts."""
    text = shorten(one_line(text).strip(), limit)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ---------------------------------------------------------------- HTML


def html_text(text: Any) -> str:
    """Return text for HTML content or a quoted attribute value."""
    return html.escape(str(text), quote=True)


def css_string(text: Any) -> str:
    """Return text as a double-quoted CSS string, safe inside an HTML `<style>` too."""
    escaped = one_line(text).replace("\\", "\\5c ").replace('"', "\\22 ")
    return '"' + escaped.replace("<", "\\3c ").replace(">", "\\3e ") + '"'


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: Any) -> str:
    """Return text for XML content or a quoted attribute value (the DOCX's parts): markup
    escaped, and the characters XML 1.0 cannot hold at all dropped."""
    return html.escape(_XML_INVALID.sub("", str(text)), quote=True)


_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                  "\u2029": "\\u2029"}


def script_json(value: Any) -> str:
    """Return JSON to place inside an HTML `<script>` element: no `</script>`, `<!--` or
    `<script` can end or confuse the element, and U+2028/U+2029 cannot end a line of
    JavaScript. Only characters inside JSON strings change, to their `\\u` escapes."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return re.sub("[<>&\u2028\u2029]", lambda m: _SCRIPT_UNSAFE[m.group()], text)


# ---------------------------------------------------------------- terminal

_TERMINAL_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal(text: Any) -> str:
    """Return text for one line of a terminal or a log: newlines, control characters (escape
    codes), line and paragraph separators and bidirectional overrides are shown as `\\n`,
    `\\x1b`, `\\u2028` …, so a name cannot forge another line or recolour the screen."""
    out = []
    for ch in str(text):
        code = ord(ch)
        if ch in _TERMINAL_NAMES:
            out.append(_TERMINAL_NAMES[ch])
        elif unicodedata.category(ch) in ("Cc", "Zl", "Zp") or ch in _BIDI:
            out.append(f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
