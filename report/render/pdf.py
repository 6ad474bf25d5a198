"""The PDF: the print HTML laid out by WeasyPrint, fetching only the build's own files.

Savings in WeasyPrint's own work on the PDF, kept to what they touch and measured by
`make bench` (see the README). They leave the PDF tagged (PDF/UA) and its pages unchanged.

* Tagging asked pydyf for the list of page references once per tagged element, and pydyf
  rebuilt that list from scratch each time: 10,000 elements × 41 pages on the project's
  briefing, and it grows with the square of the document. `cached_page_references` builds
  the list once per page count.

* WeasyPrint decoded every chart PNG and compressed its pixels again, though a PDF image
  with the PNG predictor takes a PNG's compressed data as it is. The chart images are drawn
  without an alpha channel (charts/export.py), and `png_data_as_is` hands their data over as it is.

* pydyf compressed every stream (pages, fonts) at zlib's slowest level, 9: a quarter of a
  second for the project's briefing, to make the PDF 1.5 % smaller than zlib's default
  level, 6, does in a quarter of the time. `compression_at_default_level` uses level 6.

Each is applied only while the PDF is written, and only to the WeasyPrint and pydyf
internals it was written against; with any other shape it steps aside and WeasyPrint works
as it always did.
"""

from __future__ import annotations

import io
import re
import struct
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from ..errors import EnvironmentFault
from .assets import asset, label_css

FIGURE_SCHEME = "figure"  # the chart images' URLs in the print HTML: folder-independent

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Colour types whose data a PDF image takes unchanged: greyscale (0) and RGB (2).
PLAIN_COLOUR_TYPES = {0, 2}


@contextmanager
def faster_pdf() -> Iterator[None]:
    """Apply both savings for the block."""
    with ExitStack() as stack:
        stack.enter_context(cached_page_references())
        stack.enter_context(png_data_as_is())
        stack.enter_context(compression_at_default_level())
        yield


