"""The savings in WeasyPrint's work (report/render/pdf.py) change nothing a reader sees."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from PIL import Image
from pypdf import PdfReader

from report.render.pdf import (
    cached_page_references,
    compression_at_default_level,
    idat,
    plain_png_bytes,
    png_data_as_is,
)

pytestmark = pytest.mark.xdist_group("pdfspeed")


def png(mode: str = "RGB", interlaced: bool = False, **save) -> bytes:
    image = Image.new(mode, (64, 32), "white" if mode != "P" else 0)
    for x in range(64):
        image.putpixel((x, x // 2), (0, 0, 0) if mode.startswith("RGB") else 128)
    out = io.BytesIO()
    image.save(out, format="PNG", **save)
    data = out.getvalue()
    if interlaced:  # Pillow writes none: mark the header so (the data stays as it was)
        ihdr = data[12:28] + b"\x01"
        data = data[:12] + ihdr + struct.pack("!I", zlib.crc32(ihdr)) + data[33:]
    return data


def pdf(html: str, monkeypatch) -> bytes:
    from weasyprint import HTML

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    return HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")


def image_streams(data: bytes) -> list[bytes]:
    streams = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for obj in (page["/Resources"].get("/XObject") or {}).values():
            obj = obj.get_object()
            if obj.get("/Subtype") == "/Image":
                streams.append(obj._data)
    return streams


def page_with(data: bytes) -> str:
    src = "data:image/png;base64," + base64.b64encode(data).decode()
    return (f'<html lang="en"><head><title>t</title></head><body>'
            f'<img src="{src}" alt="a chart" style="width: 5cm"></body></html>')


def test_a_plain_png_goes_into_the_pdf_as_it_is(monkeypatch):
    # Compressed harder than Pillow's default, so data WeasyPrint redid would differ.
    data = png(compress_level=9)
    with png_data_as_is():
        streams = image_streams(pdf(page_with(data), monkeypatch))
    assert streams == [idat(data)]
    assert image_streams(pdf(page_with(data), monkeypatch)) != [idat(data)]  # as WeasyPrint


@pytest.mark.parametrize("mode, interlaced", [("RGBA", False), ("P", False), ("RGB", True),
                                              ("I;16", False), ("LA", False)])
def test_any_other_png_is_left_to_weasyprint(mode, interlaced):
    data = png(mode, interlaced)
    assert plain_png_bytes(Image.open(io.BytesIO(data))) is None


def test_a_greyscale_png_goes_through_too():
    data = png("L")
    assert plain_png_bytes(Image.open(io.BytesIO(data))) == data


def test_cached_page_references_write_the_same_tagged_pdf(monkeypatch):
    html = ('<html lang="en"><head><title>t</title></head><body>'
            + "".join(f'<h1 id="s{i}">Section {i}</h1><p>Text <a href="#s{(i + 1) % 5}">next'
                      f'</a></p><table><tr><th>a</th><td>b</td></tr></table>'
                      '<p style="break-after: page"></p>' for i in range(5))
            + "</body></html>")
    plain = pdf(html, monkeypatch)
    with cached_page_references():
        cached = pdf(html, monkeypatch)
    assert cached == plain
    assert len(PdfReader(io.BytesIO(cached)).pages) >= 5


def test_streams_are_compressed_at_zlibs_default_level(monkeypatch):
    import zlib

    import pydyf

    levels = []
    real = zlib.compressobj
    monkeypatch.setattr(zlib, "compressobj",
                        lambda level=-1, *a, **k: levels.append(level) or real(level, *a, **k))
    html = '<html lang="en"><head><title>t</title></head><body><p>Text</p></body></html>'
    with compression_at_default_level():
        smaller_effort = pdf(html, monkeypatch)
    assert levels and set(levels) == {6}
    assert pydyf.zlib is zlib  # put back
    levels.clear()
    assert pdf(html, monkeypatch) != smaller_effort and set(levels) == {9}  # as pydyf does
    assert PdfReader(io.BytesIO(smaller_effort)).pages[0].extract_text() == "Text"
