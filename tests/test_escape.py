"""Untrusted text is escaped for each place it goes (report/escape.py): Markdown text and
attributes, YAML metadata, plotly labels, HTML, JSON in a script, a terminal line. Each
context is checked by the program that reads it: pandoc, a JSON parser, an HTML parser."""

from __future__ import annotations

import json
import subprocess

import pypandoc
import pytest
from hypothesis import example, given, settings

from report.escape import (
    attribute,
    citation,
    escape,
    html_text,
    metadata,
    plain_label,
    script_json,
    terminal,
)
from report.render import READER

from .hostile import hostile_text


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


def test_quotes_in_chinese_text_open_and_close():
    # pandoc alone reads the first quote after a Chinese character as a closing one
    quoted = '内部也存在"海归派"与"本土派"的隐形割裂'
    assert "”海归派”" in to_html(quoted)
    assert to_html(escape(quoted)) == "<p>内部也存在“海归派”与“本土派”的隐形割裂</p>"
    # text without Chinese is left to pandoc, which pairs the quotes itself
    assert to_html(escape('He said "no price war".')) == "<p>He said “no price war”.</p>"


def test_citation_joins_keys_once():
    assert citation(["a:x", "b:y", "a:x"]) == "[@a:x; @b:y]"
    assert citation([]) == ""


# ---------------------------------------------------------------- every context, hostile text

HOSTILE = [
    "Alpha\n\n![](/etc/hostname)\n\n![](http://127.0.0.1:9/x.png)",  # a newline breaks out
    "Bo <span style=\"fill:url(http://127.0.0.1:9/x)\">Beta</span>",
    "x <!--<script> y </script> z",
    "line\u2028separator\u2029paragraph\u0085next",
    "quote \" backslash \\ amp &amp; brace } {#fig-x alt=\"y\"}",
    "emoji 😀 and a rare CJK character 𠜎 and 零一万物",
    "control \x01\x1b[31mred\x7f",
    "{{ 7*7 }} {% include 'x' %} $x$ @key [@key] ^sup^ ~sub~",
]
# Text that looks like a number must print with every character it was written with.
NUMBERS = ["8*8 GPUs", "2*3*4", "1--2", "1---2", "10...20", "5'11\"", "'90s", "1,000.5",
           "-5", "+7", "2024. A year", "3) three", "3^2", "H~2~O", "1e5", "10%", "¥1,000",
           "US$0.14", "1/2", "#1", "1_000_000", "a_b_c", "0.99*", "*5", "2 * 3 * 4"]


