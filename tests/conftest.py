"""Shared fixtures: the CLI run as a user runs it, and briefings built once per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# In CI the property tests run the same examples every time, so that a landing never depends
# on the draw; on a developer's machine they draw new ones each run and look for new bugs.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
GOOD = DATA / "good"
BAD = DATA / "bad"
EPOCH = "1767225600"  # 2026-01-01 00:00 UTC: fixed dates make builds comparable


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str, cwd: Path, env: dict | None = None, timeout: int = 600) -> Run:
    """Run `python -m report ARGS` in `cwd` and return what a user would see."""
    full_env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "report", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    return Run(proc.returncode, proc.stdout, proc.stderr)


def libreoffice(source: Path, convert_to: str, out_dir: Path, profile: Path,
                timeout: int = 600) -> subprocess.CompletedProcess:
    """Convert `source` with headless LibreOffice (`make test` installs Writer and Calc), in a
    profile of its own so tests running side by side do not share one."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, ("LibreOffice is needed: `make test` installs libreoffice-writer-nogui "
                     "and libreoffice-calc-nogui")
    return subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile.as_uri()}",
                           "--convert-to", convert_to, "--outdir", str(out_dir), str(source)],
                          capture_output=True, text=True, timeout=timeout)


def case_dir(tmp: Path, *files: Path) -> Path:
    """Return a fresh `cases/` folder in `tmp` holding copies of `files`."""
    cases = tmp / "cases"
    cases.mkdir(parents=True, exist_ok=True)
    for f in files:
        shutil.copy(f, cases / f.name)
    return cases


@dataclass
class Built:
    root: Path
    run: Run

    @property
    def out(self) -> Path:
        return self.root / "output"


def _build(root: Path, cases: list[Path], *extra: str) -> Built:
    case_dir(root, *cases)
    run = run_cli("build", "--quiet", *extra, cwd=root)
    assert run.code == 0, run.err
    return Built(root, run)


def project_inputs() -> list[Path]:
    """The project's own inputs: case files, exchange rates, claims and the brief."""
    return sorted(p for p in (ROOT / "cases").iterdir()
                  if p.suffix in (".yaml", ".md") and p.name != "README.md")


@pytest.fixture(scope="session")
def real_build(tmp_path_factory) -> Built:
    """The briefing built from the project's own case files and brief, as CI builds it."""
    return _build(tmp_path_factory.mktemp("real"), project_inputs(), "--strict")


@pytest.fixture(scope="session")
def brief_build(tmp_path_factory) -> Built:
    """Three synthetic cases with a synthetic brief and claims register."""
    return _build(tmp_path_factory.mktemp("brief"),
                  sorted(GOOD.glob("*.yaml")) + sorted((DATA / "brief").iterdir()))


@pytest.fixture(scope="session")
def three_build(tmp_path_factory) -> Built:
    """The briefing built from three synthetic cases."""
    return _build(tmp_path_factory.mktemp("three"), sorted(GOOD.glob("*.yaml")))
