"""What renders the documents besides this package: the installed Python packages, pandoc,
Chromium and the fonts. The build's fingerprint and the chart images' names hold them, so a
changed tool never leaves documents or images the installed one would not make (a new Babel
once changed the money format while the build said "up to date").
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from importlib.metadata import distributions
from pathlib import Path

# Where kaleido finds Chromium (report.charts.export.find_browser looks in the same order).
BROWSER_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser",
                      "google-chrome", "chrome")


def installed_packages() -> list[str]:
    """`name==version` of every installed distribution, sorted."""
    found = {f"{(d.metadata['Name'] or '').lower()}=={d.version}" for d in distributions()}
    return sorted(found)


def browser_path() -> str | None:
    """The Chromium kaleido drives: BROWSER_PATH, else the first candidate found."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in BROWSER_CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    return None


def file_identity(path: str | None) -> str:
    """A program's resolved path, size and modification time: a new version of it is a new
    file. Asking Chromium for `--version` costs 0.2 s, half a no-op rebuild."""
    if not path:
        return "absent"
    real = os.path.realpath(path)
    try:
        stat = os.stat(real)
    except OSError:
        return f"{real} unreadable"
    return f"{real} {stat.st_size} {stat.st_mtime_ns}"


def pandoc_identity() -> str:
    """The pandoc pypandoc runs (PYPANDOC_PANDOC, else the one in pypandoc-binary's wheel)."""
    configured = os.environ.get("PYPANDOC_PANDOC")
    if configured:
        return file_identity(shutil.which(configured) or configured)
    try:
        import pypandoc

        return file_identity(pypandoc.get_pandoc_path())
    except (OSError, ImportError, RuntimeError):
        return "absent"


def fonts() -> str:
    """Every font fontconfig offers (file, version, family): what WeasyPrint and Chromium
    choose from, fallbacks included."""
    if not shutil.which("fc-list"):
        return "no fontconfig"
    try:
        run = subprocess.run(["fc-list", "--format", "%{file}|%{fontversion}|%{family}\\n"],
                             capture_output=True, timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return "fc-list failed"
    return "\n".join(sorted(run.stdout.decode("utf-8", "replace").splitlines()))


def _found(identity: str) -> str | None:
    return None if identity == "absent" or identity.endswith(" unreadable") else identity


@dataclass(frozen=True)
class Toolchain:
    """The tools of this process, as far as they can be told apart."""

    packages: tuple[str, ...]
    fonts: str
    pandoc: str | None  # None: not found (a build would say so, if it needed it)
    browser: str | None

    def key(self) -> str:
        """A hash of what is always known: every installed package and the fonts."""
        digest = hashlib.sha256()
        for part in (*self.packages, self.fonts):
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()

    def programs(self) -> dict[str, str | None]:
        return {"pandoc": self.pandoc, "browser": self.browser}

    def same_programs(self, recorded: dict) -> bool:
        """Whether every program found now is the one `recorded` names. A program not found
        counts as unchanged: with it missing, what is there is the best a build could do,
        and a build that needs it says so."""
        return all(now is None or recorded.get(name) == now
                   for name, now in self.programs().items())


@cache
def toolchain() -> Toolchain:
    """The toolchain of this process, worked out once (about 0.07 s)."""
    return Toolchain(tuple(installed_packages()), fonts(), _found(pandoc_identity()),
                     _found(file_identity(browser_path())))
