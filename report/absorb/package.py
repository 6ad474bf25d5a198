"""Opening an edited DOCX as untrusted input: a zip of a bounded size whose XML parts are
read with entities, DTDs and the network switched off, and only the parts absorb needs.

Nothing in the file runs, fetches or embeds anything: relationships are never followed
outside the package (an external target is ignored), pictures are not read, and every part
is read through a bounded decompressor, so a zip bomb stops at the limit instead of
filling the memory.
"""

from __future__ import annotations

import posixpath
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MAX_FILE = 100 * 1024 * 1024  # a briefing's DOCX is about 1 MB, its charts included
MAX_PART = 64 * 1024 * 1024  # one XML part, uncompressed (the briefing's text is ~2 MB)
MAX_ENTRIES = 5000
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted OOXML file, or an old .doc
OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                   "officeDocument")
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


class Refused(Exception):
    """The file cannot be absorbed; the message says why, in one line."""


@dataclass
class Package:
    """An opened DOCX: read a part by name (None when it is absent)."""

    zip: zipfile.ZipFile
    names: set[str]

    def read(self, name: str) -> bytes | None:
        if name not in self.names:
            return None
        info = self.zip.getinfo(name)
        if info.flag_bits & 0x1:
            raise Refused("is encrypted (a password-protected part); save it without a "
                          "password and absorb that")
        try:
            with self.zip.open(info) as stream:
                data = stream.read(MAX_PART + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as err:
            raise Refused(f"is damaged: its part {name} cannot be read ({err})") from None
        if len(data) > MAX_PART:
            raise Refused(f"has a part larger than any briefing's ({name}, over "
                          f"{MAX_PART // 2**20} MB uncompressed)")
        return data

    def xml(self, name: str):
        """The part parsed as XML, safely; None when it is absent."""
        data = self.read(name)
        return None if data is None else parse_xml(data, name)

    def main_part(self) -> str:
        """The name of the main document part, from the package's relationships."""
        rels = self.xml("_rels/.rels")
        if rels is not None:
            for rel in rels.iter(f"{{{PKG}}}Relationship"):
                if rel.get("Type") == OFFICE_DOCUMENT and rel.get("TargetMode") != "External":
                    name = inside(rel.get("Target") or "", "")
                    if name in self.names:
                        return name
        if "word/document.xml" in self.names:
            return "word/document.xml"
        raise Refused("is not a Word document (no main document part)")

    def related(self, part: str, kind: str) -> list[str]:
        """The package parts `part` relates to with a relationship type ending in `kind`;
        external targets (web addresses, files) are never followed."""
        folder, base = posixpath.split(part)
        rels = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        found = []
        if rels is None:
            return found
        for rel in rels.iter(f"{{{PKG}}}Relationship"):
            if (rel.get("Type") or "").endswith("/" + kind) and \
                    rel.get("TargetMode") != "External":
                name = inside(rel.get("Target") or "", folder)
                if name in self.names:
                    found.append(name)
        return found


def inside(target: str, folder: str) -> str | None:
    """A relationship's target as a part name, or None when it leaves the package."""
    if "://" in target or target.startswith("\\"):
        return None
    path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    normal = posixpath.normpath(path)
    if normal.startswith("../") or normal == ".." or PurePosixPath(normal).is_absolute():
        return None
    return normal


def parse_xml(data: bytes, name: str):
    """Parse untrusted XML: no DTD, no entities, no network, no huge trees."""
    from lxml import etree

    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in data[:65536] or b"<!ENTITY" in head:
        raise Refused(f"has a document type declaration in {name}, which Word never writes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_pis=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as err:
        raise Refused(f"is damaged: {name} is not well-formed XML ({err.msg})") from None


def open_docx(path: Path) -> Package:
    """Open `path` as a DOCX; raise Refused saying why it is not one we can read."""
    try:
        info = path.stat()
    except OSError as err:
        raise Refused(f"cannot be read ({err.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise Refused("is not a regular file")
    if info.st_size > MAX_FILE:
        raise Refused(f"is larger than any briefing's DOCX ({info.st_size // 2**20} MB)")
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError as err:
        raise Refused(f"cannot be read ({err.strerror})") from None
    if head == OLE:
        raise Refused("is encrypted (password-protected) or an old binary .doc, not a DOCX; "
                      "save it as a Word document without a password")
    if not head.startswith(b"PK"):
        raise Refused("is not a DOCX (not a zip package)")
    try:
        z = zipfile.ZipFile(path)
        entries = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise Refused(f"is damaged: not a readable zip package ({err})") from None
    if len(entries) > MAX_ENTRIES:
        raise Refused(f"holds {len(entries)} parts, more than any briefing's DOCX")
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names:
        raise Refused("is not a DOCX (no [Content_Types].xml in the package)")
    return Package(z, names)