def to_text(markdown: str) -> str:
    """What a reader sees: pandoc's HTML with the tags taken away and entities read."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]+>", "", to_html(markdown))).strip()


@pytest.mark.parametrize("text", NUMBERS)
def test_a_number_keeps_its_characters_in_markdown(text):
    assert to_text(escape(text)) == text
    assert kinds(to_ast(escape(text))) <= {"Para", "Str", "Space"}


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_text_is_one_paragraph_of_literal_text(text):
    ast = to_ast(escape(text))  # prose keeps its smart quotes
    assert kinds(ast) <= {"Para", "Str", "Space", "Quoted", "DoubleQuote", "SingleQuote"}


STRAIGHT = str.maketrans("“”‘’", "\"\"''")


def inline_text(nodes) -> str:
    """The text of pandoc inlines; a quotation pandoc made curly is given its straight marks
    back (smart quotes are prose typography, and figures have none: see NUMBERS)."""
    out = ""
    for node in nodes:
        if node["t"] == "Str":
            out += node["c"].translate(STRAIGHT)
        elif node["t"] == "Space":
            out += " "
        elif node["t"] == "Quoted":
            mark = '"' if node["c"][0]["t"] == "DoubleQuote" else "'"
            out += mark + inline_text(node["c"][1]) + mark
        else:
            raise AssertionError(f"not plain text: {node}")
    return out


def figure_alt(alt_text: str) -> str:
    """The alt text pandoc reads from a figure written the way compose.render_figure does."""
    ast = to_ast(f'![caption](fig.png){{#fig-x alt="{attribute(alt_text)}" width=100%}}')
    assert [b["t"] for b in ast["blocks"]] == ["Figure"], ast["blocks"]
    image = ast["blocks"][0]["c"][2][0]["c"][0]
    assert image["t"] == "Image" and image["c"][2][0] == "fig.png"
    return inline_text(image["c"][1])


@pytest.mark.parametrize("text", HOSTILE + NUMBERS)
def test_alt_text_stays_inside_its_attribute_and_keeps_its_characters(text):
    from report.escape import one_line

    assert figure_alt(text) == " ".join(one_line(text).split())


def pandoc_metadata(block: str) -> dict:
    out = subprocess.run([pypandoc.get_pandoc_path(), f"--from={READER}", "-t", "json"],
                         input=block, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["meta"]


def meta_text(node) -> str:
    """The text of a MetaInlines value."""
    assert node["t"] == "MetaInlines", node
    return inline_text(node["c"])


@pytest.mark.parametrize("text", HOSTILE + NUMBERS)
def test_yaml_metadata_reads_back_as_the_same_text(text):
    from report.escape import one_line

    meta = pandoc_metadata(f"---\ntitle: {metadata(text)}\nkeywords: {metadata([text, 'b'])}"
                           "\n---\n")
    expected = " ".join(one_line(text).split())
    assert meta_text(meta["title"]) == expected
    assert [meta_text(k) for k in meta["keywords"]["c"]] == [expected, "b"]


def test_plotly_labels_carry_no_markup_and_keep_numbers():
    for text in HOSTILE:
        label = plain_label(text, limit=1000)
        assert "<" not in label and ">" not in label and "\n" not in label
    assert plain_label("<span style=\"fill:url(x)\">") == \
        "&lt;span style=\"fill:url(x)\"&gt;"
    assert plain_label("R&D < 8*8 > 1--2") == "R&amp;D &lt; 8*8 &gt; 1--2"


def test_html_text_cannot_leave_its_element_or_attribute():
    from html.parser import HTMLParser

    class Collect(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tags, self.attrs, self.text = [], [], ""

        def handle_starttag(self, tag, attrs):
            self.tags.append(tag)
            self.attrs += attrs

        def handle_data(self, data):
            self.text += data

    for text in HOSTILE:
        page = Collect()
        page.feed(f'<p title="{html_text(text)}">{html_text(text)}</p>')
        assert page.tags == ["p"] and page.attrs == [("title", text)] and page.text == text


@pytest.mark.parametrize("text", HOSTILE)
def test_json_in_a_script_cannot_end_or_confuse_it(text):
    value = {"name": text, "list": [text, 1, 8.8]}
    encoded = script_json(value)
    assert json.loads(encoded) == value
    lowered = encoded.lower()
    for bad in ("</script", "<!--", "<script", "\u2028", "\u2029"):
        assert bad not in lowered


def test_a_terminal_line_stays_one_line_without_escape_codes():
    assert terminal("a\ncases/x.yaml:1:1: forged\x1b[2J\u202eevil\u2028") == \
        "a\\ncases/x.yaml:1:1: forged\\x1b[2J\\u202eevil\\u2028"
    assert terminal("零一万物 😀 tab\there") == "零一万物 😀 tab\\there"


# ---------------------------------------------------------------- any hostile text

SAFE_KINDS = {"Para", "Plain", "Str", "Space", "Quoted", "DoubleQuote", "SingleQuote", "Emph",
              "Strong"}


@settings(max_examples=60, deadline=None)
@given(text=hostile_text(8))
@example(text="\n- ")  # found by hypothesis: a space, then a list marker
@example(text=" 12. x")
def test_any_text_stays_text_in_every_pandoc_context(text):
    from report.escape import one_line

    expected = " ".join(one_line(text).split())
    assert kinds(to_ast(escape(text))) <= SAFE_KINDS
    if expected:
        assert figure_alt(text) == expected
        meta = pandoc_metadata(f"---\ntitle: {metadata(text)}\n---\n")
        assert kinds(meta) <= SAFE_KINDS | {"MetaInlines"}
    assert json.loads(script_json({"t": text})) == {"t": text}
    assert "\n" not in terminal(text) and "\x1b" not in terminal(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_xml_text_reads_back_in_an_element_and_an_attribute(text):
    from xml.etree import ElementTree

    from report.escape import xml_text

    element = ElementTree.fromstring(f'<w a="{xml_text(text)}">{xml_text(text)}</w>')
    kept = "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)
    assert element.text == kept.replace("\r", "\n") and len(element) == 0
    assert element.get("a") == kept.replace("\n", " ").replace("\t", " ").replace("\r", " ")


@pytest.mark.parametrize("text", HOSTILE)
def test_css_string_is_one_string_token_with_the_same_text(text):
    import tinycss2

    from report.escape import css_string, one_line

    tokens = [t for t in tinycss2.parse_component_value_list(css_string(text))
              if t.type != "whitespace"]
    assert [t.type for t in tokens] == ["string"]
    assert tokens[0].value == one_line(text)
    assert "<" not in css_string(text)  # no </style> inside the page's <style>
