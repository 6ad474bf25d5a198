"""What an edited DOCX says it was built from: the brief as built and the text as built,
read back from the custom XML part the DOCX writer stored (report/render/docx.py)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import zlib
from dataclasses import dataclass

from ..render.docx import ORIGIN_NS, ORIGIN_PROPERTY
from ..render.wordtext import Paragraph, unpack
from .package import MAX_PART, Package, Refused

MAX_BRIEF = 2 * 1024 * 1024  # as a brief file may be


@dataclass(frozen=True)
class Built:
    """The brief and the document's text as they were when the DOCX was built."""

    tool: str
    build: str
    brief_name: str
    brief: str
    paragraphs: list[Paragraph]


def read_origin(package: Package) -> Built:
    """Return the origin stored in the DOCX; raise Refused when there is none or it is
    damaged (saying which)."""
    found = None
    for name in sorted(package.names):
        if not re.fullmatch(r"customXml/item\d+\.xml", name):
            continue
        root = package.xml(name)
        if root is not None and root.tag == f"{{{ORIGIN_NS}}}origin":
            found = root
            break
    if found is None:
        custom = package.read("docProps/custom.xml") or b""
        if ORIGIN_PROPERTY.encode() in custom:
            raise Refused("was made by report, but its record of the brief as built is gone "
                          "(an editor or converter dropped the document's custom XML part); "
                          "absorb the DOCX as it left Word or LibreOffice")
        raise Refused("was not made by report (it has no record of the brief it was built "
                      "from); only a DOCX that `report build` wrote can be absorbed")
    brief_el = found.find(f"{{{ORIGIN_NS}}}brief")
    text_el = found.find(f"{{{ORIGIN_NS}}}text")
    if brief_el is None or text_el is None:
        raise Refused("holds no brief to absorb (it was built without one)")
    brief = _unpacked(brief_el.text, MAX_BRIEF, "the brief as built").decode("utf-8", "replace")
    digest = brief_el.get("sha256") or ""
    if hashlib.sha256(brief.encode()).hexdigest() != digest:
        raise Refused("is damaged: the brief stored in it does not match its checksum")
    try:
        rows = json.loads(_unpacked(text_el.text, MAX_PART, "the text as built"))
        paragraphs = unpack(rows)
    except (ValueError, TypeError):
        raise Refused("is damaged: its record of the text as built cannot be read") from None
    return Built(found.get("tool") or "", found.get("build") or "",
                 brief_el.get("name") or "brief.md", brief, paragraphs)


def _unpacked(text: str | None, limit: int, what: str) -> bytes:
    try:
        raw = base64.b64decode("".join((text or "").split()), validate=True)
        inflate = zlib.decompressobj()
        data = inflate.decompress(raw, limit + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise Refused(f"is damaged: {what} stored in it cannot be read") from None
    if len(data) > limit or inflate.unconsumed_tail:
        raise Refused(f"is damaged: {what} stored in it is larger than any briefing's")
    return data
