"""Untrusted case text: nothing local is read, nothing remote is fetched, nothing runs."""

from __future__ import annotations

import dataclasses
import html
import http.server
import re
import secrets
import threading
import zipfile

import pytest
from pypdf import PdfReader

from .conftest import GOOD, case_dir, run_cli

pytestmark = pytest.mark.xdist_group("build")


class Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):  # noqa: N802 - the stdlib's name
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"FETCHED-BY-THE-BUILD")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A server on loopback that records any request the build makes."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def hostile_case(secret_file, url: str) -> str:
    """Return alpha.yaml with free-text fields pointing at a secret file and a server."""
    payloads = [
        f'<img src="file://{secret_file}">',
        f"![leak]({secret_file})",
        "![leak](../secret.txt)",
        f"[leak](file://{secret_file})",
        f'<link rel="attachment" href="file://{secret_file}">',
        f'<a rel="attachment" href="{secret_file}">x</a>',
        f'<iframe src="{url}/iframe"></iframe>',
        f"![remote]({url}/image.png)",
        f"[attach]({url}/attach){{rel=attachment}}",
        f"<style>@import url({url}/css);</style>",
        "{{ 7*7 }} {% include '/etc/passwd' %}",
    ]
    text = (GOOD / "alpha.yaml").read_text(encoding="utf-8")
    text = text.replace("title: Joint lab with Big Cloud",
                        "title: " + _quote(" ".join(payloads[:4])))
    text = text.replace("value: \"Open models first, then *enterprise* products\"",
                        "value: " + _quote(" ".join(payloads[4:8])))
    text = text.replace("relation: lead investor", "relation: " + _quote(" ".join(payloads[8:])))
    text = text.replace('url: "https://alpha.example/"', f'url: "{url}/source-link"')
    return text


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_case_text_cannot_read_files_or_reach_the_network(tmp_path, listener):
    secret = f"SECRET-{secrets.token_hex(8)}"
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(secret, encoding="utf-8")
    cases = case_dir(tmp_path / "work", GOOD / "beta.yaml", GOOD / "exchange-rates.yaml")
    (cases / "alpha.yaml").write_text(hostile_case(secret_file, listener), encoding="utf-8")
    (tmp_path / "work" / "secret.txt").write_text(secret, encoding="utf-8")
    run = run_cli("build", "--quiet", cwd=tmp_path / "work")
    assert run.code == 0, run.err
    out = tmp_path / "work" / "output"

    assert Recorder.hits == []  # no request reached the server

    reader = PdfReader(out / "briefing.pdf")
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert secret not in text and "FETCHED-BY-THE-BUILD" not in text
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"])
    assert not any("/Annots" in p and any(a.get_object().get("/Subtype") == "/FileAttachment"
                                          for a in p["/Annots"]) for p in reader.pages)
    assert "{{ 7*7 }}" in text  # shown literally, never evaluated

    with zipfile.ZipFile(out / "briefing.docx") as docx:
        media = [n for n in docx.namelist() if n.startswith("word/media/")]
        assert len(media) == 4  # the four charts, nothing else
        for name in docx.namelist():
            assert secret.encode() not in docx.read(name), name

    page = (out / "briefing.html").read_text(encoding="utf-8")
    assert secret not in page
    assert "<iframe" not in page and 'rel="attachment"' not in page
    assert not re.search(r"<(img|link|script|iframe)[^>]+(src|href)=\"(file|http)", page)
    assert "&lt;iframe" in page  # the pasted markup is shown as text


