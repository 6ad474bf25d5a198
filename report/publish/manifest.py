"""The manifest of a build: what went in and what came out, with hashes; and the build the
output folder already shows, when it was made from the same inputs."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..errors import display_path
from ..load.files import InputFiles
from . import MANIFEST, current_generation


def previous_build(out_dir: Path, key: str) -> dict[str, Path] | None:
    """Return the documents the output folder shows if they were made from the same inputs
    with the same pandoc and Chromium and are intact (and still published: a deleted link is
    put back by a new build), else None."""
    from ..toolchain import toolchain

    generation = current_generation(out_dir)
    if generation is None and (out_dir / MANIFEST).is_file():
        generation = out_dir  # plain files, as an earlier version published them
    if generation is None:
        return None
    try:
        manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("fingerprint") != key or not toolchain().same_programs(
                manifest.get("programs", {})):
            return None
        documents = {}
        for kind, entry in manifest["documents"].items():
            path = out_dir / entry["file"]
            if os.path.realpath(path) != os.path.realpath(generation / entry["file"]):
                return None
            if hashlib.sha256((generation / entry["file"]).read_bytes()).hexdigest() \
                    != entry["sha256"]:
                return None
            documents[kind] = path
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return documents


def write_manifest(path: Path, documents: dict[str, Path], pdf_pages: dict[str, int | None],
                   case_files, epoch: int, key: str, files: InputFiles,
                   parts: dict[str, str] | None = None) -> None:
    """Write what went in and what came out, with hashes, so a reader can check an artefact.

    `pdf_pages` is each PDF's page count by file name; `parts`, the key of each document
    made from only some of the inputs (the annex), so the next build can keep it."""
    def describe(p: Path) -> dict:
        data = p.read_bytes()
        entry = {"file": p.name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        if p.suffix == ".pdf":
            entry["pages"] = pdf_pages.get(p.name)
        return entry

    from ..toolchain import toolchain

    manifest = {
        "fingerprint": key,
        "programs": toolchain().programs(),
        "source_date_epoch": epoch,
        "parts": dict(sorted((parts or {}).items())),
        "documents": {kind: describe(p) for kind, p in sorted(documents.items())},
        "cases": [{"file": cf.path.name, "id": cf.case.id,
                   "sha256": hashlib.sha256(
                       files.read(cf.path, display_path(cf.path)).data).hexdigest()}
                  for cf in case_files],
    }
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def annex_key(annex, options) -> str:
    """A hash of everything the annex's files depend on: its Markdown, bibliography and
    words, its build date, this package and the tools (not the formats: a build keeps those
    of the annex's files it asks for)."""
    import dataclasses

    from ..toolchain import toolchain
    from .fingerprint import package_key

    digest = hashlib.sha256()
    for part in (json.dumps(dataclasses.asdict(annex.briefing), sort_keys=True, default=str),
                 str(annex.epoch), toolchain().key(), package_key()):
        digest.update(part.encode() + b"\0")
    return digest.hexdigest()


def previous_part(out_dir: Path, part: str, key: str, staging: Path, formats=()
                  ) -> tuple[dict[str, Path], int | None] | None:
    """When the current build holds `part` (the annex) made with the same key, in every
    format asked for, and intact, link those files (and its Markdown) into `staging` and
    return them by kind, with its PDF's page count."""
    generation = current_generation(out_dir)
    if generation is None:
        return None
    try:
        manifest = json.loads((generation / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("parts", {}).get(part) != key:
            return None
        wanted = {f"{part}.{ext}" for ext in (*formats, "md")}
        entries = {kind: entry for kind, entry in manifest["documents"].items()
                   if entry["file"] in wanted}
        if len(entries) != len(wanted):
            return None
        found: dict[str, Path] = {}
        pages = None
        for kind, entry in entries.items():
            source = generation / entry["file"]
            if hashlib.sha256(source.read_bytes()).hexdigest() != entry["sha256"]:
                return None
            if entry["file"].endswith(".pdf"):
                pages = entry.get("pages")
            found[kind] = staging / entry["file"]
        for target in found.values():
            try:
                os.link(generation / target.name, target)
            except OSError:  # a file system without hard links
                import shutil

                shutil.copy2(generation / target.name, target)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return (found, pages) if found else None