@contextmanager
def cached_page_references() -> Iterator[None]:
    import pydyf

    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property):
        yield
        return

    def page_references(pdf):
        kids = pdf.pages["Kids"]
        cached = pdf.__dict__.get("_report_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), original.fget(pdf))
            pdf.__dict__["_report_page_references"] = cached
        return cached[1]

    pydyf.PDF.page_references = property(page_references, doc=original.__doc__)
    try:
        yield
    finally:
        pydyf.PDF.page_references = original


@contextmanager
def png_data_as_is() -> Iterator[None]:
    from weasyprint.images import RasterImage

    original = RasterImage.__dict__.get("_get_png_data")
    if not isinstance(original, staticmethod):
        yield
        return
    encode = original.__func__

    def get_png_data(pillow_image):
        data = plain_png_bytes(pillow_image)
        return encode(pillow_image) if data is None else idat(data)

    RasterImage._get_png_data = staticmethod(get_png_data)
    try:
        yield
    finally:
        RasterImage._get_png_data = original


@contextmanager
def compression_at_default_level() -> Iterator[None]:
    import zlib

    import pydyf

    if getattr(pydyf, "zlib", None) is not zlib:
        yield
        return

    class DefaultLevel:
        """pydyf's view of zlib: everything as it is, compressobj at level 6 at most."""

        def __getattr__(self, name):
            return getattr(zlib, name)

        @staticmethod
        def compressobj(level=zlib.Z_DEFAULT_COMPRESSION, *args, **kwargs):
            return zlib.compressobj(min(level, 6), *args, **kwargs)

    pydyf.zlib = DefaultLevel()
    try:
        yield
    finally:
        pydyf.zlib = zlib


def plain_png_bytes(pillow_image) -> bytes | None:
    """Return the file of an image opened from PNG bytes and not changed since, if its
    data can go into a PDF as it is: 8 bits per channel, greyscale or RGB, not interlaced."""
    source = getattr(pillow_image, "fp", None)
    if getattr(pillow_image, "format", None) != "PNG" or not isinstance(source, io.BytesIO):
        return None
    data = source.getvalue()
    if len(data) < 33 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    depth, colour_type, _compression, _filter, interlace = struct.unpack("!BBBBB", data[24:29])
    if depth != 8 or colour_type not in PLAIN_COLOUR_TYPES or interlace != 0:
        return None
    if pillow_image.mode != {0: "L", 2: "RGB"}[colour_type]:
        return None
    return data


def idat(data: bytes) -> bytes:
    """Return the compressed image data of a PNG file: its IDAT chunks, joined."""
    parts, position = [], len(PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack("!I4s", data[position:position + 8])
        if kind == b"IDAT":
            parts.append(data[position + 8:position + 8 + length])
        position += 12 + length  # length, type, data, CRC
    return b"".join(parts)


def write_pdf(page: str, target: Path, allowed: list[Path],
              on_step: Callable[[str], None] = lambda step: None,
              labels: dict[str, str] | None = None,
              anchors: dict[str, int] | None = None) -> int:
    """Render the print HTML with WeasyPrint, fetching only the build's own files; return the
    number of pages. `anchors`, when given, receives the page (from 1) of every anchor."""
    from weasyprint import CSS, HTML

    from .pdf import faster_pdf

    fetcher = build_fetcher(allowed)
    css = CSS(filename=str(asset("styles/print.css")), url_fetcher=fetcher)
    words = CSS(string=label_css(labels or {}), url_fetcher=fetcher)
    options = {"stylesheets": [css, words], "pdf_variant": "pdf/ua-1", "uncompressed_pdf": False,
               "custom_metadata": True}
    on_step("Laying out the PDF")
    # Laid out and written in two calls (as HTML.write_pdf does) to keep the page count,
    # which the manifest records, without reading the PDF back.
    with faster_pdf():  # steps aside where WeasyPrint's internals are not what it knows
        document = HTML(string=page, base_url=str(allowed[0]) + "/",
                        url_fetcher=fetcher).render(**options)
        on_step("Writing the PDF")
        document.write_pdf(target, **options)
    if fetcher.refused:
        target.unlink(missing_ok=True)
        raise EnvironmentFault("the PDF asked for resources outside the build: "
                               + ", ".join(sorted(fetcher.refused)[:3]))
    if anchors is not None:
        for number, laid_out in enumerate(document.pages, start=1):
            for name in laid_out.anchors:
                anchors.setdefault(name, number)
    return len(document.pages)


# A range of citation numbers ("3–6"): the print style keeps it on one line.
CITE_RANGE = re.compile(r'<a href="#ref-[^"]*" role="doc-biblioref">\d+</a>–'
                        r'<a href="#ref-[^"]*" role="doc-biblioref">\d+</a>')


def page_footnotes(page: str) -> str:
    """Move pandoc's endnotes to where they are called, as CSS footnotes: WeasyPrint then
    sets each at the foot of the page that calls it."""
    notes = dict(re.findall(r'<li id="(fn\d+)"[^>]*>(.*?)</li>', page, re.S))
    if not notes:
        return page

    def body(note: str) -> str:
        note = re.sub(r'<a href="#fnref\d+"[^>]*>.*?</a>', "", note, flags=re.S)
        return re.sub(r"</?p>", "", note).strip()

    page = re.sub(r'<a href="#(fn\d+)" class="footnote-ref"[^>]*>.*?</a>',
                  lambda m: f'<span class="footnote">{body(notes.get(m.group(1), ""))}</span>',
                  page, flags=re.S)
    return re.sub(r'<section id="footnotes"[^>]*>.*?</section>', "", page, flags=re.S)


def build_fetcher(allowed: list[Path]):
    """Return a WeasyPrint URL fetcher that serves `data:` and files below `allowed` only."""
    from weasyprint.urls import URLFetcher

    roots = [p.resolve() for p in allowed]

    class BuildOnlyFetcher(URLFetcher):
        refused: set[str] = set()

        def __init__(self):
            super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False)
            self.refused = set()

        def fetch(self, url, headers=None):
            from weasyprint.urls import URLFetcherResponse

            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == FIGURE_SCHEME:
                name = url.split(":", 1)[1]
                for root in roots:
                    candidate = (root / name).resolve()
                    if candidate.parent == root and candidate.is_file():
                        return URLFetcherResponse(url, candidate.read_bytes(),
                                                  {"Content-Type": "image/png"})
            if scheme == "file":
                path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).resolve()
                if any(path.is_relative_to(root) for root in roots) and path.is_file():
                    return super().fetch(url, headers)
            self.refused.add(url)
            raise ValueError(f"refused to fetch {url}: not part of this build")

    return BuildOnlyFetcher()