def test_pandoc_is_handed_no_path_or_url_from_the_markdown(tmp_path, listener):
    # Even Markdown that escaped the escaping cannot make pandoc read a file or fetch a URL:
    # the HTML runs are sandboxed, and the DOCX run first checks every image is a chart.
    import datetime as dt

    from report.compare import compare
    from report.compose import compose
    from report.errors import EnvironmentFault
    from report.load.cases import load_cases
    from report.render import render

    comparison = compare([cf.case for cf in load_cases(GOOD)], dt.date(2026, 1, 1))
    briefing = compose(comparison, [], {})
    leaks = f"\n\n![a](/etc/hostname) ![b]({listener}/image.png)\n"
    hostile = dataclasses.replace(briefing, markdown=briefing.markdown + leaks)
    (tmp_path / "html").mkdir()
    rendered = render(hostile, [], {}, ["html"], tmp_path / "html")
    page = rendered.documents["html"].read_text(encoding="utf-8")
    assert open("/etc/hostname").read().strip() not in page
    (tmp_path / "docx").mkdir()
    with pytest.raises(EnvironmentFault) as err:
        render(hostile, [], {}, ["docx"], tmp_path / "docx")
    assert str(err.value) == ("the briefing asks for an image that is not a chart of this "
                              f"build: /etc/hostname, {listener}/image.png")
    assert Recorder.hits == []


def test_a_figures_folder_whose_name_has_a_colon_builds(tmp_path):
    case_dir(tmp_path, *GOOD.glob("*.yaml"))
    run = run_cli("build", "--quiet", "--format", "docx", "--figures", "a:b, c#d", cwd=tmp_path)
    assert run.code == 0, run.err
    with zipfile.ZipFile(tmp_path / "output" / "briefing.docx") as docx:
        assert len([n for n in docx.namelist() if n.startswith("word/media/")]) == 4


def test_hostile_names_print_literally_in_every_document(tmp_path, listener):
    # A newline in a name broke out of a chart's alt text into the Markdown, a blank line
    # printed a raw {#fig … alt=…}, <!--<script> blanked every interactive chart, a <span
    # style> in a label made Chromium fetch, an emoji failed the build, and "8*8" printed
    # as "88". Each now prints as typed.
    cases = case_dir(tmp_path, GOOD / "beta.yaml", GOOD / "gamma.yaml",
                     GOOD / "exchange-rates.yaml")
    name = f"Alpha\n\n![](/etc/hostname)\n\n![]({listener}/name.png) <!--<script> 😀 𠜎"
    person = f'Bo <span style="fill:url({listener}/span)">Beta</span>'
    text = (GOOD / "alpha.yaml").read_text(encoding="utf-8")
    text = text.replace("{en: Alpha Labs,", "{en: " + _quote(name) + ",")
    text = text.replace("{en: Bo Beta,", "{en: " + _quote(person) + ",")
    text = text.replace("value: about 200", "value: " + _quote("8*8 GPUs, 2*3*4, 1--2, 5'11\""))
    (cases / "alpha.yaml").write_text(text, encoding="utf-8")
    run = run_cli("build", "--quiet", cwd=tmp_path)
    assert run.code == 0, run.err
    out = tmp_path / "output"
    assert Recorder.hits == []

    pdf = "\n".join(p.extract_text() for p in PdfReader(out / "briefing.pdf").pages)
    flat = " ".join(pdf.split())
    assert "8*8 GPUs, 2*3*4, 1--2, 5'11\"" in flat
    assert "![](/etc/hostname)" in flat and "{#fig" not in flat and "alt=" not in flat

    with zipfile.ZipFile(out / "briefing.docx") as docx:
        assert len([n for n in docx.namelist() if n.startswith("word/media/")]) == 4
        xml = docx.read("word/document.xml").decode()
    words = html.unescape("".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)))
    assert "8*8 GPUs, 2*3*4, 1--2, 5'11\"" in words
    assert "😀" in words and "𠜎" in words and "{#fig" not in words

    page = (out / "briefing.html").read_text(encoding="utf-8")
    assert page.count("reportPlot(\"") == 4
    scripts = re.findall(r"<script[^>]*>(.*?)</script>", page, re.S)
    charts = [body for body in scripts if "reportPlot(\"" in body]
    assert len(charts) == 4  # each chart's script is whole: none was swallowed by another
    for body in scripts[1:]:  # after plotly.js: data, JSON-LD and the page's own script
        assert "<!--" not in body and "<script" not in body.lower()
    assert "&lt;!--&lt;script&gt; 😀 𠜎" in page
