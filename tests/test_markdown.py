"""Untrusted text becomes literal Markdown: emphasis and web links only."""

from __future__ import annotations

import json
import subprocess

import pypandoc
import pytest

from report.markdown import citation, escape
from report.render import READER


def to_html(markdown: str) -> str:
    out = subprocess.run([pypandoc.get_pandoc_path(), f"--from={READER}", "-t", "html",
                          "--wrap=none"],
                         input=markdown, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def to_ast(markdown: str) -> dict:
    out = subprocess.run([pypandoc.get_pandoc_path(), f"--from={READER}", "-t", "json"],
                         input=markdown, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def kinds(node) -> set[str]:
    found = set()
    if isinstance(node, dict):
        if "t" in node:
            found.add(node["t"])
        for v in node.values():
            found |= kinds(v)
    elif isinstance(node, list):
        for v in node:
            found |= kinds(v)
    return found


@pytest.mark.parametrize("text", [
    '<img src="file:///etc/passwd">',
    "<iframe src=https://evil.example></iframe>",
    '<link rel="attachment" href="/etc/passwd">',
    "![secret](/etc/passwd)",
    "![x](file:///etc/passwd){width=1}",
    "[x](file:///etc/passwd)",
    "[x](../secret.txt)",
    "[x](https://ok.example){rel=attachment}",
    "```{=html}\n<script>alert(1)</script>\n```",
    "`<b>`{=html}",
    "$$\\input{/etc/passwd}$$",
    "@someone [@key] {{ 7*7 }} {% include 'x' %}",
    "# heading\n\n- list\n1. item\n> quote\n| a | b |",
])
def test_untrusted_text_renders_literally(text):
    ast = to_ast(escape(text))
    assert not kinds(ast) & {"Image", "RawInline", "RawBlock", "Link", "Cite", "Math",
                             "Header", "BulletList", "OrderedList", "BlockQuote", "Table",
                             "CodeBlock", "Code"} or (
        # a plain web link is allowed to stay a link
        "Link" in kinds(ast) and text.startswith("[x](https://"))
    plain = "".join(ch for ch in to_html(escape(text)) if not ch.isspace())
    for word in ("passwd", "evil", "include", "7*7"):
        if word in text:
            assert word in plain.replace("&quot;", '"')


def test_emphasis_and_web_links_survive():
    html = to_html(escape("A *bold* claim, **very**, see [the source](https://example.org/a_b)."))
    assert html == ('<p>A <em>bold</em> claim, <strong>very</strong>, see '
                    '<a href="https://example.org/a_b">the source</a>.</p>')


def test_link_attributes_are_not_read():
    html = to_html(escape("[x](https://ok.example){rel=attachment}"))
    assert 'rel="attachment"' not in html
    assert "{rel=attachment}" in html


def test_text_stays_on_one_line_and_keeps_chinese():
    assert escape("零一万物\n\n深度求索  |  DeepSeek") == "零一万物 深度求索 \\| DeepSeek"


def test_citation_joins_keys_once():
    assert citation(["a:x", "b:y", "a:x"]) == "[@a:x; @b:y]"
    assert citation([]) == ""
