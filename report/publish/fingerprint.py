"""The build's fingerprint: a hash of everything its documents depend on, so that a build
with nothing changed renders nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import InputError, display_path
from ..load.cases import input_paths
from ..load.files import InputFiles

PACKAGE = Path(__file__).resolve().parent.parent  # report/: its code, templates and styles


def package_key() -> str:
    """A hash of this package's code, templates and styles."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            data = path.read_bytes()
            name = str(path.relative_to(PACKAGE))
            digest.update(f"{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def fingerprint(options, epoch: int, files: InputFiles | None = None) -> str:
    """Return a hash of everything a build's documents depend on.

    The case files' bytes, the build's settings (`options.settings()`: the formats, --strict
    and any option added later), the dates, this package's code, templates and styles, and
    the tools that render (every installed package, pandoc, Chromium, the fonts): equal
    fingerprints give equal documents.
    """
    from ..toolchain import toolchain  # looked up here: a test swaps in another toolchain

    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(f"{label}\0{len(data)}\0".encode() + data)

    files = files if files is not None else InputFiles(options.cases_dir)
    for name, value in options.settings().items():
        add(name, value.encode())
    add("epoch", str(epoch).encode())
    add("toolchain", toolchain().key().encode())  # pandoc and Chromium: previous_build
    add("package", package_key().encode())
    problems = []
    for path in input_paths(options.cases_dir, options.brief):
        try:
            add("input/" + path.name, files.read(path, display_path(path)).data)
        except InputError as err:
            problems += err.problems
    if problems:
        raise InputError(problems)
    return digest.hexdigest()
